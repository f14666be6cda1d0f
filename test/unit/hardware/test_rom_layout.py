"""The banked ROM layout: pack and unpack are inverse, every block is stored once, padding is zero."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ernn_ir.hardware.rom_layout import MacLayout, block_of_word, pack, unpack, word_of_block


@settings(max_examples=150, deadline=None)
@given(
    p=st.integers(1, 9), parts=st.lists(st.integers(1, 7), min_size=1, max_size=3),
    logb=st.integers(1, 4), rows=st.integers(1, 5), cols=st.integers(1, 4), seed=st.integers(0, 2**31),
    perm=st.booleans(),
)
def test_pack_unpack_round_trip(p, parts, logb, rows, cols, seed, perm):
    b = 1 << logb
    K = b // 2 + 1
    q = sum(parts)
    rng = np.random.default_rng(seed)
    W = rng.integers(-2000, 2000, size=(p, q, K, 2))
    W[:, :, 0, 1] = 0
    W[:, :, K - 1, 1] = 0
    order = list(rng.permutation(p)) if perm else list(range(p))
    lay = MacLayout(rows, cols, tuple(int(v) for v in order), tuple(parts))
    img = pack(W, lay)
    assert img.shape == (rows * cols, lay.words, b)
    np.testing.assert_array_equal(unpack(img, lay, 0, q), W)
    # every block is in exactly one word; the rest are zero words
    rmap, cmap = lay.index_maps()
    stored = rmap >= 0
    assert stored.sum() == p * q
    assert not img[~stored].any()
    # a row-major sweep of group a, part k reads consecutive words
    for k in range(len(parts)):
        for a in range(lay.groups):
            words = [lay.word_address(k, a, c) for c in range(lay.chunks[k])]
            assert words == list(range(words[0], words[0] + len(words)))


def test_word_layout_is_the_documented_one():
    # b = 8: re(0), re(4), re(1), im(1), re(2), im(2), re(3), im(3)
    S = np.array([[10, 0], [1, 2], [3, 4], [5, 6], [40, 0]])
    np.testing.assert_array_equal(word_of_block(S), [10, 40, 1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(block_of_word(word_of_block(S)), S)
