"""The benchmark workloads of issue 4, shared by the pytest-benchmark suite and
report.py: each is a network, a number of examples and a dtype, with the data
drawn from a fixed seed."""

from dataclasses import dataclass

import numpy as np

import fastinit as fi


@dataclass(frozen=True)
class Workload:
    name: str
    layers_dims: tuple
    m: int
    dtype: str = "float64"
    #: Iterations per timed run (the notebook's full 15000 for "notebook").
    iterations: int = 20

    def data(self):
        """``(X, Y, parameters)``: standard-normal inputs (the notebook's circles
        for "notebook"), labels from a fixed rule, He initialization with seed 3."""
        if self.name == "notebook":
            X, Y, _, _ = fi.datasets.load_dataset()
        else:
            rng = np.random.default_rng(0)
            X = rng.standard_normal((self.layers_dims[0], self.m))
            Y = (X[:1] * X[-1:] > 0).astype(np.int64)
        parameters = fi.initialize(list(self.layers_dims), "he", seed=3, dtype=self.dtype)
        return np.ascontiguousarray(X, dtype=self.dtype), Y.astype(self.dtype), parameters

    def threads(self):
        """The threads fi.train uses by default on this workload."""
        return fi.threads.resolve_threads(None, self.layers_dims, self.m)

    def row_spaced(self, iterations):
        """Whether fi.train runs ``iterations`` of it in row-space form, which
        does less than :meth:`flops_per_iteration` counts."""
        return fi.row_space.use_row_space(self.layers_dims, self.m, iterations, 0.0)

    def share_of_peak(self, seconds, float64_peak, iterations):
        """fastinit's GFLOP/s at ``seconds`` per iteration over the FMA peak
        (twice ``float64_peak`` for float32, whose vectors hold twice the lanes);
        NaN in row-space form, where it is not a share of anything."""
        if self.row_spaced(iterations):
            return float("nan")
        peak = float64_peak * (2 if self.dtype == "float32" else 1)
        return self.flops_per_iteration() / seconds / 1e9 / peak

    def flops_per_iteration(self):
        """Multiply-adds of the three passes (forward, weight gradient, input
        gradient), counted as two operations each; the input gradient of the
        first layer is not computed."""
        dims = self.layers_dims
        weights = sum(dims[l] * dims[l - 1] for l in range(1, len(dims)))
        return self.m * (2 * weights + 2 * weights + 2 * (weights - dims[1] * dims[0]))


WORKLOADS = [
    Workload("notebook", (2, 10, 5, 1), 300, iterations=15000),
    Workload("deep", (2, 64, 64, 64, 64, 1), 1000, iterations=200),
    Workload("wide", (12288, 20, 7, 5, 1), 209, iterations=20),
    Workload("many", (2, 10, 5, 1), 100_000, iterations=100),
    Workload("wide", (12288, 20, 7, 5, 1), 209, "float32", iterations=20),
    Workload("many", (2, 10, 5, 1), 100_000, "float32", iterations=100),
]

#: Issue 4's targets: reference time / fastinit time, medians of the same run.
TARGETS = {("notebook", "float64"): 40, ("deep", "float64"): 2.5, ("wide", "float64"): 1.3,
           ("many", "float64"): 10}

#: Issue 16's targets: JAX's compiled loop's time / fastinit time, same run.
JAX_TARGETS = {("notebook", "float64"): 2.5, ("deep", "float64"): 1.25,
               ("wide", "float64"): 1.5, ("many", "float64"): 4}


def course_moons():
    """The course's optimization data: np.random.seed(3), make_moons(300, noise=0.2),
    and its network [2, 5, 2, 1] with He initialization (seed 3)."""
    X, y = fi.datasets.make_moons(n_samples=300, noise=0.2, random_state=np.random.RandomState(3))
    return X.T, y.reshape(1, -1), fi.initialize([2, 5, 2, 1], "he", seed=3)


#: The course's mini-batch Adam run (issue 6's workload, target >= 30x).
MINI_BATCH_ADAM = dict(optimizer="adam", learning_rate=0.0007, mini_batch_size=64,
                       num_epochs=10000, record_every=1000)


#: Issue 27's deep, narrow network: 64 inputs, 50 tanh layers of 48 units, one output.
DEEP_NARROW_DIMS = (64,) + (48,) * 50 + (1,)
#: Its mini-batch gradient descent: 18 epochs of 29 batches (28 of 64, one of 5).
DEEP_NARROW = dict(optimizer="gd", learning_rate=0.01, mini_batch_size=64, num_epochs=18,
                   activation="tanh", n_threads=1, record_every=1000)


#: The grid of issue 27's second target: the deep, narrow network at these
#: weight variances (biases 0.05), trained at once on every core.
DEEP_NARROW_GRID = (1.0, 2.0, 3.0, 4.0)


def deep_narrow_grid():
    """The parameters of :data:`DEEP_NARROW_GRID`'s networks (seed 3)."""
    return [fi.initialize(list(DEEP_NARROW_DIMS), "variance_scaling", seed=3, scale=sigma_w2,
                          mode="fan_in", distribution="normal", bias_std=0.05 ** 0.5)
            for sigma_w2 in DEEP_NARROW_GRID]


def deep_narrow_digits():
    """Issue 27's data: scikit-learn's digits (1797 x 64), standardized, one example
    per column, labelled even (0) or odd (1); initialized on the edge of chaos for tanh (seed 3)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = digits.data.T
    spread = X.std(axis=1, keepdims=True)
    X = (X - X.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1)
    Y = (digits.target % 2).reshape(1, -1).astype(np.float64)
    parameters = fi.initialize(list(DEEP_NARROW_DIMS), "critical", seed=3, activation="tanh")
    return np.ascontiguousarray(X), Y, parameters
