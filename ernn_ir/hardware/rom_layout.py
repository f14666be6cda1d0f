"""Where each weight block lives in the MAC array's banked ROM (the layout `ernn_hw.mac` documents).

`pack` builds the ROM image from the weight spectra; `unpack` rebuilds the
spectra from an image.  The reference runs `ernn_hw.mac` through `unpack`
and the RTL reads the image `pack` wrote, so a layout error shows up as a
translation-validation failure, not as silently wrong hardware.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def word_of_block(spectrum: np.ndarray) -> np.ndarray:
    """[..., K, 2] spectra -> [..., b] ROM words: re(0), re(b/2), re(1), im(1), ..., im(b/2 - 1)."""
    K = spectrum.shape[-2]
    b = 2 * (K - 1)
    out = np.zeros(spectrum.shape[:-2] + (b,), dtype=np.int64)
    out[..., 0] = spectrum[..., 0, 0]
    if b >= 2:
        out[..., 1] = spectrum[..., K - 1, 0]
    for k in range(1, K - 1):
        out[..., 2 * k] = spectrum[..., k, 0]
        out[..., 2 * k + 1] = spectrum[..., k, 1]
    return out


def block_of_word(word: np.ndarray) -> np.ndarray:
    """Inverse of `word_of_block` (imaginary parts of bins 0 and b/2 are zero)."""
    b = word.shape[-1]
    K = b // 2 + 1
    out = np.zeros(word.shape[:-1] + (K, 2), dtype=np.int64)
    out[..., 0, 0] = word[..., 0]
    if b >= 2:
        out[..., K - 1, 0] = word[..., 1]
    for k in range(1, K - 1):
        out[..., k, 0] = word[..., 2 * k]
        out[..., k, 1] = word[..., 2 * k + 1]
    return out


@dataclass(frozen=True)
class MacLayout:
    """The ROM words of one matvec: `groups` row groups, `chunks[p]` column chunks per part."""

    rows: int
    cols: int
    row_order: tuple[int, ...]
    parts: tuple[int, ...]

    @property
    def groups(self) -> int:
        return math.ceil(len(self.row_order) / self.rows)

    @property
    def chunks(self) -> tuple[int, ...]:
        return tuple(math.ceil(q / self.cols) for q in self.parts)

    @property
    def part_bases(self) -> tuple[int, ...]:
        out, acc = [], 0
        for c in self.chunks:
            out.append(acc)
            acc += self.groups * c
        return tuple(out)

    @property
    def words(self) -> int:
        return self.groups * sum(self.chunks)

    @property
    def part_offsets(self) -> tuple[int, ...]:
        out, acc = [], 0
        for q in self.parts:
            out.append(acc)
            acc += q
        return tuple(out)

    def word_address(self, part: int, group: int, chunk: int) -> int:
        return self.part_bases[part] + group * self.chunks[part] + chunk

    def index_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) of the block held by every (bank, word); -1 where the word is padding."""
        R, C = self.rows, self.cols
        banks = R * C
        rows = -np.ones((banks, self.words), dtype=np.int64)
        cols = -np.ones((banks, self.words), dtype=np.int64)
        order = list(self.row_order)
        for p, (q, off) in enumerate(zip(self.parts, self.part_offsets)):
            for a in range(self.groups):
                for c in range(self.chunks[p]):
                    w = self.word_address(p, a, c)
                    for r in range(R):
                        i = a * R + r
                        if i >= len(order):
                            continue
                        for lane_c in range(C):
                            j = c * C + lane_c
                            if j >= q:
                                continue
                            rows[r * C + lane_c, w] = order[i]
                            cols[r * C + lane_c, w] = off + j
        return rows, cols


def pack(weight: np.ndarray, layout: MacLayout) -> np.ndarray:
    """Weight spectra [p, q, K, 2] -> ROM words [banks, words, b] (zero words where nothing is stored)."""
    rows, cols = layout.index_maps()
    words = word_of_block(weight)  # [p, q, b]
    b = words.shape[-1]
    out = np.zeros(rows.shape + (b,), dtype=np.int64)
    ok = rows >= 0
    out[ok] = words[rows[ok], cols[ok]]
    return out


def unpack(image: np.ndarray, layout: MacLayout, base: int, q: int) -> np.ndarray:
    """ROM image [banks, depth, b] -> the weight spectra [p, q, K, 2] one matvec reads at `base`."""
    rows, cols = layout.index_maps()
    p = len(layout.row_order)
    words = image[:, base : base + layout.words]
    b = image.shape[-1]
    W = np.zeros((p, q, b), dtype=np.int64)
    ok = rows >= 0
    W[rows[ok], cols[ok]] = words[ok]
    return block_of_word(W)
