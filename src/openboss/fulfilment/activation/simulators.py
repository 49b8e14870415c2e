"""Simulated network elements: HLR/HSS, OLT and IMS (eTOM 1.4.x resource
provisioning, stand-ins until real element managers are connected).

Each keeps its entries in ``activation_element`` (element, identifier, status,
data) and follows the adapter contract: idempotent commands, a snapshot of the
entry before each change for the undo.

* **hlr** — a mobile subscriber: identifier ``msisdn``; ``imsi``, ``iccid``,
  ``profile``; suspend = barred. An IMSI is bound to one MSISDN.
* **olt** — an ONT registration: identifier ``ontSerial``; ``oltId``,
  ``ponPort``, ``vlan``, ``profile`` (the service profile). At most
  :data:`ONTS_PER_PON_PORT` ONTs per PON port.
* **ims** — an IMS public user identity: identifier ``impu``; ``number``
  (``msisdn`` is accepted as its alias).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.fulfilment.activation.contract import Command, Effect, ElementError
from openboss.fulfilment.activation.models import ElementState
from openboss.kit.clock import utcnow
from openboss.kit.errors import ValidationFailed
from openboss.kit.ids import new_id

ONTS_PER_PON_PORT = 128


class SimulatedElement:
    """Shared behaviour; subclasses name the identifier and the data fields."""

    name = ""
    identifier = ""
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    # -- validation ------------------------------------------------------------

    def normalise(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return dict(params)

    def check(self, command: Command, params: Mapping[str, Any]) -> None:
        p = self.normalise(params)
        ident = p.get(self.identifier)
        if not isinstance(ident, str) or not 0 < len(ident) <= 128:
            raise ValidationFailed(
                f"{self.identifier} is required (1 to 128 characters)",
                field=f"params.{self.identifier}",
            )
        names = self.required if command == "activate" else ()
        for name in names:
            if p.get(name) in (None, ""):
                raise ValidationFailed(f"{name} is required", field=f"params.{name}")
        for name in (*self.required, *self.optional):
            value = p.get(name)
            if value is not None and not isinstance(value, str | int):
                raise ValidationFailed(f"{name} must be a string", field=f"params.{name}")
        self.check_values(p)

    def check_values(self, p: Mapping[str, Any]) -> None:
        """Element-specific formats."""

    # -- state -----------------------------------------------------------------

    def _row(self, session: Session, ident: str) -> ElementState | None:
        return session.scalars(
            select(ElementState).where(
                ElementState.element == self.name, ElementState.identifier == ident
            )
        ).first()

    def _snapshot(self, row: ElementState | None) -> dict[str, Any] | None:
        if row is None:
            return None
        return {self.identifier: row.identifier, **row.data, "suspended": row.status == "suspended"}

    def _public(self, row: ElementState | None) -> dict[str, Any]:
        if row is None:
            return {"status": "absent"}
        return {self.identifier: row.identifier, **row.data, "status": row.status}

    def _data(self, p: Mapping[str, Any]) -> dict[str, Any]:
        return {k: p[k] for k in (*self.required, *self.optional) if p.get(k) is not None}

    def conflicts(self, session: Session, ident: str, data: Mapping[str, Any]) -> None:
        """Raise :class:`ElementError` when the element would refuse the entry."""

    # -- commands --------------------------------------------------------------

    def activate(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        p = self.normalise(params)
        ident = p[self.identifier]
        row = self._row(session, ident)
        data = self._data(p)
        if row is not None:
            if row.data == data:
                return Effect(False, self._public(row), self._snapshot(row))
            raise ElementError(
                f"{self.name}: {self.identifier} '{ident}' is already provisioned with other "
                "settings; use modify"
            )
        self.conflicts(session, ident, data)
        row = ElementState(
            id=new_id(),
            element=self.name,
            identifier=ident,
            service_id=service_id,
            status="active",
            data=data,
            updated_at=utcnow(),
        )
        session.add(row)
        session.flush()
        return Effect(True, self._public(row), None)

    def modify(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        p = self.normalise(params)
        ident = p[self.identifier]
        row = self._row(session, ident)
        if row is None:
            raise ElementError(f"{self.name}: {self.identifier} '{ident}' is not provisioned")
        before = self._snapshot(row)
        data = {**row.data, **self._data(p)}
        if data == row.data:
            return Effect(False, self._public(row), before)
        self.conflicts(session, ident, data)
        row.data = data
        row.updated_at = utcnow()
        session.flush()
        return Effect(True, self._public(row), before)

    def _set_status(self, session: Session, params: Mapping[str, Any], status: str) -> Effect:
        p = self.normalise(params)
        ident = p[self.identifier]
        row = self._row(session, ident)
        if row is None:
            raise ElementError(f"{self.name}: {self.identifier} '{ident}' is not provisioned")
        before = self._snapshot(row)
        if row.status == status:
            return Effect(False, self._public(row), before)
        row.status = status
        row.updated_at = utcnow()
        session.flush()
        return Effect(True, self._public(row), before)

    def suspend(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        return self._set_status(session, params, "suspended")

    def resume(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        return self._set_status(session, params, "active")

    def deactivate(self, session: Session, service_id: str, params: Mapping[str, Any]) -> Effect:
        p = self.normalise(params)
        row = self._row(session, p[self.identifier])
        if row is None:
            return Effect(False, self._public(None), None)
        before = self._snapshot(row)
        session.delete(row)
        session.flush()
        return Effect(True, self._public(None), before)


_DIGITS = re.compile(r"^[0-9]{5,15}$")


def _as_text(params: Mapping[str, Any], *names: str) -> dict[str, Any]:
    p = dict(params)
    for name in names:
        if p.get(name) is not None and not isinstance(p[name], bool):
            p[name] = str(p[name])
    return p


class HlrSimulator(SimulatedElement):
    """HLR/HSS subscriber (suspend = barred)."""

    name = "hlr"
    identifier = "msisdn"
    required = ("imsi", "iccid", "profile")

    def normalise(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return _as_text(params, "msisdn", "imsi", "iccid")

    def check_values(self, p: Mapping[str, Any]) -> None:
        if not _DIGITS.match(str(p["msisdn"])):
            raise ValidationFailed("msisdn must be 5 to 15 digits", field="params.msisdn")
        if p.get("imsi") is not None and not re.match(r"^[0-9]{6,15}$", str(p["imsi"])):
            raise ValidationFailed("imsi must be 6 to 15 digits", field="params.imsi")

    def _public(self, row: ElementState | None) -> dict[str, Any]:
        state = super()._public(row)
        if row is not None:
            state["barred"] = row.status == "suspended"
        return state

    def conflicts(self, session: Session, ident: str, data: Mapping[str, Any]) -> None:
        other = session.scalars(
            select(ElementState.identifier).where(
                ElementState.element == self.name,
                ElementState.identifier != ident,
                ElementState.data["imsi"].as_string() == str(data.get("imsi")),
            )
        ).first()
        if other is not None:
            raise ElementError(f"hlr: IMSI {data.get('imsi')} is bound to {other}")


class OltSimulator(SimulatedElement):
    """ONT registration by serial number on a PON port, with a service profile."""

    name = "olt"
    identifier = "ontSerial"
    required = ("oltId", "ponPort", "profile")
    optional = ("vlan",)

    def normalise(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return _as_text(params, "ontSerial", "oltId", "ponPort")

    def check_values(self, p: Mapping[str, Any]) -> None:
        if not re.match(r"^[A-Za-z0-9]{4,32}$", str(p["ontSerial"])):
            raise ValidationFailed(
                "ontSerial must be 4 to 32 letters or digits", field="params.ontSerial"
            )
        vlan = p.get("vlan")
        if vlan is not None and (
            isinstance(vlan, bool) or not str(vlan).isdigit() or not 1 <= int(vlan) <= 4094
        ):
            raise ValidationFailed("vlan must be 1 to 4094", field="params.vlan")

    def conflicts(self, session: Session, ident: str, data: Mapping[str, Any]) -> None:
        used = session.execute(
            select(func.count())
            .select_from(ElementState)
            .where(
                ElementState.element == self.name,
                ElementState.identifier != ident,
                ElementState.data["oltId"].as_string() == str(data.get("oltId")),
                ElementState.data["ponPort"].as_string() == str(data.get("ponPort")),
            )
        ).scalar_one()
        if used >= ONTS_PER_PON_PORT:
            raise ElementError(
                f"olt: PON port {data.get('oltId')}/{data.get('ponPort')} is full "
                f"({ONTS_PER_PON_PORT} ONTs)"
            )


class ImsSimulator(SimulatedElement):
    """IMS public user identity (IMPU) registration."""

    name = "ims"
    identifier = "impu"
    required = ("number",)

    def normalise(self, params: Mapping[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if p.get("number") is None and p.get("msisdn") is not None:
            p["number"] = p["msisdn"]
        p.pop("msisdn", None)
        return p

    def check_values(self, p: Mapping[str, Any]) -> None:
        if not re.match(r"^(sip|tel):\S+$", str(p["impu"])):
            raise ValidationFailed(
                "impu must be a sip: or tel: URI, e.g. sip:+8613800000000@ims.example",
                field="params.impu",
            )


def element_count(session: Session, element: str) -> int:
    """How many entries a simulated element holds."""
    stmt = select(func.count()).select_from(ElementState).where(ElementState.element == element)
    return int(session.execute(stmt).scalar_one())
