"""Masking identity-document numbers in party representations for readers
whose role does not need them (billing, marketing)."""

from __future__ import annotations

from typing import Any

from openboss.party.documents import mask

_ID_LISTS = ("individualIdentification", "organizationIdentification")

#: Roles that read identity-document numbers in full (admin always does);
#: every other reader gets them masked.
FULL_DOCUMENT_ROLES: tuple[str, ...] = ("csr", "manager")


def masked_documents(party: dict[str, Any]) -> dict[str, Any]:
    """A copy of a TMF632 party with every ``identificationId`` masked."""
    out = dict(party)
    for key in _ID_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [
                {**doc, "identificationId": mask(str(doc["identificationId"]))}
                if isinstance(doc, dict) and doc.get("identificationId")
                else doc
                for doc in out[key]
            ]
    return out
