"""Largest-remainder allocation: the parts always add up to the whole."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from amity.core.money import allocate, allocate_units, quantize

D = Decimal


def test_three_equal_thirds_add_up_to_the_whole():
    assert allocate(D("100.00"), [D(1), D(1), D(1)]) == [D("33.34"), D("33.33"), D("33.33")]


def test_shares_follow_the_weights():
    assert allocate(D("1000"), [D(60), D(30), D(10)]) == [D("600.00"), D("300.00"), D("100.00")]


def test_largest_remainder_gets_the_leftover_cent():
    # exact shares 0.333…, 0.666…: the second has the larger remainder
    assert allocate(D("0.01") * 1, [D(1), D(2)]) == [D("0.00"), D("0.01")]


def test_negative_totals_split_symmetrically():
    assert allocate(D("-100.00"), [D(1), D(1), D(1)]) == [D("-33.34"), D("-33.33"), D("-33.33")]


def test_whole_units_quantum_for_vnd():
    parts = allocate(D("147600000000"), [D("33.3"), D("33.3"), D("33.4")], quantum=D(1))
    assert sum(parts) == D("147600000000")
    assert all(part == part.to_integral_value() for part in parts)


@pytest.mark.parametrize("seed", range(20))
def test_random_splits_always_add_up(seed):
    rng = random.Random(seed)
    total = quantize(D(rng.randint(-(10**9), 10**9)) / 100)
    weights = [D(rng.randint(0, 100)) for _ in range(rng.randint(1, 12))]
    if sum(weights) == 0:
        weights[0] = D(1)
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(abs(part - total * w / sum(weights)) < D("0.01") for part, w in zip(parts, weights, strict=True))


def test_bad_weights_are_refused():
    with pytest.raises(ValueError):
        allocate(D(1), [])
    with pytest.raises(ValueError):
        allocate(D(1), [D(0), D(0)])
    with pytest.raises(ValueError):
        allocate(D(1), [D(-1), D(2)])


def test_whole_unit_allocation_equals_allocate_for_percentages_of_two_decimals():
    """`allocate_units` (the report facts' fast path) gives exactly `allocate`'s parts, ties included."""
    rng = random.Random(58)
    cent = Decimal("0.01")
    for _ in range(3000):
        count = rng.choice([1, 2, 2, 3, 3, 4, 7])
        cuts = sorted(rng.randint(0, 10_000) for _ in range(count - 1))
        points = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
        if not any(points):
            continue
        units = rng.choice([0, 1, 2, 3, 99, 10_001, rng.randint(1, 10**12), -rng.randint(1, 10**6)])
        expected = allocate(Decimal(units) * cent, [Decimal(p) / 100 for p in points], cent)
        assert [cent * part for part in allocate_units(units, points)] == expected, (units, points)
    assert allocate_units(5, [5000, 5000]) == [3, 2]  # a tie goes to the earlier weight
    with pytest.raises(ValueError):
        allocate_units(5, [0, 0])
