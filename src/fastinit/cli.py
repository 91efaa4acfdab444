"""The ``fastinit`` command: ``compare``, ``train``, ``predict`` and ``sweep``.

Bad options and bad data end with exit code 2 and one line on stderr saying
what is wrong; Ctrl-C ends with exit code 130. Figures are written with
matplotlib's non-interactive Agg backend.
"""

import argparse
import contextlib
import csv
import io
import json
import logging
import math
import os
import signal
import sys
import time
import warnings

import numpy as np

from . import __version__
from .activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE
from .datasets import DATASETS
from .depth import DEPTH_DEFAULTS
from .initializers import INITIALIZERS
from .storage import atomic_write
from .threads import available_cores
from .training import OPTIMIZERS

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A problem with what the user asked for: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


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
    from .theory import MAX_VARIANCE

    example = "1,1.5,2 or 1:4:16"
    parts = text.split(":")
    try:
        if len(parts) == 3:
            low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
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


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------

def build_parser():
    parser = _Parser(
        prog="fastinit",
        description="Train small fully-connected networks and compare weight initializers.",
    )
    parser.add_argument("--version", action="version", version=f"fastinit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    compare = commands.add_parser(
        "compare",
        help="train one network per initializer (or optimizer) and compare them",
        description=(
            "Train the same network once per initializer on a built-in data set, print a "
            "comparison table and write costs.png, boundaries.png, activations.png, "
            "signal.png, layer_history.png and results.json to --out. With no options this is the course notebook: "
            "layers 2-10-5-1, learning rate 0.01, 15000 iterations, zeros/random/he. "
            "The comment column says what each run's results show: 'diverged', 'failed to "
            "break symmetry' (every hidden layer's units ended identical) or 'did not train' "
            "(train accuracy within 0.02 of always guessing the commoner label, or a cost "
            "that did not fall); it is empty otherwise. "
            "With --experiment optimizers it is the optimization notebook instead: gd, "
            "momentum and Adam on moons, layers 2-5-2-1, He initialization, learning rate "
            "0.0007, mini-batches of 64, 10000 epochs (costs.png, boundaries.png, "
            "results.json). With --experiment depth it is He et al.'s depth study in small: "
            "hidden layers of 20 units, depths 2, 5, 10, 20, 30, initializers he, xavier, "
            "glorot and random_small, seeds 0-4, circles, learning rate 0.01, 2000 "
            "iterations; it prints mean +- std of the accuracies and writes depth.png and "
            "results.json (--activation tanh: the same study for tanh)."
        ),
    )
    compare.add_argument("--experiment", choices=tuple(EXPERIMENTS), default="initializers",
                         help="what to compare (default: initializers)")
    compare.add_argument("--inits", type=_initializers, default=None,
                         help="comma-separated initializers (default: zeros,random,he)")
    compare.add_argument("--layers", type=_hidden_layers, default=None,
                         help="comma-separated hidden layer sizes (default: 10,5; "
                              "optimizers: 5,2)")
    compare.add_argument("--dataset", choices=DATASETS, default=None,
                         help="built-in data set (default: circles, the notebook's; "
                              "optimizers: moons)")
    compare.add_argument("--depths", type=_depth_list, default=None,
                         help="depth experiment: numbers of hidden layers (default: "
                              "2,5,10,20,30)")
    compare.add_argument("--width", type=_positive_int, default=None,
                         help="depth experiment: units per hidden layer (default: 20)")
    compare.add_argument("--seeds", type=_seed_list, default=None,
                         help="depth experiment: initializer seeds, e.g. 0-4 or 1,5,9 "
                              "(default: 0-4)")
    _add_training_options(compare, iterations=None, learning_rate=None)
    compare.add_argument("--out", default="fastinit-out",
                         help="folder for figures and results.json (default: ./fastinit-out)")
    compare.add_argument("--no-plots", action="store_true", help="write results.json only")
    compare.add_argument("--format", choices=("table", "json", "csv"), default="table",
                         help="what is printed on stdout (default: table)")
    _add_verbosity_options(compare)

    train = commands.add_parser(
        "train",
        help="train a network on your own data",
        description=(
            "Train on your data. Files hold one example per row, as people store them: "
            ".npz with an array X of shape (m, n_features) and labels Y of shape (m,); "
            ".csv with comma-separated numbers, an optional header row, and the label in "
            "the last column (or --label-column). The labels may be any two distinct values "
            "(0/1, -1/1, 2/7, cat/dog, True/False): they are mapped to 0 and 1 in sorted "
            "order (numbers by value, text alphabetically, False before True); the mapping "
            "is printed and saved with --save, and predict answers in the same labels."
        ),
    )
    train.add_argument("--data", required=True, help=".npz or .csv file of training examples")
    train.add_argument("--label-column", default=None,
                       help="CSV label column, by index or header name (default: last)")
    train.add_argument("--layers", type=_hidden_layers, default=(10, 5),
                       help="comma-separated hidden layer sizes (default: 10,5)")
    train.add_argument("--init", type=_initializer, default="he",
                       help="initializer (default: he)")
    _add_training_options(train)
    train.add_argument("--save", default=None, help="write the trained parameters to this .npz")
    _add_verbosity_options(train)

    sweep = commands.add_parser(
        "sweep",
        help="train a grid of networks (initializers x activations x depths x widths x seeds)",
        description=(
            "Train one network per cell of the grid --inits x --activations x --depths x "
            "--width(s) x --seeds on a built-in data set, each exactly as fi.train with one "
            "thread, on a thread pool (--workers), a local Dask cluster (--dask local) or an "
            "existing one (--dask tcp://host:8786). Writes runs.csv (a row per run, saved as "
            "it finishes), summary.csv, summary.png and sweep.json to --out; --resume "
            "continues a sweep that was stopped."
        ),
    )
    sweep.add_argument("--inits", type=_initializers, default=["he", "xavier"],
                       help="comma-separated initializers (default: he,xavier)")
    sweep.add_argument("--activations", type=_activation_list, default=["relu"],
                       help="comma-separated hidden activations (default: relu)")
    sweep.add_argument("--depths", type=_depth_list, default=[2],
                       help="comma-separated numbers of hidden layers (default: 2)")
    widths = sweep.add_mutually_exclusive_group()
    widths.add_argument("--width", type=_positive_int, default=None,
                        help="units per hidden layer (default: 10)")
    widths.add_argument("--widths", type=_width_list, default=None,
                        help="several widths, comma-separated")
    sweep.add_argument("--seeds", type=_seed_list, default=list(range(10)),
                       help="initializer seeds, e.g. 0-99 or 1,5,9 (default: 0-9)")
    sweep.add_argument("--dataset", choices=DATASETS, default="circles",
                       help="built-in data set (default: circles)")
    sweep.add_argument("--iterations", type=_positive_int, default=2000,
                       help="iterations, or epochs with mini-batches or an optimizer "
                            "(default: 2000)")
    sweep.add_argument("--learning-rate", type=_positive_float, default=0.01,
                       help="learning rate (default: 0.01)")
    sweep.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="gd",
                       help="gd, momentum or adam (default: gd, full batch)")
    sweep.add_argument("--mini-batch", type=_positive_int, default=None,
                       help="mini-batch size (default: the whole set)")
    sweep.add_argument("--lambd", type=_non_negative_float, default=0.0,
                       help="L2 regularization strength (default: 0)")
    sweep.add_argument("--keep-prob", type=_probability, default=1.0,
                       help="dropout: probability of keeping a hidden unit (default: 1)")
    sweep.add_argument("--out", default="fastinit-sweep",
                       help="folder for runs.csv, summary.csv, summary.png and sweep.json "
                            "(default: ./fastinit-sweep)")
    sweep.add_argument("--workers", type=_positive_int, default=None,
                       help="runs at once on this machine (default: the cores available)")
    sweep.add_argument("--dask", type=_dask_address, default=None, metavar="ADDRESS",
                       help="run on the Dask scheduler at ADDRESS (tcp://host:8786), or "
                            "'local' for a LocalCluster of --workers processes")
    sweep.add_argument("--resume", action="store_true",
                       help="keep the runs already in --out and run the others")
    sweep.add_argument("--quiet", action="store_true", help="no progress output")

    predict = commands.add_parser(
        "predict",
        help="predict with saved parameters",
        description=(
            "Print one prediction per example (row) of --data, in the labels the network "
            "was trained on (saved with it by 'fastinit train --save'; 0/1 otherwise). If "
            "the file also holds labels (an .npz with Y, or a CSV with one column more than "
            "the network's inputs), the accuracy is printed on stderr. With --proba the "
            "probabilities are of the label that sorts last (1, or e.g. dog of cat/dog)."
        ),
    )
    predict.add_argument("--params", required=True, help=".npz written by 'fastinit train --save'")
    predict.add_argument("--data", required=True, help=".npz or .csv file of examples")
    predict.add_argument("--label-column", default=None,
                         help="CSV label column, by index or header name (default: last)")
    predict.add_argument("--proba", action="store_true",
                         help="print probabilities instead of 0/1 predictions")

    theory = commands.add_parser(
        "theory",
        help="the edge of chaos: mean-field theory against measured random networks",
        description=(
            "The edge of chaos (Poole et al. 2016, Schoenholz et al. 2017, Pennington et al. "
            "2017) for one activation and bias variance sigma_b2: the critical sigma_w2 "
            "(chi_1 = 1), the fixed points q* and c*, the depth scales xi_q and xi_c, and "
            "random networks of --depth hidden layers of --width units (N(0, sigma_w2/fan-in) "
            "weights, N(0, sigma_b2) biases, one per seed) measured against them. Prints a "
            "table and writes edge_phase.png (c* over sigma_w2 x sigma_b2 and the critical "
            "line), edge_depth.png (q^l and c^l of two inputs in an ordered, the critical and "
            "a chaotic network), edge_depth_scales.png (xi_q and xi_c against sigma_w2, xi_c "
            "fitted to measurements), edge_jacobian.png (the input-output Jacobian's squared "
            "singular values at criticality, Gaussian against orthogonal weights) and "
            "theory.json (settings, version, every number) to --out."
        ),
    )
    theory.add_argument("--activation", choices=ACTIVATIONS, default="tanh",
                        help="the hidden layers' activation (default: tanh)")
    theory.add_argument("--negative-slope", type=_non_negative_float,
                        default=DEFAULT_NEGATIVE_SLOPE,
                        help="leaky_relu's slope for z < 0 (default: 0.01)")
    theory.add_argument("--bias-variance", type=_bias_variance, default=0.05, metavar="SIGMA_B2",
                        help="the biases' variance sigma_b2, in [0, 1e6] (default: 0.05)")
    theory.add_argument("--width", type=_theory_width, default=200,
                        help="units of every layer of the measured networks, at least 2 "
                             "(default: 200)")
    theory.add_argument("--depth", type=_theory_depth, default=30,
                        help="hidden layers of the measured networks (default: 30)")
    theory.add_argument("--seeds", type=_seed_list, default=list(range(10)),
                        help="one network per seed at every point, e.g. 0-9 or 1,5,9 "
                             "(default: 0-9)")
    theory.add_argument("--out", default="fastinit-out",
                        help="folder for the figures and theory.json (default: ./fastinit-out)")
    theory.add_argument("--no-plots", action="store_true", help="write theory.json only")
    theory.add_argument("--format", choices=("table", "json"), default="table",
                        help="what is printed on stdout: the table, or its numbers as JSON "
                             "(default: table)")
    theory.add_argument("--quiet", action="store_true", help="no progress output")
    _add_phase_parser(commands)
    return parser


def _add_phase_parser(commands):
    from .phase import DEFAULT_DEPTHS, DEFAULT_SIGMA_W2, DEFAULT_THRESHOLD

    phase = commands.add_parser(
        "phase",
        help="which depths train at which weight variance: the trainability phase diagram",
        description=(
            "The trainability phase diagram of Schoenholz et al. 2017: one network per "
            "weight variance (--sigma-w2) x depth (--depths) x seed, weights N(0, sigma_w2 / "
            "fan_in) and biases N(0, --sigma-b2), trained with mini-batch SGD on a built-in "
            "data set (default: scikit-learn's digits, even against odd), on a thread pool "
            "(--workers) or a Dask cluster (--dask). Writes runs.csv (a row per run, saved as "
            "it finishes), phase.csv (a row per sigma_w2 and depth), phase.png (training and "
            "test accuracy with the theory's xi_c, 3 xi_c and 6 xi_c drawn over them) and "
            "phase.json (grid, settings, version, theory) to --out; --resume continues a "
            "diagram that was stopped. A cell trained when its mean training accuracy is "
            "at least --threshold."
        ),
    )
    phase.add_argument("--sigma-w2", type=_sigma_w2_list, default=list(DEFAULT_SIGMA_W2),
                       metavar="VALUES",
                       help="weight variances, comma-separated or a range start:stop:count "
                            "(default: 1:4:16, i.e. 1.0, 1.2, ..., 4.0)")
    phase.add_argument("--depths", type=_depth_list, default=list(DEFAULT_DEPTHS),
                       help="comma-separated numbers of hidden layers (default: "
                            f"{','.join(map(str, DEFAULT_DEPTHS))})")
    phase.add_argument("--seeds", type=_seed_list, default=[0, 1],
                       help="initializer seeds, e.g. 0-4 or 1,5,9 (default: 0-1)")
    phase.add_argument("--sigma-b2", type=_bias_variance, default=0.05,
                       help="the biases' variance (default: 0.05)")
    phase.add_argument("--width", type=_positive_int, default=48,
                       help="units per hidden layer (default: 48)")
    phase.add_argument("--activation", choices=ACTIVATIONS, default="tanh",
                       help="hidden activation (default: tanh)")
    phase.add_argument("--negative-slope", type=_non_negative_float, default=0.01,
                       help="leaky_relu's slope for negative inputs (default: 0.01)")
    phase.add_argument("--dataset", choices=DATASETS, default="digits",
                       help="built-in data set (default: digits, which needs scikit-learn)")
    phase.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="gd",
                       help="gd, momentum or adam (default: gd)")
    phase.add_argument("--mini-batch", type=_positive_int, default=64,
                       help="mini-batch size (default: 64)")
    phase.add_argument("--epochs", type=_positive_int, default=20,
                       help="passes over the training set (default: 20)")
    phase.add_argument("--learning-rate", type=_positive_float, default=0.01,
                       help="learning rate (default: 0.01)")
    phase.add_argument("--threshold", type=_phase_threshold, default=DEFAULT_THRESHOLD,
                       help=f"the mean training accuracy a cell must reach to count as "
                            f"trained (default: {DEFAULT_THRESHOLD:g})")
    phase.add_argument("--out", default="fastinit-phase",
                       help="folder for runs.csv, phase.csv, phase.png and phase.json "
                            "(default: ./fastinit-phase)")
    phase.add_argument("--workers", type=_positive_int, default=None,
                       help="runs at once on this machine (default: the cores available)")
    phase.add_argument("--dask", type=_dask_address, default=None, metavar="ADDRESS",
                       help="run on the Dask scheduler at ADDRESS (tcp://host:8786), or "
                            "'local' for a LocalCluster of --workers processes")
    phase.add_argument("--resume", action="store_true",
                       help="keep the runs already in --out and run the others")
    phase.add_argument("--quiet", action="store_true", help="no progress output")


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


def _add_verbosity_options(parser):
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quiet", action="store_true", help="no progress output")
    group.add_argument("--verbose", action="store_true",
                       help="also print the cost every 1000 iterations (on stderr)")


# ---------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------

class _Progress:
    """Progress on stderr: a bar on a terminal, one plain line per run otherwise.
    ``--verbose`` adds the cost every 1000 iterations (or epochs)."""

    def __init__(self, total_runs, num_iterations, quiet, verbose, record_every=1000,
                 unit="iteration", stream=None):
        self.stream = stream or sys.stderr
        self.total_runs = total_runs
        self.num_iterations = num_iterations
        self.quiet = quiet
        self.verbose = verbose
        self.record_every = record_every
        self.unit = unit
        self.tty = self.stream.isatty()
        self.run = 0

    def start(self, name):
        self.run += 1
        self.name = name
        self.started = time.perf_counter()

    def record(self, iteration, cost):
        if self.verbose and iteration % 1000 == 0:
            self._clear()
            print(f"{self.name}: Cost after {self.unit} {iteration}: {cost}", file=self.stream)
        if self.tty and not self.quiet:
            done = min(iteration + self.record_every, self.num_iterations) / self.num_iterations
            bar = "#" * int(30 * done)
            self.stream.write(f"\r[{self.run}/{self.total_runs}] {self.name:<24} "
                              f"[{bar:<30}] {100 * done:3.0f}%")
            self.stream.flush()

    def finish(self):
        if self.quiet:
            return
        self._clear()
        seconds = time.perf_counter() - self.started
        print(f"[{self.run}/{self.total_runs}] {self.name}: {self.num_iterations} {self.unit}s "
              f"in {seconds:.2f} s", file=self.stream)

    def step(self, label, finished):
        """A run of many finished (runs that go side by side have no bar of their own)."""
        if not hasattr(self, "started"):
            self.started = time.perf_counter()
        if self.tty and not self.quiet:
            self.stream.write(f"\r[{finished}/{self.total_runs}] {label:<48}")
            self.stream.flush()

    def done(self):
        """After the last :meth:`step`: one line with the number of runs and the time."""
        if self.quiet:
            return
        self._clear()
        seconds = time.perf_counter() - getattr(self, "started", time.perf_counter())
        print(f"{self.total_runs} runs of {self.num_iterations} {self.unit}s in {seconds:.1f} s",
              file=self.stream)

    def _clear(self):
        if self.tty and not self.quiet:
            self.stream.write("\r" + " " * 72 + "\r")


# ---------------------------------------------------------------------------
# compare
# ---------------------------------------------------------------------------

#: What ``compare --experiment`` can compare: the column naming each run, the
#: names compared, and the defaults of options left out (the notebooks' own).
EXPERIMENTS = {
    "initializers": dict(label="initializer", names=["zeros", "random", "he"], layers=(10, 5),
                         dataset="circles", iterations=15000, learning_rate=0.01),
    "optimizers": dict(label="optimizer", names=["gd", "momentum", "adam"], layers=(5, 2),
                       dataset="moons", iterations=10000, learning_rate=0.0007, mini_batch=64),
    "depth": dict(label="initializer", names=list(DEPTH_DEFAULTS["methods"]), layers=None,
                  dataset=DEPTH_DEFAULTS["dataset"], iterations=DEPTH_DEFAULTS["num_iterations"],
                  learning_rate=DEPTH_DEFAULTS["learning_rate"]),
}
#: The options only the depth experiment takes.
DEPTH_OPTIONS = ("depths", "width", "seeds")

#: Columns of the table; the first is "initializer" or "optimizer".
TABLE_COLUMNS = ("initializer", "train_accuracy", "test_accuracy", "final_cost", "seconds",
                 "comment")


def _rows(runs, label="initializer"):
    return [{
        label: run.name,
        "train_accuracy": run.train_accuracy,
        "test_accuracy": run.test_accuracy,
        "final_cost": run.final_cost,
        "seconds": run.seconds,
        "comment": run.comment,
    } for run in runs]


def format_table(rows, label="initializer"):
    """The comparison table as aligned text."""
    header = f"{label:<24} {'train acc':>9} {'test acc':>9} {'final cost':>11} " \
             f"{'time (s)':>9}  comment"
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row[label]:<24} {row['train_accuracy']:>9.3f} {row['test_accuracy']:>9.3f} "
            f"{row['final_cost']:>11.4g} {row['seconds']:>9.2f}  {row['comment']}".rstrip()
        )
    return "\n".join(lines)


def format_csv(rows, label="initializer"):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=(label, *TABLE_COLUMNS[1:]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
    return buffer.getvalue().rstrip("\n")


def _results_document(args, names, runs, activation):
    label = EXPERIMENTS[args.experiment]["label"]
    rows = _rows(runs, label)
    for row, run in zip(rows, runs):
        row["diverged"] = run.diverged
        row["iterations"] = run.iterations
        row["costs"] = run.costs
    document = {
        "fastinit_version": __version__,
        "settings": {
            "experiment": args.experiment,
            f"{label}s": names,
            "dataset": args.dataset,
            "layers_dims": [2, *args.layers, 1],
            "num_iterations": args.iterations,
            "learning_rate": args.learning_rate,
            "seed": args.seed,
            "dtype": args.dtype,
            **_training_options(args),
        },
        "results": rows,
    }
    if activation is not None:
        document["activation_stats"] = activation
    return document


def _activation_summary(methods, seed):
    from .diagnostics import DEEP_LAYERS, activation_stats

    summary = {"layers_dims": list(DEEP_LAYERS), "inputs": "standard normal, 1000 examples"}
    for method in methods:
        stats = activation_stats(DEEP_LAYERS, method, seed=seed)
        summary[method] = {key: value.tolist() for key, value in stats.items() if key != "layer"}
    return summary


def _save(figure, path):
    """Write ``figure`` to ``path`` (format from its extension), then close it, even
    when the write fails."""
    import matplotlib.pyplot as plt

    try:
        with atomic_write(path) as handle:
            figure.savefig(handle, dpi=120, format=os.path.splitext(path)[1][1:] or "png")
    finally:
        plt.close(figure)


def _experiment_settings(args):
    """Fill the options left out with the experiment's defaults, and refuse
    the ones that make no sense for it. Returns the names compared."""
    experiment = EXPERIMENTS[args.experiment]
    if args.experiment != "depth":
        given = [option for option in DEPTH_OPTIONS if getattr(args, option) is not None]
        if given:
            raise UsageError(f"--{given[0]} is an option of --experiment depth")
    elif args.layers is not None:
        raise UsageError("--experiment depth sets the layers with --depths and --width, "
                         "not --layers")
    for option in ("layers", "dataset", "iterations", "learning_rate"):
        if getattr(args, option) is None:
            setattr(args, option, experiment[option])
    if args.experiment == "optimizers":
        if args.inits is not None:
            raise UsageError("--inits compares initializers; --experiment optimizers trains "
                             "every optimizer from He initialization (--seed sets its seed)")
        if args.optimizer is not None:
            raise UsageError("--experiment optimizers compares gd, momentum and adam; "
                             "leave out --optimizer")
        if args.mini_batch is None:
            args.mini_batch = experiment["mini_batch"]
        return list(experiment["names"])
    return args.inits or list(experiment["names"])


def _train_one(args, name, on_record):
    """One run of the experiment: ``((run,), data)``."""
    from .experiments import compare_initializers, compare_optimizers

    common = dict(dataset=args.dataset, hidden_layers=args.layers, learning_rate=args.learning_rate,
                  seed=args.seed, dtype=args.dtype, on_record=on_record)
    if args.experiment == "optimizers":
        return compare_optimizers([name], num_epochs=args.iterations, record_every=100,
                                  **common, **_training_options(args))
    return compare_initializers([name], num_iterations=args.iterations, track_layers=True,
                                **common, **_training_options(args))


def run_depth(args, names):
    """``compare --experiment depth``: the table of means and spreads, depth.png
    and results.json."""
    from .depth import compare_depths

    depths = args.depths or list(DEPTH_DEFAULTS["depths"])
    seeds = args.seeds or list(DEPTH_DEFAULTS["seeds"])
    total = len(names) * len(depths) * len(seeds)
    progress = _Progress(total, args.iterations, args.quiet, False)
    done = []

    def on_run(run):
        done.append(run)
        progress.step(f"{run.initializer}, depth {run.depth}, seed {run.seed}", len(done))

    result = compare_depths(names, depths, width=args.width or DEPTH_DEFAULTS["width"],
                            seeds=seeds, dataset=args.dataset, num_iterations=args.iterations,
                            learning_rate=args.learning_rate, dtype=args.dtype, on_run=on_run,
                            **_training_options(args))
    progress.done()
    summary = result.summary()
    os.makedirs(args.out, exist_ok=True)
    document = {"fastinit_version": __version__, "experiment": "depth", **result.to_dict()}
    with atomic_write(os.path.join(args.out, "results.json"), "w") as handle:
        json.dump(document, handle, indent=2, allow_nan=True)
    written = ["results.json"]
    if not args.no_plots:
        from . import plotting

        _save(plotting.plot_depth(summary, title=f"Accuracy against depth: {args.dataset}, "
                                                 f"{args.activation}, width "
                                                 f"{result.settings['width']}, {len(seeds)} "
                                                 f"seeds, {args.iterations} iterations"),
              os.path.join(args.out, "depth.png"))
        written.insert(0, "depth.png")
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    elif args.format == "csv":
        print(format_csv(summary, "initializer"))
    else:
        print(format_depth_table(summary))
        if not args.quiet:
            print(f"\nwrote {', '.join(written)} to {args.out}", file=sys.stderr)
    return 0


def format_depth_table(summary):
    """The depth experiment's table: mean +- std over the seeds."""
    header = (f"{'initializer':<16} {'depth':>5} {'train acc':>15} {'test acc':>15} "
              f"{'diverged':>8}")
    lines = [header, "-" * len(header)]
    for row in summary:
        lines.append(
            f"{row['initializer']:<16} {row['depth']:>5} "
            f"{row['train_accuracy_mean']:>7.3f} +- {row['train_accuracy_std']:.3f} "
            f"{row['test_accuracy_mean']:>7.3f} +- {row['test_accuracy_std']:.3f} "
            f"{row['diverged']:>4}/{row['runs']}")
    return "\n".join(lines)


def run_compare(args):
    names = _experiment_settings(args)
    if args.experiment == "depth":
        return run_depth(args, names)
    label = EXPERIMENTS[args.experiment]["label"]
    epochs = _counts_epochs(_training_options(args))
    progress = _Progress(len(names), args.iterations, args.quiet, args.verbose,
                         record_every=100 if args.experiment == "optimizers" else 1000,
                         unit="epoch" if epochs else "iteration")
    runs = []
    for name in names:
        progress.start(name)
        (run,), data = _train_one(args, name, lambda _, iteration, cost: progress.record(
            iteration, cost))
        progress.finish()
        runs.append(run)
    rows = _rows(runs, label)

    initializers = args.experiment == "initializers"
    activation = _activation_summary(names, args.seed) if initializers else None
    os.makedirs(args.out, exist_ok=True)
    with atomic_write(os.path.join(args.out, "results.json"), "w") as handle:
        json.dump(_results_document(args, names, runs, activation), handle, indent=2)
    figures = []
    if not args.no_plots:
        figures = _write_figures(args, runs, data, names, "epoch" if epochs else "iteration")

    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif args.format == "csv":
        print(format_csv(rows, label))
    else:
        print(format_table(rows, label))
        if not args.quiet:
            print(f"\nwrote {', '.join(figures + ['results.json'])} to {args.out}",
                  file=sys.stderr)
    return 0


def _write_figures(args, runs, data, names, unit):
    """costs.png, boundaries.png and (comparing initializers) activations.png;
    returns the names written."""
    from . import plotting

    label = EXPERIMENTS[args.experiment]["label"]
    train_X, train_Y, _, _ = data
    trained = (f"{plotting._network([train_X.shape[0], *args.layers, 1])}, {args.activation}, "
               f"{args.dataset}, {'He initialization, ' if label == 'optimizer' else ''}"
               f"seed {args.seed}")
    _save(plotting.plot_costs({run.name: run.costs for run in runs},
                              iterations=runs[0].iterations, xlabel=unit, legend_title=label,
                              title=f"Cost during training\n{trained}\nlearning rate "
                                    f"{args.learning_rate:g}"
                                    + (f", mini-batches of {args.mini_batch}"
                                       if args.mini_batch else "")),
          os.path.join(args.out, "costs.png"))
    titles = {run.name: f"{run.name}\ntrain {run.train_accuracy:.3f}, "
                        f"test {run.test_accuracy:.3f}" for run in runs}
    _save(plotting.plot_decision_boundaries({run.name: run.parameters for run in runs},
                                            train_X, train_Y, titles=titles,
                                            activation=args.activation,
                                            negative_slope=args.negative_slope,
                                            title=f"Decision boundaries after training\n{trained}"),
          os.path.join(args.out, "boundaries.png"))
    if args.experiment != "initializers":
        return ["costs.png", "boundaries.png"]
    _save(plotting.plot_activation_stats(names, seed=args.seed),
          os.path.join(args.out, "activations.png"))
    _save(plotting.plot_signal_propagation(_signal_by_name(names, args.activation,
                                                           args.negative_slope)),
          os.path.join(args.out, "signal.png"))
    _save(plotting.plot_layer_history({run.name: run.layer_history for run in runs},
                                      runs[0].iterations, unit=unit,
                                      title=f"Layers during training\n{trained}"),
          os.path.join(args.out, "layer_history.png"))
    return ["costs.png", "boundaries.png", "activations.png", "signal.png", "layer_history.png"]


def _signal_by_name(names, activation, negative_slope):
    """signal.png's statistics: each initializer at initialization in the deep network
    of activations.png (10 hidden layers of 100, standard-normal inputs), 10 seeds."""
    from .diagnostics import DEEP_LAYERS, signal_propagation, standard_normal_inputs

    X = standard_normal_inputs(DEEP_LAYERS[0])
    return {name: signal_propagation(DEEP_LAYERS, name, X, activation=activation,
                                     negative_slope=negative_slope)
            for name in names}


# ---------------------------------------------------------------------------
# train and predict
# ---------------------------------------------------------------------------

def _label_column(text):
    if text is None:
        return None
    return int(text) if text.lstrip("-").isdigit() else text


def run_train(args):
    from .experiments import _initial
    from .network import accuracy
    from .training import train
    from .storage import (check_output, describe_labels, encode_labels, load_data, same_file,
                          save_parameters)

    if args.save is not None:
        check_output(args.save, "--save")
        if same_file(args.save, args.data):
            raise UsageError(f"--save must name a new file, not {args.save!r}: it is the "
                             f"training data {args.data!r}")
    X, labels = load_data(args.data, label_column=_label_column(args.label_column))
    if labels is None:
        raise UsageError(f"{args.data} has no labels: an .npz needs an array Y")
    Y, classes = encode_labels(labels, args.data)
    X = np.asarray(X, dtype=args.dtype)
    if not args.quiet:
        print(f"labels in {args.data}: {describe_labels(classes)}", file=sys.stderr)
    parameters = _initial([X.shape[0], *args.layers, 1], args.init, args.seed, (X,),
                          {"activation": args.activation, "negative_slope": args.negative_slope})
    options = _training_options(args)
    progress = _Progress(1, args.iterations, args.quiet, args.verbose,
                         unit="epoch" if _counts_epochs(options) else "iteration")
    progress.start(args.init)
    result = train(X, Y, parameters, learning_rate=args.learning_rate,
                   num_iterations=args.iterations, callback=progress.record, **options)
    progress.finish()
    hidden = {"activation": result.activation, "negative_slope": result.negative_slope}
    print(f"train accuracy {accuracy(X, Y, result.parameters, **hidden):.4f}  "
          f"final cost {result.final_cost:.6g}")
    if args.save is not None:
        save_parameters(args.save, result.parameters, labels=classes, **hidden)
        if not args.quiet:
            print(f"saved parameters to {args.save}", file=sys.stderr)
    return 0


def run_predict(args):
    from .network import accuracy, predict, predict_proba
    from .storage import describe_labels, encode_labels, load_data, read_parameters_file

    parameters, hidden, classes = read_parameters_file(args.params)
    n_features = parameters["W1"].shape[1]
    X, labels = load_data(args.data, n_features=n_features,
                          label_column=_label_column(args.label_column))
    _check_features(X, n_features, args)
    Y = None if labels is None else encode_labels(labels, args.data, classes)[0]
    if args.proba:
        lines = [repr(float(v)) for v in predict_proba(X, parameters, **hidden)[0]]
    else:
        lines = [classes[int(v)] for v in predict(X, parameters, **hidden)[0]]
    score = None if Y is None else accuracy(X, Y, parameters, **hidden)
    print("\n".join(lines))  # only once everything has worked: a failure prints nothing
    if classes != ["0", "1"]:
        proba = f"; the probabilities are of {classes[1]}" if args.proba else ""
        print(f"labels: {describe_labels(classes)}{proba}", file=sys.stderr)
    if score is not None:
        print(f"accuracy {score:.4f}", file=sys.stderr)
    return 0


def _check_features(X, n_features, args):
    """Refuse data (``X`` as ``(features, examples)``) whose feature columns are
    not the ``n_features`` the parameters take; say so when the file looks
    stored with one example per column."""
    if X.shape[0] == n_features:
        return
    hint = ""
    if X.shape[1] == n_features:
        hint = (f"; it looks transposed (one example per column): store one example per "
                f"row, an .npz X of shape (m, {n_features})")
    raise UsageError(f"{args.data} has {X.shape[0]} feature columns but the parameters in "
                     f"{args.params} take {n_features}{hint}")


def _dask_client(address, workers):
    """A ``dask.distributed.Client`` for ``--dask``: a new LocalCluster of
    ``workers`` one-thread processes for "local", else the scheduler at ``address``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--dask needs Dask: pip install 'fastinit-nn[dask]'") from None
    if address == "local":
        # The workers' logs and warnings would drown the one line of an error or of
        # Ctrl-C; they are started with SIGINT ignored, so that Ctrl-C on the
        # terminal (sent to every process of the group) reaches this process alone,
        # which stops them.
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
        logging.getLogger("distributed").setLevel(logging.ERROR)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cluster = LocalCluster(n_workers=workers or available_cores(),
                                       threads_per_worker=1, processes=True,
                                       dashboard_address=None)
        finally:
            signal.signal(signal.SIGINT, previous)
        return Client(cluster)
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {error}") from None


def _silence_dask_logs():
    """No more log records from Dask in this process, CRITICAL ones included:
    stopping our own LocalCluster mid-run closes comms its scheduler is still
    writing to, and it logs each one with a traceback under the one line of
    Ctrl-C or of an error."""
    names = ["distributed"] + [name for name in logging.root.manager.loggerDict
                               if name.startswith("distributed.")]
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _kill_local_workers(client):
    """Stop the worker processes of our own LocalCluster at once (Ctrl-C or an
    error): a run in a worker does not see this process's stop, and closing the
    cluster would wait seconds for it."""
    nannies = list(getattr(getattr(client, "cluster", None), "workers", {}).values())
    for nanny in nannies:
        with contextlib.suppress(Exception):
            nanny.auto_restart = False  # a killed worker is not started again
            if nanny.pid and nanny.pid != os.getpid():
                os.kill(nanny.pid, signal.SIGKILL)


class _SweepProgress:
    """runs done/total, rate and ETA on stderr: one updating line on a terminal,
    a line every tenth of the sweep otherwise."""

    def __init__(self, quiet, stream=None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self.first = None
        self.printed = 0

    def __call__(self, rows, done, total):
        if self.quiet:
            return
        if self.first is None:
            self.first = done - len(rows)  # runs kept from an earlier sweep
        elapsed = time.perf_counter() - self.started
        rate = (done - self.first) / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else float("inf")
        line = f"[{done}/{total}] {rate:.1f} runs/s, ETA {eta:.0f} s"
        if self.tty:
            self.stream.write("\r" + line.ljust(60))
            self.stream.flush()
        elif done * 10 // total > self.printed or done == total:
            self.printed = done * 10 // total
            print(line, file=self.stream)

    def close(self):
        if self.tty and not self.quiet:
            self.stream.write("\n")


def format_sweep_table(summary):
    """The sweep's summary as aligned text: mean +- std over the seeds."""
    header = (f"{'initializer':<16} {'activation':<11} {'depth':>5} {'width':>5} {'runs':>5} "
              f"{'train acc':>15} {'test acc':>15} {'diverged':>8}")
    lines = [header, "-" * len(header)]
    for row in summary:
        lines.append(
            f"{row['initializer']:<16} {row['activation']:<11} {row['depth']:>5} "
            f"{row['width']:>5} {row['count']:>5} "
            f"{row['train_accuracy_mean']:>7.3f} +- {row['train_accuracy_std']:.3f} "
            f"{row['test_accuracy_mean']:>7.3f} +- {row['test_accuracy_std']:.3f} "
            f"{row['diverged']:>8}")
    return "\n".join(lines)


@contextlib.contextmanager
def _runs_executor(args):
    """``(client, progress)`` for a grid of runs: the Dask client of ``--dask``
    (None without it) and the progress line; on leaving, the client and a
    local cluster are closed, and on an error or Ctrl-C a local cluster's
    workers are killed first."""
    progress = _SweepProgress(args.quiet)
    client = _dask_client(args.dask, args.workers) if args.dask is not None else None
    try:
        yield client, progress
    except BaseException:
        if client is not None and args.dask == "local":
            _silence_dask_logs()  # its scheduler logs the comms the stop closes
            _kill_local_workers(client)  # they would finish their runs first
        raise
    finally:
        progress.close()
        if client is not None:
            cluster = client.cluster
            client.close()
            if args.dask == "local" and cluster is not None:
                cluster.close()


def run_sweep(args):
    from .sweep import sweep

    if args.optimizer == "gd" and args.mini_batch is None:
        optimizer_options = {}
    else:
        optimizer_options = {"optimizer": args.optimizer, "mini_batch_size": args.mini_batch}
    with _runs_executor(args) as (client, progress):
        result = sweep(args.inits, depths=args.depths,
                       widths=args.widths or [args.width or 10], activations=args.activations,
                       seeds=args.seeds, dataset=args.dataset, iterations=args.iterations,
                       learning_rate=args.learning_rate, lambd=args.lambd,
                       keep_prob=args.keep_prob, out=args.out, resume=args.resume,
                       executor=client, workers=args.workers, on_runs=progress,
                       **optimizer_options)
    print(format_sweep_table(result.summary()))
    if not args.quiet:
        print(f"\nwrote runs.csv, summary.csv, summary.png, sweep.json to {args.out}",
              file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------
# theory
# ---------------------------------------------------------------------------

_bias_variance = _number_option("a number in [0, 1e6]", "a number in [0, 1e6]",
                                lambda value: 0 <= value <= 1e6)


def _theory_width(text):
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected an integer >= 2 (two inputs of that many "
                                         f"features), got {text!r}")
    return value


def _theory_depth(text):
    from .theory import MAX_DEPTH

    value = _positive_int(text)
    if value > MAX_DEPTH:
        raise argparse.ArgumentTypeError(f"expected a positive integer of at most {MAX_DEPTH} "
                                         f"(the theory's trajectories), got {text!r}")
    return value


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


def _check_theory_size(args):
    """Refuse, before any work, networks whose parameters do not fit in memory."""
    from ._validation import physical_memory

    # every worker holds one network of depth + 1 width x width layers (float64),
    # and the Jacobian's forward mode a few width x width products beside it
    needed = (args.depth + 4) * args.width ** 2 * 8 * min(len(args.seeds), available_cores())
    memory = physical_memory()
    if memory is not None and needed > memory:
        raise UsageError(f"--width {args.width} and --depth {args.depth} need "
                         f"{needed / 2**30:.3g} GiB for the networks measured at once, more "
                         f"than this machine's {memory / 2**30:.3g} GiB")


def format_theory_table(summary):
    """``fastinit theory``'s table: the critical point, the depth scales and the
    measured networks against the theory."""
    activation, depth = summary["activation"], summary["last_layer"]
    lines = [f"edge of chaos: {activation}, sigma_b2 = {summary['sigma_b2']:g}",
             "",
             f"critical sigma_w2 (chi_1 = 1)   {summary['critical_sigma_w2']:.4f}",
             f"q* there                        {summary['q_star']:.4f}",
             ""]
    header = (f"{'sigma_w2':>8}  {'phase':<8} {'c*':>7} {'xi_q':>7} {'xi_c':>8} "
              f"{'xi_c measured':>14}  {'(16-84%)':<14}")
    lines += ["depth scales (theory; xi_c measured: fitted to the mean c^l over seeds, and "
              "its 16-84% range over resamples of the seeds)", header.rstrip(),
              "-" * len(header.rstrip())]
    for row in summary["depth_scales"]:
        lines.append(f"{row['sigma_w2']:>8.3g}  {row['phase']:<8} {row['c_star']:>7.4f} "
                     f"{row['xi_q']:>7.3f} {row['xi_c']:>8.3f} {row['xi_c_measured']:>14.3f}  "
                     f"({row['xi_c_measured_low']:.3g} to {row['xi_c_measured_high']:.3g})")
    header = (f"{'network':<9} {'sigma_w2':>8} {'q measured':>17} {'q theory':>9} "
              f"{'c measured':>17} {'c theory':>9}")
    lines += ["", f"layer {depth}: measured (mean +- std over seeds) against the theory",
              header, "-" * len(header)]
    for row in summary["points"]:
        lines.append(f"{row['phase']:<9} {row['sigma_w2']:>8.4g} "
                     f"{row['q_measured']:>8.4g} +- {row['q_std']:<5.2g} {row['q_theory']:>9.4g} "
                     f"{row['c_measured']:>8.4f} +- {row['c_std']:<5.3f} {row['c_theory']:>9.4f}")
    header = (f"{'weights':<11} {'mean measured':>17} {'theory':>9} "
              f"{'variance measured':>21} {'theory':>9}")
    lines += ["", "Jacobian at the critical sigma_w2, squared singular values (each seed's "
                  "moments, mean +- std over seeds)", header, "-" * len(header)]
    for weights, row in summary["jacobian"].items():
        lines.append(f"{weights:<11} {row['mean_measured']:>8.4g} +- {row['mean_std']:<5.2g} "
                     f"{row['theory_mean']:>9.4g} {row['variance_measured']:>11.4g} +- "
                     f"{row['variance_std']:<6.3g} {row['theory_variance']:>9.4g}")
    return "\n".join(lines)


def run_theory(args):
    from .edge_of_chaos import NoEdgeOfChaos, report

    _check_theory_size(args)
    _output_folder(args.out)
    started = time.perf_counter()

    def on_step(text):
        if not args.quiet:
            print(f"[{time.perf_counter() - started:5.1f} s] {text}", file=sys.stderr,
                  flush=True)

    try:
        data = report(args.activation, args.bias_variance, width=args.width, depth=args.depth,
                      seeds=args.seeds, negative_slope=args.negative_slope, on_step=on_step)
    except NoEdgeOfChaos as error:
        raise UsageError(f"--bias-variance {args.bias_variance:g} with --activation "
                         f"{args.activation}: {error}") from None
    document = {"fastinit_version": __version__, "command": "theory", **data}
    with atomic_write(os.path.join(args.out, "theory.json"), "w") as handle:
        json.dump(document, handle, indent=1, allow_nan=True)
    written = ["theory.json"]
    if not args.no_plots:
        from .chaos_figures import FIGURES

        on_step("the figures")
        for name, plot in FIGURES.items():
            _save(plot(data), os.path.join(args.out, name))
        written = list(FIGURES) + written
    if args.format == "json":
        print(json.dumps(data["summary"], indent=2, allow_nan=True))
    else:
        print(format_theory_table(data["summary"]))
    if not args.quiet:
        print(f"\nwrote {', '.join(written)} to {args.out} in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------
# phase
# ---------------------------------------------------------------------------

def format_phase_table(diagram):
    """Each sigma_w2's deepest trained depth against the theory's xi_c and 6 xi_c."""
    theory = diagram.theory()
    header = (f"{'sigma_w2':>8} {'deepest trained':>15} {'xi_c':>9} {'6 xi_c':>9}  "
              f"(critical sigma_w2 {theory['critical_sigma_w2']:.4g}, "
              f"trained: mean train acc >= {diagram.threshold:g})")
    lines = [header, "-" * len(header)]
    for sigma_w2, deepest, xi_c in zip(diagram.grid["sigma_w2_values"],
                                        diagram.deepest_trained(), theory["xi_c"]):
        lines.append(f"{sigma_w2:>8.4g} {'none' if deepest is None else deepest:>15} "
                     f"{xi_c:>9.3g} {6 * xi_c:>9.3g}")
    return "\n".join(lines)


def run_phase(args):
    from .phase import phase_diagram

    with _runs_executor(args) as (client, progress):
        diagram = phase_diagram(
            args.sigma_w2, args.depths, args.seeds, sigma_b2=args.sigma_b2, width=args.width,
            activation=args.activation, dataset=args.dataset, optimizer=args.optimizer,
            mini_batch_size=args.mini_batch, epochs=args.epochs,
            learning_rate=args.learning_rate, negative_slope=args.negative_slope,
            threshold=args.threshold, out=args.out, resume=args.resume, executor=client,
            workers=args.workers, on_runs=progress)
    print(format_phase_table(diagram))
    if not args.quiet:
        print(f"\nwrote runs.csv, phase.csv, phase.png, phase.json to {args.out}",
              file=sys.stderr)
    return 0


COMMANDS = {"compare": run_compare, "train": run_train, "predict": run_predict,
            "sweep": run_sweep, "theory": run_theory, "phase": run_phase}


def main(argv=None):
    """Entry point of the ``fastinit`` console script; returns the exit code.

    Every error a user can cause ends in one line on stderr and exit code 2;
    Ctrl-C in one line and 130; a closed stdout (``fastinit predict | head``)
    quietly, with 0, as for any Unix tool.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        parser = build_parser()
        args = parser.parse_args(argv)
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        _report(("\n" if _is_terminal(sys.stderr) else "") + "fastinit: interrupted")
        return EXIT_INTERRUPTED
    except SystemExit as exit:  # --help and --version
        return exit.code
    except Exception as error:  # noqa: BLE001 - one line, whatever went wrong
        _report(f"fastinit: error: {_one_line(error)}")
        return EXIT_USAGE


def _one_line(error):
    """``error`` as one line: a file's name and the reason for an OSError, the
    kind of error where its message says nothing or is not a user's error."""
    if isinstance(error, OSError) and error.strerror:
        message = (f"{error.filename}: {error.strerror}" if error.filename is not None
                   else error.strerror)
    elif isinstance(error, MemoryError):
        message = f"not enough memory{': ' + str(error) if str(error) else ''}"
    else:
        message = str(error)
        if not isinstance(error, (UsageError, ValueError, TypeError, OverflowError)):
            message = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return " ".join(message.split()) or type(error).__name__


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (OSError, ValueError, AttributeError):
        return False


def _report(line):
    """Print ``line`` on stderr, which may itself be a closed pipe."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _silence_stdout():
    """After a closed pipe: point stdout at the null device, so that the
    interpreter's last flush does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
