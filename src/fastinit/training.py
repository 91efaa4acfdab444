"""Training in the compiled core: ``train`` and the notebook's ``model``, the
full-batch and mini-batch loops around the kernels, and what they return.

The loops hand the kernels ``record_every`` iterations (or epochs) at a time
with the GIL released; Python is re-entered only to record the cost, print,
call back, or raise :class:`DivergenceError`.
"""

import numbers
from dataclasses import dataclass, field

import numpy as np

from . import _kernels
from ._validation import (check_bool, check_labels_given, check_memory, check_positive_int,
                          check_positive_number, check_X)
from .activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE, check_activation
from .initializers import initialize
from .network import Network, _prepare
from .propagation import layer_statistics
from .row_space import RowSpace, use_row_space
from .stopping import current_stop_flag
from .threads import flops_per_iteration, resolve_threads

__all__ = ["DivergenceError", "TrainResult", "model", "train"]


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
    activation : str
        The hidden layers' activation the parameters were trained with (pass it
        to :func:`fastinit.predict` and the other passes).
    negative_slope : float
        Leaky ReLU's slope for z < 0.
    layer_history : dict of ndarray, or None
        With ``train(..., track_layers=True)``: per recorded iteration (rows, the
        ``iterations``) and layer (columns, L of them), ``"weight_norm"``
        (``||W_l||_F``), ``"grad_norm"`` (``||dW_l||_F`` of the full-batch
        gradient before that iteration's update, with the L2 term, without
        dropout), ``"activation_std"`` (the std of ``A_l`` on the training
        data), ``"dead_fraction"`` and ``"saturated_fraction"`` (see
        :class:`fastinit.diagnostics.SignalStats`).
    """

    parameters: dict
    costs: list = field(default_factory=list)
    iterations: list = field(default_factory=list)
    final_cost: float = float("nan")
    learning_rate: float = 0.0
    num_iterations: int = 0
    activation: str = "relu"
    negative_slope: float = DEFAULT_NEGATIVE_SLOPE
    layer_history: dict = None

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
            and self.activation == other.activation
            and self.negative_slope == other.negative_slope
        )


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


def _cost_function(layout, X, Y, n_threads, lambd, activation, offset=None):
    """``theta -> cost``: the cost of parameters through the blocked forward pass
    (cross-entropy and the L2 term, without dropout), on what the kernels run on
    (``layout``, ``X`` and ``offset``: see :class:`~fastinit.row_space.RowSpace`)."""
    work_size, n_blocks = _kernels.training_layout(layout.dims, X.shape[1], n_threads)

    def cost_of(theta):
        return _kernels.descend(layout.dims, layout.w_off, layout.b_off, theta, X, Y,
                                np.empty(work_size, dtype=X.dtype), np.empty(n_blocks), 1.0, 0,
                                n_threads, lambd, row_space_offset=offset,
                                activation=activation[0], negative_slope=activation[1])
    return cost_of


def _result(theta, recorder, num_iterations):
    """The TrainResult of a finished run, with the cost of the final parameters
    (a DivergenceError if it is not finite)."""
    code, slope = recorder.activation
    final_cost = recorder.cost_of(theta)
    if not np.isfinite(final_cost):
        raise _divergence(recorder, num_iterations, "cost")
    return TrainResult(
        parameters=recorder.parameters_of(theta),
        costs=recorder.costs,
        iterations=recorder.indices,
        final_cost=final_cost,
        learning_rate=recorder.learning_rate,
        num_iterations=num_iterations,
        activation=ACTIVATIONS[code],
        negative_slope=slope,
        layer_history=recorder.history(),
    )


def _divergence(recorder, end, what):
    """The DivergenceError for a run whose ``what`` stopped being finite before
    iteration ``end``; ``recorder.good`` is the last ``(theta, iteration, cost)``
    with a finite cost (it starts as the initial parameters with a NaN cost,
    which is what the error carries when even their cost overflowed)."""
    theta, start, cost = recorder.good
    if np.isfinite(cost):  # what a run stopped there returns: without dropout, full batch
        cost = recorder.cost_of(theta)
    earlier = [(i, c) for i, c in zip(recorder.indices, recorder.costs) if i < start]
    code, slope = recorder.activation
    return DivergenceError(
        f"training diverged between iterations {start} and {end}: the {what} stopped being "
        f"finite; try a smaller learning_rate (got {recorder.learning_rate:g}). "
        f"error.result holds the parameters at iteration {start}.",
        TrainResult(parameters=recorder.parameters_of(theta), costs=[c for _, c in earlier],
                    iterations=[i for i, _ in earlier], final_cost=cost,
                    learning_rate=recorder.learning_rate, num_iterations=start,
                    activation=ACTIVATIONS[code], negative_slope=slope,
                    layer_history=recorder.history(len(earlier))))


OPTIMIZERS = {"gd": 0, "momentum": 1, "adam": 2}
DROPOUT_MASKS = (None, "fixed")

#: Work between two checks for Ctrl-C inside the compiled loops, in floating-point
#: operations: about a millisecond, so an interrupt lands within a few of them.
CHECK_FLOPS = 5_000_000


def _check_every(dims, m):
    """Steps on ``m`` examples between two interrupt checks."""
    return max(1, CHECK_FLOPS // max(1, flops_per_iteration(dims, m)))


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
    if not (dropout_masks is None or isinstance(dropout_masks, str)) or \
            dropout_masks not in DROPOUT_MASKS:
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
    ``parameters_of(theta)`` turns the kernels' flat vector into parameters;
    ``activation`` is ``check_activation``'s pair for the run."""

    def __init__(self, parameters_of, theta, learning_rate, activation, line, callback,
                 tracker=None, cost_of=None):
        self.parameters_of = parameters_of
        self.cost_of = cost_of  # theta -> the cost a run ending at theta reports
        self.learning_rate = learning_rate
        self.activation = activation
        self.tracker = tracker  # a _LayerTracker, or None
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
            if self.tracker is not None:
                self.tracker.record(self.parameters_of(state))
        if not (np.isfinite(cost) and np.isfinite(theta).all()):
            raise _divergence(self, end, "parameters" if np.isfinite(cost) else "cost")
        if self.line is not None:
            print(self.line(index, cost))
        if self.callback is not None:
            self.callback(index, cost)

    def history(self, records=None):
        """The tracker's history (its first ``records`` rows), or None."""
        return None if self.tracker is None else self.tracker.history(records)


class _LayerTracker:
    """``train(..., track_layers=True)``: every layer's statistics on the training
    data at each recorded iteration, from the parameters training reached,
    through the compiled core's passes (so training's own bits are untouched)."""

    KEYS = {"weight_norm": "weight_norm", "grad_norm": "weight_grad_norm",
            "activation_std": "activation_std", "dead_fraction": "dead_fraction",
            "saturated_fraction": "saturated_fraction"}

    def __init__(self, X, Y, n_layers, activation, lambd):
        self.X, self.Y, self.activation = X, Y, activation
        self.n_layers = n_layers
        self.l2 = lambd / X.shape[1]
        self.rows = {key: [] for key in self.KEYS}

    def record(self, parameters):
        stats = layer_statistics(Network(parameters, self.X.dtype), self.X, self.Y,
                                 self.activation, self.l2)
        for key, source in self.KEYS.items():
            self.rows[key].append(stats[source])

    def history(self, records=None):
        return {key: np.array(rows[:records], dtype=float).reshape(-1, self.n_layers)
                for key, rows in self.rows.items()}


def _train_mini_batches(layout, theta, X, Y, optimizer, learning_rate, batch, num_epochs,
                        record_every, beta, beta1, beta2, epsilon, seed, decay, lambd,
                        keep_prob, activation, print_cost, callback, tracker, cost_of):
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
    recorder = _Recorder(layout.unpack, theta, learning_rate, activation, line, callback,
                         tracker, cost_of)
    for start in range(0, num_epochs, record_every):
        steps = min(record_every, num_epochs - start)
        state = theta.copy()
        total, t = _kernels.epochs(layout.dims, layout.w_off, layout.b_off, theta, X, Y, batch,
                                   work, order, v, s, OPTIMIZERS[optimizer], learning_rate,
                                   beta, beta1, beta2, epsilon, t, start, steps, seed,
                                   DECAYS.index(decay[0]), decay[1], decay[2], lambd,
                                   keep_prob, *activation,
                                   check_every=_check_every(layout.dims, min(batch, m)),
                                   stop=current_stop_flag())
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
          lambd=0.0, keep_prob=1.0, dropout_masks=None, activation="relu",
          negative_slope=DEFAULT_NEGATIVE_SLOPE, track_layers=False):
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
    parameters : dict or Network
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
        (``fastinit.row_space.RowSpace``): the same result up to rounding, with a
        few one-time
        products through NumPy's BLAS (and its own threads).
    optimizer : {"gd", "momentum", "adam"}, default "gd"
        As the course writes them: momentum ``v = beta v + (1 - beta) g``; Adam
        with bias correction, its step counter counting mini-batches, epsilon
        outside the square root.
    mini_batch_size : int, optional
        Train on mini-batches of this size, the examples reshuffled before every
        epoch as the course's ``random_mini_batches`` does (complete batches,
        then the remainder). Without it, "momentum" and "adam" use the whole set
        as one batch; a size beyond m is m (one batch), as in the course's code.
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
    activation : str, default "relu"
        The hidden layers' activation, one of :data:`fastinit.ACTIVATIONS`
        (the output layer is a sigmoid). ``TrainResult.activation`` records it.
    negative_slope : float, default 0.01
        Leaky ReLU's slope for z < 0 (finite, >= 0).
    track_layers : bool, default False
        Record every layer's weight norm, gradient norm and activation
        statistics at every recorded iteration (or epoch) in
        ``TrainResult.layer_history``: one forward and backward pass over the
        training data per record, which leaves the trained parameters as they
        would be without it.

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
    print_cost = check_bool(print_cost, "print_cost")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    beta, beta1, beta2 = (_check_fraction(value, name) for value, name in
                          ((beta, "beta"), (beta1, "beta1"), (beta2, "beta2")))
    epsilon = check_positive_number(epsilon, "epsilon")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be >= 0 and < 2**64, got {seed}")
    lambd, keep_prob = _check_regularization(lambd, keep_prob, dropout_masks)
    if not (decay is None or isinstance(decay, str)) or decay not in DECAYS:
        raise ValueError(f"decay must be None, 'inverse' or 'scheduled', got {decay!r}")
    decay_rate = check_positive_number(decay_rate, "decay_rate")
    decay_interval = check_positive_int(decay_interval, "decay_interval")
    activation = check_activation(activation, negative_slope)
    track_layers = check_bool(track_layers, "track_layers")
    net, X, Y = _prepare(X, parameters, check_labels_given(Y))
    tracker = _LayerTracker(X, Y, net.n_layers, activation, lambd) if track_layers else None
    layout = net.layout
    theta = net.theta.copy() if net is parameters else net.theta  # never the caller's

    if mini_batch_size is not None or optimizer != "gd" or num_epochs is not None or decay:
        batch = X.shape[1] if mini_batch_size is None else \
            min(check_positive_int(mini_batch_size, "mini_batch_size"), X.shape[1])
        epochs = num_iterations if num_epochs is None else \
            check_positive_int(num_epochs, "num_epochs")
        if not seed < 2**32 - epochs:
            raise ValueError(f"seed must be >= 0 and seed + num_epochs < 2**32, got {seed}")
        if dropout_masks == "fixed" and keep_prob < 1:
            raise ValueError("dropout_masks='fixed' needs full-batch gradient descent (the "
                             "course's dropout model); with mini-batches, optimizers or decay "
                             "leave it None")
        cost_of = _cost_function(layout, X, Y, resolve_threads(n_threads, layout.dims,
                                                                X.shape[1]), lambd, activation)
        recorder = _train_mini_batches(
            layout, theta, X, Y, optimizer, learning_rate, batch, epochs, record_every,
            beta, beta1, beta2, epsilon, int(seed), (decay, decay_rate, decay_interval),
            lambd, keep_prob, activation, print_cost, callback, tracker, cost_of)
        return _result(theta, recorder, epochs)

    masks = None
    if dropout_masks == "fixed" and keep_prob < 1:
        masks = fixed_dropout_masks(layout.dims, X.shape[1], keep_prob)
    parameters_of, offset = layout.unpack, None
    if use_row_space(layout.dims, X.shape[1], num_iterations, lambd):
        space = RowSpace(layout, theta, X, resolve_threads(n_threads, layout.dims, X.shape[1]))
        # Huge finite inputs can overflow X^T X where the plain passes do not.
        if space.is_finite():
            layout, theta, X, offset = space.layout, space.theta, space.gram, space.offset
            parameters_of = space.parameters_of
    n_threads = resolve_threads(n_threads, layout.dims, X.shape[1])
    work_size, n_blocks = _kernels.training_layout(layout.dims, X.shape[1], n_threads)
    check_memory(work_size * X.dtype.itemsize, f"training layers of sizes "
                                               f"{[int(n) for n in layout.dims]}")
    work = np.empty(work_size, dtype=X.dtype)
    block_costs = np.empty(n_blocks)
    line = (lambda start, cost: f"Cost after iteration {start}: {cost}") if print_cost else None
    recorder = _Recorder(parameters_of, theta, learning_rate, activation, line, callback,
                         tracker, _cost_function(layout, X, Y, n_threads, lambd, activation,
                                                 offset))
    check_every = _check_every(layout.dims, X.shape[1])
    pace = np.zeros(4)  # one thread or the team, chunk by chunk (see _kernels.descend)
    for start in range(0, num_iterations, record_every):
        steps = min(record_every, num_iterations - start)
        state = theta.copy()
        cost = _kernels.descend(layout.dims, layout.w_off, layout.b_off, theta, X, Y,
                                work, block_costs, learning_rate, steps, n_threads,
                                lambd, keep_prob, seed, masks, start, offset, *activation,
                                check_every=check_every, pace=pace,
                                stop=current_stop_flag())
        recorder.record(state, start, cost, theta, start + steps)
    return _result(theta, recorder, num_iterations)


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
        ``lambd``, ``keep_prob``, ``dropout_masks``, ``activation``,
        ``negative_slope``, ``track_layers``, ``n_threads`` (the shuffling seed is then
        ``train``'s default, 10, as in the course).

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
