"""CPE stock: warehouses, receiving, levels, issue and recovery."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.resource.inventory.models import Resource, ResourceTransfer, ResourceUsage
from openboss.resource.pools import stock
from openboss.resource.pools.specs import CPE

S = SYSTEM_SCOPE


def _house(session: Session, code: str = "WH-XH", region: str = "330106", **kw: object) -> Resource:
    return stock.create_warehouse(
        session,
        S,
        code=code,
        name=f"仓 {code}",
        region_id=region,
        **kw,  # type: ignore[arg-type]
    )


def test_receive_levels_and_low_stock(session: Session, specs: None) -> None:
    house = _house(session, low_stock_threshold=3)
    assert (
        stock.receive(
            session, S, house.id, model="HG8245H", kind="ont", serials=["ONT0001", "ONT0002"]
        )
        == 2
    )
    stock.receive(
        session, S, house.id, model="AX3", kind="router", serials=[f"RT{i:04}" for i in range(5)]
    )
    levels = stock.levels(session, S, house.id)
    assert [(lv["kind"], lv["model"], lv["available"], lv["low"]) for lv in levels] == [
        ("ont", "HG8245H", 2, True),
        ("router", "AX3", 5, False),
    ]


def test_duplicate_serial_is_409_and_nothing_written(session: Session, specs: None) -> None:
    house = _house(session)
    stock.receive(session, S, house.id, model="HG8245H", kind="ont", serials=["ONT0001"])
    with pytest.raises(Conflict) as err:
        stock.receive(
            session, S, house.id, model="HG8245H", kind="ont", serials=["ONT0009", "ONT0001"]
        )
    assert "ONT0001" in err.value.message
    with pytest.raises(Conflict) as err:
        stock.receive(session, S, house.id, model="X", kind="ont", serials=["A123", "A123"])
    assert "A123" in err.value.message
    assert session.scalar(select(func.count()).where(Resource.spec_id == CPE)) == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "fridge"}, "kind"),
        ({"model": " "}, "model"),
        ({"serials": ["a b"]}, "serials"),
        ({"serials": []}, "serials"),
    ],
)
def test_bad_batches_are_400(
    session: Session, specs: None, kw: dict[str, object], field: str
) -> None:
    house = _house(session)
    args: dict[str, object] = {"model": "HG8245H", "kind": "ont", "serials": ["ONT0001"], **kw}
    with pytest.raises(ValidationFailed) as err:
        stock.receive(session, S, house.id, **args)  # type: ignore[arg-type]
    assert err.value.field == field


def test_warehouse_rules(session: Session, specs: None, make_site: Callable[..., str]) -> None:
    site = make_site("仓库楼")
    house = _house(session, site_id=site)
    assert house.site_id == site
    with pytest.raises(Conflict):
        _house(session)
    with pytest.raises(ValidationFailed) as err:
        _house(session, "WH-2", site_id="nowhere")
    assert err.value.field == "siteId"
    with pytest.raises(NotFound):
        stock.levels(session, Scope(regions=frozenset({"330105"})), house.id)


def test_issue_and_recover(session: Session, specs: None) -> None:
    xihu = _house(session)
    gongshu = _house(session, "WH-GS", "330105")
    stock.receive(session, S, xihu.id, model="HG8245H", kind="ont", serials=["ONT0001"])
    stock.receive(session, S, xihu.id, model="EC6108", kind="stb", serials=["STB0001"])
    ont = stock.issue(session, S, xihu.id, kind="ont", order_id="PO-1", customer_id="C-1")
    assert (ont.value, ont.lifecycle_status) == ("ONT0001", "allocated")
    usage = session.scalars(select(ResourceUsage).where(ResourceUsage.resource_id == ont.id)).one()
    assert usage.order_id == "PO-1" and usage.ended_at is None
    with pytest.raises(Conflict) as err:
        stock.issue(session, S, xihu.id, kind="ont")
    assert "no ont" in err.value.message
    with pytest.raises(Conflict):
        stock.issue(session, S, xihu.id, kind="stb", model="OTHER")
    # recovered into another warehouse: available there, a transfer recorded
    back = stock.recover(session, S, ont.id, warehouse_id=gongshu.id, reason="move")
    assert (back.lifecycle_status, back.parent_id, back.region_id) == (
        "available",
        gongshu.id,
        "330105",
    )
    session.refresh(usage)
    assert usage.ended_at is not None
    assert session.scalars(select(ResourceTransfer)).one().to_parent_id == gongshu.id
    with pytest.raises(Conflict):
        stock.recover(session, S, ont.id)
    # a faulty one is retired
    stb = stock.issue(session, S, xihu.id, kind="stb", model="EC6108")
    gone = stock.recover(session, S, stb.id, faulty=True)
    assert gone.lifecycle_status == "retired" and gone.parent_id == xihu.id
    levels = {lv["model"]: lv for lv in stock.levels(session, S, xihu.id)}
    assert levels["EC6108"]["retired"] == 1 and levels["EC6108"]["available"] == 0
    with pytest.raises(NotFound):
        stock.recover(session, S, "nope")
