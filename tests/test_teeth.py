"""Tests added because a mutant of tests/mutants.py survived the rest of the suite.

replay-ub-endpoint: the replay's ub(wlo, whi, z) must bound w z from above for *every* w in
[wlo, whi]; using whi for a negative z underestimates by (whi - wlo)|z|, which no certificate in the
zoo exposes (the exp enclosures are ~2^-64 wide and no margin is that small).
"""

from __future__ import annotations

import itertools
import random

from pipeline.certificate import replay as R


def test_ub_bounds_every_weight_in_the_enclosure():
    rng = random.Random(13)
    cases = list(itertools.product(range(0, 4), range(0, 4), range(-3, 4)))
    for _ in range(200):  # certificate-sized integers: weights ~2^128 (4^F), widths ~2^64, z ~2^100
        wlo = rng.randrange(2**128)
        cases.append((wlo, wlo + rng.randrange(2**64), rng.randrange(-2**100, 2**100)))
    checked = 0
    for wlo, whi, z in cases:
        if wlo > whi:
            continue
        u = R.ub(wlo, whi, z)
        for w in (wlo, whi, (wlo + whi) // 2):
            assert w * z <= u, (wlo, whi, z)
        checked += 1
    assert checked > 100
