"""Money: an integer number of minor units (fen, cents) and an ISO 4217 code.

Arithmetic never uses floats. Conversions from decimal amounts round with an
explicit rule (half-even by default, the banker's rule used in bill runs);
allocation splits an amount into parts that always add back to the whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from openboss.kit.errors import ValidationFailed

_MINOR_DIGITS = {"CNY": 2, "USD": 2, "EUR": 2, "RUB": 2, "HKD": 2, "JPY": 0, "KRW": 0}


def minor_digits(currency: str) -> int:
    try:
        return _MINOR_DIGITS[currency]
    except KeyError:
        raise ValidationFailed(f"unsupported currency '{currency}'", field="unit") from None


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units")
        minor_digits(self.currency)

    @classmethod
    def from_decimal(
        cls, amount: Decimal | str | int, currency: str = "CNY", rounding: str = ROUND_HALF_EVEN
    ) -> Money:
        digits = minor_digits(currency)
        value = Decimal(str(amount)).scaleb(digits).quantize(Decimal(1), rounding=rounding)
        return cls(int(value), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-minor_digits(self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValidationFailed(
                f"cannot combine {self.currency} with {other.currency}", field="unit"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def allocate(self, ratios: list[int]) -> list[Money]:
        """Split by integer ratios; the remainder goes to the first parts, one unit each.

        ``sum(parts) == self`` always holds.
        """
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise ValidationFailed("allocation ratios must be non-negative and not all zero")
        total = sum(ratios)
        sign = -1 if self.minor < 0 else 1
        whole = abs(self.minor)
        parts = [whole * r // total for r in ratios]
        for i in range(whole - sum(parts)):
            parts[i % len(parts)] += 1
        return [Money(sign * p, self.currency) for p in parts]

    def to_tmf(self) -> dict[str, object]:
        """TMF ``Money``: ``{"unit": "CNY", "value": 12.34}`` (value as a JSON number)."""
        return {"unit": self.currency, "value": float(self.to_decimal())}

    def __str__(self) -> str:
        return f"{self.to_decimal():.{minor_digits(self.currency)}f} {self.currency}"
