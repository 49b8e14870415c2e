"""Contact media of parties: phone numbers and e-mail addresses.

A customer is reached, and found again, by phone and e-mail, so both are
normalised to one canonical form before they are stored or compared: the same
mobile typed as ``138-0013-8000``, ``+86 138 0013 8000`` or ``0086 13800138000``
is one number. Validators return a frozen dataclass or raise
:class:`~openboss.kit.errors.ValidationFailed` with an English message naming
the problem, a stable ``code`` for translation catalogs and ``details``.

Phone numbers (mainland China, ITU-T E.164 country code 86)
------------------------------------------------------------
* The canonical form is E.164 (``+8613800138000``, ``+862083456789``): one
  string per line, whatever the punctuation of the input. ``national`` is the
  form people read: ``138 0013 8000`` for mobiles, ``020-83456789`` for fixed
  lines.
* Accepted input: optional ``+86`` or ``0086`` prefix (a trunk 0 after it, as
  in ``+86 (0)20 …``, is dropped); spaces, dashes, dots and parentheses are
  ignored; full-width characters are read as ASCII.
* Mobile: 11 digits, ``1`` then 3-9.
* Fixed line: trunk 0, an area code (``10`` and ``20``-``29`` have two digits
  and an 8-digit local number; the others three digits starting 3-9 and a 7-
  or 8-digit local number) and a local number not starting with 0 or 1. The
  area code's shape is checked, not its allocation (no national list is
  kept). Local numbers starting with 1 are service codes (110, 12345) and are
  refused. Extensions, 400/800 service numbers and numbers of other countries
  are refused with their reason.

E-mail addresses
----------------
A practical check without network: one ``@``; a dot-atom local part (RFC 5322
characters, or any non-ASCII letter or digit as RFC 6531 allows) of at most 64
bytes; a domain of at least two labels that is a valid internationalised domain
name (IDNA 2008 with UTS 46 mapping), stored lower case in its ASCII form
(``xn--…``); at most 254 characters in all. Quoted local parts and IP literals
are refused. The local part keeps its case: only the receiving server may
fold it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

import idna

from openboss.kit.errors import ValidationFailed

# --- phone numbers ----------------------------------------------------------------

PhoneKind = Literal["mobile", "fixed_line"]

_DIGITS: Final = frozenset("0123456789")
_PHONE_SEPARATORS: Final = str.maketrans("", "", " -.()\t")


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A valid mainland China phone number."""

    e164: str
    """Canonical form: ``+8613800138000``, ``+862083456789``."""
    kind: PhoneKind
    national: str
    """Display form: ``138 0013 8000``, ``020-83456789``."""
    area_code: str | None
    """Fixed lines: the area code without trunk 0 (``20``, ``755``)."""


def validate_phone(value: str, *, field: str = "phoneNumber") -> PhoneNumber:
    """Validate and normalise a mainland China mobile or fixed-line number."""
    raw = unicodedata.normalize("NFKC", value).strip()
    if not raw:
        raise _fail("a phone number is required", field, "PHONE_REQUIRED")
    compact = raw.translate(_PHONE_SEPARATORS)
    international = False
    if compact.startswith("+"):
        digits = compact[1:]
        _only_digits(digits, field)
        if not digits.startswith("86"):
            raise _fail(
                f"only mainland China numbers (+86) are accepted; {raw} is not one",
                field,
                "PHONE_COUNTRY",
            )
        international, national = True, digits[2:]
    else:
        _only_digits(compact, field)
        if compact.startswith("00"):
            if not compact.startswith("0086"):
                raise _fail(
                    f"only mainland China numbers (0086) are accepted; {raw} is not one",
                    field,
                    "PHONE_COUNTRY",
                )
            international, national = True, compact[4:]
        else:
            national = compact
    if international and (national.startswith("10") or national[:1] in set("23456789")):
        # After +86 the trunk 0 of an area code is not dialled; 10 is Beijing, not a mobile.
        national = "0" + national
    if not national:
        raise _fail("the phone number has no digits after +86", field, "PHONE_LENGTH")
    if national[0] == "1":
        return _mobile(national, field)
    if national[0] == "0":
        return _fixed_line(national, field)
    if national.startswith(("400", "800")) and len(national) == 10:
        raise _fail(
            f"{national} is a 400/800 service number, not a subscriber's number",
            field,
            "PHONE_SERVICE_NUMBER",
        )
    if len(national) in (7, 8):
        raise _fail(
            f"a fixed-line number needs its area code, as in 020-{national}",
            field,
            "PHONE_AREA_CODE_MISSING",
        )
    raise _fail(
        f"{national} is neither a mobile number (1 and 10 digits) nor a fixed-line number "
        f"(0, area code and local number)",
        field,
        "PHONE_FORMAT",
    )


def _mobile(national: str, field: str) -> PhoneNumber:
    if len(national) != 11:
        raise _fail(
            f"a mobile number has 11 digits, not {len(national)}",
            field,
            "PHONE_LENGTH",
            length=len(national),
        )
    if national[1] not in "3456789":
        raise _fail(
            f"mobile numbers start with 13-19, not {national[:2]}",
            field,
            "PHONE_MOBILE_PREFIX",
            prefix=national[:2],
        )
    return PhoneNumber(
        e164="+86" + national,
        kind="mobile",
        national=f"{national[:3]} {national[3:7]} {national[7:]}",
        area_code=None,
    )


def _fixed_line(national: str, field: str) -> PhoneNumber:
    trunkless = national[1:]
    if not trunkless:
        raise _fail("the phone number has no area code", field, "PHONE_AREA_CODE")
    lead = trunkless[0]
    local_lengths: tuple[int, ...]
    if trunkless.startswith("10") or lead == "2":
        area_length, local_lengths = 2, (8,)
    elif lead in "3456789":
        area_length, local_lengths = 3, (7, 8)
    else:
        raise _fail(
            f"0{trunkless[:3]} is not an area code (010, 02x or 0 and three digits from 3)",
            field,
            "PHONE_AREA_CODE",
        )
    if len(trunkless) <= area_length:
        raise _fail(
            f"{national} is too short: it ends inside its area code",
            field,
            "PHONE_LENGTH",
            length=len(national),
        )
    area = trunkless[:area_length]
    local = trunkless[len(area) :]
    if len(local) not in local_lengths:
        expected = " or ".join(str(n) for n in local_lengths)
        raise _fail(
            f"after area code 0{area} the local number has {expected} digits, not {len(local)}",
            field,
            "PHONE_LENGTH",
            length=len(local),
        )
    if local[0] in "01":
        raise _fail(
            f"local number {local} cannot start with {local[0]}",
            field,
            "PHONE_LOCAL_NUMBER",
        )
    return PhoneNumber(
        e164=f"+86{area}{local}", kind="fixed_line", national=f"0{area}-{local}", area_code=area
    )


def _only_digits(digits: str, field: str) -> None:
    for ch in digits:
        if ch not in _DIGITS:
            raise _fail(
                f"character {ch!r} is not allowed in a phone number",
                field,
                "PHONE_CHARACTER",
                character=ch,
            )


# --- e-mail -----------------------------------------------------------------------

#: RFC 5322 ``atext``: the ASCII characters of a dot-atom besides the dots.
_ATEXT: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
)
_LDH: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
#: Full stops typed by Chinese input methods, read as dots in a domain (UTS 46).
_FULL_STOPS: Final = str.maketrans({"。": ".", "．": ".", "｡": "."})


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """A well-formed e-mail address in canonical form."""

    address: str
    """``local_part@domain``: what is stored and compared."""
    local_part: str
    domain: str
    """Lower case, ASCII (IDNA A-labels): ``xn--fsqu00a.xn--0zwm56d``."""
    domain_unicode: str
    """The domain for display: ``例子.测试``."""


def validate_email(value: str, *, field: str = "emailAddress") -> EmailAddress:
    """Validate an e-mail address and normalise its domain (no network lookup)."""
    raw = value.strip().replace("＠", "@")
    if not raw:
        raise _fail("an e-mail address is required", field, "EMAIL_REQUIRED")
    for ch in raw:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            raise _fail(
                "an e-mail address cannot contain spaces or control characters",
                field,
                "EMAIL_FORMAT",
            )
    if raw.count("@") != 1:
        raise _fail(
            f"an e-mail address has exactly one @, not {raw.count('@')}", field, "EMAIL_FORMAT"
        )
    local, domain = raw.split("@")
    _check_local_part(local, field)
    ascii_domain, unicode_domain = _normalise_domain(domain, field)
    address = f"{local}@{ascii_domain}"
    if len(address) > 254:
        raise _fail(
            f"an e-mail address has at most 254 characters, not {len(address)}",
            field,
            "EMAIL_LENGTH",
            length=len(address),
        )
    return EmailAddress(
        address=address, local_part=local, domain=ascii_domain, domain_unicode=unicode_domain
    )


def _check_local_part(local: str, field: str) -> None:
    if not local:
        raise _fail("the part before @ is empty", field, "EMAIL_LOCAL")
    if len(local.encode()) > 64:
        raise _fail("the part before @ has more than 64 bytes", field, "EMAIL_LOCAL")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise _fail(
            "the part before @ cannot start or end with a dot or have two dots in a row",
            field,
            "EMAIL_LOCAL",
        )
    for ch in local:
        if ch == "." or ch in _ATEXT:
            continue
        if ord(ch) > 127 and unicodedata.category(ch)[0] in "LMN":
            continue
        raise _fail(f"character {ch!r} is not allowed before @", field, "EMAIL_LOCAL", character=ch)


def _normalise_domain(domain: str, field: str) -> tuple[str, str]:
    domain = domain.translate(_FULL_STOPS)
    if not domain:
        raise _fail("the domain after @ is empty", field, "EMAIL_DOMAIN")
    if domain.startswith("["):
        raise _fail("IP addresses are not accepted as e-mail domains", field, "EMAIL_DOMAIN")
    labels = domain.split(".")
    if len(labels) < 2:
        raise _fail(
            f"the domain {domain!r} needs at least two parts, as in example.com",
            field,
            "EMAIL_DOMAIN",
            domain=domain,
        )
    if any(not label for label in labels):
        raise _fail(
            f"the domain {domain!r} has an empty part between dots",
            field,
            "EMAIL_DOMAIN",
            domain=domain,
        )
    if domain.isascii() and len(domain) > 253:
        raise _too_long_domain(len(domain), domain, field)
    for label in labels:
        if label.isascii():
            lower = label.lower()
            bad = next((ch for ch in lower if ch not in _LDH), None)
            if bad is not None:
                raise _fail(
                    f"character {bad!r} is not allowed in the domain "
                    f"(letters, digits and hyphens only)",
                    field,
                    "EMAIL_DOMAIN",
                    domain=domain,
                )
            if len(lower) > 63:
                raise _fail(
                    f"domain part {label!r} has more than 63 characters",
                    field,
                    "EMAIL_DOMAIN",
                    domain=domain,
                )
            if lower.startswith("-") or lower.endswith("-"):
                raise _fail(
                    f"domain part {label!r} cannot start or end with a hyphen",
                    field,
                    "EMAIL_DOMAIN",
                    domain=domain,
                )
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
        unicode_domain = idna.decode(ascii_domain)
    except idna.IDNAError as exc:
        raise _fail(
            f"the domain {domain!r} is not a valid internationalised domain name: {exc}",
            field,
            "EMAIL_DOMAIN",
            domain=domain,
        ) from None
    if len(ascii_domain) > 253:
        raise _too_long_domain(len(ascii_domain), domain, field)
    if ascii_domain.rsplit(".", 1)[1].isdigit():
        raise _fail(
            f"the domain {domain!r} ends in a number, not a top-level domain",
            field,
            "EMAIL_DOMAIN",
            domain=domain,
        )
    return ascii_domain, unicode_domain


def _too_long_domain(length: int, domain: str, field: str) -> ValidationFailed:
    return _fail(
        f"the domain has at most 253 characters, not {length}",
        field,
        "EMAIL_DOMAIN",
        domain=domain,
    )


def _fail(message: str, field: str, code: str, **details: object) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=code, details=details)
