"""Console screens of pools and stock through the TestClient (en and zh-CN)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.pools import ip, numbers, stock
from tests.web.conftest import csrf_from

URL = "/console/resource/pools"


@pytest.fixture
def demo(session: Session, specs: None) -> None:
    """The demo's pools and warehouses, with fewer numbers and CPE (fast)."""
    S = SYSTEM_SCOPE
    for cidr, purpose in (
        ("100.64.0.0/16", "dynamic"),
        ("61.164.10.0/24", "staticBusiness"),
        ("2408:8256::/40", "dynamic"),
    ):
        ip.create_pool(session, S, cidr=cidr, purpose=purpose, region_id="330100")
    pool = numbers.create_pool(
        session,
        S,
        name="杭州移动 1375710",
        kind="msisdn",
        region_id="330100",
        range_start="13757101200",
        range_end="13757101299",
    )
    numbers.add_numbers(session, pool, [str(n) for n in range(13757108880, 13757108890)])
    numbers.create_pool(
        session,
        S,
        name="杭州固话",
        kind="fixed",
        region_id="330100",
        range_start="057188000000",
        range_end="057188000009",
    )
    for code, name, region in (("WH-XIHU", "西湖仓", "330106"), ("WH-GONGSHU", "拱墅仓", "330105")):
        house = stock.create_warehouse(session, S, code=code, name=name, region_id=region)
        for kind, model, count in (("ont", "HG8245H", 30), ("stb", "EC6108V9", 25)):
            serials = [f"{code}-{kind}-{n:04d}" for n in range(count)]
            stock.receive(session, S, house.id, model=model, kind=kind, serials=serials)
    session.commit()


@pytest.fixture
def console(client: TestClient, demo: None) -> Callable[..., TestClient]:
    from openboss.auth.deps import SESSION_COOKIE
    from tests.conftest import token_for

    def make(roles: str = "noc", lang: str = "en") -> TestClient:
        client.cookies.set(SESSION_COOKIE, token_for(roles))
        client.headers["Accept-Language"] = lang
        return client

    return make


def _pool_id(session: Session, name: str) -> str:
    return next(p.id for p in numbers.list_pools(session, SYSTEM_SCOPE) if p.name == name)


def test_pools_page_lists_pools_with_bars(console: Callable[..., TestClient]) -> None:
    page = console().get(URL)
    assert page.status_code == 200, page.text
    assert "100.64.0.0/16" in page.text and "2408:8256::/40" in page.text
    assert "杭州移动 1375710" in page.text and "西湖仓" in page.text
    assert page.text.count("<progress") == 7  # 3 IP pools, 2 number pools, 2 warehouses
    assert "Static business" in page.text
    zh = console(lang="zh-CN").get(URL)
    assert zh.status_code == 200 and 'lang="zh-CN"' in zh.text


def test_pools_page_roles(console: Callable[..., TestClient]) -> None:
    assert console("billing").get(URL, follow_redirects=False).status_code == 403


def test_number_search_and_reserve(console: Callable[..., TestClient], session: Session) -> None:
    client = console("csr")
    pool_id = _pool_id(session, "杭州移动 1375710")
    page = client.get(f"{URL}/numbers/{pool_id}", params={"pattern": "*8888"})
    assert page.status_code == 200
    assert 'data-number="13757108888"' in page.text and "Golden" in page.text
    bad = client.get(f"{URL}/numbers/{pool_id}", params={"pattern": "abc"})
    assert bad.status_code == 400 and "is-invalid" in bad.text
    golden = client.get(f"{URL}/numbers/{pool_id}", params={"grade": "golden"})
    assert "13757101234" in golden.text
    number = numbers.search(session, SYSTEM_SCOPE, pool_id, pattern="*8888").items[0]
    done = client.post(
        f"{URL}/numbers/{pool_id}/reserve",
        data={"number_id": number.id, "customer_id": "C-9", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    after = client.get(done.headers["location"])
    assert "13757108888" in after.text and 'id="reserved-note"' in after.text
    assert 'data-number="13757108888"' not in after.text
    again = client.post(
        f"{URL}/numbers/{pool_id}/reserve",
        data={"number_id": number.id, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert again.status_code == 409
    assert client.get(f"{URL}/numbers/nope").status_code == 404


def test_reserve_needs_a_writer_and_csrf(
    console: Callable[..., TestClient], session: Session
) -> None:
    pool_id = _pool_id(session, "杭州移动 1375710")
    number = numbers.search(session, SYSTEM_SCOPE, pool_id).items[0]
    client = console("dispatcher")
    page = client.get(f"{URL}/numbers/{pool_id}")
    assert page.status_code == 200 and "Reserve</button>" not in page.text
    refused = client.post(
        f"{URL}/numbers/{pool_id}/reserve", data={"number_id": number.id}, follow_redirects=False
    )
    assert refused.status_code == 403
    client = console("csr")
    no_token = client.post(
        f"{URL}/numbers/{pool_id}/reserve", data={"number_id": number.id}, follow_redirects=False
    )
    assert no_token.status_code in (400, 403)


def test_warehouse_stock_highlights_low(
    console: Callable[..., TestClient], session: Session
) -> None:
    house = next(w for w in stock.list_warehouses(session, SYSTEM_SCOPE) if w.value == "WH-XIHU")
    page = console().get(f"{URL}/warehouses/{house.id}")
    assert page.status_code == 200
    assert 'data-model="HG8245H"' in page.text and 'data-low="true"' not in page.text
    for _ in range(6):  # 25 STBs, threshold 20: 19 left is low
        stock.issue(session, SYSTEM_SCOPE, house.id, kind="stb")
    session.commit()
    page = console().get(f"{URL}/warehouses/{house.id}")
    assert 'data-low="true"' in page.text and 'id="low-note"' in page.text
    assert console().get(f"{URL}/warehouses/nope").status_code == 404


def test_network_table_sorts(
    console: Callable[..., TestClient], make_resource: Callable[..., object], session: Session
) -> None:
    busy = make_resource("olt", "OLT-BUSY")
    idle = make_resource("olt", "OLT-IDLE")
    card = make_resource("oltCard", "c", parent=busy)
    make_resource("ponPort", "p1", parent=card, status="allocated")
    make_resource("splitterPort", "sp1", parent=card, status="allocated")
    make_resource("splitterPort", "sp2", parent=make_resource("oltCard", "c2", parent=idle))
    session.commit()
    client = console()
    page = client.get(f"{URL}/network")
    assert page.status_code == 200
    assert page.text.index("OLT-BUSY") < page.text.index("OLT-IDLE")
    page = client.get(f"{URL}/network", params={"sort": "percent"})
    assert page.text.index("OLT-IDLE") < page.text.index("OLT-BUSY")
    assert client.get(f"{URL}/network", params={"region": "330105"}).text.count("data-olt=") == 0
