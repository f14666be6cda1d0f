"""Projection onto the block-circulant set."""

import numpy as np
import pytest

from ernn_ir.frontend.projection import (
    circulant_distance, expand_circulant, project_to_circulant)


@pytest.mark.parametrize("m,n,b", [(8, 8, 4), (16, 8, 8), (10, 7, 4), (3, 5, 4), (6, 6, 1)])
def test_idempotent(m, n, b):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((m, n))
    P1 = project_to_circulant(W, b)
    W1 = expand_circulant(P1, m, n)
    P2 = project_to_circulant(W1, b, return_error=True)
    assert np.allclose(P2.params, P1, atol=1e-14)
    assert np.allclose(expand_circulant(P2.params, m, n), W1, atol=1e-14)
    assert P2.rel_error < 1e-14


def test_exact_circulant_is_fixed_point():
    rng = np.random.default_rng(1)
    P = rng.standard_normal((4, 3, 8))
    W = expand_circulant(P, 32, 24)
    pr = project_to_circulant(W, 8, return_error=True)
    assert np.array_equal(pr.params, P) or np.allclose(pr.params, P, atol=1e-15)
    assert pr.rel_error < 1e-15


def test_diagonal_average_formula():
    """w[k] = mean_r W[(r + k) mod b][r] (first-column convention)."""
    rng = np.random.default_rng(2)
    b = 4
    W = rng.standard_normal((b, b))
    w = project_to_circulant(W, b)[0, 0]
    for k in range(b):
        assert np.isclose(w[k], np.mean([W[(r + k) % b][r] for r in range(b)]))


def test_projection_is_nearest():
    """The residual is orthogonal to the circulant subspace (Frobenius inner product)."""
    rng = np.random.default_rng(3)
    W = rng.standard_normal((8, 12))
    P = expand_circulant(project_to_circulant(W, 4), 8, 12)
    for _ in range(5):
        C = expand_circulant(rng.standard_normal((2, 3, 4)), 8, 12)
        assert abs(np.sum((W - P) * C)) < 1e-12
    # and it is closer than random perturbations within the set
    d0 = np.linalg.norm(W - P)
    for _ in range(5):
        C = expand_circulant(rng.standard_normal((2, 3, 4)) * 0.1, 8, 12)
        assert np.linalg.norm(W - (P + C)) >= d0


def test_relative_error_and_mask():
    rng = np.random.default_rng(4)
    W = rng.standard_normal((8, 8))
    pr = project_to_circulant(W, 4, return_error=True)
    P = expand_circulant(pr.params, 8, 8)
    assert np.isclose(pr.rel_error, np.linalg.norm(W - P) / np.linalg.norm(W))
    assert np.isclose(circulant_distance(W, 4), pr.rel_error)
    # masked-out entries are ignored
    valid = np.ones((8, 8), bool)
    valid[6:, :] = False
    W2 = W.copy()
    W2[6:, :] = 1e6
    assert np.allclose(project_to_circulant(W2, 4, valid=valid),
                       project_to_circulant(np.where(valid, W, 0), 4, valid=valid))


def test_dtype_preserved():
    W = np.ones((4, 4), np.float32)
    assert project_to_circulant(W, 2).dtype == np.float32
