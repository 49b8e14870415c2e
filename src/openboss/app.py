"""The ASGI application: API, console and (optionally) the in-process worker."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, FastAPI, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from openboss import __version__
from openboss.auth.deps import principal_from_request
from openboss.config import Settings, get_settings
from openboss.db import Database
from openboss.kit.errors import Forbidden, Unauthorized
from openboss.kit.tmf.errors import error_body, error_response, install_error_handlers
from openboss.observability import RequestContextMiddleware, configure_logging
from openboss.party.region.tree import RegionTreeCache
from openboss.web.shell import STATIC_DIR

#: Routers mounted by every app, as "module:attribute". Domains add theirs here.
ROUTERS: list[str] = [
    "openboss.auth.api:router",
    "openboss.sample.api:router",
    "openboss.party.region.api:router",
    "openboss.party.address.api:router",
    "openboss.party.customer.api:router",
    "openboss.party.account.api:router",
    "openboss.party.interaction.api:router",
    "openboss.party.customer360_api:router",
    "openboss.web.party:router",
    "openboss.catalog.api:router",
    "openboss.catalog.mapping_api:router",
    "openboss.web.catalog:router",
    "openboss.resource.inventory.api:router",
    "openboss.resource.pools.api:router",
    "openboss.resource.publishing.api:router",
    "openboss.resource.operations.api:router",
    "openboss.web.resource:router",
    "openboss.workforce.api:router",
    "openboss.workforce.appointments.api:router",
    "openboss.workforce.assessment.api:router",
    "openboss.workforce.rostering.api:router",
    "openboss.workforce.board.api:router",
    "openboss.web.workforce:router",
    "openboss.engagement.communication.api:router",
    "openboss.fulfilment.engine.api:router",
    "openboss.fulfilment.engine.tmf701:router",
    "openboss.fulfilment.activation.api:router",
    "openboss.fulfilment.serviceorder.api:router",
    "openboss.fulfilment.inventory.api:router",
    "openboss.fulfilment.flows.api:router",
    "openboss.web.fulfilment:router",
    "openboss.ordering.api:router",
    "openboss.ordering.sla.api:router",
    "openboss.web.ordering:router",
    "openboss.worker.api:router",
    "openboss.web.routes:router",
]


class TrailingSlashMiddleware:
    """Accept a trailing slash on any path (TMF630): ``/x/`` is routed as ``/x``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope["path"] = path.rstrip("/") or "/"
                raw = scope.get("raw_path")
                if raw:
                    scope["raw_path"] = raw.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)


class NulGuardMiddleware:
    """Refuse a NUL character anywhere in the path or query string (400).

    No identifier, filter or search text of OpenBOSS may contain one, and
    PostgreSQL cannot even compare text with it: checking once here keeps
    every endpoint, TMF or not, from answering a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            field = _nul_field(scope)
            if field is not None:
                body = error_body(
                    400,
                    "INVALID_PARAMETER",
                    f"'{field}' must not contain NUL characters",
                    field=field,
                )
                await error_response(400, body)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _nul_field(scope: Scope) -> str | None:
    """The query parameter (or ``id`` for the path) carrying a NUL, if any."""
    if "\x00" in scope["path"] or b"%00" in (scope.get("raw_path") or b""):
        return "id"
    query: bytes = scope.get("query_string") or b""
    if b"%00" not in query and b"\x00" not in query:
        return None
    for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "") or "query"
    return "query"


system_router = APIRouter(tags=["system"])


@system_router.get("/health", name="health")
def health(request: Request) -> Response:
    """Liveness and readiness: the database answers."""
    db: Database = request.app.state.db
    try:
        db.ping()
        body: dict[str, Any] = {"status": "ok", "database": "ok", "version": __version__}
        status = 200
    except Exception as exc:  # the whole point is to report it
        body = {"status": "unavailable", "database": f"error: {type(exc).__name__}"}
        status = 503
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


@system_router.get("/metrics", name="metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus metrics; a bearer token of role admin or noc, or the scrape token."""
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if not (settings.metrics_token and header == f"Bearer {settings.metrics_token}"):
        principal = principal_from_request(request)
        if principal is None:
            raise Unauthorized("an access token is required for /metrics")
        if not principal.has_role("noc"):
            raise Forbidden("/metrics needs the admin or noc role")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def load_domains() -> None:
    """Import every domain's routers (and with them their services, job
    handlers, panels and capacity listeners): the worker process has no app
    but must run the same jobs."""
    for spec in ROUTERS:
        importlib.import_module(spec.partition(":")[0])


def _load(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def create_app(
    settings: Settings | None = None,
    db: Database | None = None,
    *,
    run_worker: bool = False,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    database = db or Database(settings.database_url, pool_size=settings.db_pool_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if run_worker:
            from openboss.worker.runner import Worker

            worker = Worker(database, settings, name="in-process")
            worker.start_in_thread()
        app.state.worker = worker
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            if db is None:
                database.dispose()

    app = FastAPI(
        title="OpenBOSS",
        version=__version__,
        description="Business and operations support for converged telecom operators. "
        "TM Forum Open APIs v4 under /tmf-api; get a token from POST /auth/token.",
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.db = database
    # Region grants in tokens are expanded to the regions below them (party domain).
    app.state.expand_regions = RegionTreeCache(database).expand
    app.state.secret_key = settings.resolved_secret_key()
    install_error_handlers(app)
    app.include_router(system_router)
    for spec in ROUTERS:
        app.include_router(_load(spec))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(_load("openboss.web.routes:fallback_router"))  # last: console 404 pages
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(TrailingSlashMiddleware)
    app.add_middleware(NulGuardMiddleware)
    return app
