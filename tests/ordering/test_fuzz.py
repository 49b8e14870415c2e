"""Property-based fuzzing of the TMF622 operations (schemathesis): whatever
the input, the answer is never a server error — with an empty database and
with the demo catalog, a customer and addresses in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.ordering.conftest import ORDERS, World, order_body

EXAMPLES = 30
PREFIXES = ("/tmf-api/productOrderingManagement", "/api/ordering/v1/productOrders")


def test_no_input_makes_a_server_error(
    app: FastAPI, auth_headers: Callable[..., dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = auth_headers("admin")
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if op.path.startswith(PREFIXES)
    ]
    assert len(operations) >= 10
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            try:
                fuzz()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label


OFFERINGS = [
    "po-hbb-100m",
    "po-hbb-300m",
    "po-hbb-1000m",
    "po-iptv-basic",
    "po-fixed-voice",
    "po-mobile-5g-59",
    "po-mobile-5g-129",
    "po-static-ip-addon",
    "po-home-terminal",
    "po-family-1000m",
    "po-ell-100m",
    "po-unknown",
]


def test_orders_made_of_real_parts_never_fail_the_server(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    world: World,
    flows: None,
) -> None:
    """Valid-looking orders mixing real offerings, addresses, actions,
    characteristics, members and relationships: 201, 400 or 409, never 500."""
    headers = auth_headers("csr")
    addresses = [world.ftth_address, world.partner_address, world.none_address, "nowhere", None]
    values = st.one_of(
        st.integers(-5, 2000), st.text(max_size=12), st.booleans(), st.none(), st.just(300)
    )
    names = st.sampled_from(
        ["downloadSpeed", "includedDataGB", "model", "accessAccount", "accessPassword", "x"]
    )

    def items(depth: int) -> st.SearchStrategy[dict[str, Any]]:
        base = st.fixed_dictionaries(
            {
                "id": st.sampled_from(["1", "2", "3", "1.1", "1.2"]),
                "action": st.sampled_from(["add", "modify", "delete", "noChange", "suspend"]),
                "productOffering": st.fixed_dictionaries({"id": st.sampled_from(OFFERINGS)}),
            },
            optional={
                "product": st.fixed_dictionaries(
                    {},
                    optional={
                        "id": st.sampled_from(["p-1", "p-2"]),
                        "place": st.lists(
                            st.fixed_dictionaries(
                                {
                                    "role": st.sampled_from(["installationAddress", "other"]),
                                    "id": st.sampled_from([a for a in addresses if a]),
                                }
                            ),
                            max_size=2,
                        ),
                        "productCharacteristic": st.lists(
                            st.fixed_dictionaries({"name": names, "value": values}), max_size=3
                        ),
                    },
                ),
                "productOrderItemRelationship": st.lists(
                    st.fixed_dictionaries(
                        {
                            "id": st.sampled_from(["1", "2", "3"]),
                            "relationshipType": st.sampled_from(["reliesOn", "bundles"]),
                        }
                    ),
                    max_size=2,
                ),
            },
        )
        if depth == 0:
            return base
        return st.one_of(
            base,
            base.flatmap(
                lambda b: st.lists(items(depth - 1), max_size=3).map(
                    lambda kids: {**b, "productOrderItem": kids}
                )
            ),
        )

    @given(
        body_items=st.lists(items(1), min_size=1, max_size=3),
        start=st.sampled_from([None, "2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z"]),
    )
    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(body_items: list[dict[str, Any]], start: str | None) -> None:
        body = order_body(world, *body_items)
        if start:
            body["requestedStartDate"] = start
        r = client.post(ORDERS, json=body, headers=headers)
        assert r.status_code in (201, 400, 409), (r.status_code, r.text, body)
        if r.status_code == 201:
            ident = r.json()["id"]
            patch = client.patch(
                f"{ORDERS}/{ident}",
                json={"productOrderItem": body_items, "state": "cancelled"},
                headers={**headers, "Content-Type": "application/merge-patch+json"},
            )
            assert patch.status_code in (200, 400, 409), (patch.text, body)

    fuzz()
