"""Number grades: each rule of the table, the order of the rules, fee overrides."""

from __future__ import annotations

import pytest

from openboss.resource.pools import grades


@pytest.mark.parametrize(
    ("number", "grade"),
    [
        ("13757108888", "golden"),  # AAAA
        ("13757106666", "golden"),
        ("13757105678", "golden"),  # ABCD up
        ("13757104321", "golden"),  # ABCD down
        ("13757100888", "gold"),  # AAA
        ("13757106868", "gold"),  # ABAB
        ("13757106688", "gold"),  # AABB
        ("13757101233", "silver"),  # AA
        ("13757101268", "silver"),  # lucky pair
        ("13757101286", "silver"),
        ("13757101234", "golden"),  # a run beats anything else
        ("13757101208", "normal"),
        ("13757101290", "normal"),
        ("13757105679", "normal"),  # a broken run
    ],
)
def test_grade_rules(number: str, grade: str) -> None:
    assert grades.grade_of(number) == grade


def test_lucky_digits_of_the_pool() -> None:
    assert grades.grade_of("13757101289") == "normal"
    assert grades.grade_of("13757101289", lucky="89") == "silver"


def test_fee_hints_and_override() -> None:
    assert grades.fee_of("golden") == grades.DEFAULT_FEES["golden"] > grades.fee_of("gold")
    assert grades.fee_of("golden", {"golden": 8000}) == 8000
    assert grades.fee_of("silver", {"golden": 8000}) == grades.DEFAULT_FEES["silver"]
    assert grades.fee_of("normal") == 0
