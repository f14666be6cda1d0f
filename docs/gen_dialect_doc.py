"""Writes docs/dialect.md from the ernn and ernn_hw dialects themselves: every op's docstring,
operands, results and properties, where it is defined and where its reference
semantics live (the passes that lower each op: README.md, "Passes").  `python docs/gen_dialect_doc.py` regenerates the file; a test
checks that the committed file is current.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from xdsl.irdl import OptOperandDef, OptPropertyDef, VarOperandDef, VarResultDef

from ernn_ir.dialects.ernn import ERNN
from ernn_ir.dialects.ernn_hw import ERNN_HW
from ernn_ir.lowering.reference.freq import FreqFunctions
from ernn_ir.lowering.reference.gate import GateFunctions
from ernn_ir.lowering.reference.hw import HwFunctions
from ernn_ir.lowering.reference.model import ModelFunctions
from ernn_ir.lowering.reference.pool import PoolFunctions
from ernn_ir.lowering.reference.quant import QuantFunctions
from ernn_ir.lowering.reference.structure import StructureFunctions

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "dialect.md"
REFERENCE = [StructureFunctions, GateFunctions, FreqFunctions, QuantFunctions, ModelFunctions, PoolFunctions,
             HwFunctions]
LEVELS = [
    ("model_ops", "Model level"),
    ("gate_ops", "Gate level"),
    ("structure_ops", "Constants, shapes and the time loop"),
    ("freq_ops", "Frequency level"),
    ("quant_ops", "Quantization"),
    ("pool_ops", "Constant pool"),
]
HW_LEVELS = [
    ("design_ops", "Hardware design: units, memories and the static schedule"),
    ("step_ops", "Hardware step: the time loop an accelerator runs"),
]


def _rel(obj) -> str:
    return Path(inspect.getsourcefile(obj)).resolve().relative_to(ROOT).as_posix()


def _constraint(c) -> str:
    text = str(c)
    if m := re.match(r"ParamAttrConstraint\((\w+),", text):
        width = re.search(r"IntegerType\((\d+)\)", text)
        if m.group(1) == "IntegerAttr" and width:
            return "bool (i1)" if width.group(1) == "1" else f"i{width.group(1)} integer"
        return m.group(1)
    names = re.findall(r"BaseAttr\((\w+)\)", text)
    return " or ".join(dict.fromkeys(names)) or "any"


def _reference_sites() -> dict[type, str]:
    sites = {}
    for cls in REFERENCE:
        for op_type, _ in cls._impls():
            sites[op_type] = f"`{_rel(cls)}` ({cls.__name__})"
    return sites


def render() -> str:
    sites = _reference_sites()
    out = [
        "# The ernn dialect",
        "",
        "Generated from the dialect by `python docs/gen_dialect_doc.py`; do not edit by hand.",
        "Numerical semantics: `docs/numerics.md`.",
        "",
        "## Types and attributes",
        "",
    ]
    for attr in ERNN.attributes:
        out += [f"### `{attr.name}`", "", f"Defined in `{_rel(attr)}`.", ""]
        out += [inspect.cleandoc(attr.__doc__ or ""), ""]
    out += _ops(ERNN, LEVELS, sites)
    out += [
        "# The ernn_hw dialect",
        "",
        "The hardware level made by `ernn-tile` (docs/hardware.md): what a design is built",
        "from and when each unit works, and the time loop it runs.  Design-level ops",
        "describe hardware and have no run-time behaviour of their own; the step ops",
        "compute exactly what the quantized `ernn` ops they replace computed.",
        "",
    ]
    out += _ops(ERNN_HW, HW_LEVELS, sites)
    return "\n".join(out).rstrip() + "\n"


def _ops(dialect, levels, sites) -> list[str]:
    out: list[str] = []
    ops = list(dialect.operations)
    for module, title in levels:
        members = [op for op in ops if op.__module__.endswith("." + module)]
        if not members:
            continue
        out += [f"## {title}", ""]
        for op in members:
            d = op.get_irdl_definition()
            out += [f"### `{op.name}`", ""]
            doc = inspect.cleandoc(op.__doc__ or "")
            out += [doc, ""]
            rows = []
            for n, o in d.operands:
                kind = "optional " if isinstance(o, OptOperandDef) else "variadic " if isinstance(o, VarOperandDef) else ""
                rows.append(f"| operand | `{n}` | {kind}{_constraint(o.constr)} |")
            for n, r in d.results:
                kind = "variadic " if isinstance(r, VarResultDef) else ""
                rows.append(f"| result | `{n}` | {kind}{_constraint(r.constr)} |")
            for n, p in d.properties.items():
                if n == "operandSegmentSizes":
                    continue
                kind = "optional " if isinstance(p, OptPropertyDef) else ""
                default = getattr(p, "default_value", None)
                dflt = f", default `{default}`" if default is not None else ""
                rows.append(f"| property | `{n}` | {kind}{_constraint(p.constr)}{dflt} |")
            if rows:
                out += ["| | name | constraint |", "|---|---|---|", *rows, ""]
            out += [
                f"Definition and verifier: `{_rel(op)}` ({op.__name__}); "
                f"reference semantics: {sites.get(op, 'none (no run-time behaviour of its own)')}.",
                "",
            ]
    return out


def main() -> None:
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == text else 1)
    OUT.write_text(text)


if __name__ == "__main__":
    main()
