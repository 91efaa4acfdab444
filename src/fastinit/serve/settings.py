"""One explorer request's settings: parsed, checked against the limits, and
written back as an address query and as the Python calls that compute it.

A request is a flat mapping of the names the page's address uses
(``data=circles&seed=3&depth=2&width=10&act=relu&a=he&b=xavier...``) to strings
(from a query string) or JSON values. Every error is a :class:`SettingError`
naming the setting as the page spells it.
"""

import inspect
import math
import numbers
from dataclasses import dataclass, fields
from urllib.parse import urlencode

from ..activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE
from ..initializers import DISTRIBUTIONS, INITIALIZERS, MODES
from ..training import OPTIMIZERS

__all__ = ["MAX_DEPTH", "MAX_ITERATIONS", "MAX_WIDTH", "MAX_WORK", "OPTION_DEFAULTS",
           "OPTION_NAMES", "RECORD_POINTS", "ConfigSettings", "SettingError", "Settings", "check_work",
           "initializer_options", "parse_settings", "python_code", "record_every",
           "training_options"]

#: Hidden layers at most.
MAX_DEPTH = 100
#: Units in a hidden layer at most.
MAX_WIDTH = 256
#: Training iterations (or epochs) at most.
MAX_ITERATIONS = 100_000
#: Iterations x examples x weights, summed over A and B, at most: about ten
#: seconds of training on two cores.
MAX_WORK = 1e11
#: About this many costs are recorded (and streamed) per training.
RECORD_POINTS = 150
#: Characters in one setting's value at most (a query string's or a JSON string).
MAX_VALUE_LENGTH = 200

#: Each initializer's options the page may set: the keyword arguments of its
#: function beyond those the explorer fills in itself.
_FILLED_IN = ("layers_dims", "seed", "dtype", "X", "activation", "negative_slope", "tol",
              "max_iter")
OPTION_DEFAULTS = {
    name: {parameter.name: parameter.default
           for parameter in inspect.signature(function).parameters.values()
           if parameter.name not in _FILLED_IN}
    for name, function in INITIALIZERS.items()}

#: The page's name for each initializer option (prefixed ``a_`` or ``b_``).
OPTION_NAMES = {"scale": "scale", "mode": "mode", "distribution": "dist", "gain": "gain",
                "bias_std": "bias_std"}


class SettingError(ValueError):
    """A setting the explorer refuses.

    Attributes
    ----------
    setting : str or None
        Its name as the page spells it (``"depth"``, ``"a_gain"``); None when
        the request as a whole is at fault.
    """

    def __init__(self, setting, message):
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class ConfigSettings:
    """What configuration A or B sets on its own: the initializer and its options.

    ``mult`` multiplies every drawn weight matrix (not the biases).
    """

    init: str
    mult: float = 1.0
    scale: float = None
    mode: str = "fan_in"
    dist: str = "truncated_normal"
    gain: float = 1.0
    bias_std: float = 0.0


@dataclass(frozen=True)
class Settings:
    """Everything one explorer answer depends on, checked.

    ``hidden`` is the hidden layers' widths: ``depth`` layers of ``width``
    units unless the request gave ``hidden`` itself (``"10,5"``, the course's).
    """

    data: str = "circles"
    seed: int = 3
    depth: int = 2
    width: int = 10
    hidden: tuple = (10, 10)
    act: str = "relu"
    slope: float = DEFAULT_NEGATIVE_SLOPE
    lr: float = 0.01
    iterations: int = 15000
    optimizer: str = "gd"
    batch: int = None
    lambd: float = 0.0
    keep_prob: float = 1.0
    a: ConfigSettings = ConfigSettings("he")
    b: ConfigSettings = ConfigSettings("xavier")

    def configs(self):
        """``{"A": a, "B": b}``."""
        return {"A": self.a, "B": self.b}

    def layers_dims(self, n_features):
        """``[n_features, *hidden, 1]``."""
        return [n_features, *self.hidden, 1]

    def to_query(self):
        """The address query that gives these settings back (only what
        differs from the defaults, in a fixed order)."""
        return urlencode(_flat(self))


def _flat(settings):
    """``settings`` as the page's flat ``name -> str``, defaults left out."""
    default = Settings()
    flat = {}
    for field in fields(Settings):
        value, usual = getattr(settings, field.name), getattr(default, field.name)
        if field.name in ("a", "b"):
            for sub in fields(ConfigSettings):
                name = field.name if sub.name == "init" else f"{field.name}_{sub.name}"
                if getattr(value, sub.name) != getattr(usual, sub.name):
                    flat[name] = _text(getattr(value, sub.name))
        elif field.name == "hidden":
            if value != (settings.width,) * settings.depth:
                flat["hidden"] = ",".join(str(width) for width in value)
        elif value != usual:
            flat[field.name] = _text(value)
    return flat


def _text(value):
    return repr(value) if isinstance(value, float) else str(value)


# ---------------------------------------------------------------------------
# Parsing one value
# ---------------------------------------------------------------------------

def _number(value, name, kind):
    """``value`` (a JSON number or its text) as ``kind`` (int or float), finite."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if kind is int else float(text)
        except ValueError:
            raise SettingError(name, f"{name} must be {'an integer' if kind is int else 'a number'}"
                                     f", got {text!r}") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SettingError(name, f"{name} must be a number, got {type(value).__name__}")
    if kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise SettingError(name, f"{name} must be an integer, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise SettingError(name, f"{name} must be finite, got {value!r}")
        return int(value)
    value = float(value)
    if not math.isfinite(value):
        raise SettingError(name, f"{name} must be finite, got {value!r}")
    return value


def _bounded(value, name, kind, low, high, low_open=False):
    """``value`` as ``kind`` in ``[low, high]`` (``(low, high]`` when ``low_open``)."""
    value = _number(value, name, kind)
    if value > high or value < low or (low_open and value == low):
        bracket = "(" if low_open else "["
        raise SettingError(name, f"{name} must be in {bracket}{low}, {high}], got {value!r}")
    return value


def _choice(value, name, choices):
    if not isinstance(value, str) or value not in choices:
        raise SettingError(name, f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _widths(value, name):
    """``"10,5"`` or ``[10, 5]`` as a tuple of widths within the limits."""
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, (list, tuple)) or not 1 <= len(parts) <= MAX_DEPTH:
        raise SettingError(name, f"{name} must list 1 to {MAX_DEPTH} hidden widths such as "
                                 f"10,5; got {value!r}")
    return tuple(_bounded(part, name, int, 1, MAX_WIDTH) for part in parts)


def _config(given, prefix):
    """Configuration ``prefix`` ("a" or "b") from the flat request."""
    default = getattr(Settings(), prefix)
    init = _choice(given.get(prefix, default.init), prefix, tuple(INITIALIZERS))
    scale_default = OPTION_DEFAULTS[init].get("scale")
    values = {"init": init,
              "mult": _bounded(given.get(f"{prefix}_mult", 1.0), f"{prefix}_mult", float, 0, 100,
                               low_open=True),
              "scale": None if scale_default is None else
              _bounded(given.get(f"{prefix}_scale", scale_default), f"{prefix}_scale", float, 0,
                       1000, low_open=True),
              "mode": _choice(given.get(f"{prefix}_mode", "fan_in"), f"{prefix}_mode",
                              MODES if init == "variance_scaling" else MODES[:2]),
              "dist": _choice(given.get(f"{prefix}_dist", "truncated_normal"), f"{prefix}_dist",
                              DISTRIBUTIONS),
              "gain": _bounded(given.get(f"{prefix}_gain", 1.0), f"{prefix}_gain", float, 0, 100,
                               low_open=True),
              "bias_std": _bounded(given.get(f"{prefix}_bias_std", 0.0), f"{prefix}_bias_std",
                                   float, 0, 10)}
    return ConfigSettings(**values)


def _known_names():
    names = {field.name for field in fields(Settings)}
    for prefix in ("a", "b"):
        names |= {f"{prefix}_{field.name}" for field in fields(ConfigSettings)
                  if field.name != "init"}
    return names


_KNOWN = frozenset(_known_names())


def parse_settings(given, datasets=("circles", "moons")):
    """Check one request's settings.

    Parameters
    ----------
    given : mapping of str to str or JSON value
        The page's names (see :class:`Settings`); any left out take their
        default. A value of ``""`` or None for ``batch`` means full batch.
    datasets : sequence of str
        The data sets this server offers.

    Returns
    -------
    Settings

    Raises
    ------
    SettingError
        Naming the first setting at fault.
    """
    if not hasattr(given, "items"):
        raise SettingError(None, f"settings must be an object of name: value, got "
                                 f"{type(given).__name__}")
    for name, value in given.items():
        if name not in _KNOWN:
            raise SettingError(name, f"unknown setting {str(name)[:40]!r}")
        if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
            raise SettingError(name, f"{name} is longer than {MAX_VALUE_LENGTH} characters")
    default = Settings()
    depth = _bounded(given.get("depth", default.depth), "depth", int, 1, MAX_DEPTH)
    width = _bounded(given.get("width", default.width), "width", int, 1, MAX_WIDTH)
    hidden = (width,) * depth
    if given.get("hidden") not in (None, ""):
        hidden = _widths(given["hidden"], "hidden")
        depth, width = len(hidden), max(hidden)
    batch = given.get("batch")
    settings = Settings(
        data=_choice(given.get("data", default.data), "data", tuple(datasets)),
        seed=_bounded(given.get("seed", default.seed), "seed", int, 0, 2**31 - 1),
        depth=depth, width=width, hidden=hidden,
        act=_choice(given.get("act", default.act), "act", ACTIVATIONS),
        slope=_bounded(given.get("slope", default.slope), "slope", float, 0, 10),
        lr=_bounded(given.get("lr", default.lr), "lr", float, 0, 10, low_open=True),
        iterations=_bounded(given.get("iterations", default.iterations), "iterations", int, 1,
                            MAX_ITERATIONS),
        optimizer=_choice(given.get("optimizer", default.optimizer), "optimizer",
                          tuple(OPTIMIZERS)),
        batch=None if batch in (None, "") else _bounded(batch, "batch", int, 1, 1_000_000),
        lambd=_bounded(given.get("lambd", default.lambd), "lambd", float, 0, 1000),
        keep_prob=_bounded(given.get("keep_prob", default.keep_prob), "keep_prob", float, 0, 1,
                           low_open=True),
        a=_config(given, "a"), b=_config(given, "b"))
    return settings


def check_work(settings, n_features, m):
    """Refuse settings whose training is too much work for one request.

    Parameters
    ----------
    settings : Settings
    n_features, m : int
        The training data's shape.

    Returns
    -------
    float
        The work: iterations x examples x weights, for A and B together.

    Raises
    ------
    SettingError
        Naming ``iterations`` when the work passes :data:`MAX_WORK`.
    """
    dims = settings.layers_dims(n_features)
    weights = sum(dims[l] * dims[l - 1] for l in range(1, len(dims)))
    work = 2.0 * settings.iterations * m * weights
    if work > MAX_WORK:
        raise SettingError("iterations", f"too much work for one request: {settings.iterations} "
                                         f"iterations x {m} examples x {weights} weights x 2 "
                                         f"networks is {work:.3g}, over {MAX_WORK:.3g}; lower "
                                         f"iterations, depth or width")
    return work


# ---------------------------------------------------------------------------
# The calls
# ---------------------------------------------------------------------------

def initializer_options(settings, config):
    """The keyword arguments of ``fi.initialize`` for ``config`` (an initializer
    option only where it differs from the initializer's default), the hidden
    activation's included where the initializer takes it."""
    accepted = OPTION_DEFAULTS[config.init]
    options = {}
    for option, default in accepted.items():
        value = getattr(config, OPTION_NAMES[option])
        if value != default:
            options[option] = value
    if config.init in ("critical", "lsuv"):
        options["activation"] = settings.act
        options["negative_slope"] = settings.slope
    elif settings.act == "leaky_relu" and "negative_slope" in \
            inspect.signature(INITIALIZERS[config.init]).parameters:
        options["negative_slope"] = settings.slope
    return options


def record_every(settings):
    """Iterations between recorded costs: about :data:`RECORD_POINTS` per run."""
    return max(1, -(-settings.iterations // RECORD_POINTS))


def training_options(settings):
    """The keyword arguments of ``fi.train`` beyond the data and parameters."""
    options = {"learning_rate": settings.lr, "num_iterations": settings.iterations,
               "record_every": record_every(settings), "activation": settings.act}
    if settings.act == "leaky_relu":
        options["negative_slope"] = settings.slope
    if settings.optimizer != "gd":
        options["optimizer"] = settings.optimizer
    if settings.batch is not None:
        options["mini_batch_size"] = settings.batch
    if settings.lambd:
        options["lambd"] = settings.lambd
    if settings.keep_prob != 1:
        options["keep_prob"] = settings.keep_prob
    return options


class _Source(str):
    """Python source that a generated call writes as it is, not as a string."""

    def __repr__(self):
        return str(self)


def _call(function, positional, keywords):
    arguments = list(positional) + [f"{key}={value!r}" for key, value in keywords.items()]
    return f"{function}({', '.join(arguments)})"


def python_code(settings, data_lines=None):
    """The ``fi.initialize`` / ``fi.train`` calls that compute A and B.

    Parameters
    ----------
    settings : Settings
    data_lines : list of str, optional
        Python that sets ``train_X, train_Y`` for a data set that is not built
        in (a file's); by default ``fi.datasets.load_dataset(data)``.

    Returns
    -------
    str
        A script leaving ``results = {"A": TrainResult, "B": TrainResult}``.
    """
    if data_lines is None:
        data_lines = [f"train_X, train_Y = fi.datasets.load_dataset({settings.data!r})[:2]"]
    lines = ["import fastinit as fi", "", *data_lines,
             f"layers_dims = [train_X.shape[0], {', '.join(map(str, settings.hidden))}, 1]",
             "results = {}"]
    for label, config in settings.configs().items():
        options = initializer_options(settings, config)
        if config.init == "lsuv":
            options = {"X": _Source("train_X"), **options}
        call = _call("fi.initialize", ["layers_dims", repr(config.init)],
                     {"seed": settings.seed, **options})
        lines.append(f"parameters = {call}")
        if config.mult != 1:
            lines.append(f"parameters = {{key: value * {config.mult!r} if key.startswith('W') "
                         f"else value for key, value in parameters.items()}}")
        lines.append(f"results[{label!r}] = " +
                     _call("fi.train", ["train_X", "train_Y", "parameters"],
                           training_options(settings)))
    lines.append('print(results["A"].final_cost, results["B"].final_cost)')
    return "\n".join(lines) + "\n"
