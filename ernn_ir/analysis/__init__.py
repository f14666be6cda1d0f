"""Analyses of ernn IR that leave it unchanged (op counts, storage)."""

from ernn_ir.analysis.op_count import (
    Counts,
    OpCountReport,
    Storage,
    block_duplicates,
    count_ops,
    format_report,
)

__all__ = ["Counts", "OpCountReport", "Storage", "block_duplicates", "count_ops", "format_report"]
