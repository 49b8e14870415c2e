"""HTTP API of accounts: TMF666 ``/tmf-api/accountManagement/v4/billingAccount``
(+ ``/hub``) and the credit check ``/api/party/v1/creditCheck`` — eTOM 1.1.1.5
order handling.

Reads of accounts: csr, manager, billing, marketing (and admin); writes: csr,
manager, billing. Credit checks: csr, manager, billing (and admin / system).
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Header, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.events.hub import make_hub_router
from openboss.kit.tmf import idempotency
from openboss.kit.tmf.http import (
    MERGE_PATCH_JSON,
    base_url,
    created_response,
    json_response,
    list_response,
    no_content,
    patch_document,
)
from openboss.kit.tmf.query import MAX_LIMIT, MAX_OFFSET, parse_fields, parse_list_query
from openboss.kit.tmf.schemas import ResourceId
from openboss.party.account import credit, repository, service
from openboss.party.account.repository import RESOURCE
from openboss.party.account.schemas import (
    BillingAccount,
    BillingAccountCreate,
    BillingAccountUpdate,
    CreditCheckRequest,
    CreditCheckResult,
)

READ_ROLES = ("csr", "manager", "billing", "marketing")
WRITE_ROLES = ("csr", "manager", "billing")
CREDIT_ROLES = ("csr", "manager", "billing")

CREDIT_PATH = "/api/party/v1/creditCheck"

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (TMF Error naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    409: {"description": "Conflict (illegal state transition, balances, children)"},
}

ITEMS = RESOURCE.collection_path
ITEM = ITEMS + "/{id}"

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Checker = Annotated[Principal, Depends(require_roles(*CREDIT_ROLES))]

router = APIRouter(responses=_ERRORS)
accounts = APIRouter(tags=["billingAccount"], responses=_ERRORS)

Fields = Annotated[
    str | None,
    Query(description="Comma-separated attributes to return (id, href and @type always are)."),
]


@accounts.get(
    ITEMS,
    name="list_billing_accounts",
    response_model=list[BillingAccount],
    summary="List or find billing accounts",
    responses={
        200: {
            "description": "Success. Any attribute filters: `relatedParty.id={customerId}`, "
            "`accountNumber=8…`, `state=active`, `creditLimit.value.gt=100`.",
            "headers": {
                "X-Total-Count": {"description": "Matching", "schema": {"type": "integer"}},
                "X-Result-Count": {"description": "In this page", "schema": {"type": "integer"}},
            },
        }
    },
)
def list_billing_accounts(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Annotated[
        int | None, Query(description="Index of the first item.", ge=0, le=MAX_OFFSET)
    ] = None,
    limit: Annotated[
        int | None,
        Query(description=f"Items per page (0 … {MAX_LIMIT}, default 100).", ge=0, le=MAX_LIMIT),
    ] = None,
    sort: Annotated[
        str | None, Query(description="Comma-separated sort keys; '-' for descending.")
    ] = None,
) -> Response:
    query = parse_list_query(RESOURCE, request.query_params.multi_items())
    page = repository.list_accounts(session, query, principal.scope, base_url(request))
    return list_response(page)


@accounts.post(
    ITEMS,
    name="create_billing_account",
    status_code=201,
    response_model=BillingAccount,
    summary="Create a billing account for a customer",
    responses={201: {"description": "Created; Location holds the href."}},
)
def create_billing_account(
    body: BillingAccountCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=idempotency.HEADER,
            description="Retry-safe creation: the same key and body answer the same account.",
        ),
    ] = None,
) -> Response:
    url = base_url(request)

    def produce() -> idempotency.StoredResponse:
        written = service.create_account(session, principal.scope, body, url)
        location = RESOURCE.href(url, written.account.id)
        return idempotency.StoredResponse(201, written.body, {"Location": location})

    stored = idempotency.run_idempotent(
        session,
        key=idempotency_key,
        owner=principal.subject,
        endpoint=f"POST {RESOURCE.collection_path}",
        payload=body.model_dump(mode="json", exclude_unset=True),
        produce=produce,
    )
    if stored.status == 201:
        return created_response(stored.body, stored.headers["Location"], stored.response_headers())
    return json_response(stored.body, stored.status, stored.response_headers())


@accounts.get(
    ITEM,
    name="retrieve_billing_account",
    response_model=BillingAccount,
    summary="Retrieve a billing account by id",
)
def retrieve_billing_account(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
) -> Response:
    projection = parse_fields(RESOURCE, fields) if fields is not None else None
    doc = repository.account_document(session, id, principal.scope, base_url(request), projection)
    return json_response(doc)


@accounts.patch(
    ITEM,
    name="patch_billing_account",
    response_model=BillingAccount,
    summary="Partially update a billing account (JSON merge patch)",
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/BillingAccountUpdate"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    },
)
def patch_billing_account(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(RESOURCE.read_only))],
    _body: Annotated[BillingAccountUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    written = service.update_account(session, principal.scope, id, patch, base_url(request))
    return json_response(written.body)


@accounts.delete(
    ITEM,
    name="delete_billing_account",
    status_code=204,
    response_class=Response,
    summary="Delete a billing account that was never used ('created')",
)
def delete_billing_account(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
) -> Response:
    service.delete_account(session, principal.scope, id, base_url(request))
    return no_content()


accounts.include_router(make_hub_router(RESOURCE.base_path))
router.include_router(accounts)


# --------------------------------------------------------------------------- credit check

credit_router = APIRouter(tags=["creditCheck"], responses=_ERRORS)


@credit_router.post(
    CREDIT_PATH,
    name="check_credit",
    response_model=CreditCheckResult,
    summary="Run and record a credit check for a customer (order handling)",
)
def check_credit(body: CreditCheckRequest, session: DbSession, principal: Checker) -> Response:
    currency = next(
        (m.unit for m in (body.requested_recurring, body.requested_one_time) if m), "CNY"
    )
    decision = credit.check_credit(
        session,
        principal.scope,
        body.customer_id,
        account_id=body.account_id,
        requested_recurring_minor=body.requested_recurring.to_minor()
        if body.requested_recurring
        else 0,
        requested_one_time_minor=body.requested_one_time.to_minor()
        if body.requested_one_time
        else 0,
        currency=currency,
        checked_by=principal.subject,
    )
    return json_response(orjson.dumps(credit.decision_json(decision)))


@credit_router.get(
    CREDIT_PATH,
    name="list_credit_checks",
    response_model=list[CreditCheckResult],
    summary="The credit checks recorded for a customer, newest first",
)
def list_credit_checks(
    session: ReadSession,
    principal: Checker,
    customer_id: Annotated[
        str, Query(alias="customerId", description="The customer.", min_length=1, max_length=64)
    ],
) -> Response:
    history = credit.credit_history(session, principal.scope, customer_id)
    return json_response(orjson.dumps([credit.decision_json(d) for d in history]))


router.include_router(credit_router)
