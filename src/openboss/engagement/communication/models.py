"""Tables of this area (filled as it is built)."""

from __future__ import annotations
