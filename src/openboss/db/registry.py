"""Every module that defines tables, so that migrations and the model/migration
comparison see the whole schema. Add a domain's ``models`` here when it is built."""

from __future__ import annotations

import importlib

MODEL_MODULES = [
    "openboss.auth.models",
    "openboss.audit.models",
    "openboss.events.models",
    "openboss.kit.tmf.models",
    "openboss.catalog.models",
    "openboss.party.region.models",
    "openboss.party.address.models",
    "openboss.party.customer.models",
    "openboss.party.account.models",
    "openboss.party.interaction.models",
    "openboss.resource.inventory.models",
    "openboss.resource.publishing.models",
    "openboss.resource.operations.models",
    "openboss.sample.models",
    "openboss.worker.models",
    "openboss.workforce.models",
    "openboss.workforce.appointments.models",
    "openboss.workforce.assessment.models",
    "openboss.workforce.rostering.models",
    "openboss.workforce.board.models",
    "openboss.fulfilment.engine.models",
    "openboss.fulfilment.activation.models",
    "openboss.fulfilment.serviceorder.models",
    "openboss.fulfilment.inventory.models",
    "openboss.ordering.models",
    "openboss.ordering.sla.models",
    "openboss.engagement.communication.models",
]


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
