"""Tables of pools (none yet)."""
