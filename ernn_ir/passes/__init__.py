"""Rewrite passes of ernn-ir, one per module; `PASSES` maps names to lazy factories."""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass

PASSES: dict[str, Callable[[], type[ModulePass]]] = {}
