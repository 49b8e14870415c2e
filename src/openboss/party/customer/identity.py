"""Identity documents and contact values of parties, normalised for storage and
comparison — eTOM 1.1.1.3 customer information management.

The validators live in :mod:`openboss.party.documents` and
:mod:`openboss.party.contact`; this module applies them to TMF
``individualIdentification`` / ``organizationIdentification`` /
``contactMedium`` items and derives the keys of the duplicate and search side
tables.

Identification types (TMF ``identificationType``):

* individuals: ``residentIdCard`` (居民身份证, checked: region, birth date,
  MOD 11-2) and ``passport`` (``issuingAuthority`` = ISO 3166-1 alpha-3 code of
  the issuing country; key ``CHN:E12345678``); any other type is accepted as
  free text (key: the number without spaces, upper case).
* organisations: ``unifiedSocialCreditCode`` (统一社会信用代码, checked);
  other types free text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from openboss.kit.errors import ValidationFailed
from openboss.party import contact, documents

PartyKind = Literal["individual", "organization"]

RESIDENT_ID = "residentIdCard"
PASSPORT = "passport"
USCC = "unifiedSocialCreditCode"

#: What a document type is called in lists and forms.
CHECKED_TYPES: dict[str, frozenset[str]] = {
    "individual": frozenset({RESIDENT_ID, PASSPORT}),
    "organization": frozenset({USCC}),
}


@dataclass(frozen=True, slots=True)
class Document:
    """A validated identity document of a party."""

    type: str
    number: str
    """The normalised number as shown (``11010519491231002X``)."""
    key: str
    """The number as compared by the duplicate check (a passport: ``CHN:E1234…``)."""
    birth_date: date | None = None
    sex: str | None = None


def compact(value: str) -> str:
    """NFKC without whitespace, upper case: how free-text numbers are compared."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def fold_name(value: str) -> str:
    """A name folded for prefix search: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def validate_document(
    kind: PartyKind, id_type: str, number: str, authority: str | None, *, field: str
) -> Document:
    """Validate one document; ``field`` names its ``identificationId`` in errors."""
    if not id_type.strip():
        raise ValidationFailed("identificationType is required", field=field.rsplit(".", 1)[0])
    authority_field = field.rsplit(".", 1)[0] + ".issuingAuthority"
    if kind == "individual" and id_type == RESIDENT_ID:
        rid = documents.validate_resident_id(number, field=field)
        return Document(RESIDENT_ID, rid.number, rid.number, birth_date=rid.birth_date, sex=rid.sex)
    if kind == "individual" and id_type == PASSPORT:
        passport = documents.validate_passport(
            number, authority or "", field=field, country_field=authority_field
        )
        return Document(PASSPORT, passport.number, f"{passport.issuing_country}:{passport.number}")
    if kind == "organization" and id_type == USCC:
        code = documents.validate_credit_code(number, field=field)
        return Document(USCC, code.code, code.code)
    value = compact(number)
    if not value:
        raise ValidationFailed("identificationId is required", field=field)
    if len(value) > 64:
        raise ValidationFailed("identificationId is longer than 64 characters", field=field)
    return Document(id_type, value, value)


def documents_of(
    kind: PartyKind, items: list[dict[str, Any]] | None, *, attribute: str
) -> list[Document]:
    """Validate the identification items of a party (400 naming the item)."""
    out: list[Document] = []
    seen: set[tuple[str, str]] = set()
    for n, item in enumerate(items or []):
        field = f"{attribute}[{n}].identificationId"
        doc = validate_document(
            kind,
            str(item.get("identificationType") or ""),
            str(item.get("identificationId") or ""),
            item.get("issuingAuthority"),
            field=field,
        )
        if (doc.type, doc.key) in seen:
            raise ValidationFailed(f"document {doc.number} is given twice", field=field)
        seen.add((doc.type, doc.key))
        out.append(doc)
    return out


def document_key(id_type: str, number: str, authority: str | None = None) -> str:
    """The comparison key of a document typed by someone (search, blacklist),
    without validating it."""
    if id_type == PASSPORT:
        return f"{compact(authority or '')}:{compact(number)}"
    return compact(number)


def stored_document_valid(
    kind: PartyKind, item: dict[str, Any], today: date
) -> tuple[str, str, date | None, bool]:
    """(type, number, valid_to, valid) of a stored identification item: ``valid``
    when its number still passes its check and it has not expired."""
    id_type = str(item.get("identificationType") or "")
    number = str(item.get("identificationId") or "")
    valid_for = item.get("validFor") or {}
    valid_to: date | None = None
    end = valid_for.get("endDateTime") if isinstance(valid_for, dict) else None
    if isinstance(end, str) and len(end) >= 10:
        try:
            valid_to = date.fromisoformat(end[:10])
        except ValueError:
            valid_to = None
    try:
        validate_document(kind, id_type, number, item.get("issuingAuthority"), field="x.y")
        ok = True
    except ValidationFailed:
        ok = False
    if valid_to is not None and valid_to < today:
        ok = False
    return id_type, number, valid_to, ok


@dataclass(frozen=True, slots=True)
class ContactKey:
    kind: Literal["phone", "email"]
    value: str


def normalise_contact_media(
    items: list[dict[str, Any]] | None, *, attribute: str = "contactMedium"
) -> tuple[list[dict[str, Any]] | None, list[ContactKey]]:
    """Validate contact media: phone and fax numbers to E.164, e-mails checked
    and their domain lower-cased. Returns the normalised items and the keys
    to index."""
    if not items:
        return None, []
    out: list[dict[str, Any]] = []
    keys: list[ContactKey] = []
    for n, item in enumerate(items):
        item = dict(item)
        chars = dict(item.get("characteristic") or {})
        base = f"{attribute}[{n}].characteristic"
        phone = chars.get("phoneNumber")
        if phone is not None:
            number = contact.validate_phone(str(phone), field=f"{base}.phoneNumber")
            chars["phoneNumber"] = number.e164
            keys.append(ContactKey("phone", number.e164))
        fax = chars.get("faxNumber")
        if fax is not None:
            chars["faxNumber"] = contact.validate_phone(str(fax), field=f"{base}.faxNumber").e164
        email = chars.get("emailAddress")
        if email is not None:
            address = contact.validate_email(str(email), field=f"{base}.emailAddress")
            chars["emailAddress"] = address.address
            keys.append(ContactKey("email", address.address.lower()))
        if chars:
            item["characteristic"] = chars
        out.append(item)
    unique = list(dict.fromkeys(keys))
    return out, unique


def mask_phone(e164: str) -> str:
    """``+8613800138000`` → ``138****8000`` (middle digits hidden)."""
    national = e164[3:] if e164.startswith("+86") else e164
    if len(national) < 8:
        return documents.mask(national)
    return national[:3] + "*" * (len(national) - 7) + national[-4:]
