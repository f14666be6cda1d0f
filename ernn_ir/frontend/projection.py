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


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def expand_circulant(params: np.ndarray, rows: int | None = None,
                     cols: int | None = None) -> np.ndarray:
    """Dense (rows, cols) matrix of block-circulant parameters [p, q, b]."""
    params = np.asarray(params)
    p, q, b = params.shape
    r = np.arange(b)
    idx = (r[:, None] - r[None, :]) % b  # [b(row), b(col)]
    blocks = params[:, :, idx]  # [p, q, b, b]
    full = blocks.transpose(0, 2, 1, 3).reshape(p * b, q * b)
    rows = p * b if rows is None else rows
    cols = q * b if cols is None else cols
    return full[:rows, :cols].copy()


@dataclass
class Projection:
    """Result of `project_to_circulant`."""

    params: np.ndarray  # [p, q, b]
    rel_error: float  # ||W - P(W)||_F / ||W||_F over the valid entries
    abs_error: float  # ||W - P(W)||_F over the valid entries


def project_to_circulant(W: np.ndarray, b: int, valid: np.ndarray | None = None,
                         return_error: bool = False):
    """Nearest block-circulant parameters [p, q, b] to the dense matrix W.

    ``valid`` (bool, same shape as W) marks the entries that count; the
    others (e.g. rows of padded hidden units whose effect is nil) are free
    and are ignored by the average.  A diagonal with no valid entry gets 0.

    Returns the params, or a `Projection` (params and the relative Frobenius
    error over the valid entries) when ``return_error`` is true.
    """
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {W.shape}")
    if b < 1:
        raise ValueError(f"block size must be >= 1, got {b}")
    m, n = W.shape
    p, q = _ceil_div(m, b), _ceil_div(n, b)
    dtype = W.dtype if np.issubdtype(W.dtype, np.floating) else np.float64
    Wp = np.zeros((p * b, q * b), dtype=np.float64)
    Wp[:m, :n] = W
    M = np.zeros((p * b, q * b), dtype=np.float64)
    if valid is None:
        M[:m, :n] = 1.0
    else:
        valid = np.asarray(valid, dtype=bool)
        if valid.shape != W.shape:
            raise ValueError(f"valid mask shape {valid.shape} != {W.shape}")
        M[:m, :n] = valid
    Wp *= M
    # blocks [p, q, b(row), b(col)]
    Wb = Wp.reshape(p, b, q, b).transpose(0, 2, 1, 3)
    Mb = M.reshape(p, b, q, b).transpose(0, 2, 1, 3)
    r = np.arange(b)
    # diagonal k: entries (row=(c + k) mod b, col=c)
    rows_k = (r[None, :] + r[:, None]) % b  # [k, c]
    cols_k = np.broadcast_to(r[None, :], (b, b))
    sums = Wb[:, :, rows_k, cols_k].sum(axis=-1)  # [p, q, k]
    counts = Mb[:, :, rows_k, cols_k].sum(axis=-1)
    params = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
    params = params.astype(dtype)
    if not return_error:
        return params
    P = expand_circulant(params.astype(np.float64), m, n)
    diff = (np.asarray(W, dtype=np.float64) - P) * M[:m, :n]
    abs_err = float(np.linalg.norm(diff))
    norm = float(np.linalg.norm(np.asarray(W, dtype=np.float64) * M[:m, :n]))
    rel = abs_err / norm if norm > 0 else 0.0
    return Projection(params=params, rel_error=rel, abs_error=abs_err)


def circulant_distance(W: np.ndarray, b: int) -> float:
    """Relative Frobenius distance from W to the block-circulant set."""
    return project_to_circulant(W, b, return_error=True).rel_error
