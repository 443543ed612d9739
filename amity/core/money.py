"""Money arithmetic shared by every app: Decimal only, and splits whose parts add up exactly to the whole
(DESIGN.md invariants 1 and 2)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def quantize(amount: Decimal, quantum: Decimal = CENT) -> Decimal:
    """Round to the currency's smallest unit; banker's rounding, as accounting systems do."""
    return amount.quantize(quantum, rounding=ROUND_HALF_EVEN)


def percentage_of(amount: Decimal, percentage: Decimal, quantum: Decimal = CENT) -> Decimal:
    """`percentage` % of `amount`, rounded half-even to the quantum (Viet Nam's share of a multi-country
    transaction); 100 % is the amount itself. `amity.reports.floor.parts_cte` does the same in integer SQL."""
    if percentage == HUNDRED:
        return amount
    return quantize(amount * percentage / HUNDRED, quantum)


def allocate(total: Decimal, weights: Sequence[Decimal], quantum: Decimal = CENT) -> list[Decimal]:
    """Split `total` in proportion to `weights` by the largest-remainder method.

    Every part is a multiple of `quantum` and the parts add up to `total` (rounded to `quantum`) exactly,
    so a figure split over sectors or provinces never gains or loses a cent. Ties go to the earlier weight,
    which keeps the result deterministic.
    """
    if not weights:
        raise ValueError("allocate() needs at least one weight")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total < 0 else 1
    units = int((abs(total) / quantum).to_integral_value(rounding=ROUND_HALF_EVEN))
    exact = [Decimal(units) * weight / weight_sum for weight in weights]
    floors = [int(share) for share in exact]  # shares are non-negative, so int() is floor
    leftover = units - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in by_remainder[:leftover]:
        floors[index] += 1
    return [sign * quantum * part for part in floors]


def allocate_units(units: int, weights: Sequence[int]) -> list[int]:
    """`allocate` in whole units with whole weights, for hot loops (the report facts of an import): floors and
    remainders by integer division, the remainders compared as fractions of the same denominator. Equal to
    `allocate` whenever that one's exact shares are exact, as they are for percentages with two decimals
    adding up to 100 (weights in basis points adding up to 10,000)."""
    if len(weights) == 1 and weights[0] > 0:
        return [units]  # one sector or one location: most splits
    weight_sum = sum(weights)
    if not weights or weight_sum <= 0 or any(weight < 0 for weight in weights):
        raise ValueError("allocate_units() needs non-negative weights that are not all zero")
    return allocate_checked(units, weights, weight_sum)


def allocate_checked(units: int, weights: Sequence[int], weight_sum: int) -> list[int]:
    """`allocate_units` for weights checked once by the caller (non-negative, adding up to `weight_sum` > 0):
    an item's shares, checked when its shape is made, split each of its thousands of transactions."""
    sign = -1 if units < 0 else 1
    units = abs(units)
    floors: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        floor, remainder = divmod(units * weight, weight_sum)
        floors.append(floor)
        remainders.append(remainder)
    leftover = units - sum(floors)
    if leftover:
        for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:leftover]:
            floors[index] += 1
    return [sign * part for part in floors] if sign < 0 else floors


def percentages_total(percentages: Sequence[Decimal]) -> Decimal:
    return sum(percentages, Decimal(0))


def round_significant(value: Decimal, digits: int = 15, *, smallest: Decimal | None = None) -> Decimal:
    """Round to `digits` significant digits, and to no finer than `smallest`: what every supported database
    returns unchanged (SQLite keeps about 15 digits), so a value recomputed from the same inputs compares
    equal to the stored one."""
    if value == 0:
        return value
    exponent = value.adjusted() - digits + 1
    if smallest is not None:
        smallest_exponent = smallest.as_tuple().exponent
        if not isinstance(smallest_exponent, int):  # "n", "N" or "F": not a number, or infinite
            raise ValueError(f"Cannot round to no finer than {smallest}.")
        exponent = max(exponent, smallest_exponent)
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)
