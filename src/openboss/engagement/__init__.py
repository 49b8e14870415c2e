"""Engagement (eTOM 1.1.1.3, 1.1.1.4, 1.1.1.9) and customer communications (TMF681)."""
