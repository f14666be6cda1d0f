"""PyTorch block-circulant layers (FFT forward pass) and dense counterparts.

Conventions follow ``ernn_ir.model_spec``: block-circulant parameters are
``[p, q, b]`` with the *first-column* convention
``W_ij[r][k] = w_ij[(r - k) mod b]``; inputs are zero padded to ``q*b`` and
outputs truncated to the logical row count.  The forward pass computes

    X = rfft(x blocks)            [..., q, b/2+1]     (once per input block)
    Y[..., i, f] = sum_j F_ij[f] X[..., j, f]         (per-bin complex matmul)
    y = irfft(Y)                  one IRFFT per output block

with ``F = rfft(w)`` computed once per forward call.

The recurrent layers run over ``[T, B, N]`` sequences with exactly the
equations of `LstmSpec` / `GruSpec`; ``to_spec()`` returns the parameters
as stored (no re-projection).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ernn_ir.frontend.projection import project_to_circulant
from ernn_ir.model_spec import CirculantWeight, GruSpec, LstmSpec


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def expand_circulant_torch(params: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """Dense (rows, cols) matrix of block-circulant params [p, q, b] (differentiable)."""
    p, q, b = params.shape
    r = torch.arange(b, device=params.device)
    idx = (r[:, None] - r[None, :]) % b
    blocks = params[:, :, idx]  # [p, q, b, b]
    return blocks.permute(0, 2, 1, 3).reshape(p * b, q * b)[:rows, :cols]


class _Spectra:
    """Weight spectra of one circulant matrix, for one forward call."""

    def __init__(self, params: torch.Tensor, rows: int, cols: int):
        p, q, b = params.shape
        self.p, self.q, self.b, self.rows, self.cols = p, q, b, rows, cols
        # [F, p, q] complex: per-frequency-bin matrices
        self.F = torch.fft.rfft(params, dim=-1).permute(2, 0, 1)

    def input_spectrum(self, x: torch.Tensor) -> torch.Tensor:
        """rfft of the input blocks: x [..., n] -> [F, q, M] (M = prod(...))."""
        lead = x.shape[:-1]
        x = x.reshape(-1, x.shape[-1])
        pad = self.q * self.b - x.shape[-1]
        if pad:
            x = nn.functional.pad(x, (0, pad))
        X = torch.fft.rfft(x.reshape(-1, self.q, self.b), dim=-1)  # [M, q, F]
        return X.permute(2, 1, 0), lead

    def apply_spectrum(self, X: torch.Tensor) -> torch.Tensor:
        """Per-bin products accumulated over input blocks: [F, q, M] -> [F, p, M]."""
        return torch.matmul(self.F, X)

    def output(self, Y: torch.Tensor, lead) -> torch.Tensor:
        """One irfft per output block: [F, p, M] -> [..., rows]."""
        y = torch.fft.irfft(Y.permute(2, 1, 0), n=self.b, dim=-1)  # [M, p, b]
        y = y.reshape(y.shape[0], self.p * self.b)[:, : self.rows]
        return y.reshape(*lead, self.rows)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        X, lead = self.input_spectrum(x)
        return self.output(self.apply_spectrum(X), lead)


class CirculantLinear(nn.Module):
    """y = W x (+ bias) with W block-circulant, params [p, q, b]."""

    def __init__(self, in_features: int, out_features: int, block: int,
                 bias: bool = False, dtype=None):
        super().__init__()
        if block < 1:
            raise ValueError(f"block size must be >= 1, got {block}")
        self.in_features, self.out_features, self.block = in_features, out_features, block
        p, q = _ceil_div(out_features, block), _ceil_div(in_features, block)
        # same variance as a dense nn.Linear init: each output sums ~in terms
        bound = 1.0 / math.sqrt(max(in_features, 1))
        self.weight = nn.Parameter(torch.empty(p, q, block, dtype=dtype).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features, dtype=dtype).uniform_(-bound, bound)) if bias else None

    def spectra(self) -> _Spectra:
        return _Spectra(self.weight, self.out_features, self.in_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.spectra()(x)
        return y if self.bias is None else y + self.bias

    def dense_weight(self) -> torch.Tensor:
        return expand_circulant_torch(self.weight, self.out_features, self.in_features)

    def to_weight(self) -> CirculantWeight:
        return CirculantWeight(self.out_features, self.in_features,
                               self.weight.detach().cpu().numpy().copy())

    @torch.no_grad()
    def load_params(self, params) -> None:
        self.weight.copy_(torch.as_tensor(np.asarray(params), dtype=self.weight.dtype))

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"block={self.block}, bias={self.bias is not None}")


def _np(t):
    return None if t is None else t.detach().cpu().numpy().copy()


def _real_units(x: torch.Tensor, H: int, units: int | None):
    """A function zeroing the padded hidden units units.. of [B, H] states (identity without padding)."""
    if units is None or units == H:
        return lambda v: v
    keep = (torch.arange(H, device=x.device) < units).to(x.dtype)
    return lambda v: v * keep


def _check_hidden(hidden_size: int, block: int) -> None:
    if hidden_size % block:
        raise ValueError(
            f"hidden_size {hidden_size} must be a multiple of the block size {block} "
            "(gate boundaries must fall on block boundaries)")


# ---------------------------------------------------------------------------
# LSTM


class _LstmBase(nn.Module):
    """Shared recurrence; subclasses provide the three matvecs."""

    input_size: int
    hidden_size: int
    proj_size: int | None
    peepholes: bool
    units: int | None = None
    """Real hidden units (None: all); units from here on are padding, held at exactly 0."""

    def _init_common(self, input_size, hidden_size, proj_size, peepholes, bias, dtype):
        if proj_size is not None and proj_size <= 0:
            proj_size = None
        self.input_size, self.hidden_size, self.proj_size = input_size, hidden_size, proj_size
        self.peepholes = peepholes
        H = hidden_size
        bound = 1.0 / math.sqrt(H)
        self.bias = nn.Parameter(torch.empty(4 * H, dtype=dtype).uniform_(-bound, bound)) if bias else None
        self.peephole = nn.Parameter(torch.empty(3, H, dtype=dtype).uniform_(-bound, bound)) if peepholes else None

    @property
    def output_size(self) -> int:
        return self.hidden_size if self.proj_size is None else self.proj_size

    def _fns(self):  # -> (fx over [T,B,N], fh over [B,R], fproj over [B,H] or None)
        raise NotImplementedError

    def forward(self, x: torch.Tensor, state=None):
        """x [T, B, N] -> (y [T, B, R], (r_T [B, R], c_T [B, H]))."""
        T, B, _ = x.shape
        H, R = self.hidden_size, self.output_size
        fx, fh, fp = self._fns()
        gx = fx(x)  # [T, B, 4H]
        if self.bias is not None:
            gx = gx + self.bias
        if state is None:
            r = x.new_zeros(B, R)
            c = x.new_zeros(B, H)
        else:
            r, c = state
        real = _real_units(x, H, self.units)
        c = real(c)
        if fp is None:
            r = real(r)
        outs = []
        for t in range(T):
            g = gx[t] + fh(r)
            gi, gf, gg, go = g.split(H, dim=-1)
            if self.peephole is not None:
                gi = gi + self.peephole[0] * c
                gf = gf + self.peephole[1] * c
            i = torch.sigmoid(gi)
            f = torch.sigmoid(gf)
            c = real(f * c + i * torch.tanh(gg))
            if self.peephole is not None:
                go = go + self.peephole[2] * c
            h = real(torch.sigmoid(go) * torch.tanh(c))
            r = h if fp is None else fp(h)
            outs.append(r)
        return torch.stack(outs), (r, c)


class CirculantLSTM(_LstmBase):
    """LSTM (optional projection and diagonal peepholes) with block-circulant matrices."""

    def __init__(self, input_size: int, hidden_size: int, block: int,
                 proj_size: int | None = None, peepholes: bool = False,
                 bias: bool = True, dtype=None):
        super().__init__()
        _check_hidden(hidden_size, block)
        self.block = block
        self._init_common(input_size, hidden_size, proj_size, peepholes, bias, dtype)
        H = hidden_size
        self.w_x = CirculantLinear(input_size, 4 * H, block, dtype=dtype)
        self.w_h = CirculantLinear(self.output_size, 4 * H, block, dtype=dtype)
        self.w_proj = CirculantLinear(H, self.proj_size, block, dtype=dtype) if self.proj_size else None

    def _fns(self):
        sx, sh = self.w_x.spectra(), self.w_h.spectra()
        sp = self.w_proj.spectra() if self.w_proj is not None else None
        return sx, sh, sp

    def to_spec(self, return_sequence: bool = True) -> LstmSpec:
        return LstmSpec(
            input_size=self.input_size, hidden_size=self.hidden_size,
            w_x=self.w_x.to_weight(), w_h=self.w_h.to_weight(),
            bias=_np(self.bias), peephole=_np(self.peephole),
            w_proj=self.w_proj.to_weight() if self.w_proj is not None else None,
            return_sequence=return_sequence, units=self.units)

    @classmethod
    def from_spec(cls, spec: LstmSpec, dtype=torch.float64) -> "CirculantLSTM":
        m = cls(spec.input_size, spec.hidden_size, spec.w_x.block, proj_size=spec.proj_size,
                peepholes=spec.peephole is not None, bias=spec.bias is not None, dtype=dtype)
        with torch.no_grad():
            m.w_x.load_params(spec.w_x.params)
            m.w_h.load_params(spec.w_h.params)
            if m.w_proj is not None:
                m.w_proj.load_params(spec.w_proj.params)
            if m.bias is not None:
                m.bias.copy_(torch.as_tensor(spec.bias, dtype=dtype))
            if m.peephole is not None:
                m.peephole.copy_(torch.as_tensor(spec.peephole, dtype=dtype))
        m.units = spec.units
        return m

    def dense_matrices(self) -> dict:
        """Expanded dense matrices (for tests and for ADMM initialisation)."""
        d = {"w_x": self.w_x.dense_weight(), "w_h": self.w_h.dense_weight()}
        if self.w_proj is not None:
            d["w_proj"] = self.w_proj.dense_weight()
        return d


class DenseLSTM(_LstmBase):
    """The same LSTM with ordinary dense gate matrices (trainable by ADMM)."""

    def __init__(self, input_size: int, hidden_size: int, proj_size: int | None = None,
                 peepholes: bool = False, bias: bool = True, dtype=None):
        super().__init__()
        self._init_common(input_size, hidden_size, proj_size, peepholes, bias, dtype)
        H, R = hidden_size, self.output_size
        self.w_x = nn.Parameter(torch.empty(4 * H, input_size, dtype=dtype).uniform_(-1, 1) / math.sqrt(input_size))
        self.w_h = nn.Parameter(torch.empty(4 * H, R, dtype=dtype).uniform_(-1, 1) / math.sqrt(R))
        self.w_proj = (nn.Parameter(torch.empty(self.proj_size, H, dtype=dtype).uniform_(-1, 1) / math.sqrt(H))
                       if self.proj_size else None)

    def _fns(self):
        wx, wh, wp = self.w_x, self.w_h, self.w_proj
        fp = None if wp is None else (lambda h: h @ wp.t())
        return (lambda x: x @ wx.t()), (lambda r: r @ wh.t()), fp

    def matrices(self) -> dict:
        d = {"w_x": self.w_x, "w_h": self.w_h}
        if self.w_proj is not None:
            d["w_proj"] = self.w_proj
        return d

    def to_circulant(self, block: int) -> tuple[CirculantLSTM, dict]:
        """Hard projection: a CirculantLSTM and the relative projection error per matrix."""
        dtype = self.w_x.dtype
        m = CirculantLSTM(self.input_size, self.hidden_size, block, proj_size=self.proj_size,
                          peepholes=self.peepholes, bias=self.bias is not None, dtype=dtype)
        errors = {}
        with torch.no_grad():
            for name, W in self.matrices().items():
                pr = project_to_circulant(W.detach().cpu().numpy(), block, return_error=True)
                getattr(m, name).load_params(pr.params)
                errors[name] = pr.rel_error
            if m.bias is not None:
                m.bias.copy_(self.bias)
            if m.peephole is not None:
                m.peephole.copy_(self.peephole)
        return m, errors


# ---------------------------------------------------------------------------
# GRU


class _GruBase(nn.Module):
    input_size: int
    hidden_size: int
    reset_after: bool
    units: int | None = None
    """Real hidden units (None: all); units from here on are padding, held at exactly 0."""

    def _init_common(self, input_size, hidden_size, reset_after, bias, dtype):
        self.input_size, self.hidden_size, self.reset_after = input_size, hidden_size, reset_after
        H = hidden_size
        bound = 1.0 / math.sqrt(H)
        self.b_x = nn.Parameter(torch.empty(3 * H, dtype=dtype).uniform_(-bound, bound)) if bias else None
        self.b_h = nn.Parameter(torch.empty(3 * H, dtype=dtype).uniform_(-bound, bound)) if bias else None

    @property
    def output_size(self) -> int:
        return self.hidden_size

    def forward(self, x: torch.Tensor, state=None):
        """x [T, B, N] -> (y [T, B, H], h_T [B, H])."""
        T, B, _ = x.shape
        H = self.hidden_size
        fx, fh = self._fns()
        gx = fx(x)
        if self.b_x is not None:
            gx = gx + self.b_x
        real = _real_units(x, H, self.units)
        h = real(x.new_zeros(B, H) if state is None else state)
        outs = []
        for t in range(T):
            xr, xz, xn = gx[t].split(H, dim=-1)
            if self.reset_after:
                gh = fh(h)
                if self.b_h is not None:
                    gh = gh + self.b_h
                hr, hz, hn = gh.split(H, dim=-1)
                r = torch.sigmoid(xr + hr)
                z = torch.sigmoid(xz + hz)
                n = torch.tanh(xn + r * hn)
            else:
                ghrz = fh(h, rows=slice(0, 2 * H))
                if self.b_h is not None:
                    ghrz = ghrz + self.b_h[: 2 * H]
                hr, hz = ghrz.split(H, dim=-1)
                r = torch.sigmoid(xr + hr)
                z = torch.sigmoid(xz + hz)
                hn = fh(r * h, rows=slice(2 * H, 3 * H))
                if self.b_h is not None:
                    hn = hn + self.b_h[2 * H:]
                n = torch.tanh(xn + hn)
            h = real((1 - z) * n + z * h)
            outs.append(h)
        return torch.stack(outs), h


class CirculantGRU(_GruBase):
    """GRU with block-circulant matrices; ``reset_after`` selects the formulation."""

    def __init__(self, input_size: int, hidden_size: int, block: int,
                 reset_after: bool = True, bias: bool = True, dtype=None):
        super().__init__()
        _check_hidden(hidden_size, block)
        self.block = block
        self._init_common(input_size, hidden_size, reset_after, bias, dtype)
        self.w_x = CirculantLinear(input_size, 3 * hidden_size, block, dtype=dtype)
        self.w_h = CirculantLinear(hidden_size, 3 * hidden_size, block, dtype=dtype)

    def _fns(self):
        sx, sh = self.w_x.spectra(), self.w_h.spectra()
        b = self.block

        def fh(h, rows=None):
            if rows is None:
                return sh(h)
            # gate slice of the row blocks (H is a multiple of b)
            X, lead = sh.input_spectrum(h)
            Fs = sh.F[:, rows.start // b: rows.stop // b]
            Y = torch.matmul(Fs, X)
            y = torch.fft.irfft(Y.permute(2, 1, 0), n=b, dim=-1)
            return y.reshape(*lead, rows.stop - rows.start)

        return sx, fh

    def to_spec(self, return_sequence: bool = True) -> GruSpec:
        return GruSpec(
            input_size=self.input_size, hidden_size=self.hidden_size,
            w_x=self.w_x.to_weight(), w_h=self.w_h.to_weight(),
            b_x=_np(self.b_x), b_h=_np(self.b_h), reset_after=self.reset_after,
            return_sequence=return_sequence, units=self.units)

    @classmethod
    def from_spec(cls, spec: GruSpec, dtype=torch.float64) -> "CirculantGRU":
        m = cls(spec.input_size, spec.hidden_size, spec.w_x.block, reset_after=spec.reset_after,
                bias=spec.b_x is not None or spec.b_h is not None, dtype=dtype)
        with torch.no_grad():
            m.w_x.load_params(spec.w_x.params)
            m.w_h.load_params(spec.w_h.params)
            if m.b_x is not None:
                m.b_x.copy_(torch.as_tensor(spec.b_x if spec.b_x is not None else np.zeros(3 * spec.hidden_size), dtype=dtype))
                m.b_h.copy_(torch.as_tensor(spec.b_h if spec.b_h is not None else np.zeros(3 * spec.hidden_size), dtype=dtype))
        m.units = spec.units
        return m

    def dense_matrices(self) -> dict:
        return {"w_x": self.w_x.dense_weight(), "w_h": self.w_h.dense_weight()}


class DenseGRU(_GruBase):
    """The same GRU with dense gate matrices (trainable by ADMM)."""

    def __init__(self, input_size: int, hidden_size: int, reset_after: bool = True,
                 bias: bool = True, dtype=None):
        super().__init__()
        self._init_common(input_size, hidden_size, reset_after, bias, dtype)
        H = hidden_size
        self.w_x = nn.Parameter(torch.empty(3 * H, input_size, dtype=dtype).uniform_(-1, 1) / math.sqrt(input_size))
        self.w_h = nn.Parameter(torch.empty(3 * H, H, dtype=dtype).uniform_(-1, 1) / math.sqrt(H))

    def _fns(self):
        wx, wh = self.w_x, self.w_h

        def fh(h, rows=None):
            w = wh if rows is None else wh[rows]
            return h @ w.t()

        return (lambda x: x @ wx.t()), fh

    def matrices(self) -> dict:
        return {"w_x": self.w_x, "w_h": self.w_h}

    def to_circulant(self, block: int) -> tuple[CirculantGRU, dict]:
        m = CirculantGRU(self.input_size, self.hidden_size, block, reset_after=self.reset_after,
                         bias=self.b_x is not None, dtype=self.w_x.dtype)
        errors = {}
        with torch.no_grad():
            for name, W in self.matrices().items():
                pr = project_to_circulant(W.detach().cpu().numpy(), block, return_error=True)
                getattr(m, name).load_params(pr.params)
                errors[name] = pr.rel_error
            if m.b_x is not None:
                m.b_x.copy_(self.b_x)
                m.b_h.copy_(self.b_h)
        return m, errors


# ---------------------------------------------------------------------------
# A sequence classifier (recurrent layers + a final dense layer)


def rnn_output_size(rnn: nn.Module) -> int:
    """Feature size of a recurrent module's output sequence."""
    if hasattr(rnn, "output_size"):
        return int(rnn.output_size)
    if isinstance(rnn, (nn.LSTM, nn.GRU)):
        h = rnn.proj_size if getattr(rnn, "proj_size", 0) else rnn.hidden_size
        return h * (2 if rnn.bidirectional else 1)
    raise TypeError(f"cannot tell the output size of {type(rnn).__name__}")


class SequenceClassifier(nn.Module):
    """``rnn`` over [T, B, N], then ``head`` (nn.Linear) on the last step's output.

    ``return_sequence = False`` tells the importer that only the last step
    feeds the dense layer.
    """

    return_sequence = False

    def __init__(self, rnn: nn.Module, num_classes: int):
        super().__init__()
        self.rnn = rnn
        out = rnn_output_size(rnn)
        self.head = nn.Linear(out, num_classes, dtype=next(rnn.parameters()).dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, _ = self.rnn(x)
        return self.head(y[-1])


# ---------------------------------------------------------------------------
# Running a ModelSpec in PyTorch (an independent reference for the importers)


class SpecModel(nn.Module):
    """Runs a `ModelSpec` with the layers above: [T, B, N] -> outputs.

    A bidirectional layer runs its backward layer on the time-reversed
    sequence and reverses its outputs back; outputs are concatenated
    (forward first).  A layer with ``return_sequence=False`` yields the
    output at its last step ([B, F]; for a bidirectional layer the forward
    output at t = T-1 and the backward output at t = 0, i.e. PyTorch's h_n); a
    `DenseSpec` applies to every step or to that last step.
    """

    def __init__(self, spec, dtype=torch.float64):
        super().__init__()
        from ernn_ir.model_spec import BidirectionalSpec, DenseSpec

        self.kinds = []
        mods = []
        for layer in spec.layers:
            if isinstance(layer, BidirectionalSpec):
                mods.append(nn.ModuleList([_from_spec(layer.forward, dtype), _from_spec(layer.backward, dtype)]))
                self.kinds.append(("bi", layer.forward.return_sequence))
            elif isinstance(layer, DenseSpec):
                lin = nn.Linear(layer.weight.shape[1], layer.weight.shape[0],
                                bias=layer.bias is not None, dtype=dtype)
                with torch.no_grad():
                    lin.weight.copy_(torch.as_tensor(layer.weight, dtype=dtype))
                    if layer.bias is not None:
                        lin.bias.copy_(torch.as_tensor(layer.bias, dtype=dtype))
                mods.append(lin)
                self.kinds.append(("dense", True))
            else:
                mods.append(_from_spec(layer, dtype))
                self.kinds.append(("rnn", layer.return_sequence))
        self.layers = nn.ModuleList(mods)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for (kind, seq), mod in zip(self.kinds, self.layers):
            if kind == "dense":
                x = mod(x)
            elif kind == "bi":
                yf, _ = mod[0](x)
                yb, _ = mod[1](torch.flip(x, [0]))
                if seq:
                    x = torch.cat([yf, torch.flip(yb, [0])], dim=-1)
                else:  # last step of each direction (backward: t = 0)
                    x = torch.cat([yf[-1], yb[-1]], dim=-1)
            else:
                x, _ = mod(x)
                if not seq:
                    x = x[-1]
        return x


def _from_spec(layer, dtype):
    return (CirculantLSTM.from_spec(layer, dtype) if isinstance(layer, LstmSpec)
            else CirculantGRU.from_spec(layer, dtype))
