"""Tables of the workforce domain (none yet)."""
