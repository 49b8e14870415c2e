"""Tables of appointments (none yet)."""
