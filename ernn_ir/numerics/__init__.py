"""Numerics core of ernn_ir: bit-exact fixed point, block FFTs, PWL tables and
block-circulant math.  Pure numpy; the written contract is ``docs/numerics.md``."""

from .circulant import (
    CirculantSpectra,
    circ_matvec_dense,
    circ_matvec_fft,
    circ_matvec_fixed,
    exact_int_matmul,
    expand_dense,
    prepare_circulant,
    prepare_spectra_fixed,
    project_to_circulant,
    spectral_mac_fixed,
    spectral_mac_float,
    weight_spectra,
)
from .fft import (
    bit_reverse_indices,
    fft_fixed,
    irfft_blocks,
    irfft_fixed,
    num_bins,
    rfft_blocks,
    rfft_fixed,
    twiddles_fixed,
)
from .fixed import (
    MAX_ACC_WIDTH,
    MAX_OPERAND_WIDTH,
    FixedFormat,
    Overflow,
    Rounding,
    dequantize,
    overflow,
    quantize,
    requantize,
    shift_left,
    shift_round,
)
from .pwl import (
    PwlTable,
    fit_pwl,
    max_abs_error,
    pwl_eval_fixed,
    pwl_eval_float,
    quantize_table,
    sigmoid,
    sigmoid_fixed,
    tanh,
    tanh_fixed,
)

__all__ = [
    "MAX_ACC_WIDTH", "MAX_OPERAND_WIDTH", "FixedFormat", "Overflow", "Rounding",
    "dequantize", "overflow", "quantize", "requantize", "shift_left", "shift_round",
    "bit_reverse_indices", "fft_fixed", "irfft_blocks", "irfft_fixed", "num_bins",
    "rfft_blocks", "rfft_fixed", "twiddles_fixed",
    "PwlTable", "fit_pwl", "max_abs_error", "pwl_eval_fixed", "pwl_eval_float",
    "quantize_table", "sigmoid", "sigmoid_fixed", "tanh", "tanh_fixed",
    "CirculantSpectra", "circ_matvec_dense", "circ_matvec_fft", "circ_matvec_fixed",
    "exact_int_matmul", "expand_dense", "prepare_circulant", "prepare_spectra_fixed", "project_to_circulant",
    "spectral_mac_fixed", "spectral_mac_float", "weight_spectra",
]
