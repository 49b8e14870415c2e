"""Identity documents of parties, validated for real.

A party is identified by an official document: an individual by the resident
identity card (居民身份证) or a passport, an organisation by its unified social
credit code (统一社会信用代码). The same document number means the same party,
so the number is normalised here before anything compares or stores it.

Every validator takes the raw input and returns a small frozen dataclass with
the normalised number and the facts it encodes, or raises
:class:`~openboss.kit.errors.ValidationFailed` whose English message names the
exact problem, whose ``code`` is a stable key for translation catalogs and
whose ``details`` carry the values a translated message needs.

What is enforced
----------------
* **Resident identity card number** (GB 11643-1999): 17 digits and a check
  character (0-9 or X) by ISO 7064 MOD 11-2; the birth date (digits 7-14) is a
  real calendar date, not before 1900 and not after today (Beijing time); the
  first two digits of the administrative division code (digits 1-6) are a
  province-level code of GB/T 2260, or 83, the prefix the residence permits
  of Taiwan residents use (GB/T 2260 codes Taiwan as 71). The full six-digit
  code is not checked: a number keeps the code of the county where it was
  first issued, long after that county is renamed or merged, so a full check
  needs the historical code list — a follow-up (python-stdnum ships one).
  15-digit numbers from before 1999 are refused: the 18-digit number is
  required.
* **Unified social credit code** (GB 32100-2015): 18 characters from
  ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z); the registration
  authority and organisation category (characters 1-2) form a pair of the
  standard's Appendix A table with its later amendments (authorities 2, 3, 4,
  6, 7, 8, A and N added to the original 1, 5, 9 and Y; see
  :data:`USCC_CATEGORIES`); characters 3-8 are digits whose first two are a
  province-level code or 10, used for registrations at national level;
  characters 9-17 are the organisation code of GB 11714 with its own check
  character (MOD 11, weights 3 7 9 10 5 8 4 2); character 18 is the check
  character of GB 32100 (MOD 31, weights 3^i mod 31).
* **Passport**: the issuing country is an ISO 3166-1 alpha-3 code, given
  separately. Chinese ordinary passports (issuing country ``CHN``) are E or G
  followed by 8 digits, or E, a letter and 7 digits; other countries' numbers
  are 5 to 20 letters and digits, as ICAO 9303 leaves the format to each
  issuer.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import Final, Literal

from openboss.kit.clock import utcnow
from openboss.kit.errors import ValidationFailed

#: China Standard Time; China has kept UTC+8 without daylight saving since 1991.
CHINA_TZ: Final = timezone(timedelta(hours=8), "CST")

#: Province-level divisions of GB/T 2260 by their two-digit code.
PROVINCES: Final[dict[str, str]] = {
    "11": "Beijing",
    "12": "Tianjin",
    "13": "Hebei",
    "14": "Shanxi",
    "15": "Inner Mongolia",
    "21": "Liaoning",
    "22": "Jilin",
    "23": "Heilongjiang",
    "31": "Shanghai",
    "32": "Jiangsu",
    "33": "Zhejiang",
    "34": "Anhui",
    "35": "Fujian",
    "36": "Jiangxi",
    "37": "Shandong",
    "41": "Henan",
    "42": "Hubei",
    "43": "Hunan",
    "44": "Guangdong",
    "45": "Guangxi",
    "46": "Hainan",
    "50": "Chongqing",
    "51": "Sichuan",
    "52": "Guizhou",
    "53": "Yunnan",
    "54": "Tibet",
    "61": "Shaanxi",
    "62": "Gansu",
    "63": "Qinghai",
    "64": "Ningxia",
    "65": "Xinjiang",
    "71": "Taiwan",
    "81": "Hong Kong",
    "82": "Macao",
}

#: Prefixes a resident identity number may start with: the provinces, and 83
#: of the residence permits for Taiwan residents (those of Hong Kong and Macao
#: residents use 81 and 82 like the provinces).
_RESIDENT_ID_PREFIXES: Final[dict[str, str]] = {**PROVINCES, "83": "Taiwan"}

#: Prefixes of the registration-authority division code in a credit code: the
#: provinces, and 10 for authorities at national level (100000).
_USCC_DIVISION_PREFIXES: Final[dict[str, str]] = {**PROVINCES, "10": "national level"}

_DIGITS: Final = frozenset("0123456789")

# --- resident identity card (GB 11643-1999) ----------------------------------

#: ISO 7064 MOD 11-2 weights of the 17 body digits: 2^(17-i) mod 11.
RESIDENT_ID_WEIGHTS: Final[tuple[int, ...]] = tuple(pow(2, 17 - i, 11) for i in range(17))
#: Check character by the weighted sum mod 11 (the value that makes the whole
#: number, check included with weight 1, sum to 1 mod 11; 10 is written X).
_RESIDENT_ID_CHECK: Final = "10X98765432"
_EARLIEST_BIRTH: Final = date(1900, 1, 1)

Sex = Literal["male", "female"]


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A valid 18-digit citizen identity number and what it encodes."""

    number: str
    """The number, upper-case X as check character: ``11010519491231002X``."""
    division_code: str
    """Administrative division (GB/T 2260) where the number was first issued."""
    province_code: str
    """First two digits of the division code."""
    province: str
    """English name of the province-level division."""
    birth_date: date
    sex: Sex
    """The 17th digit (the sequence number's last) is odd for men, even for women."""


def resident_id_check_char(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a 17-digit body."""
    if len(body) != 17 or not set(body) <= _DIGITS:
        raise ValueError("the body of a resident identity number is 17 digits")
    total = sum(int(ch) * w for ch, w in zip(body, RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def validate_resident_id(
    value: str, *, today: date | None = None, field: str = "identificationId"
) -> ResidentId:
    """Validate a resident identity card number (居民身份证号码, GB 11643-1999).

    Spaces are ignored, full-width digits accepted and a lower-case x check
    character is read as X. ``today`` bounds the birth date (default: the
    current date in Beijing by the injectable clock); ``field`` names the
    input in errors.
    """
    number = _compact(value).upper()
    if not number:
        raise _fail("a resident identity number is required", field, "ID_REQUIRED")
    if len(number) == 15 and set(number) <= _DIGITS:
        raise _fail(
            "15-digit resident identity numbers are no longer valid; "
            "the 18-digit number is required",
            field,
            "ID_LEGACY_15",
        )
    if len(number) != 18:
        raise _fail(
            f"a resident identity number has 18 characters, not {len(number)}",
            field,
            "ID_LENGTH",
            length=len(number),
        )
    for position, ch in enumerate(number[:17], start=1):
        if ch not in _DIGITS:
            raise _fail(
                f"character {position} ({ch!r}) of a resident identity number must be a digit",
                field,
                "ID_FORMAT",
                position=position,
                character=ch,
            )
    if number[17] not in _DIGITS and number[17] != "X":
        raise _fail(
            f"the check character of a resident identity number is a digit or X, "
            f"not {number[17]!r}",
            field,
            "ID_FORMAT",
            position=18,
            character=number[17],
        )

    division = number[:6]
    province = _RESIDENT_ID_PREFIXES.get(division[:2])
    if province is None:
        raise _fail(
            f"division code {division} does not start with a province-level code "
            f"of GB/T 2260 ({division[:2]} is none)",
            field,
            "ID_REGION",
            division=division,
        )

    birth = _birth_date(number[6:14], today=today, field=field)

    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise _fail(
            f"check digit should be {expected}, not {number[17]}",
            field,
            "ID_CHECK_DIGIT",
            expected=expected,
            actual=number[17],
        )
    return ResidentId(
        number=number,
        division_code=division,
        province_code=division[:2],
        province=province,
        birth_date=birth,
        sex="male" if int(number[16]) % 2 else "female",
    )


def _birth_date(digits: str, *, today: date | None, field: str) -> date:
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _fail(
            f"birth date {digits} is not a date", field, "ID_BIRTH_DATE", birth_date=digits
        ) from None
    if birth < _EARLIEST_BIRTH:
        raise _fail(
            f"birth date {digits} is before 1900",
            field,
            "ID_BIRTH_TOO_EARLY",
            birth_date=digits,
        )
    if today is None:
        today = utcnow().astimezone(CHINA_TZ).date()
    if birth > today:
        raise _fail(
            f"birth date {digits} is in the future",
            field,
            "ID_BIRTH_FUTURE",
            birth_date=digits,
        )
    return birth


# --- unified social credit code (GB 32100-2015) -----------------------------

#: The 31 characters of a credit code, in the order of their values 0-30.
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE: Final[dict[str, int]] = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
#: Weights of the 17 leading characters: 3^i mod 31 (GB 32100-2015, 4.2).
USCC_WEIGHTS: Final[tuple[int, ...]] = tuple(pow(3, i, 31) for i in range(17))
#: Weights of the 8 body characters of a GB 11714 organisation code.
ORGANISATION_CODE_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)

#: Registration authority (登记管理部门) → (name, {organisation category → name}),
#: GB 32100-2015 Appendix A with its amendments.
USCC_CATEGORIES: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "1": (
        "institutional establishment",
        {
            "1": "government body",
            "2": "public institution",
            "3": "mass organisation under the central establishment office",
            "9": "other",
        },
    ),
    "2": ("foreign affairs", {"1": "resident foreign news agency", "9": "other"}),
    "3": (
        "justice administration",
        {
            "1": "law firm",
            "2": "notary office",
            "3": "grassroots legal service office",
            "4": "judicial expertise institution",
            "5": "arbitration commission",
            "9": "other",
        },
    ),
    "4": ("culture", {"1": "foreign cultural centre", "9": "other"}),
    "5": (
        "civil affairs",
        {
            "1": "social organisation",
            "2": "private non-enterprise unit",
            "3": "foundation",
            "9": "other",
        },
    ),
    "6": (
        "tourism",
        {
            "1": "representative office of a foreign tourism authority",
            "2": "representative office of a Hong Kong, Macao or Taiwan tourism authority",
            "9": "other",
        },
    ),
    "7": (
        "religious affairs",
        {"1": "place of religious activity", "2": "religious school", "9": "other"},
    ),
    "8": ("trade unions", {"1": "grassroots trade union", "9": "other"}),
    "9": (
        "industry and commerce",
        {"1": "enterprise", "2": "individual business", "3": "farmers' cooperative"},
    ),
    "A": (
        "Central Military Commission reform and establishment office",
        {"1": "military public institution", "9": "other"},
    ),
    "N": (
        "agriculture",
        {
            "1": "group-level collective economic organisation",
            "2": "village-level collective economic organisation",
            "3": "township-level collective economic organisation",
            "9": "other",
        },
    ),
    "Y": ("other", {"1": "other"}),
}


@dataclass(frozen=True, slots=True)
class CreditCode:
    """A valid unified social credit code and what it encodes."""

    code: str
    """The 18-character code, upper case: ``91350100M000100Y43``."""
    registration_authority: str
    """Character 1: the kind of authority that registered the organisation."""
    registration_authority_name: str
    category: str
    """Character 2: the organisation category within that authority."""
    category_name: str
    division_code: str
    """Characters 3-8: the registering authority's administrative division."""
    organisation_code: str
    """Characters 9-17: the GB 11714 organisation code, check character last."""


def uscc_check_char(body: str) -> str:
    """The GB 32100 check character of the 17 leading characters of a credit code.

    The weighted sum S of the character values gives the value 31 - S mod 31,
    where 31 is written 0 — so the whole code, check included with weight 1,
    sums to 0 mod 31.
    """
    if len(body) != 17 or any(ch not in _USCC_VALUE for ch in body):
        raise ValueError("the body of a credit code is 17 characters of the credit-code alphabet")
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def organisation_code_check_char(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body.

    Digits count their value and letters A-Z 10-35; the check value is
    11 - S mod 11 for the weighted sum S, written X for 10 and 0 for 11.
    """
    if len(body) != 8 or any(not ("0" <= ch <= "9" or "A" <= ch <= "Z") for ch in body):
        raise ValueError("the body of an organisation code is 8 digits or capital letters")
    total = sum(_base36(ch) * w for ch, w in zip(body, ORGANISATION_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def _base36(ch: str) -> int:
    return int(ch, 36)


def validate_credit_code(value: str, *, field: str = "identificationId") -> CreditCode:
    """Validate a unified social credit code (统一社会信用代码, GB 32100-2015).

    Spaces are ignored, full-width and lower-case letters accepted. The check
    character is verified before the organisation code's own check character,
    so a single mistyped character is reported as a wrong check character.
    """
    code = _compact(value).upper()
    if not code:
        raise _fail("a unified social credit code is required", field, "USCC_REQUIRED")
    if len(code) != 18:
        raise _fail(
            f"a unified social credit code has 18 characters, not {len(code)}",
            field,
            "USCC_LENGTH",
            length=len(code),
        )
    for position, ch in enumerate(code, start=1):
        if ch not in _USCC_VALUE:
            raise _fail(
                f"character {position} ({ch!r}) is not allowed in a unified social credit "
                f"code (digits and capital letters except I, O, S, V, Z)",
                field,
                "USCC_CHARACTER",
                position=position,
                character=ch,
            )

    authority = USCC_CATEGORIES.get(code[0])
    if authority is None:
        raise _fail(
            f"{code[0]!r} is not a registration authority code of GB 32100",
            field,
            "USCC_AUTHORITY",
            authority=code[0],
        )
    authority_name, categories = authority
    category_name = categories.get(code[1])
    if category_name is None:
        raise _fail(
            f"{code[1]!r} is not an organisation category of registration authority "
            f"{code[0]!r} ({authority_name}: {', '.join(categories)})",
            field,
            "USCC_CATEGORY",
            authority=code[0],
            category=code[1],
        )

    division = code[2:8]
    if not set(division) <= _DIGITS:
        raise _fail(
            f"characters 3-8 ({division}) must be the digits of an administrative division code",
            field,
            "USCC_REGION",
            division=division,
        )
    if division[:2] not in _USCC_DIVISION_PREFIXES:
        raise _fail(
            f"division code {division} does not start with a province-level code "
            f"of GB/T 2260 ({division[:2]} is none)",
            field,
            "USCC_REGION",
            division=division,
        )

    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise _fail(
            f"check character should be {expected}, not {code[17]}",
            field,
            "USCC_CHECK_CHAR",
            expected=expected,
            actual=code[17],
        )
    organisation = code[8:17]
    org_expected = organisation_code_check_char(organisation[:8])
    if organisation[8] != org_expected:
        raise _fail(
            f"the organisation code {organisation} (characters 9-17) should end in "
            f"{org_expected}, not {organisation[8]}",
            field,
            "USCC_ORG_CHECK_CHAR",
            expected=org_expected,
            actual=organisation[8],
        )
    return CreditCode(
        code=code,
        registration_authority=code[0],
        registration_authority_name=authority_name,
        category=code[1],
        category_name=category_name,
        division_code=division,
        organisation_code=organisation,
    )


# --- passports ----------------------------------------------------------------

_ISO_COUNTRY_CODES: Final = """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA
    BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN
    CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU
    EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB
    GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL
    ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO
    LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR
    MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER
    PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM
    SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK
    TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM
    VUT WLF WSM YEM ZAF ZMB ZWE
"""
#: ISO 3166-1 alpha-3 country codes (the 249 officially assigned).
ISO_COUNTRIES: Final = frozenset(_ISO_COUNTRY_CODES.split())

_LETTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class Passport:
    """A passport number that is well-formed for its issuing country."""

    number: str
    """Upper case, without spaces."""
    issuing_country: str
    """ISO 3166-1 alpha-3 code of the issuing country."""


def validate_passport(
    number: str,
    issuing_country: str,
    *,
    field: str = "identificationId",
    country_field: str = "issuingAuthority",
) -> Passport:
    """Validate a passport number for its issuing country (ISO 3166-1 alpha-3).

    Chinese ordinary passports (``CHN``) are checked against their formats;
    others are 5-20 letters and digits. Spaces are ignored and letters
    upper-cased in both arguments.
    """
    country = _compact(issuing_country).upper()
    if not country:
        raise _fail(
            "the issuing country of a passport is required", country_field, "PASSPORT_COUNTRY"
        )
    if country not in ISO_COUNTRIES:
        raise _fail(
            f"{country!r} is not an ISO 3166-1 alpha-3 country code",
            country_field,
            "PASSPORT_COUNTRY",
            country=country,
        )
    value = _compact(number).upper()
    if not value:
        raise _fail("a passport number is required", field, "PASSPORT_REQUIRED")
    for position, ch in enumerate(value, start=1):
        if ch not in _DIGITS and ch not in _LETTERS:
            raise _fail(
                f"character {position} ({ch!r}) of a passport number must be a letter or a digit",
                field,
                "PASSPORT_CHARACTER",
                position=position,
                character=ch,
            )
    if country == "CHN":
        if not _is_chinese_passport(value):
            raise _fail(
                f"{value} is not a Chinese passport number (E or G and 8 digits, "
                f"or E, a letter and 7 digits)",
                field,
                "PASSPORT_FORMAT",
                number=value,
            )
    elif not 5 <= len(value) <= 20:
        raise _fail(
            f"a passport number has 5 to 20 letters and digits, not {len(value)}",
            field,
            "PASSPORT_LENGTH",
            length=len(value),
        )
    return Passport(number=value, issuing_country=country)


def _is_chinese_passport(value: str) -> bool:
    if len(value) != 9:
        return False
    if value[0] in "EG" and set(value[1:]) <= _DIGITS:
        return True
    return value[0] == "E" and value[1] in _LETTERS and set(value[2:]) <= _DIGITS


# --- display --------------------------------------------------------------------


def mask(document_number: str) -> str:
    """Hide the middle of a document number for lists shown to roles without need.

    Numbers of 11 characters or more keep their first 3 and last 4
    (``110***********123X``, ``138****8000``); shorter ones keep a quarter at
    each end, so at least half is always hidden.
    """
    value = _compact(document_number)
    n = len(value)
    head, tail = (3, 4) if n >= 11 else (n // 4, n // 4)
    return value[:head] + "*" * (n - head - tail) + value[n - tail :]


# --- helpers ----------------------------------------------------------------------


def _compact(value: str) -> str:
    """NFKC (full-width digits and letters to ASCII) without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def _fail(message: str, field: str, code: str, **details: object) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=code, details=details)
