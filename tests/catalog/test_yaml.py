"""Catalog as code on both databases: export → import → identical, idempotent
demo load, errors naming file, line and field."""

from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.catalog import models, yaml_io
from openboss.catalog.yaml_io import CatalogImportError, export_text, import_catalog

TABLES = (
    models.OfferingVersion,
    models.Catalog,
    models.Category,
    models.ProductOffering,
    models.ProductOfferingPrice,
    models.DeliveryRule,
    models.ProductSpecification,
    models.ServiceSpec,
    models.ResourceSpec,
)


def wipe(session: Session) -> None:
    for model in TABLES:
        session.query(model).delete()
    session.flush()


def test_export_import_export_is_identical(demo: Session) -> None:
    exported = export_text(demo)
    wipe(demo)
    assert export_text(demo) != exported
    result = import_catalog(demo, exported, "exported.yaml")
    assert result.counts["productOfferings"] == 11
    assert export_text(demo) == exported
    # every launched offering got its version frozen on the way in
    frozen = demo.scalar(select(func.count()).select_from(models.OfferingVersion))
    launched = demo.scalar(
        select(func.count())
        .select_from(models.ProductOffering)
        .where(models.ProductOffering.lifecycle_status == "Launched")
    )
    assert frozen == launched == 11


def test_demo_load_is_idempotent(demo: Session) -> None:
    before = export_text(demo)
    versions = demo.scalar(select(func.count()).select_from(models.OfferingVersion))
    yaml_io.load_demo_catalog(demo)
    assert export_text(demo) == before
    assert demo.scalar(select(func.count()).select_from(models.OfferingVersion)) == versions


def test_import_updates_a_launched_offering_as_a_new_version(demo: Session) -> None:
    text = export_text(demo).replace("name: Home Broadband 300M\n", "name: Home Broadband 300M+\n")
    import_catalog(demo, text, "changed.yaml")
    row = demo.get(models.ProductOffering, "po-hbb-300m")
    assert row is not None and row.name == "Home Broadband 300M+" and row.version == "2"


def _error(session: Session, text: str) -> CatalogImportError:
    with pytest.raises(CatalogImportError) as raised:
        import_catalog(session, textwrap.dedent(text), "shop.yaml")
    return raised.value


def test_errors_name_file_line_and_field(session: Session) -> None:
    error = _error(
        session,
        """\
        productOfferingPrices:
          - id: p1
            name: Monthly
            priceModel:
              kind: usage
              unit: minute
              taxCategory: basicTelecom
              tiers:
                - {upTo: 10, unitPrice: 5}
                - {upTo: 5, unitPrice: 3}
                - {unitPrice: -1}
        """,
    )
    assert str(error).startswith(
        "shop.yaml:11: productOfferingPrices[0] (p1) priceModel.tiers.2.unitPrice:"
    )
    assert error.field == "priceModel.tiers.2.unitPrice"

    error = _error(
        session,
        """\
        productOfferings:
          - id: o1
            name: Fibre
            place:
              - id: "330100"
              - id: Hangzhou
        """,
    )
    assert str(error).startswith("shop.yaml:6: productOfferings[0] (o1) place.1.id:")

    error = _error(
        session,
        """\
        productOfferings:
          - id: o1
            name: Fibre
            productSpecification: {id: nowhere}
        """,
    )
    assert str(error).startswith("shop.yaml:4: productOfferings[0] (o1) productSpecification:")

    error = _error(
        session,
        """\
        productOfferings:
          - id: o1
            name: Fibre
            lifecycleStatus: Launched
        """,
    )
    assert "shop.yaml:4: productOfferings[0] (o1) lifecycleStatus:" in str(error)
    assert "not ready" in str(error) and "the offering has no price" in str(error)

    assert str(_error(session, "offerings: []\n")).startswith("shop.yaml:1: offerings")
    assert str(_error(session, "catalogs:\n  - name: x\n")).startswith(
        "shop.yaml:2: catalogs[0] id:"
    )
    assert str(_error(session, "catalogs: [\n")).startswith("shop.yaml:2: not valid YAML")
    # nothing was written by the failed imports
    assert session.scalar(select(func.count()).select_from(models.ProductOffering)) == 0
    assert session.scalar(select(func.count()).select_from(models.ProductOfferingPrice)) == 0
