"""Accounts — TMF666 billing accounts, enterprise account hierarchies, and the
credit check order handling calls (eTOM 1.1.1.5 order handling, 1.1.1.11 bill
payments & receivables)."""
