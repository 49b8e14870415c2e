"""The BPMN flows shipped with OpenBOSS and the Python handlers their service tasks bind to.

eTOM 1.4 service configuration & activation and 1.5.2 resource provisioning, run
for eTOM 1.1.1.5 order handling: each ``*.bpmn`` file of this package holds one
executable process (drawn with diagram interchange, so bpmn-js and Camunda
Modeler open it) whose id is the process key the catalog's delivery rules name
(``broadband-ftth-install`` …). :mod:`.handlers` registers the service-task
handlers (``resource.reserve``, ``workorder.create``, ``radius.activate`` …) and
the work-order closure listener; :mod:`.api` is the partner callback API.

Which process runs an order item: for ``add`` the catalog's delivery rule (product
spec × coverage type × region → ``processKey``); for the in-life actions the table
:data:`PROCESS_FOR_ACTION` (:func:`process_for`). See docs/fulfilment-flows.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

#: The directory of the shipped ``*.bpmn`` files (``engine.service.deploy_builtin``).
FLOWS_DIR: Final = Path(__file__).resolve().parent

#: Process of an order item by its action, for every action but ``add`` (whose
#: process comes from the catalog's delivery rule). ``modify`` covers bandwidth and
#: other characteristic changes of any product.
PROCESS_FOR_ACTION: Final[dict[str, str]] = {
    "modify": "bandwidth-change",
    "suspend": "service-suspend",
    "resume": "service-resume",
    "delete": "service-terminate",
}


def process_for(action: str, delivery_process_key: str | None = None) -> str:
    """The process key for an item: :data:`PROCESS_FOR_ACTION` for in-life actions,
    else the catalog's delivery rule (``delivery_process_key``); ``ValueError`` when
    an ``add`` has no delivery rule."""
    key = PROCESS_FOR_ACTION.get(action)
    if key is not None:
        return key
    if not delivery_process_key:
        raise ValueError(f"no process for action {action!r} without a delivery rule")
    return delivery_process_key


def builtin_files() -> list[Path]:
    """The shipped BPMN files, sorted by name."""
    return sorted(FLOWS_DIR.glob("*.bpmn"))
