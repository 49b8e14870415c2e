"""Domain-free building blocks: TMF REST conventions, ids, money, clock, errors.

``kit`` imports no domain and no infrastructure package above it (enforced by
an import-linter contract).
"""
