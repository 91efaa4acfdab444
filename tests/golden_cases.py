"""The results whose bits fastinit promises on every CPU, and their digests.

Each case is a name and a function returning arrays: training in every mode
(full batch, mini-batches with each optimizer and decay, L2, dropout hashed and
fixed, every activation, float32 and float64, one and two threads, the
row-space form), the embedding calls (forward, backward, predictions), the
gradient check, layer statistics, LSUV, every initializer, sweep rows, signal
propagation and the data sets. ``golden/results.json`` holds the SHA-256 of
each case, computed once; ``test_golden.py`` recomputes them under every build
the CPU runs.

Run ``python tests/golden_cases.py`` to print the digests of the build in use as
JSON, or ``python tests/golden_cases.py --write`` to replace the file (only when a
change of arithmetic is meant: say so in the commit).
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

import fastinit as fi

GOLDEN = Path(__file__).resolve().parent / "golden" / "results.json"

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "selu", "linear")
SHAPES = ((2, 10, 5, 1), (5, 17, 16, 3), (3, 40, 40, 40, 1))


def digest(arrays):
    """SHA-256 over the dtype, shape and bytes of each array, in order."""
    sha = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        sha.update(str(array.dtype).encode())
        sha.update(str(array.shape).encode())
        sha.update(array.tobytes())
    return sha.hexdigest()


def _problem(dims, m, dtype, seed=0):
    """Standard-normal inputs, labels from a fixed rule, He weights (seed 3)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m)).astype(dtype)
    Y = (rng.standard_normal((dims[-1], m)) * X[:1] > 0).astype(dtype)
    return X, Y, fi.initialize(list(dims), "he", seed=3, dtype=dtype)


def _trained(result):
    return [*result.parameters.values(), np.asarray(result.costs)]


def _training_cases():
    cases = {}
    X, Y, _, _ = fi.datasets.load_dataset()
    for method in ("zeros", "random", "he"):
        parameters = fi.initialize([2, 10, 5, 1], method, seed=3)
        cases[f"notebook {method}"] = lambda p=parameters: _trained(
            fi.train(X, Y, p, learning_rate=0.01, num_iterations=1500, record_every=100))
    for dtype in ("float64", "float32"):
        for dims in SHAPES:
            for activation in ACTIVATIONS:
                def run(dims=dims, activation=activation, dtype=dtype):
                    X, Y, p = _problem(dims, 161, dtype)
                    return _trained(fi.train(X, Y, p, learning_rate=0.05, num_iterations=40,
                                             record_every=10, activation=activation))
                cases[f"train {dtype} {dims} {activation}"] = run
        for options in (dict(lambd=0.7), dict(keep_prob=0.8), dict(keep_prob=0.7, lambd=0.1,
                        dropout_masks="fixed"), dict(n_threads=2), dict(n_threads=1),
                        dict(optimizer="momentum", mini_batch_size=64, num_epochs=6),
                        dict(optimizer="adam", mini_batch_size=32, num_epochs=5),
                        dict(optimizer="adam", mini_batch_size=50, num_epochs=5, decay="inverse",
                             decay_rate=0.3),
                        dict(optimizer="gd", mini_batch_size=100, num_epochs=4,
                             decay="scheduled", decay_rate=0.5, decay_interval=2),
                        dict(track_layers=True), dict(activation="tanh", keep_prob=0.9)):
            def run(options=options, dtype=dtype):
                X, Y, p = _problem((4, 24, 12, 2), 1100, dtype, seed=1)
                result = fi.train(X, Y, p, learning_rate=0.02, num_iterations=30,
                                  record_every=10, **options)
                history = [result.layer_history[key] for key in sorted(result.layer_history)] \
                    if result.layer_history else []
                return _trained(result) + history
            cases[f"train {dtype} options {sorted(options.items())}"] = run

        for dims in ((2, 10, 5, 1), (3, 40, 40, 1)):
            for m in (1, 31, 33, 300, 4000):
                def run(dims=dims, m=m, dtype=dtype):
                    X, Y, p = _problem(dims, m, dtype, seed=m)
                    result = fi.train(X, Y, p, learning_rate=0.1, num_iterations=12,
                                      record_every=4, n_threads=2)
                    return _trained(result) + [fi.predict_proba(X, result.parameters,
                                                                n_threads=2)]
                cases[f"train {dtype} {dims} m={m}"] = run

        def row_space(dtype=dtype):
            X, Y, p = _problem((900, 6, 3, 1), 40, dtype, seed=2)
            return _trained(fi.train(X, Y, p, learning_rate=0.01, num_iterations=60,
                                     record_every=20))
        cases[f"train {dtype} row space"] = row_space
    return cases


def _embedding_cases():
    cases = {}
    for dtype in ("float64", "float32"):
        for dims in SHAPES:
            for activation in ACTIVATIONS:
                def run(dims=dims, activation=activation, dtype=dtype):
                    X, Y, p = _problem(dims, 77, dtype, seed=4)
                    layers = fi.forward(X, p, activation=activation)
                    grads = fi.backward(X, Y, p, activation=activation)
                    return [*(layers[key] for key in sorted(layers)), *grads.values(),
                            fi.predict_proba(X, p, activation=activation),
                            fi.predict(X, p, activation=activation),
                            np.array(fi.accuracy(X, Y, p, activation=activation))]
                cases[f"embedding {dtype} {dims} {activation}"] = run
    return cases


def _other_cases():
    cases = {}
    X, Y, p = _problem((3, 7, 4, 1), 23, "float64", seed=5)
    for options in ({}, dict(lambd=0.5), dict(keep_prob=0.8), dict(activation="tanh")):
        cases[f"gradient_check {sorted(options.items())}"] = (
            lambda options=options: [np.array(fi.gradient_check(p, X, Y, **options))])
    for method in fi.INITIALIZERS:
        for dtype in ("float64", "float32"):
            def initial(method=method, dtype=dtype):
                options = {"X": X.astype(dtype)} if method == "lsuv" else {}
                if method == "critical":  # sigma_w2 from the theory: its bits too
                    options = {"activation": "tanh", "bias_std": 0.2}
                return list(fi.initialize([3, 9, 5, 2], method, seed=7, dtype=dtype,
                                          **options).values())
            cases[f"initialize {method} {dtype}"] = initial
    for activation in ("relu", "tanh", "selu"):
        cases[f"lsuv {activation}"] = lambda activation=activation: list(
            fi.lsuv(fi.initialize([3, 12, 12, 1], "orthogonal", seed=2), X,
                    activation=activation).values())
    cases["sweep rows"] = lambda: [np.array([[run[key] for key in
                                              ("final_cost", "train_accuracy", "test_accuracy")]
                                             for run in fi.sweep(
        initializers=("he", "xavier"), depths=(2, 3), widths=(6,), seeds=(0, 1),
        iterations=150, workers=2).runs])]
    cases["phase diagram rows"] = lambda: [np.array([[run[key] for key in
                                                      ("final_cost", "train_accuracy",
                                                       "test_accuracy")]
                                                     for run in fi.phase_diagram(
        [1.0, 2.5], [3, 12], [0, 1], epochs=2, workers=2).runs])]
    cases["signal propagation"] = lambda: _signal_arrays()
    cases["initialize he bias_std float64"] = lambda: list(
        fi.initialize([3, 9, 5, 2], "he", seed=7, bias_std=0.3).values())
    cases["correlation propagation"] = lambda: _correlation_arrays()
    cases["jacobian moments"] = lambda: _jacobian_moments()
    for name in fi.datasets.DATASETS:
        cases[f"load_dataset {name}"] = lambda name=name: list(fi.datasets.load_dataset(name))
    return cases


def _signal_arrays():
    X = np.random.default_rng(6).standard_normal((8, 200))
    stats = fi.diagnostics.signal_propagation([8, 20, 20, 20, 1], "he", X, seeds=[0, 1])
    return [value for key, value in sorted(vars(stats).items())
            if isinstance(value, np.ndarray) and not key.startswith("theory")]


def _correlation_arrays():
    X = fi.diagnostics.correlated_inputs(16, 0.4, second_moment=0.8, seed=2)
    stats = fi.diagnostics.correlation_propagation([16, 24, 24, 24, 1], "variance_scaling", X,
                                                   activation="tanh", seeds=[0, 1], scale=1.7,
                                                   distribution="normal", bias_std=0.2)
    return [stats.second_moment, stats.correlation, stats.activation_mean,
            stats.theory_second_moment, stats.theory_correlation, stats.theory_activation_mean]


def _jacobian_moments():
    """The moments only: the squared singular values themselves come from LAPACK."""
    x = fi.diagnostics.correlated_inputs(20, 0.0, seed=1)[:, 0]
    spectrum = fi.diagnostics.jacobian_spectrum([20, 20, 20, 20, 1], "orthogonal", x,
                                                activation="tanh", seeds=[0, 1], gain=1.3,
                                                bias_std=0.1)
    return [spectrum.mean, spectrum.variance,
            np.array([spectrum.theory_mean, spectrum.theory_variance])]


def cases():
    """Every golden case: name -> function returning a list of arrays."""
    return {**_training_cases(), **_embedding_cases(), **_other_cases()}


def digests():
    """name -> digest of every case, computed with the build in use."""
    return {name: digest(compute()) for name, compute in cases().items()}


if __name__ == "__main__":
    computed = digests()
    if sys.argv[1:] == ["--write"]:
        GOLDEN.write_text(json.dumps({
            "about": "SHA-256 over (dtype, shape, bytes) of each array of each case of "
                     "tests/golden_cases.py; the same on every CPU and build",
            "cases": computed}, indent=1) + "\n")
    else:
        json.dump(computed, sys.stdout)
