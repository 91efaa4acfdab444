"""The model loop around the compiled core.

Every public function here validates its arguments once (``_validation``),
converts them once to C-contiguous arrays of one dtype, and hands them to
``_kernels``. Parameters travel to the kernels packed into one flat vector
(``_Layout``) and come back as new arrays: the caller's arrays are never written.
"""

import numbers
import os
from dataclasses import dataclass, field

import numpy as np

from . import _kernels
from ._validation import (
    check_parameters,
    check_positive_int,
    check_positive_number,
    check_X,
    check_Y,
)
from .initializers import initialize

__all__ = [
    "DivergenceError",
    "TrainResult",
    "accuracy",
    "backward",
    "forward",
    "model",
    "predict",
    "predict_proba",
    "train",
]


class _Layout:
    """Where each layer's parameters sit in the flat vector the kernels use.

    ``W_l`` (row-major) starts at ``w_off[l - 1]`` and ``b_l`` right after it at
    ``b_off[l - 1]``; gradients use the same layout.
    """

    def __init__(self, dims):
        self.dims = np.asarray(dims, dtype=np.intp)
        sizes = self.dims[1:] * (self.dims[:-1] + 1)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
        self.w_off = starts
        self.b_off = starts + self.dims[1:] * self.dims[:-1]
        self.size = int(sizes.sum())
        self.n_layers = len(dims) - 1

    def pack(self, layers, dtype):
        theta = np.empty(self.size, dtype=dtype)
        for (W, b), w_start, b_start in zip(layers, self.w_off, self.b_off):
            theta[w_start:b_start] = W.ravel()
            theta[b_start:b_start + b.size] = b
        return theta

    def unpack(self, flat, prefix=""):
        """New ``{prefix + "W1": (n1, n0), prefix + "b1": (n1, 1), ...}`` arrays."""
        out = {}
        for l in range(1, self.n_layers + 1):
            n_out, n_in = int(self.dims[l]), int(self.dims[l - 1])
            w_start, b_start = self.w_off[l - 1], self.b_off[l - 1]
            out[f"{prefix}W{l}"] = flat[w_start:b_start].reshape(n_out, n_in).copy()
            out[f"{prefix}b{l}"] = flat[b_start:b_start + n_out].reshape(n_out, 1).copy()
        return out

    def split_layers(self, flat, m):
        """Views of a per-layer activation buffer as ``[(n_1, m), ..., (n_L, m)]``."""
        ends = np.cumsum(self.dims[1:] * m)
        starts = np.concatenate(([0], ends[:-1]))
        return [flat[s:e].reshape(int(n), m) for s, e, n in zip(starts, ends, self.dims[1:])]


def _prepare(X, parameters, Y=None):
    """Validate and convert once: returns ``(layout, theta, X, Y)``."""
    X = check_X(X)
    dtype = X.dtype
    dims, layers = check_parameters(parameters, dtype)
    if X.shape[0] != dims[0]:
        raise ValueError(
            f"X has {X.shape[0]} features (rows) but parameters['W1'] expects {dims[0]} "
            f"(its number of columns)"
        )
    if Y is not None:
        Y = check_Y(Y, X.shape[1], dims[-1], dtype)
    layout = _Layout(dims)
    return layout, layout.pack(layers, dtype), X, Y


def _forward_all(layout, theta, X):
    """Run the kernel forward pass; returns flat ``(Z, A)`` buffers."""
    total = int(layout.dims[1:].sum()) * X.shape[1]
    Z = np.empty(total, dtype=X.dtype)
    A = np.empty(total, dtype=X.dtype)
    _kernels.forward(layout.dims, layout.w_off, layout.b_off, theta, X, Z, A)
    return Z, A


def forward(X, parameters):
    """Forward propagation, LINEAR->RELU x (L-1) -> LINEAR->SIGMOID.

    Parameters
    ----------
    X : array_like, shape (n_0, m)
        Input data, one example per column.
    parameters : dict
        ``{"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}``.

    Returns
    -------
    dict
        ``{"Z1", "A1", ..., "ZL", "AL"}`` (with ``"A{L}"`` also under ``"AL"``),
        each ``(n_l, m)``: the pre-activations and activations of every layer.
        ``AL`` holds the output probabilities.
    """
    layout, theta, X, _ = _prepare(X, parameters)
    Z, A = _forward_all(layout, theta, X)
    m = X.shape[1]
    out = {}
    for l, (Z_l, A_l) in enumerate(zip(layout.split_layers(Z, m), layout.split_layers(A, m)), 1):
        out[f"Z{l}"] = Z_l
        out[f"A{l}"] = A_l
    out["AL"] = out[f"A{layout.n_layers}"]
    return out


def _backprop(X, Y, parameters):
    """Forward and backward passes keeping every layer.

    Returns ``(layout, Z, A, dZ, dA, grad)`` as flat buffers in the kernels'
    layouts; ``dA`` is meaningful for the hidden layers only.
    """
    return _backprop_prepared(*_prepare(X, parameters, Y))


def _backprop_prepared(layout, theta, X, Y):
    """:func:`_backprop` on arguments that :func:`_prepare` has already checked."""
    Z, A = _forward_all(layout, theta, X)
    dZ = np.empty_like(Z)
    dA = np.zeros_like(Z)
    grad = np.empty_like(theta)
    _kernels.backward(layout.dims, layout.w_off, layout.b_off, theta, X, Y, Z, A, dZ, dA, grad)
    return layout, Z, A, dZ, dA, grad


def backward(X, Y, parameters):
    """Gradients of the mean binary cross-entropy with respect to every parameter.

    Parameters
    ----------
    X : array_like, shape (n_0, m)
    Y : array_like, shape (n_L, m)
        Labels, 0 or 1.
    parameters : dict
        ``{"W1", "b1", ..., "WL", "bL"}`` as in :func:`forward`.

    Returns
    -------
    dict
        ``{"dW1": (n_1, n_0), "db1": (n_1, 1), ..., "dWL", "dbL"}``.
    """
    layout, _, _, _, _, grad = _backprop(X, Y, parameters)
    return layout.unpack(grad, prefix="d")


def predict_proba(X, parameters):
    """Output probabilities ``sigmoid(Z_L)``, shape ``(n_L, m)``."""
    return forward(X, parameters)["AL"]


def predict(X, parameters):
    """0/1 predictions (probability > 0.5), ``int64`` of shape ``(n_L, m)``."""
    return (predict_proba(X, parameters) > 0.5).astype(np.int64)


def accuracy(X, Y, parameters):
    """Fraction of labels in ``Y`` (shape ``(n_L, m)``, 0/1) predicted correctly."""
    layout, theta, X, Y = _prepare(X, parameters, Y)
    _, A = _forward_all(layout, theta, X)
    AL = layout.split_layers(A, X.shape[1])[-1]
    return float(np.mean((AL > 0.5) == (Y > 0.5)))


@dataclass(eq=False)
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    parameters : dict
        The trained ``{"W1", "b1", ..., "WL", "bL"}``, new arrays.
    costs : list of float
        The cost before the update at each recorded iteration.
    iterations : list of int
        The iteration each cost was recorded at (0, ``record_every``, ...).
    final_cost : float
        The cost of the returned parameters (with the L2 term when ``lambd``
        is set; without dropout).
    learning_rate : float
    num_iterations : int
    """

    parameters: dict
    costs: list = field(default_factory=list)
    iterations: list = field(default_factory=list)
    final_cost: float = float("nan")
    learning_rate: float = 0.0
    num_iterations: int = 0

    def __eq__(self, other):
        if not isinstance(other, TrainResult):
            return NotImplemented
        return (
            self.parameters.keys() == other.parameters.keys()
            and all(np.array_equal(self.parameters[k], other.parameters[k]) for k in self.parameters)
            and self.costs == other.costs
            and self.iterations == other.iterations
            and self.final_cost == other.final_cost
            and self.learning_rate == other.learning_rate
            and self.num_iterations == other.num_iterations
        )


#: Floating-point operations per iteration below which one more thread costs
#: more in synchronisation than it saves (about 50 microseconds of work).
FLOPS_PER_THREAD = 2_000_000


def available_cores():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def flops_per_iteration(dims, m):
    """Approximate floating-point operations of one training iteration: six per
    weight and example (forward, weight gradient, input gradient)."""
    weights = sum(int(dims[l]) * int(dims[l - 1]) for l in range(1, len(dims)))
    return 6 * weights * m


def resolve_threads(n_threads, dims, m):
    """``n_threads`` checked, or the default: all cores, capped so each thread
    gets at least :data:`FLOPS_PER_THREAD` per iteration."""
    if n_threads is not None:
        return check_positive_int(n_threads, "n_threads")
    useful = max(1, flops_per_iteration(dims, m) // FLOPS_PER_THREAD)
    return int(min(available_cores(), useful))


class DivergenceError(ValueError):
    """Training produced infinite or NaN parameters (or cost).

    Attributes
    ----------
    result : TrainResult
        The last state whose cost was finite, as if training had stopped there
        (``result.num_iterations`` steps in): its parameters, the costs recorded
        before it, and its own cost as ``final_cost``.
    """

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


def _result(layout, theta, X, Y, recorder, num_iterations, n_threads, lambd, offset=None):
    """The TrainResult of a finished run: the cost of the final parameters
    through the blocked forward pass (a DivergenceError if it is not finite).
    ``layout``, ``X`` and ``offset`` are what the kernels ran on (see
    :class:`_RowSpace`)."""
    work_size, n_blocks = _kernels.training_layout(layout.dims, X.shape[1], n_threads)
    final_cost = _kernels.descend(layout.dims, layout.w_off, layout.b_off, theta, X, Y,
                                  np.empty(work_size, dtype=X.dtype), np.empty(n_blocks),
                                  recorder.learning_rate, 0, n_threads, lambd,
                                  row_space_offset=offset)
    if not np.isfinite(final_cost):
        raise _divergence(recorder.parameters_of, recorder.good, recorder.costs,
                          recorder.indices, num_iterations, recorder.learning_rate, "cost")
    return TrainResult(
        parameters=recorder.parameters_of(theta),
        costs=recorder.costs,
        iterations=recorder.indices,
        final_cost=final_cost,
        learning_rate=recorder.learning_rate,
        num_iterations=num_iterations,
    )


def _divergence(parameters_of, good, costs, iterations, end, learning_rate, what):
    """The DivergenceError for a run whose ``what`` stopped being finite before
    iteration ``end``; ``good`` is the last ``(theta, iteration, cost)`` with a
    finite cost (it starts as the initial parameters with a NaN cost, which is
    what the error carries when even their cost overflowed).
    ``parameters_of(theta)`` gives the parameter dict."""
    theta, start, cost = good
    earlier = [(i, c) for i, c in zip(iterations, costs) if i < start]
    return DivergenceError(
        f"training diverged between iterations {start} and {end}: the {what} stopped being "
        f"finite; try a smaller learning_rate (got {learning_rate:g}). error.result holds "
        f"the parameters at iteration {start}.",
        TrainResult(parameters=parameters_of(theta), costs=[c for _, c in earlier],
                    iterations=[i for i, _ in earlier], final_cost=cost,
                    learning_rate=learning_rate, num_iterations=start))


def _use_row_space(dims, m, num_iterations, lambd):
    """Whether full-batch training should run in :class:`_RowSpace` form: far
    fewer examples than inputs, no L2, and enough iterations that the passes
    it saves outweigh the Gram matrix and the final W_1."""
    n0, n1 = int(dims[0]), int(dims[1])
    saved = num_iterations * 4 * n1 * m * (n0 - m)
    spent = n0 * m * m + 4 * n1 * n0 * m
    return lambd == 0 and 2 * m <= n0 and saved > 2 * spent


class _RowSpace:
    """Full-batch gradient descent with fewer examples than inputs, run in the
    row space of the data.

    Every step adds ``-lr dZ_1 X^T`` to W_1, so ``W_1 = W_1(0) + C X^T`` with C
    of shape (n_1, m), and ``Z_1 = W_1(0) X + C G + b_1`` with the Gram matrix
    ``G = X^T X``. The kernels train C against G (``n_1 m^2`` work per pass
    instead of ``n_1 n_0 m``); C moves by ``-lr dZ_1``. G and ``W_1(0) X``
    (once) and W_1 (when the parameters are read) come from NumPy's BLAS.
    The result equals plain training up to rounding.
    """

    def __init__(self, layout, theta, X):
        n0, n1, m = int(layout.dims[0]), int(layout.dims[1]), X.shape[1]
        self.full_layout = layout
        self.X = X
        self.W1_initial = theta[:n1 * n0].reshape(n1, n0).copy()  # W_1 comes first in theta
        self.gram = np.ascontiguousarray(X.T @ X)
        self.offset = np.ascontiguousarray(self.W1_initial @ X).ravel()
        self.layout = _Layout([m, *layout.dims[1:]])
        self.theta = np.concatenate([np.zeros(n1 * m, dtype=X.dtype), theta[n1 * n0:]])

    def parameters_of(self, theta):
        """The parameter dict of the network whose coefficients are ``theta``."""
        n1, m = self.W1_initial.shape[0], self.X.shape[1]
        C = theta[:n1 * m].reshape(n1, m)
        W1 = self.W1_initial + C @ self.X.T
        return self.full_layout.unpack(np.concatenate([W1.ravel(), theta[n1 * m:]]))


OPTIMIZERS = {"gd": 0, "momentum": 1, "adam": 2}
DROPOUT_MASKS = (None, "fixed")


def fixed_dropout_masks(dims, m, keep_prob, seed=1):
    """The course's dropout masks, as one byte per hidden unit and example:
    ``np.random.seed(seed)``, then ``rand(n_l, m) < keep_prob`` for each hidden
    layer in turn (the course reseeds with 1 before every forward pass, so
    every iteration reuses them)."""
    rng = np.random.RandomState(seed)
    return np.concatenate([(rng.rand(int(n), m) < keep_prob).ravel() for n in dims[1:-1]]
                          + [np.empty(0, dtype=bool)]).view(np.uint8)


def _check_regularization(lambd, keep_prob, dropout_masks):
    """``lambd >= 0``, ``0 < keep_prob <= 1``, ``dropout_masks`` None or "fixed"."""
    for value, name in ((lambd, "lambd"), (keep_prob, "keep_prob")):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not (np.isfinite(lambd) and lambd >= 0):
        raise ValueError(f"lambd must be a finite number >= 0, got {lambd}")
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    if dropout_masks not in DROPOUT_MASKS:
        raise ValueError(f"dropout_masks must be None or 'fixed', got {dropout_masks!r}")
    return float(lambd), float(keep_prob)


def _check_fraction(value, name):
    """A number in [0, 1), as every beta must be."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {type(value).__name__}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return float(value)


DECAYS = (None, "inverse", "scheduled")


def _decayed(learning_rate0, epoch, decay, decay_rate, decay_interval):
    """The learning rate after ``epoch``: the course's ``update_lr`` ("inverse",
    lr0 / (1 + rate * epoch)) or ``schedule_lr_decay`` ("scheduled",
    lr0 / (1 + rate * floor(epoch / interval))), for the printed lines; the
    compiled core applies the same formulas."""
    if decay == "inverse":
        return learning_rate0 / (1 + decay_rate * epoch)
    return learning_rate0 / (1 + decay_rate * np.floor(epoch / decay_interval))


class _Recorder:
    """What both training loops do at a recorded iteration or epoch: keep the
    cost, remember the last state whose cost was finite, raise DivergenceError
    when the cost or the parameters stop being finite, print, call back.
    ``parameters_of(theta)`` turns the kernels' flat vector into parameters."""

    def __init__(self, parameters_of, theta, learning_rate, line, callback):
        self.parameters_of = parameters_of
        self.learning_rate = learning_rate
        self.line = line  # formats the printed line from (index, cost), or None
        self.callback = callback
        self.costs, self.indices = [], []
        self.good = (theta.copy(), 0, float("nan"))  # the last state with a finite cost

    def record(self, state, index, cost, theta, end):
        """``state`` had ``cost``; ``theta`` is where training got to by ``end``."""
        if np.isfinite(cost):
            self.good = (state, index, cost)
            self.costs.append(cost)
            self.indices.append(index)
        if not (np.isfinite(cost) and np.isfinite(theta).all()):
            raise _divergence(self.parameters_of, self.good, self.costs, self.indices, end,
                              self.learning_rate,
                              "parameters" if np.isfinite(cost) else "cost")
        if self.line is not None:
            print(self.line(index, cost))
        if self.callback is not None:
            self.callback(index, cost)


def _train_mini_batches(layout, theta, X, Y, optimizer, learning_rate, batch, num_epochs,
                        record_every, beta, beta1, beta2, epsilon, seed, decay, lambd,
                        keep_prob, print_cost, callback):
    """The course's mini-batch loop, ``record_every`` epochs per call into the
    compiled core: before epoch ``e`` the examples are shuffled as
    ``RandomState(seed + 1 + e).permutation(m)`` does (the course's model adds 1
    to its seed before every epoch), then every mini-batch of the epoch runs;
    with decay, epoch ``e`` uses the rate after epoch ``e - 1``. Returns the
    _Recorder holding, every ``record_every`` epochs, the epoch's summed cost
    divided by m. Dropout masks are hashed from ``seed`` and the step count."""
    m = X.shape[1]
    work = np.empty(_kernels.epoch_layout(layout.dims, batch), dtype=X.dtype)
    order = np.empty(m, dtype=np.intp)
    v = np.zeros_like(theta)
    s = np.zeros_like(theta)
    t = 0
    line = _epoch_line(learning_rate, decay) if print_cost else None
    recorder = _Recorder(layout.unpack, theta, learning_rate, line, callback)
    for start in range(0, num_epochs, record_every):
        steps = min(record_every, num_epochs - start)
        state = theta.copy()
        total, t = _kernels.epochs(layout.dims, layout.w_off, layout.b_off, theta, X, Y, batch,
                                   work, order, v, s, OPTIMIZERS[optimizer], learning_rate,
                                   beta, beta1, beta2, epsilon, t, start, steps, seed,
                                   DECAYS.index(decay[0]), decay[1], decay[2], lambd,
                                   keep_prob)
        recorder.record(state, start, total / m, theta, start + steps)
    return recorder


def _epoch_line(learning_rate0, decay):
    """The course's printed line for an epoch, and under decay the learning rate
    it has after that epoch."""
    def line(epoch, cost):
        text = f"Cost after epoch {epoch}: {cost:f}"
        if decay[0] is not None:
            text += f"\nlearning rate after epoch {epoch}: " \
                    f"{_decayed(learning_rate0, epoch, *decay):f}"
        return text
    return line


def train(X, Y, parameters, learning_rate=0.01, num_iterations=15000, record_every=1000,
          print_cost=False, callback=None, n_threads=None, optimizer="gd",
          mini_batch_size=None, num_epochs=None, beta=0.9, beta1=0.9, beta2=0.999,
          epsilon=1e-8, seed=10, decay=None, decay_rate=1.0, decay_interval=1000,
          lambd=0.0, keep_prob=1.0, dropout_masks=None):
    """Train in the compiled core: full-batch gradient descent, or mini-batches
    with gd, momentum or Adam; optionally with L2 regularization and dropout.

    The loop runs in C with the GIL released, the course's reshuffle before
    every epoch included; Python is re-entered only every ``record_every``
    iterations (or epochs) to record the cost (and print it, or call
    ``callback``).

    Parameters
    ----------
    X : array_like, shape (n_0, m)
        Inputs, one example per column. float32 data trains in float32;
        anything else in float64.
    Y : array_like, shape (n_L, m)
        Labels, 0 or 1.
    parameters : dict
        Initial ``{"W1", "b1", ..., "WL", "bL"}``, e.g. from
        :func:`fastinit.initialize`. Not modified.
    learning_rate : float, default 0.01
    num_iterations : int, default 15000
    record_every : int, default 1000
        Record the cost (before the update) at iterations 0, ``record_every``, ...
    print_cost : bool, default False
        Print ``Cost after iteration i: c`` at every recorded iteration (with
        epochs, the course's ``Cost after epoch i: c`` to six decimals, and
        under decay the learning rate after that epoch).
    callback : callable, optional
        Called as ``callback(iteration, cost)`` at every recorded iteration.
    n_threads : int, optional
        Threads for the examples (full-batch gradient descent). Default: every
        core this process may use, fewer for small problems (one for the
        notebook's). The result is the same, bit for bit, for every thread count.
        With far fewer examples than inputs (e.g. 209 images of 12288 pixels),
        full-batch gradient descent without L2 runs in the data's row space
        (``_RowSpace``): the same result up to rounding, with a few one-time
        products through NumPy's BLAS (and its own threads).
    optimizer : {"gd", "momentum", "adam"}, default "gd"
        As the course writes them: momentum ``v = beta v + (1 - beta) g``; Adam
        with bias correction, its step counter counting mini-batches, epsilon
        outside the square root.
    mini_batch_size : int, optional
        Train on mini-batches of this size, the examples reshuffled before every
        epoch as the course's ``random_mini_batches`` does (complete batches,
        then the remainder). Without it, "momentum" and "adam" use the whole set
        as one batch.
    num_epochs : int, optional
        Epochs, with ``mini_batch_size`` or a non-"gd" optimizer (default
        ``num_iterations``). A recorded cost is then the epoch's: the cost of
        every mini-batch before its update, summed and divided by m, every
        ``record_every`` epochs.
    beta, beta1, beta2 : float in [0, 1), default 0.9, 0.9, 0.999
    epsilon : float, default 1e-8
    seed : int, default 10
        The shuffle before epoch ``e`` uses ``RandomState(seed + 1 + e)``: the
        course's optimization model starts at 10 and adds 1 before every epoch.
        Dropout masks are hashed from it too (see ``keep_prob``).
    decay : {None, "inverse", "scheduled"}, default None
        Learning-rate decay, applied as the course does after every epoch ``e``:
        ``learning_rate / (1 + decay_rate * e)`` ("inverse") or
        ``learning_rate / (1 + decay_rate * floor(e / decay_interval))``
        ("scheduled"). Implies epochs, like ``mini_batch_size``.
    decay_rate : float, default 1.0
    decay_interval : int, default 1000
    lambd : float, default 0.0
        L2 regularization, as the course writes it: the cost gains
        ``lambd / (2 m) * sum(W_l ** 2)`` (biases not penalised) and each
        ``dW_l`` gains ``lambd / m * W_l``, m being every example (also with
        mini-batches, so that they minimise the same cost). With epochs the
        recorded cost adds the term for the weights the epoch started with.
    keep_prob : float in (0, 1], default 1.0
        Inverted dropout on the hidden layers (never the output): each hidden
        unit is kept with probability ``keep_prob`` and divided by it; the
        backward pass uses the same masks. Masks are new at every step, a hash
        of ``seed``, the step, the unit and the example, so they do not depend
        on the threads. Recorded costs are those of the dropped-out network
        (as the course prints them); ``final_cost`` is without dropout.
    dropout_masks : {None, "fixed"}, default None
        "fixed" reproduces the course, which reseeds with 1 before every
        forward pass, so every iteration reuses the masks
        ``rand(n_l, m) < keep_prob`` drawn layer by layer (full-batch
        gradient descent only).

    Returns
    -------
    TrainResult

    Raises
    ------
    DivergenceError
        When the parameters or the cost stop being finite (a learning rate far
        too large). Checked at every recorded iteration; the error carries the
        last finite state as ``error.result``.
    """
    learning_rate = check_positive_number(learning_rate, "learning_rate")
    num_iterations = check_positive_int(num_iterations, "num_iterations")
    record_every = check_positive_int(record_every, "record_every")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    beta, beta1, beta2 = (_check_fraction(value, name) for value, name in
                          ((beta, "beta"), (beta1, "beta1"), (beta2, "beta2")))
    epsilon = check_positive_number(epsilon, "epsilon")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be >= 0 and < 2**64, got {seed}")
    lambd, keep_prob = _check_regularization(lambd, keep_prob, dropout_masks)
    if decay not in DECAYS:
        raise ValueError(f"decay must be None, 'inverse' or 'scheduled', got {decay!r}")
    decay_rate = check_positive_number(decay_rate, "decay_rate")
    decay_interval = check_positive_int(decay_interval, "decay_interval")
    layout, theta, X, Y = _prepare(X, parameters, Y)

    if mini_batch_size is not None or optimizer != "gd" or num_epochs is not None or decay:
        batch = X.shape[1] if mini_batch_size is None else \
            check_positive_int(mini_batch_size, "mini_batch_size")
        epochs = num_iterations if num_epochs is None else \
            check_positive_int(num_epochs, "num_epochs")
        if not seed < 2**32 - epochs:
            raise ValueError(f"seed must be >= 0 and seed + num_epochs < 2**32, got {seed}")
        if dropout_masks == "fixed" and keep_prob < 1:
            raise ValueError("dropout_masks='fixed' needs full-batch gradient descent (the "
                             "course's dropout model); with mini-batches, optimizers or decay "
                             "leave it None")
        recorder = _train_mini_batches(
            layout, theta, X, Y, optimizer, learning_rate, batch, epochs, record_every,
            beta, beta1, beta2, epsilon, int(seed), (decay, decay_rate, decay_interval),
            lambd, keep_prob, print_cost, callback)
        return _result(layout, theta, X, Y, recorder, epochs,
                       resolve_threads(n_threads, layout.dims, X.shape[1]), lambd)

    masks = None
    if dropout_masks == "fixed" and keep_prob < 1:
        masks = fixed_dropout_masks(layout.dims, X.shape[1], keep_prob)
    parameters_of, offset = layout.unpack, None
    if _use_row_space(layout.dims, X.shape[1], num_iterations, lambd):
        space = _RowSpace(layout, theta, X)
        layout, theta, X, offset = space.layout, space.theta, space.gram, space.offset
        parameters_of = space.parameters_of
    n_threads = resolve_threads(n_threads, layout.dims, X.shape[1])
    work_size, n_blocks = _kernels.training_layout(layout.dims, X.shape[1], n_threads)
    work = np.empty(work_size, dtype=X.dtype)
    block_costs = np.empty(n_blocks)
    line = (lambda start, cost: f"Cost after iteration {start}: {cost}") if print_cost else None
    recorder = _Recorder(parameters_of, theta, learning_rate, line, callback)
    for start in range(0, num_iterations, record_every):
        steps = min(record_every, num_iterations - start)
        state = theta.copy()
        cost = _kernels.descend(layout.dims, layout.w_off, layout.b_off, theta, X, Y,
                                work, block_costs, learning_rate, steps, n_threads,
                                lambd, keep_prob, seed, masks, start, offset)
        recorder.record(state, start, cost, theta, start + steps)
    return _result(layout, theta, X, Y, recorder, num_iterations, n_threads, lambd, offset)


def model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True,
          initialization="he", layers_dims=None, seed=3, **options):
    """The notebook's ``model()``: initialize, then train, return the parameters.

    Parameters
    ----------
    X : array_like, shape (n_0, m)
    Y : array_like, shape (1, m)
    learning_rate : float, default 0.01
    num_iterations : int, default 15000
    print_cost : bool, default True
        Print ``Cost after iteration i: c`` every 1000 iterations, as the notebook does.
    initialization : str, default "he"
        Any name in :data:`fastinit.INITIALIZERS`.
    layers_dims : sequence of int, optional
        Defaults to the notebook's ``[n_0, 10, 5, 1]``.
    seed : int, Generator or RandomState, default 3
        The notebook's initializers seed with 3.
    **options
        Passed to :func:`train`: ``optimizer``, ``mini_batch_size``,
        ``num_epochs``, ``beta``, ``beta1``, ``beta2``, ``epsilon``, ``decay``,
        ``lambd``, ``keep_prob``, ``dropout_masks``, ``n_threads`` (the
        shuffling seed is then ``train``'s default, 10, as in the course).

    Returns
    -------
    dict
        The trained parameters.
    """
    X = check_X(X)
    if layers_dims is None:
        layers_dims = [X.shape[0], 10, 5, 1]
    parameters = initialize(layers_dims, initialization, seed=seed, dtype=X.dtype)
    result = train(X, Y, parameters, learning_rate=learning_rate,
                   num_iterations=num_iterations, record_every=1000, print_cost=print_cost,
                   **options)
    return result.parameters
