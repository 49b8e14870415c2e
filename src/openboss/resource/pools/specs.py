"""The ids of the seven resource types pools and stock are made of.

They are built-in types, seeded with their characteristics by
:func:`openboss.resource.inventory.specs.ensure_builtin_specs` (the one seed
of the network view's types).

eTOM 1.5.1 resource management (resource specification support).
"""

from __future__ import annotations

IP_POOL, IP_ADDRESS, IP_BLOCK = "ipPool", "ipAddress", "ipBlock"
NUMBER_POOL, NUMBER = "numberPool", "number"
WAREHOUSE, CPE = "warehouse", "cpe"

POOL_SPEC_IDS = (IP_POOL, IP_ADDRESS, IP_BLOCK, NUMBER_POOL, NUMBER, WAREHOUSE, CPE)

#: Days a released number rests before it can be issued again.
NUMBER_QUARANTINE_DAYS = 90
