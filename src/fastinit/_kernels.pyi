"""Type stubs for the compiled core (``_kernels.py`` re-exports one build of
``_kernels_impl.pxi``).

Every function takes already-validated, C-contiguous arrays of one dtype
(float32 or float64); ``_kernels_impl.pxi`` describes the flat parameter and
activation layouts. ``dims``, ``w_off`` and ``b_off`` are ``intp``, and so is
``plan``, the three in one array (``network.Layout.plan``).
"""

import numpy as np
from numpy.typing import NDArray

_Float = np.float32 | np.float64
_Index = NDArray[np.intp]

INSTRUCTION_SET: str
MULTIPLY_ADD: str

def fma_peak(n_threads: int = 1, rounds: int = 20_000_000) -> float: ...
def set_piece_bytes(piece_bytes: int) -> int: ...

def training_layout(dims: _Index, m: int, n_threads: int) -> tuple[int, int]: ...
def descend(
    dims: _Index,
    w_off: _Index,
    b_off: _Index,
    theta: NDArray[_Float],
    X: NDArray[_Float],
    Y: NDArray[_Float],
    work: NDArray[_Float],
    block_costs: NDArray[np.float64],
    learning_rate: float,
    n_iterations: int,
    n_threads: int,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    seed: int = 0,
    masks: NDArray[np.uint8] | None = None,
    first_step: int = 0,
    row_space_offset: NDArray[_Float] | None = None,
    activation: int = 0,
    negative_slope: float = 0.0,
    check_every: int = 0,
    pace: NDArray[np.float64] | None = None,
) -> float: ...
def gradient(
    dims: _Index,
    w_off: _Index,
    b_off: _Index,
    theta: NDArray[_Float],
    X: NDArray[_Float],
    Y: NDArray[_Float],
    work: NDArray[_Float],
    block_costs: NDArray[np.float64],
    grad: NDArray[_Float],
    n_threads: int,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    seed: int = 0,
    masks: NDArray[np.uint8] | None = None,
    step: int = 0,
) -> float: ...
def epoch_layout(dims: _Index, batch: int) -> int: ...
def epochs(
    dims: _Index,
    w_off: _Index,
    b_off: _Index,
    theta: NDArray[_Float],
    X: NDArray[_Float],
    Y: NDArray[_Float],
    batch: int,
    work: NDArray[_Float],
    order: NDArray[np.intp],
    v: NDArray[_Float],
    s: NDArray[_Float],
    optimizer: int,
    learning_rate: float,
    beta: float,
    beta1: float,
    beta2: float,
    epsilon: float,
    t: int,
    first_epoch: int,
    n_epochs: int,
    seed: int,
    decay: int = 0,
    decay_rate: float = 1.0,
    decay_interval: int = 1000,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
) -> tuple[float, int]: ...
def forward_layers(plan: _Index, theta: NDArray[_Float], X: NDArray[_Float],
                   out: NDArray[_Float]) -> None: ...
def backward_layers(
    plan: _Index,
    theta: NDArray[_Float],
    X: NDArray[_Float],
    Y: NDArray[_Float],
    layers: NDArray[_Float],
    deltas: NDArray[_Float],
    grad: NDArray[_Float],
) -> None: ...
def infer(
    plan: _Index,
    theta: NDArray[_Float],
    X: NDArray[_Float],
    proba: NDArray[_Float] | None,
    Y: NDArray[_Float] | None,
    n_threads: int,
) -> int: ...
def gradient_step(theta: NDArray[_Float], grad: NDArray[_Float], learning_rate: float) -> None: ...
def product(A: NDArray[_Float], B: NDArray[_Float], out: NDArray[_Float],
            n_threads: int = 1) -> None: ...
def product_of_transpose(A: NDArray[_Float], B: NDArray[_Float], out: NDArray[_Float],
                         n_threads: int = 1, symmetric: bool = False) -> None: ...
