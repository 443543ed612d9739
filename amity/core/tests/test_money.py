"""Largest-remainder allocation: the parts always add up to the whole."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from amity.core.money import allocate, quantize

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
