"""docs/dialect.md is generated from the dialect and must be current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dialect_doc_is_current():
    spec = importlib.util.spec_from_file_location("gen_dialect_doc", ROOT / "docs" / "gen_dialect_doc.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = gen.render()
    assert (ROOT / "docs" / "dialect.md").read_text() == text, (
        "docs/dialect.md is stale: run python docs/gen_dialect_doc.py"
    )
    from ernn_ir.dialects.ernn import ERNN
    from ernn_ir.dialects.ernn_hw import ERNN_HW
    from ernn_ir.dialects.ernn_hw import design_ops

    for op in [*ERNN.operations, *ERNN_HW.operations]:  # every op documented, with its reference semantics
        assert f"### `{op.name}`" in text
    # only the pool's symbol declaration and the hardware design's ops have no run-time behaviour
    design = [op for op in ERNN_HW.operations if op.__module__ == design_ops.__name__]
    assert text.count("reference semantics: none") == 1 + len(design)
    assert "(GlobalOp); reference semantics: none" in text
