"""The HTTP APIs: partner coverage, availability, TMF645 (checked against the v4 swagger)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.resource.demo import CABLE_PARTNER, FIXED_PARTNER
from openboss.resource.publishing import availability

from .conftest import Ftth

SQ = "/tmf-api/serviceQualificationManagement/v4"
COVERAGE = "/api/resource/v1/partnerCoverage"
AVAIL = "/api/resource/v1/availability"
SWAGGER = Path("/work/shared/tmf-specs/TMF645-ServiceQualification-v4.0.0.swagger.json")


@cache
def swagger() -> dict[str, Any]:
    return dict(json.loads(SWAGGER.read_text()))


def conforms(value: Any, definition: str) -> None:
    """``value`` has only attributes of ``definition``, its required ones, the
    right JSON types and enum values (recursively through $ref)."""
    spec = swagger()["definitions"][definition]
    assert isinstance(value, dict), definition
    for name in spec.get("required", []):
        assert name in value, f"{definition}.{name} is required"
    props = spec.get("properties", {})
    for key, item in value.items():
        assert key in props, f"{definition} has no attribute {key}"
        prop = props[key]
        _check(item, prop, f"{definition}.{key}")


def _check(item: Any, prop: dict[str, Any], where: str) -> None:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[1]
        target = swagger()["definitions"][name]
        if "enum" in target:
            assert item in target["enum"], f"{where}={item!r} not in {target['enum']}"
        elif name != "Any" and target.get("properties"):
            conforms(item, name)
        return
    kind = prop.get("type")
    if kind == "array":
        assert isinstance(item, list), where
        for x in item:
            _check(x, prop["items"], where)
    elif kind == "string":
        assert isinstance(item, str), where
        if prop.get("format") == "date-time":
            assert item.endswith("Z") and "T" in item, where
    elif kind == "boolean":
        assert isinstance(item, bool), where


@pytest.fixture
def tour(
    session: Session,
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
) -> dict[str, str]:
    """An FTTH building, a partner-only building and an uncovered one, with a flat each."""
    ftth, partner, none = make_site(), make_site(), make_site()
    build_ftth(ftth, used=2)
    r = client.post(
        COVERAGE,
        json={"siteId": partner, "partnerId": CABLE_PARTNER, "capacity": 120, "used": 20},
        headers=auth_headers("noc"),
    )
    assert r.status_code == 201, r.text
    availability.refresh_sites(session, [ftth, partner, none])
    return {
        "ftth": ftth,
        "partner": partner,
        "none": none,
        "ftth_flat": make_flat(ftth),
        "partner_flat": make_flat(partner),
        "none_flat": make_flat(none),
        "coverage": r.json()["id"],
    }


def item(place: str, spec: str, ident: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "service": {
            "serviceSpecification": {"id": spec},
            "place": [
                {"id": place, "role": "installationAddress", "@referredType": "GeographicAddress"}
            ],
        }
    }
    if ident:
        out["id"] = ident
    return out


def test_check_service_qualification(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], tour: dict[str, str]
) -> None:
    h = auth_headers("csr")
    body = {
        "description": "tour",
        "externalId": "ORD-1",
        "serviceQualificationItem": [
            item(tour["ftth_flat"], "cfs-internet-access", "a"),
            item(tour["partner_flat"], "cfs-iptv", "b"),
            item(tour["none_flat"], "cfs-internet-access", "c"),
            item(tour["partner_flat"], "cfs-fixed-voice", "d"),
        ],
    }
    r = client.post(SQ + "/checkServiceQualification", json=body, headers=h)
    assert r.status_code == 201, r.text
    doc = r.json()
    conforms(doc, "CheckServiceQualification")
    assert doc["@type"] == "CheckServiceQualification"
    assert r.headers["Location"] == doc["href"]
    assert doc["href"].endswith(f"{SQ}/checkServiceQualification/{doc['id']}")
    assert (doc["state"], doc["instantSyncQualification"], doc["qualificationResult"]) == (
        "done",
        True,
        "unqualified",
    )
    items = {i["id"]: i for i in doc["serviceQualificationItem"]}
    a, b, c, d = items["a"], items["b"], items["c"], items["d"]
    chars = {x["name"]: x["value"] for x in a["service"]["serviceCharacteristic"]}
    assert (a["qualificationResult"], chars["deliveryMode"], chars["coverageType"]) == (
        "qualified",
        "ownConstruction",
        "ownFtth",
    )
    assert a["expectedServiceAvailabilityDate"].endswith("Z")
    assert a["service"]["place"][0]["@referredType"] == "GeographicAddress"
    chars = {x["name"]: x["value"] for x in b["service"]["serviceCharacteristic"]}
    assert (chars["coverageType"], chars["ownerPartnerId"]) == ("partnerCable", CABLE_PARTNER)
    assert c["qualificationResult"] == "unqualified"
    assert c["eligibilityUnavailabilityReason"][0]["code"] == "noCoverage"
    assert c["eligibilityUnavailabilityReason"][0]["label"]
    assert "serviceCharacteristic" not in c["service"]
    assert d["eligibilityUnavailabilityReason"][0]["code"] == "noCoverage"
    for i in doc["serviceQualificationItem"]:
        assert i["state"] == "done"

    got = client.get(SQ + f"/checkServiceQualification/{doc['id']}", headers=h)
    assert got.status_code == 200
    assert got.json() == doc
    listed = client.get(SQ + "/checkServiceQualification?externalId=ORD-1", headers=h)
    assert listed.status_code == 200
    assert [x["id"] for x in listed.json()] == [doc["id"]]
    assert listed.headers["X-Total-Count"] == "1"
    fields = client.get(
        SQ + f"/checkServiceQualification/{doc['id']}?fields=qualificationResult", headers=h
    ).json()
    assert set(fields) == {"id", "href", "@type", "qualificationResult"}


def test_all_qualified_and_no_reason_when_not_asked(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], tour: dict[str, str]
) -> None:
    h = auth_headers("csr")
    r = client.post(
        SQ + "/checkServiceQualification",
        json={"serviceQualificationItem": [item(tour["ftth_flat"], "cfs-mobile")]},
        headers=h,
    )
    assert r.json()["qualificationResult"] == "qualified"
    assert r.json()["serviceQualificationItem"][0]["id"] == "1"
    r = client.post(
        SQ + "/checkServiceQualification",
        json={
            "provideUnavailabilityReason": False,
            "serviceQualificationItem": [item(tour["none_flat"], "cfs-iptv")],
        },
        headers=h,
    )
    assert "eligibilityUnavailabilityReason" not in r.json()["serviceQualificationItem"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "serviceQualificationItem"),
        ({"serviceQualificationItem": []}, "serviceQualificationItem"),
        (
            {"serviceQualificationItem": [item("no-such-address", "cfs-iptv")]},
            "serviceQualificationItem[0].service.place",
        ),
        (
            {"serviceQualificationItem": [{"service": {"serviceSpecification": {"id": "x"}}}]},
            "serviceQualificationItem[0].service.place",
        ),
        ({"serviceQualificationItem": [{"id": "1"}]}, "serviceQualificationItem[0].service"),
    ],
)
def test_check_refuses_bad_requests(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    tour: dict[str, str],
    body: dict[str, Any],
    field: str,
) -> None:
    r = client.post(SQ + "/checkServiceQualification", json=body, headers=auth_headers("csr"))
    assert r.status_code == 400, r.text
    assert field in r.text


def test_check_refuses_missing_spec_wrong_place_type_and_duplicate_ids(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], tour: dict[str, str]
) -> None:
    h = auth_headers("csr")
    no_spec = {
        "serviceQualificationItem": [
            {"service": {"place": [{"id": tour["ftth_flat"], "role": "x"}]}}
        ]
    }
    r = client.post(SQ + "/checkServiceQualification", json=no_spec, headers=h)
    assert r.status_code == 400 and "serviceSpecification.id" in r.text
    wrong = item(tour["ftth_flat"], "cfs-iptv")
    wrong["service"]["place"][0]["@referredType"] = "GeographicSite"
    r = client.post(
        SQ + "/checkServiceQualification", json={"serviceQualificationItem": [wrong]}, headers=h
    )
    assert r.status_code == 400 and "GeographicAddress" in r.text
    twice = [item(tour["ftth_flat"], "cfs-iptv", "x"), item(tour["ftth_flat"], "cfs-mobile", "x")]
    r = client.post(
        SQ + "/checkServiceQualification", json={"serviceQualificationItem": twice}, headers=h
    )
    assert r.status_code == 400 and "serviceQualificationItem[1].id" in r.text


def test_reading_unknown_or_other_regions_qualifications_is_404(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], tour: dict[str, str]
) -> None:
    h = auth_headers("csr")
    assert client.get(SQ + "/checkServiceQualification/nope", headers=h).status_code == 404
    assert client.get(SQ + "/queryServiceQualification/nope", headers=h).status_code == 404
    r = client.post(
        SQ + "/checkServiceQualification",
        json={"serviceQualificationItem": [item(tour["ftth_flat"], "cfs-iptv")]},
        headers=h,
    )
    other = auth_headers("csr", regions=["330105"])
    assert (
        client.get(
            r.headers["Location"].replace("http://testserver", ""), headers=other
        ).status_code
        == 404
    )
    assert (
        client.get(SQ + "/checkServiceQualification", headers=auth_headers("billing")).status_code
        == 403
    )


def test_query_service_qualification(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], tour: dict[str, str]
) -> None:
    h = auth_headers("csr")
    body = {
        "searchCriteria": {
            "service": {"place": [{"id": tour["partner_flat"], "role": "installationAddress"}]}
        }
    }
    r = client.post(SQ + "/queryServiceQualification", json=body, headers=h)
    assert r.status_code == 201, r.text
    doc = r.json()
    conforms(doc, "QueryServiceQualification")
    assert doc["state"] == "done"
    specs = {i["service"]["serviceSpecification"]["id"] for i in doc["serviceQualificationItem"]}
    assert specs == {"cfs-internet-access", "cfs-iptv", "cfs-home-terminal", "cfs-mobile"}
    assert doc["searchCriteria"]["service"]["place"][0]["id"] == tour["partner_flat"]
    got = client.get(SQ + f"/queryServiceQualification/{doc['id']}", headers=h)
    assert got.json() == doc
    assert client.get(SQ + "/queryServiceQualification", headers=h).headers["X-Total-Count"] == "1"
    bad = {"searchCriteria": {"service": {"place": [{"id": "nowhere", "role": "x"}]}}}
    r = client.post(SQ + "/queryServiceQualification", json=bad, headers=h)
    assert r.status_code == 400 and "searchCriteria.service.place" in r.text
    r = client.post(SQ + "/queryServiceQualification", json={}, headers=h)
    assert r.status_code == 400 and "searchCriteria" in r.text


def test_hubs(client: TestClient, auth_headers: Callable[..., dict[str, str]]) -> None:
    h = auth_headers("admin")
    for base in (SQ, AVAIL):
        r = client.post(base + "/hub", json={"callback": "http://127.0.0.1:9/listener"}, headers=h)
        assert r.status_code == 201, r.text


def test_swagger_paths_are_served(app: Any, client: TestClient) -> None:
    paths = app.openapi()["paths"]
    for path in ("/checkServiceQualification", "/queryServiceQualification"):
        assert {"post", "get"} <= set(paths[SQ + path])
        assert "get" in paths[SQ + path + "/{id}"]
        assert path in swagger()["paths"]
    assert "post" in paths[SQ + "/hub"]
    assert swagger()["basePath"] == SQ


# ------------------------------------------------------------ partner coverage


def test_partner_coverage_crud_and_partner_scope(
    session: Session,
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    tour: dict[str, str],
    make_site: Callable[..., str],
) -> None:
    noc = auth_headers("noc")
    site = make_site()
    r = client.post(
        COVERAGE,
        json={"siteId": site, "partnerId": FIXED_PARTNER, "technology": "ftth", "capacity": 40},
        headers=noc,
    )
    assert r.status_code == 201, r.text
    fixed = r.json()["id"]
    assert r.json()["regionId"] == "330106-G01"
    # the same partner, building and technology again: 409
    again = client.post(
        COVERAGE,
        json={"siteId": site, "partnerId": FIXED_PARTNER, "technology": "ftth", "capacity": 1},
        headers=noc,
    )
    assert again.status_code == 409
    listed = client.get(COVERAGE + f"?siteId={site}", headers=noc)
    assert [c["id"] for c in listed.json()] == [fixed]
    assert client.get(COVERAGE, headers=noc).headers["X-Total-Count"] == "2"

    partner = auth_headers("partner", partner_id=CABLE_PARTNER)
    mine = client.get(COVERAGE, headers=partner).json()
    assert [c["id"] for c in mine] == [tour["coverage"]]
    assert client.get(COVERAGE + f"/{fixed}", headers=partner).status_code == 404
    assert (
        client.patch(COVERAGE + f"/{fixed}", json={"used": 1}, headers=partner).status_code == 404
    )
    # status feedback: the partner reports its capacity and usage
    r = client.patch(COVERAGE + f"/{tour['coverage']}", json={"used": 120}, headers=partner)
    assert r.status_code == 200 and r.json()["used"] == 120
    avail = client.get(AVAIL + f"?siteId={tour['partner']}", headers=noc).json()
    assert [(a["status"], a["capacityFree"]) for a in avail] == [("exhausted", 0)]
    r = client.patch(COVERAGE + f"/{tour['coverage']}", json={"technology": "x"}, headers=partner)
    assert r.status_code == 403 and "technology" in r.text
    # a partner records coverage only for itself
    r = client.post(
        COVERAGE, json={"siteId": site, "partnerId": FIXED_PARTNER, "capacity": 1}, headers=partner
    )
    assert r.status_code == 403
    assert client.delete(COVERAGE + f"/{fixed}", headers=partner).status_code == 403

    assert client.delete(COVERAGE + f"/{fixed}", headers=noc).status_code == 204
    assert client.get(COVERAGE + f"/{fixed}", headers=noc).status_code == 404
    assert client.delete(COVERAGE + f"/{fixed}", headers=noc).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"siteId": "nope", "partnerId": CABLE_PARTNER, "capacity": 1}, "siteId"),
        ({"partnerId": "NOPE", "capacity": 1}, "partnerId"),
        ({"capacity": 1}, "partnerId"),
        ({"partnerId": CABLE_PARTNER, "capacity": -1}, "capacity"),
        (
            {
                "partnerId": CABLE_PARTNER,
                "capacity": 1,
                "validFrom": "2027-01-01T00:00:00Z",
                "validTo": "2026-01-01T00:00:00Z",
            },
            "validTo",
        ),
    ],
)
def test_partner_coverage_refuses_bad_input(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    make_site: Callable[..., str],
    publishing: None,
    body: dict[str, Any],
    field: str,
) -> None:
    payload = {"siteId": make_site(), **body}
    r = client.post(COVERAGE, json=payload, headers=auth_headers("noc"))
    assert r.status_code == 400, r.text
    assert field in r.text
    assert client.get(COVERAGE, headers=auth_headers("noc")).headers["X-Total-Count"] == "0"


def test_coverage_writes_need_noc_or_partner(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], tour: dict[str, str]
) -> None:
    r = client.patch(
        COVERAGE + f"/{tour['coverage']}", json={"used": 1}, headers=auth_headers("csr")
    )
    assert r.status_code == 403
    assert client.get(COVERAGE, headers=auth_headers("csr")).status_code == 200


# ---------------------------------------------------------------- availability


def test_availability_filters(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], tour: dict[str, str]
) -> None:
    h = auth_headers("csr")
    r = client.get(AVAIL + f"?siteId={tour['ftth']}", headers=h)
    assert r.status_code == 200
    (row,) = r.json()
    assert (row["businessTypeId"], row["capacityFree"], row["capacityTotal"], row["status"]) == (
        "ftthAccess",
        6,
        8,
        "available",
    )
    assert row["ownerPartnerId"] is None and row["earliestDate"].endswith("Z")
    by_address = client.get(AVAIL + f"?addressId={tour['partner_flat']}", headers=h).json()
    assert [(a["businessTypeId"], a["ownerPartnerId"]) for a in by_address] == [
        ("partnerCableAccess", CABLE_PARTNER)
    ]
    assert client.get(AVAIL + "?status=exhausted", headers=h).json() == []
    assert client.get(AVAIL + "?regionId=330106-G01", headers=h).headers["X-Total-Count"] == "2"
    r = client.get(AVAIL + "?status=sold", headers=h)
    assert r.status_code == 400 and "status" in r.text
    r = client.get(AVAIL + "?addressId=nope", headers=h)
    assert r.status_code == 400 and "addressId" in r.text
    # partners see their own rows only
    mine = client.get(AVAIL, headers=auth_headers("partner", partner_id=CABLE_PARTNER)).json()
    assert [a["siteId"] for a in mine] == [tour["partner"]]
    types = client.get("/api/resource/v1/businessResourceType", headers=h).json()
    assert [t["id"] for t in types] == [
        "ftthAccess",
        "partnerCableAccess",
        "leasedLineAccess",
        "mobileAccess",
    ]


def test_alternate_proposal_for_planned_network(
    session: Session,
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
) -> None:
    from datetime import timedelta

    from openboss.resource.inventory import lifecycle

    site = make_site()
    start = lifecycle.now() + timedelta(days=15)
    build_ftth(site, splitter_status="planned", port_status="planned", start=start)
    availability.refresh_sites(session, [site])
    flat = make_flat(site)
    h = auth_headers("csr")
    r = client.post(
        SQ + "/checkServiceQualification",
        json={"serviceQualificationItem": [item(flat, "cfs-internet-access")]},
        headers=h,
    )
    doc = r.json()
    conforms(doc, "CheckServiceQualification")
    (it,) = doc["serviceQualificationItem"]
    assert (doc["qualificationResult"], it["qualificationResult"]) == ("alternate", "alternate")
    (proposal,) = it["alternateServiceProposal"]
    expected = (start + timedelta(days=2)).date().isoformat()
    assert proposal["alternateServiceAvailabilityDate"].startswith(expected)
    chars = {c["name"]: c["value"] for c in proposal["alternateService"]["serviceCharacteristic"]}
    assert chars["coverageType"] == "ownFtth"
    no_alt = client.post(
        SQ + "/checkServiceQualification",
        json={
            "provideAlternative": False,
            "serviceQualificationItem": [item(flat, "cfs-internet-access")],
        },
        headers=h,
    ).json()
    assert no_alt["serviceQualificationItem"][0]["qualificationResult"] == "unqualified"
    assert "alternateServiceProposal" not in no_alt["serviceQualificationItem"][0]
