"""MLIR-style `expected-error` checking for `ernn-opt --verify-diagnostics`.

A split-input chunk may carry expectations, as in MLIR test suites:

    // expected-error @+1 {{hidden size 12 must be a multiple of the block size 8}}
    %y, %h, %c = ernn.lstm ...

`@+N` / `@-N` are relative to the comment's line, `@above` / `@below` mean
-1 / +1, no `@` means the comment's own line, and `@unknown` matches a
diagnostic without a location (a pass failure).  The text between `{{ }}`
must occur in the diagnostic's message.  Chunks with expectations pass
silently when every expectation is met by the chunk's diagnostic and no
other diagnostic appears; chunks without expectations keep xdsl-opt's
behaviour (the diagnostic is printed and the run goes on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXPECT = re.compile(
    r"//\s*expected-error\s*(?:@(?P<where>[+-]\d+|above|below|unknown))?\s*\{\{(?P<text>.*?)\}\}"
)


@dataclass
class Expectation:
    line: int | None
    """Line the diagnostic must point at (None: @unknown)."""
    text: str
    comment_line: int


def parse_expectations(text: str, line_offset: int = 0) -> list[Expectation]:
    out = []
    for n, line in enumerate(text.splitlines(), start=line_offset + 1):
        for m in _EXPECT.finditer(line):
            where = m.group("where")
            if where is None:
                target: int | None = n
            elif where == "unknown":
                target = None
            elif where == "above":
                target = n - 1
            elif where == "below":
                target = n + 1
            else:
                target = n + int(where)
            out.append(Expectation(target, m.group("text"), n))
    return out


def check(
    name: str, expectations: list[Expectation], diagnostic: tuple[int | None, str] | None
) -> list[str]:
    """Mismatches between the expectations and the chunk's diagnostic (line, message), as messages."""
    problems = []
    unmatched = list(expectations)
    if diagnostic is not None:
        line, message = diagnostic
        hit = next((e for e in unmatched if e.line == line and e.text in message), None)
        if hit is None:
            where = f"{name}:{line}" if line is not None else name
            problems.append(f"{where}: error: unexpected error: {message}")
        else:
            unmatched.remove(hit)
    for e in unmatched:
        problems.append(
            f"{name}:{e.comment_line}: error: expected error \"{e.text}\" was not produced"
            + ("" if e.line is None else f" at line {e.line}")
        )
    return problems
