"""Full-batch training in the row space of the data, for far fewer examples
than inputs (e.g. 209 images of 12288 pixels)."""

import numpy as np

from . import _kernels
from .network import Layout

__all__ = ["RowSpace", "use_row_space"]


def use_row_space(dims, m, num_iterations, lambd):
    """Whether full-batch training should run in :class:`RowSpace` form: far
    fewer examples than inputs, no L2, and enough iterations that the passes
    it saves outweigh the Gram matrix and the final W_1."""
    n0, n1 = int(dims[0]), int(dims[1])
    saved = num_iterations * 4 * n1 * m * (n0 - m)
    spent = n0 * m * m + 4 * n1 * n0 * m
    return lambd == 0 and 2 * m <= n0 and saved > 2 * spent


class RowSpace:
    """Full-batch gradient descent with fewer examples than inputs, run in the
    row space of the data.

    Every step adds ``-lr dZ_1 X^T`` to W_1, so ``W_1 = W_1(0) + C X^T`` with C
    of shape (n_1, m), and ``Z_1 = W_1(0) X + C G + b_1`` with the Gram matrix
    ``G = X^T X``. The kernels train C against G (``n_1 m^2`` work per pass
    instead of ``n_1 n_0 m``); C moves by ``-lr dZ_1``. G and ``W_1(0) X``
    (once) and W_1 (when the parameters are read) come from the compiled core's
    ``product`` and ``product_of_transpose``, which read X as it lies and sum each
    value in order over the inputs, as the forward pass does: the same bits on every
    CPU, which BLAS does not promise. The result equals plain training up to rounding.
    """

    def __init__(self, layout, theta, X, n_threads=1):
        """``layout`` and ``theta`` describe the network, ``X`` the data it
        trains on; ``n_threads`` compute the products."""
        n0, n1, m = int(layout.dims[0]), int(layout.dims[1]), X.shape[1]
        self.full_layout = layout
        self.n_threads = n_threads
        self.W1_initial = theta[:n1 * n0].reshape(n1, n0).copy()  # W_1 comes first in theta
        self.X = X
        self.gram = _product(X, X, n_threads, of_transpose=True, symmetric=True)
        self.offset = _product(self.W1_initial, X, n_threads).ravel()
        self.layout = Layout.of((m, *(int(n) for n in layout.dims[1:])))
        self.theta = np.concatenate([np.zeros(n1 * m, dtype=X.dtype), theta[n1 * n0:]])

    def is_finite(self):
        """Whether G and ``W_1(0) X`` are finite: with huge inputs they can overflow
        where plain training's products do not, and plain training should run."""
        return bool(np.isfinite(self.gram).all() and np.isfinite(self.offset).all())

    def parameters_of(self, theta):
        """The parameter dict of the network whose coefficients are ``theta``."""
        n1, m = self.W1_initial.shape[0], self.X.shape[1]
        C = theta[:n1 * m].reshape(n1, m)
        # W_1 - W_1(0) = C X^T = (X C^T)^T: each value C[i] . X[q] summed over the
        # examples in order, X read as it lies.
        W1 = self.W1_initial + _product(self.X, np.ascontiguousarray(C.T), self.n_threads).T
        return self.full_layout.unpack(np.concatenate([W1.ravel(), theta[n1 * m:]]))


def _product(A, B, n_threads, of_transpose=False, symmetric=False):
    """``A @ B`` (``A.T @ B`` when ``of_transpose``) in a fixed order of sums
    (``_kernels.product``, ``_kernels.product_of_transpose``)."""
    if of_transpose:
        out = np.empty((A.shape[1], B.shape[1]), dtype=A.dtype)
        _kernels.product_of_transpose(A, B, out, n_threads, symmetric)
    else:
        out = np.empty((A.shape[0], B.shape[1]), dtype=A.dtype)
        _kernels.product(A, B, out, n_threads)
    return out
