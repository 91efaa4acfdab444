"""The notebook's experiment: train one network per initializer on the same
data, and collect what the comparison table and figures show."""

import time
from dataclasses import dataclass, field

from ._validation import check_dtype, check_positive_int, check_positive_number
from .datasets import load_dataset
from .initializers import INITIALIZERS, initialize
from .network import accuracy, train

__all__ = ["COMMENTS", "InitializerRun", "compare_initializers"]

#: The notebook's comment on each of its three initializers.
COMMENTS = {
    "zeros": "fails to break symmetry",
    "random": "too large weights",
    "he": "recommended method",
}


@dataclass
class InitializerRun:
    """One trained network of a comparison."""

    initializer: str
    train_accuracy: float
    test_accuracy: float
    final_cost: float
    seconds: float
    costs: list
    iterations: list
    parameters: dict = field(repr=False)

    @property
    def comment(self):
        """The notebook's comment on this initializer, or ``""``."""
        return COMMENTS.get(self.initializer, "")


def compare_initializers(methods=("zeros", "random", "he"), dataset="circles",
                         hidden_layers=(10, 5), num_iterations=15000, learning_rate=0.01,
                         seed=3, dtype=None, on_record=None):
    """Train the same network once per initializer and measure each.

    Parameters
    ----------
    methods : sequence of str
        Names in :data:`fastinit.INITIALIZERS`.
    dataset : {"circles", "moons"}
        A built-in data set (:func:`fastinit.datasets.load_dataset`).
    hidden_layers : sequence of int
        Hidden layer sizes; the network is ``[2, *hidden_layers, 1]``.
    num_iterations : int
    learning_rate : float
    seed : int
        Seed of every initializer (3 reproduces the notebook).
    dtype : float32 or float64, optional
        Computation dtype; default float64.
    on_record : callable, optional
        Called as ``on_record(method, iteration, cost)`` every 1000 iterations.

    Returns
    -------
    runs : list of InitializerRun
        In the order of ``methods``.
    data : tuple
        ``(train_X, train_Y, test_X, test_Y)`` that were used.
    """
    methods = list(methods)
    if not methods:
        raise ValueError("methods must name at least one initializer")
    unknown = [m for m in methods if m not in INITIALIZERS]
    if unknown:
        raise ValueError(
            f"unknown initializer {unknown[0]!r}; choose from: {', '.join(sorted(INITIALIZERS))}"
        )
    num_iterations = check_positive_int(num_iterations, "num_iterations")
    learning_rate = check_positive_number(learning_rate, "learning_rate")
    dtype = check_dtype(dtype)
    train_X, train_Y, test_X, test_Y = load_dataset(dataset)
    train_X, test_X = train_X.astype(dtype), test_X.astype(dtype)
    layers_dims = [train_X.shape[0], *hidden_layers, 1]

    runs = []
    for method in methods:
        parameters = initialize(layers_dims, method, seed=seed, dtype=dtype)
        callback = None if on_record is None else (
            lambda i, c, method=method: on_record(method, i, c))
        start = time.perf_counter()
        result = train(train_X, train_Y, parameters, learning_rate=learning_rate,
                       num_iterations=num_iterations, callback=callback)
        seconds = time.perf_counter() - start
        runs.append(InitializerRun(
            initializer=method,
            train_accuracy=accuracy(train_X, train_Y, result.parameters),
            test_accuracy=accuracy(test_X, test_Y, result.parameters),
            final_cost=result.final_cost,
            seconds=seconds,
            costs=result.costs,
            iterations=result.iterations,
            parameters=result.parameters,
        ))
    return runs, (train_X, train_Y, test_X, test_Y)
