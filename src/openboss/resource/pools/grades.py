"""Number grades (号码等级): which numbers are "golden" and what they cost.

A grade is computed from the tail of the number by rules in a table, best
grade first; the first rule that matches decides. A pool may override the
one-time fee hints (``gradeFees``) and the lucky digits (``luckyDigits``,
default ``68``) the silver rule looks for.

=========  ================================================================
golden     tail AAAA (8888, 6666), or a run ABCD up or down (5678, 4321)
gold       tail AAA (888), ABAB (6868), AABB (6688)
silver     tail AA (…33), or the last two digits both lucky (…68, …86)
normal     anything else
=========  ================================================================

eTOM 1.5.1 resource management (number resource classification).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

GRADES = ("golden", "gold", "silver", "normal")

#: One-time fee hint per grade for sales (CNY, whole yuan).
DEFAULT_FEES: Mapping[str, int] = {"golden": 5000, "gold": 1000, "silver": 200, "normal": 0}
DEFAULT_LUCKY = "68"


def _aaaa(tail: str, _lucky: str) -> bool:
    return len(set(tail[-4:])) == 1


def _run(tail: str, _lucky: str) -> bool:
    t = [int(c) for c in tail[-4:]]
    steps = {b - a for a, b in itertools.pairwise(t)}
    return steps in ({1}, {-1})


def _aaa(tail: str, _lucky: str) -> bool:
    return len(set(tail[-3:])) == 1


def _abab(tail: str, _lucky: str) -> bool:
    t = tail[-4:]
    return t[0] == t[2] and t[1] == t[3] and t[0] != t[1]


def _aabb(tail: str, _lucky: str) -> bool:
    t = tail[-4:]
    return t[0] == t[1] and t[2] == t[3] and t[0] != t[2]


def _aa(tail: str, _lucky: str) -> bool:
    return tail[-1] == tail[-2]


def _lucky(tail: str, lucky: str) -> bool:
    return tail[-1] in lucky and tail[-2] in lucky


@dataclass(frozen=True)
class Rule:
    grade: str
    name: str
    test: Callable[[str, str], bool]


#: The rule table, best grade first.
RULES: tuple[Rule, ...] = (
    Rule("golden", "AAAA", _aaaa),
    Rule("golden", "ABCD", _run),
    Rule("gold", "AAA", _aaa),
    Rule("gold", "ABAB", _abab),
    Rule("gold", "AABB", _aabb),
    Rule("silver", "AA", _aa),
    Rule("silver", "lucky", _lucky),
)


def grade_of(number: str, lucky: str = DEFAULT_LUCKY) -> str:
    """The grade of ``number`` (digits only, at least 4)."""
    for rule in RULES:
        if rule.test(number, lucky):
            return rule.grade
    return "normal"


def fee_of(grade: str, overrides: Mapping[str, int] | None = None) -> int:
    """The one-time fee hint of a grade, a pool's override first."""
    if overrides and grade in overrides:
        return int(overrides[grade])
    return DEFAULT_FEES[grade]
