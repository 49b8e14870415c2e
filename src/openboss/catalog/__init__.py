"""Product catalog — eTOM 1.1.1.1 CRM support & readiness (product readiness) — TMF620."""
