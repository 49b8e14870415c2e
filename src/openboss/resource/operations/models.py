"""Tables of operations (none yet)."""
