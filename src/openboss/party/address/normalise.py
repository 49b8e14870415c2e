"""Normalising Chinese postal addresses so that one building is entered once.

eTOM 1.1.1.2 customer interface management (address capture): the same
building reaches the system spelt many ways — ``翠苑一区 3幢``, ``翠苑1区3栋``,
``翠苑１区　３号楼`` — and must map to one site. The rules, applied to every
part before it is compared:

* Unicode NFKC: full-width digits, letters and spaces become half-width
  (``３`` → ``3``, ``Ａ`` → ``A``, the ideographic space → a space);
* latin letters are lower-cased; white space, punctuation and symbols are
  dropped (``3-2`` and ``3 2`` compare equal; ``#`` after a number reads ``号``);
* Chinese numerals become Arabic digits (``三`` → ``3``, ``十二`` → ``12``,
  ``二十五`` → ``25``, ``一〇一`` → ``101``, ``两`` → ``2``);
* building words are unified: ``栋``, ``幢``, ``号楼``, ``座`` after a number,
  and a bare number, all read ``<n>幢``;
* a trailing ``号`` of a street number is dropped (``90号`` → ``90``), as are
  the ``单元`` / ``室`` / ``层``/``楼``/``F`` words of units, rooms and floors;
* administrative suffixes (``省``, ``市``, ``区``, ``县``) are dropped from
  province, city and district names in keys (``杭州市`` = ``杭州``).

:func:`site_key` and :func:`address_key` build the UNIQUE keys;
:func:`search_form` is the form of ``search_text`` and of search queries, so
a query spelt differently still finds the row.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_DIGITS: Final = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_RUN: Final = re.compile("[零〇一二两三四五六七八九十百千]+")
#: ``#`` right after a digit is the colloquial ``号`` (``3#楼``).
_HASH_AFTER_DIGIT: Final = re.compile(r"(?<=\d)#")
#: Building words after a number; ``号楼`` first so ``号`` is not left behind.
_BUILDING_WORD: Final = re.compile(r"(\d+)(?:号楼|号栋|号幢|栋|幢|座|楼|号)")
#: In free text only the unambiguous building words are unified (``90号`` is a
#: street number there, not a building).
_SEARCH_BUILDING_WORD: Final = re.compile(r"(\d+)(?:号楼|号栋|号幢|栋)")
_TRAILING_HAO: Final = re.compile(r"号$")
_UNIT_WORD: Final = re.compile(r"(?:单元|单|门)$")
_ROOM_WORD: Final = re.compile(r"(?:室|房|号)$")
_FLOOR_WORD: Final = re.compile(r"^(?:第)?(.+?)(?:层|楼|f)$")
_ADMIN_SUFFIX: Final = re.compile(r"(?:省|市|区|县)$")


def chinese_numeral_value(run: str) -> int:
    """The value of a run of Chinese numerals: positional (``二十五`` = 25,
    ``十二`` = 12, ``三百零五`` = 305) when it has 十/百/千, else digit by digit
    (``一〇一`` = 101)."""
    if not any(ch in _UNITS for ch in run):
        return int("".join(str(_DIGITS[ch]) for ch in run))
    total = 0
    pending: int | None = None
    for ch in run:
        if ch in _DIGITS:
            pending = _DIGITS[ch]
        else:
            total += (pending if pending is not None else 1) * _UNITS[ch]
            pending = None
    return total + (pending or 0)


def _replace_numerals(text: str) -> str:
    return _NUMERAL_RUN.sub(lambda m: str(chinese_numeral_value(m.group())), text)


def basic_form(text: str | None) -> str:
    """NFKC, lower case, no white space, punctuation or symbols, Chinese
    numerals as digits. The form every other rule starts from."""
    if not text:
        return ""
    current = text
    # lower-casing can produce text NFKC changes again: repeat to a fixed point
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", current).lower()
        folded = unicodedata.normalize("NFKC", folded)
        folded = _HASH_AFTER_DIGIT.sub("号", folded)
        kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] in ("L", "N"))
        # digits of other scripts (Arabic-Indic, superscripts) read as ASCII digits
        kept = "".join(str(unicodedata.digit(ch, 0)) if ch.isdigit() else ch for ch in kept)
        kept = _replace_numerals(kept)
        if kept == current:
            break
        current = kept
    return current


def _unify_buildings(text: str) -> str:
    return _BUILDING_WORD.sub(lambda m: f"{int(m.group(1))}幢", text)


def search_form(text: str | None) -> str:
    """The form of ``search_text`` and of a search query: the basic form with
    building words unified (``3号楼`` → ``3幢``)."""
    return _SEARCH_BUILDING_WORD.sub(lambda m: f"{int(m.group(1))}幢", basic_form(text))


def region_name_key(name: str | None) -> str:
    """A province, city or district name without its administrative suffix."""
    base = basic_form(name)
    stripped = _ADMIN_SUFFIX.sub("", base)
    return stripped if len(stripped) >= 2 else base


def street_number_key(number: str | None) -> str:
    """``90号`` → ``90``; ``九十号`` → ``90``."""
    return _TRAILING_HAO.sub("", basic_form(number))


def building_key(building: str | None) -> str:
    """``三幢``, ``3栋``, ``3号楼``, ``3#``, ``3`` → ``3幢``; a name (``A座`` →
    ``a幢``, ``综合楼``) keeps its words, only normalised."""
    base = basic_form(building)
    if not base:
        return ""
    if base.isdigit():
        return f"{int(base)}幢"
    base = re.sub(r"^([a-z])(?:号楼|号|栋|幢|座|楼)$", r"\1幢", base)
    return _unify_buildings(base)


def unit_key(unit: str | None) -> str:
    """``2单元``, ``二单元``, ``2`` → ``2``."""
    base = _UNIT_WORD.sub("", basic_form(unit))
    return str(int(base)) if base.isdigit() else base


def room_key(room: str | None) -> str:
    """``501室``, ``五〇一``, ``501号`` → ``501``."""
    base = _ROOM_WORD.sub("", basic_form(room))
    return str(int(base)) if base.isdigit() else base


def floor_key(floor: str | None) -> str:
    """``5层``, ``5楼``, ``5F``, ``第五层`` → ``5``."""
    base = basic_form(floor)
    match = _FLOOR_WORD.match(base)
    if match:
        base = match.group(1)
    return str(int(base)) if base.isdigit() else base


def site_key(
    *,
    province: str | None,
    city: str | None,
    district: str | None,
    road: str | None,
    road_number: str | None,
    compound: str | None,
    building: str | None,
) -> str:
    """The UNIQUE key of a building.

    A building is where it stands — province, city, district, road and
    street number — plus its building number. The compound name only
    identifies the place when there is no street number (a compound is the
    name of what stands at a gate; two spellings of the same gate with and
    without the compound name are the same building). The street (街道) is an
    administrative area, not part of the identity.
    """
    number = street_number_key(road_number)
    parts = [
        region_name_key(province),
        region_name_key(city),
        region_name_key(district),
        basic_form(road),
        number,
        "" if number else basic_form(compound),
        building_key(building),
    ]
    return "|".join(parts)


def address_key(site_id: str, unit: str | None, room: str | None) -> str:
    """The UNIQUE key of an address: its site, unit and room (the floor is
    implied by the room)."""
    return f"{site_id}|{unit_key(unit)}|{room_key(room)}"


# --------------------------------------------------------------------------- display


def display_building(building: str | None) -> str | None:
    """The building as shown: a bare number gets ``幢`` (``3`` → ``3幢``)."""
    if not building:
        return None
    text = unicodedata.normalize("NFKC", building).strip()
    return f"{text}幢" if text.isdigit() else text


def display_road_number(number: str | None) -> str | None:
    """``90`` → ``90号``."""
    if not number:
        return None
    text = unicodedata.normalize("NFKC", number).strip()
    return f"{text}号" if text[-1:].isdigit() else text


def display_unit(unit: str | None) -> str | None:
    if not unit:
        return None
    text = unicodedata.normalize("NFKC", unit).strip()
    return f"{text}单元" if text.isdigit() else text


def display_room(room: str | None) -> str | None:
    if not room:
        return None
    text = unicodedata.normalize("NFKC", room).strip()
    return f"{text}室" if text.isdigit() else text


def display_floor(floor: str | None) -> str | None:
    if not floor:
        return None
    text = unicodedata.normalize("NFKC", floor).strip()
    return f"{text}层" if text.isdigit() else text
