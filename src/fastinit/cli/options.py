"""The options of the ``fastinit`` commands: what they accept and how they are shared.

The argparse option types (each turns an option's text into its value or
raises ``argparse.ArgumentTypeError`` with what was expected), the options
that several commands add alike (:func:`_add_training_options`,
:func:`_add_verbosity_options`), and what the commands make of them when they
run (:func:`_training_options`, :func:`_label_column`, :func:`_output_folder`).
A problem with what the user asked for is a :class:`UsageError`.
"""

import argparse
import math
import os

import numpy as np

from ..activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE
from ..initializers import INITIALIZERS
from ..training import OPTIMIZERS


class UsageError(Exception):
    """A problem with what the user asked for: reported in one line, exit code 2."""


# ---------------------------------------------------------------------------
# Option types
# ---------------------------------------------------------------------------

def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _number_option(parse_error, range_error, accept):
    """An argparse type: a float for which ``accept(value)`` holds; the errors
    say "expected <parse_error>" (not a number) or "expected <range_error>"."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {parse_error}, got {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"expected {range_error}, got {text!r}")
        return value
    return parse


_positive_float = _number_option("a positive number", "a finite positive number",
                                 lambda value: math.isfinite(value) and value > 0)
_non_negative_float = _number_option("a number >= 0", "a finite number >= 0",
                                     lambda value: math.isfinite(value) and value >= 0)
_probability = _number_option("a number in (0, 1]", "a number in (0, 1]",
                              lambda value: 0 < value <= 1)


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected a seed between 0 and 2**32 - 1, got {text}")
    return value


def _positive_list(what, example):
    """An argparse type: ``"2,5,10"`` -> ``[2, 5, 10]``, each >= 1; the errors call
    the values ``what`` and show ``example``."""
    def parse(text):
        try:
            values = [int(part) for part in text.split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated {what} such as {example}, got {text!r}") from None
        if any(value < 1 for value in values):
            raise argparse.ArgumentTypeError(f"{what} must be >= 1, got {text!r}")
        return values
    return parse


_depth_list = _positive_list("depths", "2,5,10")
_width_list = _positive_list("widths", "10,20")
_layer_sizes = _positive_list("layer sizes", "10,5")


def _hidden_layers(text):
    """``"10,5"`` -> ``(10, 5)``; ``""`` means no hidden layer."""
    return tuple(_layer_sizes(text)) if text.strip() else ()


def _seed_list(text):
    """Seeds as a list ``"1,5,9"``, a range ``"0-4"`` (both ends included), or both
    (``"0-4,10"``)."""
    seeds = []
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        try:
            low, high = int(first), int(last) if dash else int(first)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected seeds such as 0-4 or 1,5,9, got {text!r}") from None
        if not 0 <= low <= high < 2**32:
            raise argparse.ArgumentTypeError(
                f"expected seeds between 0 and 2**32 - 1, ranges low-high, got {text!r}")
        if high - low >= 100_000:
            raise argparse.ArgumentTypeError(f"at most 100000 seeds in a range, got {text!r}")
        seeds.extend(range(low, high + 1))
    return seeds


def _dask_address(text):
    """``--dask``: "local" or a scheduler's address; never empty (an empty
    address must not quietly mean "no Dask")."""
    text = text.strip()
    if not text:
        raise argparse.ArgumentTypeError("expected 'local' or a scheduler address such as "
                                         "tcp://host:8786, got ''")
    return text


def _sigma_w2_list(text):
    """``--sigma-w2``: ``"1,1.5,2"``, or ``"1:4:16"`` for 16 values from 1 to 4
    (both included, rounded to 12 significant digits so that 1:4:16 gives 1.2,
    not 1.2000000000000002)."""
    from ..theory import MAX_VARIANCE

    example = "1,1.5,2 or 1:4:16"
    parts = text.split(":")
    try:
        if len(parts) == 3:
            low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
            if not (math.isfinite(low) and math.isfinite(high)):
                raise ValueError
            if not (1 <= count <= 10_000 and low <= high):
                raise argparse.ArgumentTypeError(
                    f"expected start:stop:count with start <= stop and 1 <= count <= 10000, "
                    f"got {text!r}")
            values = [float(f"{value:.12g}") for value in np.linspace(low, high, count)]
        elif len(parts) == 1:
            values = [float(part) for part in text.split(",")]
        else:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected weight variances such as {example}, got "
                                         f"{text!r}") from None
    if not all(0 < value <= MAX_VARIANCE for value in values):
        raise argparse.ArgumentTypeError(f"expected weight variances in (0, {MAX_VARIANCE:g}], "
                                         f"got {text!r}")
    twice = next((value for i, value in enumerate(values) if value in values[:i]), None)
    if twice is not None:
        raise argparse.ArgumentTypeError(f"{twice!r} is given twice in {text!r}; give each "
                                         f"weight variance once")
    return values


_phase_threshold = _number_option("a number in [0, 1]", "a number in [0, 1]",
                                  lambda value: 0 <= value <= 1)


def _activation_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ACTIVATIONS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"expected activations among {', '.join(ACTIVATIONS)}, got {text!r}")
    return names


def _initializer(text):
    if text not in INITIALIZERS:
        raise argparse.ArgumentTypeError(
            f"unknown initializer {text!r}; choose from: {', '.join(sorted(INITIALIZERS))}")
    return text


def _initializers(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected at least one initializer name")
    return [_initializer(name) for name in names]


_bias_variance = _number_option("a number in [0, 1e6]", "a number in [0, 1e6]",
                                lambda value: 0 <= value <= 1e6)


def _theory_width(text):
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected an integer >= 2 (two inputs of that many "
                                         f"features), got {text!r}")
    return value


def _theory_depth(text):
    from ..theory import MAX_DEPTH

    value = _positive_int(text)
    if value > MAX_DEPTH:
        raise argparse.ArgumentTypeError(f"expected a positive integer of at most {MAX_DEPTH} "
                                         f"(the theory's trajectories), got {text!r}")
    return value


# ---------------------------------------------------------------------------
# Options shared by several commands
# ---------------------------------------------------------------------------

def _add_training_options(parser, iterations=15000, learning_rate=0.01):
    """The options of :func:`fastinit.train` shared by ``compare`` and ``train``;
    ``None`` defaults are the experiment's own."""
    parser.add_argument("--iterations", type=_positive_int, default=iterations,
                        help="iterations, or epochs with mini-batches or an optimizer "
                             "(default: 15000; optimizers: 10000 epochs)")
    parser.add_argument("--learning-rate", type=_positive_float, default=learning_rate,
                        help="learning rate (default: 0.01; optimizers: 0.0007)")
    parser.add_argument("--seed", type=_seed, default=3,
                        help="initializer seed (default: 3, the notebook's)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="computation dtype (default: float64)")
    parser.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default=None,
                        help="gd, momentum or adam (default: gd, full batch)")
    parser.add_argument("--mini-batch", type=_positive_int, default=None,
                        help="mini-batch size, reshuffled every epoch (default: the whole set; "
                             "optimizers: 64)")
    parser.add_argument("--lambd", type=_non_negative_float, default=0.0,
                        help="L2 regularization strength (default: 0, none)")
    parser.add_argument("--keep-prob", type=_probability, default=1.0,
                        help="dropout: probability of keeping a hidden unit (default: 1, none)")
    parser.add_argument("--activation", choices=ACTIVATIONS, default="relu",
                        help="the hidden layers' activation (default: relu)")
    parser.add_argument("--negative-slope", type=_non_negative_float,
                        default=DEFAULT_NEGATIVE_SLOPE,
                        help="leaky_relu's slope for z < 0 (default: 0.01)")


def _add_verbosity_options(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quiet", action="store_true", help="no progress output")
    group.add_argument("--verbose", action="store_true",
                       help="also print the cost every 1000 iterations (on stderr)")


# ---------------------------------------------------------------------------
# What the commands make of the options
# ---------------------------------------------------------------------------

def _counts_epochs(options):
    """Whether :func:`fastinit.train` runs epochs with these options (mini-batches
    or an optimizer other than plain gradient descent)."""
    return "mini_batch_size" in options or options.get("optimizer", "gd") != "gd"


def _training_options(args):
    """The :func:`fastinit.train` keywords that the command line set."""
    options = {"lambd": args.lambd, "keep_prob": args.keep_prob,
               "activation": args.activation, "negative_slope": args.negative_slope}
    if args.optimizer is not None:
        options["optimizer"] = args.optimizer
    if args.mini_batch is not None:
        options["mini_batch_size"] = args.mini_batch
    return options


def _label_column(text):
    if text is None:
        return None
    return int(text) if text.lstrip("-").isdigit() else text


def _output_folder(path):
    """Create ``--out`` (a folder) before any work, or say in one line why not."""
    if not path:
        raise UsageError("--out must name a folder, got ''")
    if os.path.lexists(path) and not os.path.isdir(path):
        raise UsageError(f"--out {path!r} exists and is not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {path!r}: cannot create the folder: "
                         f"{error.strerror or error}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(f"--out {path!r}: the folder is not writable")
