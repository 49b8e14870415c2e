"""Construction and field workforce — PBOSS construction management (DOMAIN.md §3.4).

Dispatch optimisation and rostering engines (OR-Tools); work orders, appointments,
crews and assessment as they are built.
"""
