"""The embedding benchmarks of issue 10, shared by the pytest-benchmark suite
and report.py: each row is one call a user makes from their own NumPy code,
timed against the plain NumPy that does the same thing.

- "notebook loop": one iteration of the notebook's training loop (forward,
  loss, backward, update) through ``fastinit.init_utils`` against the course's
  ``init_utils`` (``course_init_utils.py``);
- ``fi.forward`` against the course's ``forward_propagation``;
- ``fi.backward`` against the course's forward and backward propagation;
- ``fi.predict_proba`` against a NumPy forward pass (``reference.forward``),
  at m = 300 and m = 100 000.
"""

from dataclasses import dataclass

import course_init_utils
import numpy as np
import reference as ref

import fastinit as fi
from fastinit import init_utils


def notebook_loop(module, X, Y, parameters, iterations):
    """``iterations`` passes of the notebook's model loop with ``module``'s functions."""
    parameters = dict(parameters)
    for _ in range(iterations):
        a3, cache = module.forward_propagation(X, parameters)
        module.compute_loss(a3, Y)
        grads = module.backward_propagation(X, Y, cache)
        parameters = module.update_parameters(parameters, grads, 0.01)
    return parameters


def _course_gradients(X, Y, parameters):
    return course_init_utils.backward_propagation(
        X, Y, course_init_utils.forward_propagation(X, parameters)[1])


@dataclass(frozen=True)
class Call:
    name: str
    #: Calls per timed round (so a round lasts long enough to time).
    repeat: int
    #: Issue 10's target: NumPy time / fastinit time.
    target: float
    m: int = 300
    #: Whether fastinit's side runs on several threads, so that its timed rounds
    #: should wait for NumPy's BLAS threads, which spin for a while after the
    #: NumPy side's np.dot, to leave the cores (see report.settle).
    threaded: bool = False

    def data(self):
        """``(X, Y, parameters)``: the notebook's circles (standard-normal inputs
        for larger m) and its He initialization."""
        if self.m == 300:
            X, Y, _, _ = fi.datasets.load_dataset()
        else:
            X = np.random.default_rng(0).standard_normal((2, self.m))
            Y = (X[:1] * X[-1:] > 0).astype(np.int64)
        return X, Y, fi.initialize([2, 10, 5, 1], "he", seed=3)

    def pair(self):
        """``(fastinit, numpy)``: two callables doing the same work once."""
        X, Y, p = self.data()
        if self.name == "notebook loop":
            return (lambda: notebook_loop(init_utils, X, Y, p, 1),
                    lambda: notebook_loop(course_init_utils, X, Y, p, 1))
        if self.name == "forward":
            return lambda: fi.forward(X, p), lambda: course_init_utils.forward_propagation(X, p)
        if self.name == "backward":
            return lambda: fi.backward(X, Y, p), lambda: _course_gradients(X, Y, p)
        if self.name == "predict_proba":
            return lambda: fi.predict_proba(X, p), lambda: ref.forward(X, p)[0]
        raise ValueError(self.name)

    @property
    def label(self):
        return f"{self.name}, m = " + f"{self.m:,}".replace(",", " ")


CALLS = [
    Call("notebook loop", 200, 2),
    Call("forward", 500, 2),
    Call("backward", 300, 2),
    Call("predict_proba", 500, 2),
    Call("predict_proba", 3, 10, m=100_000, threaded=True),
]
