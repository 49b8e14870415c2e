"""Addresses and sites: TMF673 Geographic Address plus the buildings (sites)
that resource coverage attaches to (eTOM 1.1.1.2)."""
