"""Region codes and their ancestry, read from the code itself.

Regions are GB/T 2260 administrative codes — province ``330000``, city
``330100``, district ``330106`` — and grids below a district
(``330106-G01``); the party domain owns the region table, but the ancestry
of a region is in its code, so every domain can ask without importing it::

    ancestors("330106-G01") == ["330106-G01", "330106", "330100", "330000"]
"""

from __future__ import annotations

import re

REGION_CODE = re.compile(r"^\d{6}(-[A-Za-z0-9]{1,16})?$")


def is_region_code(value: str) -> bool:
    return bool(REGION_CODE.match(value))


def ancestors(region_id: str) -> list[str]:
    """The region and the regions containing it, most specific first; a value
    that is not a region code is its own only ancestor."""
    if not REGION_CODE.match(region_id):
        return [region_id]
    chain: list[str] = [region_id]
    code = region_id.split("-", 1)[0]
    if code != region_id:
        chain.append(code)
    if code[4:] != "00":
        chain.append(code[:4] + "00")
    if code[2:] != "0000":
        chain.append(code[:2] + "0000")
    return list(dict.fromkeys(chain))
