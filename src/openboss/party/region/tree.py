"""The region tree in memory, for expanding a caller's region grants.

A user granted a district works in that district and in every grid below it;
a user granted a city, in every district and grid of the city. The JWT
carries the grants; :class:`RegionTreeCache` turns them into the set of
region ids the caller's row scope admits (``openboss.kit.scope.Scope``), so
the scope check stays one indexed ``region_id IN (...)``.

The tree (a few thousand rows for a province) is read once and kept for
:data:`TTL_SECONDS`; a change made through :mod:`openboss.party.region.service`
in this process invalidates it at once, other processes see it within the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Final

from sqlalchemy import select

from openboss.db import Database
from openboss.party.region.models import Region

#: How long another process's region change may take to reach a scope here.
TTL_SECONDS: Final = 30.0

_generation = 0
_generation_lock = threading.Lock()


def invalidate() -> None:
    """Forget every cached tree in this process (after a region write commits)."""
    global _generation
    with _generation_lock:
        _generation += 1


def descendants_of(children: Mapping[str, Iterable[str]], roots: Iterable[str]) -> frozenset[str]:
    """``roots`` and every region below them."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(children.get(node, ()))
    return frozenset(seen)


class RegionTreeCache:
    """Expands region grants against one database's region tree."""

    def __init__(self, db: Database, ttl: float = TTL_SECONDS) -> None:
        self._db = db
        self._ttl = ttl
        self._lock = threading.Lock()
        self._loaded_at = float("-inf")
        self._generation = -1
        self._expand = lru_cache(maxsize=1024)(self._expand_uncached)
        self._children: dict[str, tuple[str, ...]] = {}

    def _load(self) -> None:
        with self._db.read_session() as session:
            rows = session.execute(select(Region.id, Region.parent_id)).all()
        children: dict[str, list[str]] = {}
        for ident, parent in rows:
            if parent is not None:
                children.setdefault(parent, []).append(ident)
        self._children = {k: tuple(v) for k, v in children.items()}
        self._expand.cache_clear()

    def _fresh(self) -> None:
        now = time.monotonic()
        if self._generation == _generation and now - self._loaded_at < self._ttl:
            return
        with self._lock:
            if self._generation == _generation and now - self._loaded_at < self._ttl:
                return
            generation = _generation
            self._load()
            self._generation = generation
            self._loaded_at = now

    def _expand_uncached(self, grants: frozenset[str]) -> frozenset[str]:
        return descendants_of(self._children, grants)

    def expand(self, grants: frozenset[str]) -> frozenset[str]:
        """The grants and every region below them (unknown ids are kept as they are)."""
        if not grants:
            return grants
        self._fresh()
        return self._expand(grants)
