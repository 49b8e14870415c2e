"""Tables of publishing (none yet)."""
