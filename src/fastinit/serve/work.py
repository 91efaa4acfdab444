"""One explorer answer, computed from checked settings without any web
framework: A and B trained (their costs streamed as they come), their
decision boundaries, the signal at initialization against the mean-field
theory, and the phase map. Every function returns plain dicts and lists that
:func:`json_ready` makes safe for strict JSON.
"""

import concurrent.futures
import functools
import math

import numpy as np

from ..datasets import load_dataset
from ..initializers import bias_variances, initialize, weight_variances
from ..network import Network, accuracy, predict_proba
from ..phase import XI_MULTIPLES, phase_theory
from ..propagation import layer_statistics, mean_field
from ..activations import check_activation
from ..stopping import StopToken, stopping_with
from ..training import DivergenceError, train
from .settings import check_work, initializer_options, training_options

__all__ = ["BOUNDARY_POINTS", "Cancelled", "Data", "PHASE_POINTS", "SIGNAL_SEEDS", "boundary",
           "compute", "initial_parameters", "json_ready", "load_data", "phase_map", "sigma_w2",
           "signal", "train_config"]

#: Seeds the signal at initialization is measured over (the settings' seed and the next ones).
SIGNAL_SEEDS = 8
#: The decision boundary's grid is this many points a side.
BOUNDARY_POINTS = 64
#: sigma_w^2 values the phase map's theory is drawn at, from PHASE_RANGE[0] to PHASE_RANGE[1].
PHASE_POINTS = 80
PHASE_RANGE = (0.1, 10.0)


class Cancelled(Exception):
    """The answer was cancelled (its :class:`~fastinit.stopping.StopToken` set)."""


class Data:
    """A training set and an optional test set, in the course's layout, held
    as C-contiguous float64 (what the compiled passes read without a copy).

    Parameters
    ----------
    train_X, train_Y : array_like
    test_X, test_Y : array_like or None
    """

    def __init__(self, train_X, train_Y, test_X=None, test_Y=None):
        self.train_X, self.train_Y, self.test_X, self.test_Y = (
            None if array is None else np.ascontiguousarray(array, dtype=np.float64)
            for array in (train_X, train_Y, test_X, test_Y))

    @property
    def n_features(self):
        return self.train_X.shape[0]

    @property
    def m(self):
        return self.train_X.shape[1]


@functools.lru_cache(maxsize=None)
def _builtin(name):
    return Data(*load_dataset(name))


def load_data(name, files=None):
    """The data set called ``name``: a built-in one (loaded once) or one of ``files``.

    Parameters
    ----------
    name : str
    files : dict of str to Data, optional
        Data sets read by the server (``"file"``: ``serve --data``).

    Returns
    -------
    Data
    """
    if files and name in files:
        return files[name]
    return _builtin(name)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------

def json_ready(value):
    """``value`` with NumPy numbers and arrays as Python ones and non-finite
    floats spelt out: NaN as None, infinities as ``"inf"`` and ``"-inf"``."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_ready(item) for item in value]
    if isinstance(value, (np.floating, float)):
        value = float(value)
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


# ---------------------------------------------------------------------------
# The parts of an answer
# ---------------------------------------------------------------------------

def initial_parameters(settings, config, data, seed=None):
    """``config``'s parameters at initialization, its ``mult`` applied to the weights."""
    options = initializer_options(settings, config)
    if config.init == "lsuv":
        options["X"] = data.train_X
    dims = settings.layers_dims(data.n_features)
    parameters = initialize(dims, config.init, seed=settings.seed if seed is None else seed,
                            **options)
    if config.mult != 1:
        parameters = {key: value * config.mult if key.startswith("W") else value
                      for key, value in parameters.items()}
    return parameters


def train_config(settings, config, data, on_costs=None):
    """Train ``config`` as ``python_code(settings)`` does.

    Parameters
    ----------
    settings : Settings
    config : ConfigSettings
    data : Data
    on_costs : callable, optional
        ``on_costs(iteration, cost)`` at every recorded cost, in the training thread.

    Returns
    -------
    dict
        ``iterations``, ``costs``, ``final_cost``, ``train_accuracy``,
        ``test_accuracy`` (None without a test set), ``diverged``; and, for the
        boundary, ``parameters`` (arrays; :func:`compute` drops them).
    """
    parameters = initial_parameters(settings, config, data)
    try:
        result = train(data.train_X, data.train_Y, parameters, callback=on_costs,
                       **training_options(settings))
        diverged = False
    except DivergenceError as error:
        result, diverged = error.result, True
    hidden = {"activation": settings.act, "negative_slope": settings.slope}
    test = None if data.test_X is None else \
        accuracy(data.test_X, data.test_Y, result.parameters, **hidden)
    return {"iterations": list(result.iterations), "costs": list(result.costs),
            "final_cost": result.final_cost, "diverged": diverged,
            "train_accuracy": accuracy(data.train_X, data.train_Y, result.parameters, **hidden),
            "test_accuracy": test, "parameters": result.parameters}


def boundary(settings, parameters, data):
    """The predicted probability of class 1 on a grid over the data's two
    features (None for data with more than two).

    Returns
    -------
    dict or None
        ``x`` and ``y`` (the grid's coordinates, ``BOUNDARY_POINTS`` each) and
        ``p`` (rows along ``y``, each along ``x``), probabilities rounded to 4 digits.
    """
    if data.n_features != 2:
        return None
    X = data.train_X
    axes = [np.linspace(X[i].min() - 0.5, X[i].max() + 0.5, BOUNDARY_POINTS) for i in (0, 1)]
    xx, yy = np.meshgrid(*axes)
    grid = np.vstack([xx.ravel(), yy.ravel()])
    p = predict_proba(grid, parameters, activation=settings.act, negative_slope=settings.slope)
    p = np.round(p.reshape(BOUNDARY_POINTS, BOUNDARY_POINTS), 4)
    return {"x": axes[0].tolist(), "y": axes[1].tolist(), "p": p.tolist()}


def _band(values):
    """Per layer: mean, min and max over seeds (rows), NaN-aware."""
    values = np.asarray(values, dtype=float)
    if np.isnan(values).all():
        nan = [math.nan] * values.shape[1]
        return {"mean": nan, "low": nan, "high": nan}
    return {"mean": values.mean(axis=0).tolist(), "low": values.min(axis=0).tolist(),
            "high": values.max(axis=0).tolist()}


def sigma_w2(settings, config, data):
    """The theory's ``sigma_w^2`` of ``config``'s hidden-to-hidden weights
    (``fan_in * Var(W)``, ``mult**2`` included; of the first layer when there is
    one hidden layer); measured on the seed's draw for ``lsuv``."""
    dims = settings.layers_dims(data.n_features)
    layer = 1 if len(dims) > 3 else 0
    variances = weight_variances(dims, config.init, **initializer_options(settings, config))
    if variances is None:
        W = initial_parameters(settings, config, data)[f"W{layer + 1}"]
        return float(W.shape[1] * np.mean(np.square(W)))
    return float(dims[layer] * variances[layer] * config.mult ** 2)


def signal(settings, config, data):
    """The signal at initialization over :data:`SIGNAL_SEEDS` seeds, per layer,
    with the mean-field theory.

    Returns
    -------
    dict
        ``second_moment`` (E[z^2] forward), ``grad_norm`` (||dW|| backward),
        ``dead_fraction`` and ``saturated_fraction``, each ``{"mean", "low",
        "high"}`` over seeds; ``theory_second_moment`` and ``theory_chi`` (one
        value per layer; NaN where the theory has none).
    """
    hidden = check_activation(settings.act, settings.slope)
    per_seed = []
    for seed in range(settings.seed, settings.seed + SIGNAL_SEEDS):
        parameters = initial_parameters(settings, config, data, seed=seed)
        per_seed.append(layer_statistics(Network(parameters), data.train_X, data.train_Y,
                                         hidden))
    dims = settings.layers_dims(data.n_features)
    options = initializer_options(settings, config)
    variances = weight_variances(dims, config.init, **options)
    if variances is not None:
        variances = variances * config.mult ** 2
    q, chi = mean_field(dims, variances, data.train_X, settings.act, settings.slope,
                        bias_variances(dims, config.init, **options))
    stats = {name: _band([seed[key] for seed in per_seed])
             for name, key in (("second_moment", "pre_activation_second_moment"),
                               ("grad_norm", "weight_grad_norm"),
                               ("dead_fraction", "dead_fraction"),
                               ("saturated_fraction", "saturated_fraction"))}
    return {**stats, "theory_second_moment": q.tolist(), "theory_chi": chi.tolist()}


@functools.lru_cache(maxsize=256)
def _phase_curves(activation, slope, sigma_b2):
    """The critical sigma_w^2 and xi_c at each of the phase map's sigma_w^2 values."""
    values = np.geomspace(*PHASE_RANGE, PHASE_POINTS).tolist()
    curves = phase_theory(values, sigma_b2, activation, slope)
    return values, curves["critical_sigma_w2"], curves["xi_c"]


def phase_map(settings, data):
    """The phase map's theory (per configuration's sigma_b^2) with A and B marked.

    Returns
    -------
    dict
        ``sigma_w2`` (the x values), ``xi_multiples`` and, for ``"A"`` and ``"B"``:
        ``sigma_b2``, ``critical_sigma_w2``, ``xi_c`` (one per x value; depth
        curves are ``k * xi_c``), and the marker ``at`` = ``{"sigma_w2", "depth"}``.
    """
    answer = {"xi_multiples": list(XI_MULTIPLES)}
    for label, config in settings.configs().items():
        sigma_b2 = config.bias_std ** 2
        values, critical, xi_c = _phase_curves(settings.act, settings.slope, sigma_b2)
        answer["sigma_w2"] = values
        answer[label] = {"sigma_b2": sigma_b2, "critical_sigma_w2": critical, "xi_c": xi_c,
                         "at": {"sigma_w2": sigma_w2(settings, config, data),
                                "depth": settings.depth}}
    return answer


def _points(data):
    """The training points of two-feature data, for the boundary panels."""
    if data.n_features != 2:
        return None
    return {"x": data.train_X[0].tolist(), "y": data.train_X[1].tolist(),
            "label": data.train_Y[0].astype(int).tolist()}


# ---------------------------------------------------------------------------
# One whole answer
# ---------------------------------------------------------------------------

def _stoppable(token, function, *args):
    """``function(*args)`` stopped by ``token``; :class:`Cancelled` when it was."""
    with stopping_with(token):
        if token.is_set():
            raise Cancelled()
        try:
            return function(*args)
        except KeyboardInterrupt:
            if token.is_set():
                raise Cancelled() from None
            raise


def compute(settings, data, on_costs=None, token=None):
    """One explorer answer: A and B trained side by side, then the panels' data.

    Parameters
    ----------
    settings : Settings
    data : Data
    on_costs : callable, optional
        ``on_costs(label, iteration, cost)`` at every recorded cost of A
        (``label`` "A") and B, from the training threads.
    token : StopToken, optional
        Setting it cancels the answer: the trainings stop at their next check.

    Returns
    -------
    dict
        ``"A"`` and ``"B"`` (see :func:`train_config`, with ``boundary`` and
        ``signal`` added and the parameters dropped), ``"points"`` and ``"phase"``.
        Not yet :func:`json_ready`.

    Raises
    ------
    Cancelled
        When ``token`` was set before the answer was complete.
    SettingError
        When the training is more work than :data:`~.settings.MAX_WORK`.
    """
    check_work(settings, data.n_features, data.m)
    token = StopToken() if token is None else token

    def run(label, config):
        callback = None if on_costs is None else \
            (lambda iteration, cost: on_costs(label, iteration, cost))
        return _stoppable(token, train_config, settings, config, data, callback)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = {label: pool.submit(run, label, config)
                   for label, config in settings.configs().items()}
        try:
            trained = {label: future.result() for label, future in futures.items()}
        except BaseException:
            token.set()
            raise
    answer = {}
    for label, config in settings.configs().items():
        result = dict(trained[label])
        parameters = result.pop("parameters")
        result["boundary"] = _stoppable(token, boundary, settings, parameters, data)
        result["signal"] = _stoppable(token, signal, settings, config, data)
        answer[label] = result
    answer["points"] = _points(data)
    answer["phase"] = _stoppable(token, phase_map, settings, data)
    return answer
