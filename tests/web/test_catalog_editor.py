"""The offering editor of the catalog console (eTOM 1.1.1.1): prices,
characteristics, bundle members and delivery rules, each change refused with
its reasons or saved, in a real session of the console."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.catalog.models import DeliveryRule, ProductOffering, ProductOfferingPrice
from tests.catalog.conftest import build_mapping, launch, make_offering, make_price
from tests.web.conftest import csrf_from

OFFERINGS = "/console/catalog/offerings"


def _launched(session: Session) -> None:
    build_mapping(session)
    make_price(session, "pop-1")
    make_offering(session)
    launch(session, "po-bb")
    session.commit()


def test_price_change_on_a_launched_offering_makes_a_new_version(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    _launched(session)
    client = console_as("marketing")
    url = f"{OFFERINGS}/po-bb"
    page = client.get(f"{url}?lang=en")
    assert 'data-price-edit="pop-1"' in page.text and "amount: 9900" in page.text
    token = csrf_from(page.text)
    bad = client.post(
        f"{url}/prices/pop-1",
        data={"csrf_token": token, "name": "Monthly", "model": "kind: recurring\n  amount: [1"},
    )
    assert bad.status_code == 400
    assert "The price pop-1 was not changed." in bad.text and "line" in bad.text
    negative = client.post(
        f"{url}/prices/pop-1",
        data={
            "csrf_token": token,
            "name": "Monthly",
            "model": "kind: recurring\namount: -1\ncurrency: CNY\ntaxCategory: valueAddedTelecom\n",
        },
    )
    assert negative.status_code == 400
    session.expire_all()
    assert session.get(ProductOffering, "po-bb").version == "1"  # type: ignore[union-attr]
    done = client.post(
        f"{url}/prices/pop-1",
        data={
            "csrf_token": token,
            "name": "Monthly",
            "name_zh": "月费",
            "model": "kind: recurring\namount: 13900\ncurrency: CNY\nperiod: month\n"
            "taxCategory: valueAddedTelecom\n",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    session.expire_all()
    row = session.get(ProductOffering, "po-bb")
    assert row is not None and row.version == "2"
    new_id = (row.product_offering_price or [])[0]["id"]
    assert new_id != "pop-1"
    assert "139.00" in client.get(f"{url}?lang=en").text
    zh = client.get(f"{url}?lang=zh_CN").text
    assert "月费" in zh


def test_add_and_remove_price_and_csr_may_not(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    build_mapping(session)
    make_price(session, "pop-1")
    make_offering(session)
    session.commit()
    client = console_as("manager")
    url = f"{OFFERINGS}/po-bb"
    token = csrf_from(client.get(f"{url}?lang=en").text)
    added = client.post(
        f"{url}/prices",
        data={
            "csrf_token": token,
            "name": "Installation",
            "name_zh": "安装费",
            "model": "kind: oneTime\namount: 10000\ncurrency: CNY\nchargeEvent: installation\n"
            "taxCategory: valueAddedTelecom\n",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    session.expire_all()
    refs = session.get(ProductOffering, "po-bb").product_offering_price  # type: ignore[union-attr]
    assert refs is not None and len(refs) == 2
    new_id = refs[1]["id"]
    assert session.get(ProductOfferingPrice, new_id) is not None
    removed = client.post(
        f"{url}/prices/{new_id}/remove", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.status_code == 303
    kept_form = client.post(
        f"{url}/prices", data={"csrf_token": token, "name": "Bad", "model": "kind: gift\n"}
    )
    assert kept_form.status_code == 400
    assert "The price was not added." in kept_form.text and 'value="Bad"' in kept_form.text
    csr = console_as("csr")
    assert csr.post(f"{url}/prices", data={"csrf_token": token}).status_code == 403


def test_characteristics_and_delivery_rules(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    _launched(session)
    client = console_as("marketing")
    url = f"{OFFERINGS}/po-bb"
    page = client.get(f"{url}?lang=en")
    token = csrf_from(page.text)
    chars = (
        "- name: bandwidth\n  valueType: integer\n  configurable: false\n"
        "  productSpecCharacteristicValue:\n  - value: 100\n    unitOfMeasure: Mbps\n"
        "    isDefault: true\n"
    )
    saved = client.post(
        f"{url}/characteristics",
        data={"csrf_token": token, "characteristics": chars},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert "bandwidth" in client.get(f"{url}?lang=en").text
    bad = client.post(
        f"{url}/characteristics",
        data={"csrf_token": token, "characteristics": "- name: x\n  valueType: colour\n"},
    )
    assert bad.status_code == 400 and "The characteristics were not saved." in bad.text

    rule = client.post(
        f"{url}/rules",
        data={
            "csrf_token": token,
            "product_spec": "ps-bb",
            "region_id": "330105",
            "coverage_type": "partnerCable",
            "delivery_mode": "partner",
            "process_key": "broadband-partner",
            "sla_hours": "72",
            "jeopardy_percent": "80",
        },
        follow_redirects=False,
    )
    assert rule.status_code == 303, rule.text
    row = session.query(DeliveryRule).filter_by(region_id="330105").one()
    assert row.sla_completion_hours == 72
    wrong = client.post(
        f"{url}/rules",
        data={
            "csrf_token": token,
            "product_spec": "ps-bb",
            "region_id": "Hangzhou",
            "coverage_type": "partnerCable",
            "delivery_mode": "partner",
            "sla_hours": "many",
        },
    )
    assert wrong.status_code == 400 and "The delivery rule was not saved." in wrong.text
    gone = client.post(
        f"{url}/rules/{row.id}/remove", data={"csrf_token": token}, follow_redirects=False
    )
    assert gone.status_code == 303
    session.expire_all()
    assert session.query(DeliveryRule).filter_by(region_id="330105").count() == 0


def test_bundle_members_editor(session: Session, console_as: Callable[..., TestClient]) -> None:
    build_mapping(session)
    make_price(session, "pop-1")
    make_price(session, "pop-2")
    make_offering(session)
    make_offering(session, "po-tv", name="IPTV", productOfferingPrice=[{"id": "pop-2"}])
    make_offering(
        session,
        "po-pack",
        name="Pack",
        productSpecification=None,
        productOfferingPrice=None,
        isBundle=True,
        bundledProductOffering=[{"id": "po-bb"}],
    )
    session.commit()
    client = console_as("marketing")
    url = f"{OFFERINGS}/po-pack"
    token = csrf_from(client.get(f"{url}?lang=en").text)
    added = client.post(
        f"{url}/members",
        data={
            "csrf_token": token,
            "member_id": "po-tv",
            "lower": "0",
            "upper": "2",
            "default": "1",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    page = client.get(f"{url}?lang=en").text
    assert 'data-remove-member="po-tv"' in page
    bad = client.post(
        f"{url}/members",
        data={"csrf_token": token, "member_id": "po-tv", "lower": "3", "upper": "2"},
    )
    assert bad.status_code == 400 and "po-tv was not saved" in bad.text
    removed = client.post(
        f"{url}/members/po-tv/remove", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.status_code == 303
    session.expire_all()
    members = session.get(ProductOffering, "po-pack").bundled_product_offering  # type: ignore[union-attr]
    assert [m["id"] for m in members or []] == ["po-bb"]
