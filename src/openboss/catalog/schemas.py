"""TMF620 v4 shapes of the catalog (camelCase on the wire, every field described).

``<Resource>Create`` validates a POST body and, after a JSON merge patch has
been applied to the stored representation, the whole new state of a PATCH
(the update shape is the same with every member optional). Reads are the
stored representations; ``<Resource>`` documents them.

Extension attributes (TMF has none for these; documented in
``docs/catalog.md``): ``localizedName`` on every entity (``{"en": …,
"zh-CN": …}``), ``bundleRule`` on offerings (dependency rules between
bundle members), ``priceModel`` on prices (:mod:`openboss.catalog.pricing`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from openboss.kit.money import minor_digits
from openboss.kit.regions import REGION_CODE
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.kit.tmf.schemas import Text, TmfModel, json_value

#: Lifecycle statuses (TMF620 user guide wording).
IN_DESIGN, IN_TEST, LAUNCHED, RETIRED = "In design", "In test", "Launched", "Retired"
LifecycleStatus = Literal["In design", "In test", "Launched", "Retired"]

#: Region codes: 6-digit administrative code, optionally a grid suffix (330106-G01).
LANGUAGES = frozenset({"en", "zh-CN"})


class Money(TmfModel):
    """TMF ``Money``, stored as integer minor units."""

    unit: Text = Field(description="ISO 4217 currency code, e.g. CNY.", min_length=3, max_length=3)
    value: Decimal = Field(description="Amount in the currency's major unit, e.g. 59.00.")

    @model_validator(mode="after")
    def _fits_minor_units(self) -> Money:
        try:
            digits = minor_digits(self.unit)
        except Exception:
            raise ValueError(f"unsupported currency '{self.unit}'") from None
        scaled = self.value.scaleb(digits)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{self.unit} amounts have at most {digits} decimals")
        if abs(scaled) >= 2**62:
            raise ValueError("amount out of range")
        return self

    def to_minor(self) -> int:
        return int(self.value.scaleb(minor_digits(self.unit)))


class TimePeriod(TmfModel):
    """TMF ``TimePeriod``; an open end means "no limit"."""

    start_date_time: datetime | None = Field(None, description="Start (UTC if no offset).")
    end_date_time: datetime | None = Field(None, description="End (UTC if no offset).")

    @field_validator("start_date_time", "end_date_time")
    @classmethod
    def _utc_ms(cls, value: datetime | None) -> datetime | None:
        return truncate_datetime(value) if value is not None else None

    @model_validator(mode="after")
    def _ordered(self) -> TimePeriod:
        if (
            self.start_date_time
            and self.end_date_time
            and self.end_date_time < self.start_date_time
        ):
            raise ValueError("endDateTime is before startDateTime")
        return self


class Quantity(TmfModel):
    """TMF ``Quantity``: an amount and its unit."""

    amount: int | float = Field(description="Numeric value.", ge=0)
    units: Text = Field(description="Unit, e.g. month, GB.", min_length=1, max_length=32)


class Ref(TmfModel):
    """A TMF ``*Ref``: the id (and optionally name, href, version) of another entity."""

    id: Text = Field(description="Identifier of the referred entity.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference of the entity.", max_length=512)
    name: Text | None = Field(None, description="Name of the entity.", max_length=256)
    version: Text | None = Field(None, description="Version of the entity.", max_length=16)
    referred_type: Text | None = Field(
        None, alias="@referredType", description="Type of the referred entity.", max_length=64
    )


class PlaceRef(Ref):
    """Where an offering is sold: a region code (province, city, district or grid)."""

    @field_validator("id")
    @classmethod
    def _region_code(cls, value: str) -> str:
        if not REGION_CODE.match(value):
            raise ValueError("a place id is a region code such as 330100 or 330106-G01")
        return value


class RelatedParty(TmfModel):
    id: Text = Field(description="Identifier of the party.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference of the party.", max_length=512)
    name: Text | None = Field(None, description="Name of the party.", max_length=256)
    role: Text | None = Field(None, description="Role, e.g. owner.", max_length=64)
    referred_type: Text | None = Field(
        None, alias="@referredType", description="Type of the party.", max_length=64
    )


def _localized() -> Any:
    return Field(
        None,
        description='Extension: the name per language, e.g. {"en": …, "zh-CN": …}.',
    )


def _check_localized(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    unknown = set(value) - LANGUAGES
    if unknown:
        raise ValueError(f"languages are {', '.join(sorted(LANGUAGES))}; not {sorted(unknown)}")
    for text in value.values():
        if not text or len(text) > 128 or "\x00" in text:
            raise ValueError("a name has 1 to 128 characters")
    return value


class _EntityBase(TmfModel):
    """Attributes shared by the five TMF620 entities."""

    name: Text = Field(description="Name.", min_length=1, max_length=128)
    description: Text | None = Field(None, description="Description.", max_length=4000)
    version: Text | None = Field(
        None, description="Version (default 1).", min_length=1, max_length=16
    )
    lifecycle_status: LifecycleStatus | None = Field(
        None,
        description="In design → In test → Launched → Retired (In test may go back to "
        "In design). New entities start In design.",
    )
    valid_for: TimePeriod | None = Field(None, description="Period the entity is valid for.")
    localized_name: dict[str, Text] | None = _localized()
    base_type: Text | None = Field(
        None,
        alias="@baseType",
        description="Accepted on create and ignored (no sub-classing).",
        max_length=64,
    )
    schema_location: Text | None = Field(
        None,
        alias="@schemaLocation",
        description="Accepted on create and ignored.",
        max_length=512,
    )

    @field_validator("localized_name")
    @classmethod
    def _languages(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return _check_localized(value)


# --------------------------------------------------------------------------- catalog, category


class CatalogCreate(_EntityBase):
    """The body of ``POST /catalog``."""

    catalog_type: Text | None = Field(
        None, description="product, service or resource catalog.", max_length=32
    )
    category: list[Ref] | None = Field(None, description="Root categories.", max_length=200)
    related_party: list[RelatedParty] | None = Field(None, description="Parties.", max_length=50)
    type: Literal["Catalog"] | None = Field(None, alias="@type", description="'Catalog'.")


class CategoryCreate(_EntityBase):
    """The body of ``POST /category``."""

    parent_id: Text | None = Field(None, description="Parent category id.", max_length=64)
    is_root: bool | None = Field(None, description="A root category (default: no parent).")
    product_offering: list[Ref] | None = Field(
        None, description="Offerings in the category.", max_length=1000
    )
    sub_category: list[Ref] | None = Field(None, description="Sub-categories.", max_length=200)
    type: Literal["Category"] | None = Field(None, alias="@type", description="'Category'.")


# --------------------------------------------------------------------------- product specification

ValueType = Literal["string", "integer", "number", "boolean"]


class CharacteristicValue(TmfModel):
    """An allowed value, or an allowed range (``valueFrom`` … ``valueTo``)."""

    value_type: ValueType | None = Field(
        None, description="Type (defaults to the characteristic's)."
    )
    value: Any = Field(None, description="A discrete allowed value.")
    value_from: int | float | None = Field(None, description="Lower bound of a numeric range.")
    value_to: int | float | None = Field(None, description="Upper bound of a numeric range.")
    range_interval: Literal["open", "closed", "closedBottom", "closedTop"] | None = Field(
        None, description="Which bounds belong to the range (default closed)."
    )
    unit_of_measure: Text | None = Field(None, description="Unit, e.g. Mbps.", max_length=32)
    is_default: bool | None = Field(None, description="This is the default value.")
    regex: Text | None = Field(
        None, description="Pattern a string value must match.", max_length=256
    )

    @field_validator("value")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json_value(value)

    def is_range(self) -> bool:
        return self.value_from is not None or self.value_to is not None


class ProductSpecCharacteristic(TmfModel):
    """A typed characteristic: allowed values or ranges, default, configurable flag."""

    name: Text = Field(description="Name, e.g. downloadSpeed.", min_length=1, max_length=64)
    description: Text | None = Field(None, description="Description.", max_length=1000)
    value_type: ValueType = Field(description="string, integer, number or boolean.")
    configurable: bool = Field(
        True, description="The buyer chooses the value (false: fixed to the default)."
    )
    min_cardinality: int = Field(0, ge=0, le=100, description="Values required (0: optional).")
    max_cardinality: int = Field(1, ge=1, le=100, description="Values allowed at most.")
    product_spec_characteristic_value: list[CharacteristicValue] = Field(
        default_factory=list, description="Allowed values and ranges.", max_length=200
    )

    @model_validator(mode="after")
    def _consistent(self) -> ProductSpecCharacteristic:
        if self.min_cardinality > self.max_cardinality:
            raise ValueError("minCardinality is above maxCardinality")
        values = self.product_spec_characteristic_value
        for v in values:
            vt = v.value_type or self.value_type
            if vt != self.value_type:
                raise ValueError(f"value type {vt} differs from the characteristic's")
            if v.is_range():
                if self.value_type not in ("integer", "number"):
                    raise ValueError("ranges apply to integer and number characteristics")
                if v.value is not None:
                    raise ValueError("give either value or valueFrom/valueTo, not both")
                if (
                    v.value_from is not None
                    and v.value_to is not None
                    and v.value_from > v.value_to
                ):
                    raise ValueError("valueFrom is above valueTo")
            elif v.value is None:
                raise ValueError("each allowed value needs value or valueFrom/valueTo")
            elif not _has_type(v.value, self.value_type):
                raise ValueError(f"value {v.value!r} is not of type {self.value_type}")
        defaults = [v for v in values if v.is_default]
        if len(defaults) > 1:
            raise ValueError("at most one default value")
        if defaults and defaults[0].is_range():
            raise ValueError("the default must be a discrete value")
        if not self.configurable and not defaults:
            raise ValueError("a fixed (not configurable) characteristic needs a default value")
        return self

    def default(self) -> Any:
        for v in self.product_spec_characteristic_value:
            if v.is_default:
                return v.value
        return None

    def allows(self, value: Any) -> bool:
        """Whether ``value`` may be chosen for this characteristic."""
        if not _has_type(value, self.value_type):
            return False
        if not self.configurable:
            return bool(value == self.default())
        values = self.product_spec_characteristic_value
        if not values:
            return True
        for v in values:
            if v.is_range():
                if _in_range(value, v):
                    return True
            elif v.value == value:
                return True
        return False


def _has_type(value: Any, value_type: str) -> bool:
    if value_type == "boolean":
        return isinstance(value, bool)
    if value_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if value_type == "number":
        return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    return isinstance(value, str)


def _in_range(value: Any, v: CharacteristicValue) -> bool:
    interval = v.range_interval or "closed"
    low, high = v.value_from, v.value_to
    below = low is not None and (
        value < low or (value == low and interval in ("open", "closedTop"))
    )
    above = high is not None and (
        value > high or (value == high and interval in ("open", "closedBottom"))
    )
    return not (below or above)


class ProductSpecificationCreate(_EntityBase):
    """The body of ``POST /productSpecification``."""

    brand: Text | None = Field(None, description="Brand.", max_length=64)
    product_number: Text | None = Field(None, description="Product number.", max_length=64)
    is_bundle: bool | None = Field(None, description="A bundle of specifications.")
    product_spec_characteristic: list[ProductSpecCharacteristic] | None = Field(
        None, description="Typed characteristics.", max_length=100
    )
    bundled_product_specification: list[Ref] | None = Field(
        None, description="Member specifications of a bundle.", max_length=50
    )
    service_specification: list[Ref] | None = Field(
        None,
        description="Customer-facing service specifications realising the product "
        "(ids of the catalog's CFS specifications).",
        max_length=50,
    )
    resource_specification: list[Ref] | None = Field(
        None,
        description="Resource specifications the product needs directly (terminals).",
        max_length=50,
    )
    type: Literal["ProductSpecification"] | None = Field(
        None, alias="@type", description="'ProductSpecification'."
    )

    @model_validator(mode="after")
    def _unique_names(self) -> ProductSpecificationCreate:
        names = [c.name for c in self.product_spec_characteristic or []]
        if len(set(names)) != len(names):
            raise ValueError("productSpecCharacteristic names must be unique")
        return self


# --------------------------------------------------------------------------- product offering


class BundledProductOfferingOption(TmfModel):
    """How many of a member a bundle holds: lower ≤ default ≤ upper."""

    number_rel_offer_default: int | None = Field(None, ge=0, le=100, description="Default count.")
    number_rel_offer_lower_limit: int = Field(0, ge=0, le=100, description="Minimum count.")
    number_rel_offer_upper_limit: int = Field(1, ge=1, le=100, description="Maximum count.")

    @model_validator(mode="after")
    def _ordered(self) -> BundledProductOfferingOption:
        low, high = self.number_rel_offer_lower_limit, self.number_rel_offer_upper_limit
        if low > high:
            raise ValueError("numberRelOfferLowerLimit is above numberRelOfferUpperLimit")
        default = self.number_rel_offer_default
        if default is not None and not low <= default <= high:
            raise ValueError("numberRelOfferDefault is outside the lower/upper limits")
        return self


class BundledProductOffering(TmfModel):
    """A member offering of a bundle with its cardinality."""

    id: Text = Field(description="Member offering id.", min_length=1, max_length=64)
    href: Text | None = Field(None, description="Reference of the member.", max_length=512)
    name: Text | None = Field(None, description="Name of the member.", max_length=128)
    lifecycle_status: Text | None = Field(None, description="Ignored (informative).", max_length=32)
    bundled_product_offering_option: BundledProductOfferingOption = Field(
        default_factory=BundledProductOfferingOption,
        description="Cardinality (default: 0 to 1).",
    )


class BundleRule(TmfModel):
    """Extension: a dependency between bundle members — ``fromId`` requires or
    excludes ``toId``."""

    rule_type: Literal["requires", "excludes"] = Field(description="requires or excludes.")
    from_id: Text = Field(description="Member offering the rule is about.", max_length=64)
    to_id: Text = Field(description="Member offering required or excluded.", max_length=64)


class ProductOfferingTerm(TmfModel):
    name: Text = Field(description="Name, e.g. 24-month contract.", min_length=1, max_length=128)
    description: Text | None = Field(None, description="Description.", max_length=1000)
    duration: Quantity | None = Field(None, description="Duration, e.g. 24 month.")
    valid_for: TimePeriod | None = Field(None, description="Validity.")


class ProdSpecCharValueUse(TmfModel):
    """Restricts a characteristic of the specification for this offering."""

    name: Text = Field(description="Characteristic name.", min_length=1, max_length=64)
    description: Text | None = Field(None, description="Description.", max_length=1000)
    value_type: ValueType | None = Field(None, description="Type.")
    min_cardinality: int | None = Field(None, ge=0, le=100, description="Minimum values.")
    max_cardinality: int | None = Field(None, ge=1, le=100, description="Maximum values.")
    product_spec_characteristic_value: list[CharacteristicValue] | None = Field(
        None, description="The values allowed in this offering.", max_length=200
    )
    product_specification: Ref | None = Field(None, description="The specification.")


class ProductOfferingCreate(_EntityBase):
    """The body of ``POST /productOffering``."""

    is_bundle: bool | None = Field(None, description="A bundle of member offerings.")
    is_sellable: bool | None = Field(None, description="Sold on its own (default true).")
    status_reason: Text | None = Field(
        None, description="Why the status is what it is.", max_length=1000
    )
    product_specification: Ref | None = Field(None, description="What is sold (simple offerings).")
    bundled_product_offering: list[BundledProductOffering] | None = Field(
        None, description="Members of a bundle with their cardinality.", max_length=50
    )
    bundle_rule: list[BundleRule] | None = Field(
        None, description="Extension: dependency rules between members.", max_length=100
    )
    category: list[Ref] | None = Field(None, description="Categories.", max_length=50)
    channel: list[Ref] | None = Field(
        None, description="Sales channels (ids such as shop, online, app, partner).", max_length=20
    )
    market_segment: list[Ref] | None = Field(
        None,
        description="Customer types and segments eligible (ids such as individual, "
        "organization, youth, sme); none: everyone.",
        max_length=20,
    )
    place: list[PlaceRef] | None = Field(
        None,
        description="Regions where it is sold (region codes; covers sub-regions).",
        max_length=500,
    )
    product_offering_price: list[Ref] | None = Field(None, description="Prices.", max_length=50)
    product_offering_term: list[ProductOfferingTerm] | None = Field(
        None, description="Terms such as a contract period.", max_length=20
    )
    prod_spec_char_value_use: list[ProdSpecCharValueUse] | None = Field(
        None, description="Characteristic restrictions.", max_length=100
    )
    type: Literal["ProductOffering"] | None = Field(
        None, alias="@type", description="'ProductOffering'."
    )

    @model_validator(mode="after")
    def _bundle_shape(self) -> ProductOfferingCreate:
        members = self.bundled_product_offering or []
        if members and not self.is_bundle:
            raise ValueError("bundledProductOffering needs isBundle true")
        if self.is_bundle and self.product_specification is not None:
            raise ValueError("a bundle has members, not a productSpecification")
        ids = [m.id for m in members]
        if len(set(ids)) != len(ids):
            raise ValueError("bundledProductOffering: a member appears twice")
        for rule in self.bundle_rule or []:
            for ident in (rule.from_id, rule.to_id):
                if ident not in ids:
                    raise ValueError(f"bundleRule: '{ident}' is not a member of the bundle")
            if rule.from_id == rule.to_id:
                raise ValueError("bundleRule: a member cannot require or exclude itself")
        prices = [p.id for p in self.product_offering_price or []]
        if len(set(prices)) != len(prices):
            raise ValueError("productOfferingPrice: a price appears twice")
        return self


class ProductOfferingPriceCreate(_EntityBase):
    """The body of ``POST /productOfferingPrice``. With ``priceModel`` the
    TMF price attributes are derived from it (and may be left out)."""

    price_type: (
        Literal["oneTime", "recurring", "usage", "discount", "allowance", "penalty"] | None
    ) = Field(None, description="oneTime, recurring, usage, discount, allowance or penalty.")
    recurring_charge_period_type: Literal["day", "week", "month", "year"] | None = Field(
        None, description="Period of a recurring charge."
    )
    recurring_charge_period_length: int | None = Field(
        None, ge=0, le=36, description="Periods between charges."
    )
    is_bundle: bool | None = Field(None, description="A composite price.")
    percentage: Decimal | None = Field(None, ge=0, le=100, description="Discount percentage.")
    price: Money | None = Field(None, description="The amount.")
    unit_of_measure: Quantity | None = Field(None, description="Per how many of which unit.")
    tax: list[dict[str, Any]] | None = Field(None, description="Tax items.", max_length=10)
    pop_relationship: list[dict[str, Any]] | None = Field(
        None, description="Related prices (e.g. the prices a discount alters).", max_length=50
    )
    bundled_pop_relationship: list[Ref] | None = Field(
        None, description="Member prices of a composite price.", max_length=50
    )
    pricing_logic_algorithm: list[dict[str, Any]] | None = Field(
        None, description="Pricing logic.", max_length=10
    )
    product_offering_term: list[ProductOfferingTerm] | None = Field(
        None, description="Terms.", max_length=10
    )
    place: list[PlaceRef] | None = Field(
        None, description="Regions of a regional price.", max_length=500
    )
    price_model: dict[str, Any] | None = Field(
        None,
        description="Extension: the detailed price model billing rates from (see docs/catalog.md).",
    )
    type: Literal["ProductOfferingPrice"] | None = Field(
        None, alias="@type", description="'ProductOfferingPrice'."
    )

    @field_validator("tax", "pop_relationship", "pricing_logic_algorithm")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json_value(value)


# --------------------------------------------------------------------------- reads (documentation)


class _Read(TmfModel):
    id: Text = Field(description="Unique identifier.")
    href: Text = Field(description="Absolute URL.")
    last_update: datetime = Field(description="When it last changed.")


class CatalogRead(CatalogCreate, _Read):
    """A catalog as the API represents it."""


class CategoryRead(CategoryCreate, _Read):
    """A category as the API represents it."""


class ProductSpecificationRead(ProductSpecificationCreate, _Read):
    """A product specification as the API represents it."""


class ProductOfferingRead(ProductOfferingCreate, _Read):
    """A product offering as the API represents it."""


class ProductOfferingPriceRead(ProductOfferingPriceCreate, _Read):
    """A product offering price as the API represents it."""
