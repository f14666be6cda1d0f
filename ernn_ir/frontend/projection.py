"""Projection of dense matrices onto the block-circulant set (numpy only).

Convention (see ``ernn_ir.model_spec``): a block-circulant matrix of logical
shape (m, n) with block size b has parameters ``[p, q, b]`` (p = ceil(m/b),
q = ceil(n/b)); block (i, j) is defined by its first column w, so
``W_ij[r][k] = w_ij[(r - k) mod b]``.  Rows >= m and columns >= n of the
padded ``(p*b, q*b)`` matrix are cut off.

The nearest block-circulant matrix in Frobenius norm averages each wrapped
diagonal of each block: ``w[k] = mean_r W[(r + k) mod b][r]``.  For the
padding region (and for entries the caller marks as "don't care" with
``valid``) the average runs over the entries that actually exist, which is
the exact Frobenius projection onto the set of *truncated* block-circulant
matrices.  When m and n are multiples of b and no mask is given this is the
plain per-diagonal mean of the brief.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ernn_ir.numerics.circulant import expand_dense
from ernn_ir.numerics.circulant import project_to_circulant as numerics_project


def expand_circulant(params: np.ndarray, rows: int | None = None,
                     cols: int | None = None) -> np.ndarray:
    """Dense (rows, cols) matrix of block-circulant parameters [p, q, b]."""
    return np.array(expand_dense(np.asarray(params), rows, cols))


@dataclass
class Projection:
    """Result of `project_to_circulant`."""

    params: np.ndarray  # [p, q, b]
    rel_error: float  # ||W - P(W)||_F / ||W||_F over the valid entries
    abs_error: float  # ||W - P(W)||_F over the valid entries


def project_to_circulant(W: np.ndarray, b: int, valid: np.ndarray | None = None,
                         return_error: bool = False):
    """Nearest block-circulant parameters [p, q, b] to the dense matrix W
    (`ernn_ir.numerics.project_to_circulant`).

    ``valid`` (bool, same shape as W) marks the entries that count; the
    others (e.g. rows of padded hidden units whose effect is nil) are free
    and are ignored by the average.  Returns the params, or a `Projection`
    (params and the Frobenius error over the valid entries) when
    ``return_error`` is true.
    """
    W = np.asarray(W)
    params = numerics_project(W, b, valid)
    if not return_error:
        return params
    m, n = W.shape
    mask = np.ones(W.shape, bool) if valid is None else np.asarray(valid, dtype=bool)
    W64 = np.asarray(W, dtype=np.float64)
    diff = (W64 - expand_dense(params.astype(np.float64), m, n)) * mask
    abs_err = float(np.linalg.norm(diff))
    norm = float(np.linalg.norm(W64 * mask))
    return Projection(params=params, rel_error=abs_err / norm if norm > 0 else 0.0,
                      abs_error=abs_err)


def circulant_distance(W: np.ndarray, b: int) -> float:
    """Relative Frobenius distance from W to the block-circulant set."""
    return project_to_circulant(W, b, return_error=True).rel_error
