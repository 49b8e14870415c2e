"""Tables of assessment (none yet)."""
