# cython: language_level=3
"""The compiled core of fastinit.

Three layers, as in scikit-learn's ``_loss`` module:

1. ``cdef ... noexcept nogil`` inline helpers for the per-element math;
2. ``cdef`` loops over whole arrays, written on raw pointers with a leading
   dimension, so a caller can hand them any block of examples;
3. a few ``def`` entry points that the Python layer (``network.py``) calls with
   arrays it has already validated and converted.

Storage conventions (all C-contiguous, one dtype, float32 or float64):

* ``theta`` -- every parameter in one flat vector, layer by layer: ``W_l`` as
  ``(n_l, n_{l-1})`` row-major at ``w_off[l-1]``, then ``b_l`` (``n_l`` values) at
  ``b_off[l-1]``. Gradients use the same layout.
* layer activations -- ``(n_l, m)`` row-major, the course's layout, so the inner
  loops run over contiguous examples. Per-layer arrays are stored back to back in
  one flat buffer, layer ``l`` starting at ``m * (n_1 + ... + n_{l-1})``.

Nothing here checks its input: bounds checks are off (see ``setup.py``) and the
Python layer validates shapes, dtypes and values before calling in.
"""

from cython cimport floating
from libc.math cimport exp, expf, log1p, log1pf, fabs, fabsf


# ---------------------------------------------------------------------------
# Per-element math
# ---------------------------------------------------------------------------

cdef inline floating _exp(floating x) noexcept nogil:
    if floating is float:
        return expf(x)
    else:
        return exp(x)


cdef inline floating _sigmoid(floating z) noexcept nogil:
    # The course's formula. In C, exp(-z) overflowing to inf gives exactly 0.
    return 1 / (1 + _exp(-z))


cdef inline double _bce_from_logit(double z, double y) noexcept nogil:
    # -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z)), without forming sigmoid(z):
    # finite for every finite z, exact log(2) at z = 0.
    return (z if z > 0 else 0.0) - z * y + log1p(exp(-fabs(z)))


# ---------------------------------------------------------------------------
# Array loops. ``ld*`` is the distance between rows (the leading dimension);
# ``nb`` is the number of examples (columns) to process.
# ---------------------------------------------------------------------------

cdef void _linear_forward(const floating* W, const floating* b,
                          const floating* A, Py_ssize_t lda,
                          floating* Z, Py_ssize_t ldz,
                          Py_ssize_t n_out, Py_ssize_t n_in,
                          Py_ssize_t nb) noexcept nogil:
    """Z = W @ A + b, with W (n_out, n_in) row-major and b (n_out,)."""
    cdef Py_ssize_t i, k, j
    cdef floating w, bias
    cdef floating* z_row
    cdef const floating* a_row
    for i in range(n_out):
        z_row = Z + i * ldz
        for j in range(nb):
            z_row[j] = 0
        for k in range(n_in):
            w = W[i * n_in + k]
            a_row = A + k * lda
            for j in range(nb):
                z_row[j] += w * a_row[j]
        bias = b[i]
        for j in range(nb):
            z_row[j] += bias


cdef void _relu(const floating* Z, Py_ssize_t ldz, floating* A, Py_ssize_t lda,
                Py_ssize_t n, Py_ssize_t nb) noexcept nogil:
    """A = max(Z, 0); A may be Z itself."""
    cdef Py_ssize_t i, j
    cdef floating z
    for i in range(n):
        for j in range(nb):
            z = Z[i * ldz + j]
            A[i * lda + j] = z if z > 0 else 0


cdef void _sigmoid_rows(const floating* Z, Py_ssize_t ldz, floating* A,
                        Py_ssize_t lda, Py_ssize_t n, Py_ssize_t nb) noexcept nogil:
    cdef Py_ssize_t i, j
    for i in range(n):
        for j in range(nb):
            A[i * lda + j] = _sigmoid(Z[i * ldz + j])


cdef double _cost_sum(const floating* Z, Py_ssize_t ldz,
                      const floating* Y, Py_ssize_t ldy,
                      Py_ssize_t n, Py_ssize_t nb) noexcept nogil:
    """Sum of the binary cross-entropy over every output and example.

    Neumaier's compensated sum in double: the cost is computed only at recorded
    iterations, so its accuracy is free (300 copies of log 2 sum to 300 log 2).
    """
    cdef Py_ssize_t i, j
    cdef double total = 0.0, compensation = 0.0, term, t
    for i in range(n):
        for j in range(nb):
            term = _bce_from_logit(Z[i * ldz + j], Y[i * ldy + j])
            t = total + term
            if fabs(total) >= fabs(term):
                compensation += (total - t) + term
            else:
                compensation += (term - t) + total
            total = t
    return total + compensation


cdef void _output_delta(const floating* Z, Py_ssize_t ldz,
                        const floating* Y, Py_ssize_t ldy,
                        floating* dZ, Py_ssize_t lddz,
                        Py_ssize_t n, Py_ssize_t nb, floating inv_m) noexcept nogil:
    """dZ = (sigmoid(Z) - Y) / m, the course's ``1./m * (a3 - Y)``."""
    cdef Py_ssize_t i, j
    for i in range(n):
        for j in range(nb):
            dZ[i * lddz + j] = inv_m * (_sigmoid(Z[i * ldz + j]) - Y[i * ldy + j])


cdef void _weight_gradient(const floating* dZ, Py_ssize_t lddz,
                           const floating* A, Py_ssize_t lda,
                           floating* dW, floating* db,
                           Py_ssize_t n_out, Py_ssize_t n_in,
                           Py_ssize_t nb) noexcept nogil:
    """dW = dZ @ A.T and db = dZ.sum(axis=1)."""
    cdef Py_ssize_t i, k, j
    cdef floating acc
    cdef const floating* dz_row
    cdef const floating* a_row
    for i in range(n_out):
        dz_row = dZ + i * lddz
        for k in range(n_in):
            a_row = A + k * lda
            acc = 0
            for j in range(nb):
                acc += dz_row[j] * a_row[j]
            dW[i * n_in + k] = acc
        acc = 0
        for j in range(nb):
            acc += dz_row[j]
        db[i] = acc


cdef void _input_gradient(const floating* W, const floating* dZ, Py_ssize_t lddz,
                          floating* dA, Py_ssize_t ldda,
                          Py_ssize_t n_out, Py_ssize_t n_in,
                          Py_ssize_t nb) noexcept nogil:
    """dA = W.T @ dZ, with W (n_out, n_in)."""
    cdef Py_ssize_t i, k, j
    cdef floating w
    cdef floating* da_row
    cdef const floating* dz_row
    for k in range(n_in):
        da_row = dA + k * ldda
        for j in range(nb):
            da_row[j] = 0
        for i in range(n_out):
            w = W[i * n_in + k]
            dz_row = dZ + i * lddz
            for j in range(nb):
                da_row[j] += w * dz_row[j]


cdef void _relu_backward(const floating* dA, Py_ssize_t ldda,
                         const floating* A, Py_ssize_t lda,
                         floating* dZ, Py_ssize_t lddz,
                         Py_ssize_t n, Py_ssize_t nb) noexcept nogil:
    """dZ = dA * (A > 0); dZ may be dA itself."""
    cdef Py_ssize_t i, j
    for i in range(n):
        for j in range(nb):
            dZ[i * lddz + j] = dA[i * ldda + j] if A[i * lda + j] > 0 else 0


cdef void _gradient_step(floating* theta, const floating* grad, floating lr,
                         Py_ssize_t n) noexcept nogil:
    """theta = theta - lr * grad, the course's update."""
    cdef Py_ssize_t p
    for p in range(n):
        theta[p] = theta[p] - lr * grad[p]


# ---------------------------------------------------------------------------
# Whole passes over the network
# ---------------------------------------------------------------------------

cdef struct Net:
    Py_ssize_t L                # number of layers with weights
    const Py_ssize_t* dims      # n_0, ..., n_L
    const Py_ssize_t* w_off     # where W_l starts in theta, l = 1..L at [l - 1]
    const Py_ssize_t* b_off     # where b_l starts in theta


cdef Net _net(const Py_ssize_t[::1] dims, const Py_ssize_t[::1] w_off,
              const Py_ssize_t[::1] b_off, Py_ssize_t theta_size) except *:
    """Describe the network, after checking that the layout is the one ``dims``
    implies and that ``theta`` holds exactly its parameters."""
    cdef Net net
    cdef Py_ssize_t l, expected = 0
    net.L = dims.shape[0] - 1
    if net.L < 1 or w_off.shape[0] != net.L or b_off.shape[0] != net.L:
        raise ValueError("dims needs >= 2 entries and w_off, b_off one per layer")
    for l in range(1, net.L + 1):
        if dims[l - 1] < 1 or dims[l] < 1:
            raise ValueError("every layer size must be >= 1")
        if w_off[l - 1] != expected or b_off[l - 1] != expected + dims[l] * dims[l - 1]:
            raise ValueError("w_off and b_off do not match dims")
        expected += dims[l] * (dims[l - 1] + 1)
    if theta_size != expected:
        raise ValueError(f"theta has {theta_size} values, the layout needs {expected}")
    net.dims = &dims[0]
    net.w_off = &w_off[0]
    net.b_off = &b_off[0]
    return net


cdef int _check_data(Net net, Py_ssize_t n_features, Py_ssize_t m) except -1:
    if m < 1 or n_features != net.dims[0]:
        raise ValueError(f"X must be ({net.dims[0]}, m) with m >= 1, got ({n_features}, {m})")
    return 0


cdef int _check_labels(Net net, Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t m) except -1:
    if rows != net.dims[net.L] or cols != m:
        raise ValueError(f"Y must be ({net.dims[net.L]}, {m}), got ({rows}, {cols})")
    return 0


cdef int _check_size(Py_ssize_t size, Py_ssize_t needed, str name) except -1:
    if size != needed:
        raise ValueError(f"{name} has {size} values, needs {needed}")
    return 0


cdef inline Py_ssize_t _widest(Net net) noexcept nogil:
    cdef Py_ssize_t l, width = 0
    for l in range(1, net.L + 1):
        if net.dims[l] > width:
            width = net.dims[l]
    return width


cdef inline Py_ssize_t _layer_offset(Net net, Py_ssize_t l, Py_ssize_t m) noexcept nogil:
    """Where layer ``l`` (1-based) starts in a per-layer activation buffer."""
    cdef Py_ssize_t k, offset = 0
    for k in range(1, l):
        offset += net.dims[k] * m
    return offset


cdef void _forward_pass(Net net, const floating* theta, const floating* X,
                        floating* acts, Py_ssize_t m) noexcept nogil:
    """Hidden layers store A_l = relu(Z_l); the output layer stores the logits Z_L."""
    cdef Py_ssize_t l
    cdef const floating* A_prev = X
    cdef floating* out = acts
    for l in range(1, net.L + 1):
        _linear_forward(theta + net.w_off[l - 1], theta + net.b_off[l - 1],
                        A_prev, m, out, m, net.dims[l], net.dims[l - 1], m)
        if l < net.L:
            _relu(out, m, out, m, net.dims[l], m)
        A_prev = out
        out += net.dims[l] * m


cdef void _backward_pass(Net net, const floating* theta, const floating* X,
                         const floating* acts, floating* dZ, floating* dA_prev,
                         floating* grad, Py_ssize_t m) noexcept nogil:
    """Gradients from the output-layer delta already in ``dZ``.

    ``dZ`` and ``dA_prev`` are two scratch buffers of ``max(n_l) * m`` values each
    that trade places at every layer.
    """
    cdef Py_ssize_t l
    cdef const floating* A_prev
    cdef floating* swap
    for l in range(net.L, 0, -1):
        A_prev = acts + _layer_offset(net, l - 1, m) if l > 1 else X
        _weight_gradient(dZ, m, A_prev, m, grad + net.w_off[l - 1],
                         grad + net.b_off[l - 1], net.dims[l], net.dims[l - 1], m)
        if l > 1:
            _input_gradient(theta + net.w_off[l - 1], dZ, m, dA_prev, m,
                            net.dims[l], net.dims[l - 1], m)
            _relu_backward(dA_prev, m, A_prev, m, dA_prev, m, net.dims[l - 1], m)
            swap = dZ
            dZ = dA_prev
            dA_prev = swap


cdef double _descend(Net net, floating* theta, Py_ssize_t n_theta,
                     const floating* X, const floating* Y, Py_ssize_t m,
                     floating* acts, floating* scratch, floating* grad,
                     floating lr, Py_ssize_t n_iterations) noexcept nogil:
    """``n_iterations`` steps of full-batch gradient descent, in place on ``theta``.

    Returns the cost before the first step (the only one computed).
    """
    cdef Py_ssize_t it
    cdef Py_ssize_t n_out = net.dims[net.L]
    cdef floating inv_m = <floating>(1.0 / m)
    cdef floating* logits = acts + _layer_offset(net, net.L, m)
    cdef floating* spare = scratch + _widest(net) * m
    cdef double first_cost = 0.0
    for it in range(n_iterations):
        _forward_pass(net, theta, X, acts, m)
        if it == 0:
            first_cost = _cost_sum(logits, m, Y, m, n_out, m) / m
        _output_delta(logits, m, Y, m, scratch, m, n_out, m, inv_m)
        _backward_pass(net, theta, X, acts, scratch, spare, grad, m)
        _gradient_step(theta, grad, lr, n_theta)
    return first_cost


# ---------------------------------------------------------------------------
# Entry points for network.py. Values (finiteness, labels) are validated there;
# these check only what memory safety needs: sizes consistent with ``dims``, at
# least one example. O(L) work per call, none per iteration.
# ---------------------------------------------------------------------------

def descend(const Py_ssize_t[::1] dims, const Py_ssize_t[::1] w_off,
            const Py_ssize_t[::1] b_off, floating[::1] theta,
            const floating[:, ::1] X, const floating[:, ::1] Y,
            floating[::1] acts, floating[::1] scratch, floating[::1] grad,
            double learning_rate, Py_ssize_t n_iterations):
    """Run ``n_iterations`` gradient-descent steps in place on ``theta``.

    ``acts`` holds ``sum(n_l) * m`` values, ``scratch`` ``2 * max(n_l) * m`` and
    ``grad`` as many as ``theta``; all three are overwritten. Returns the cost
    before the first step. The GIL is released for the whole loop.
    """
    cdef Net net = _net(dims, w_off, b_off, theta.shape[0])
    cdef Py_ssize_t m = X.shape[1]
    cdef double first_cost
    _check_data(net, X.shape[0], m)
    _check_labels(net, Y.shape[0], Y.shape[1], m)
    _check_size(acts.shape[0], _layer_offset(net, net.L + 1, m), "acts")
    _check_size(scratch.shape[0], 2 * _widest(net) * m, "scratch")
    _check_size(grad.shape[0], theta.shape[0], "grad")
    if n_iterations < 0:
        raise ValueError("n_iterations must be >= 0")
    with nogil:
        first_cost = _descend(net, &theta[0], theta.shape[0], &X[0, 0], &Y[0, 0],
                              X.shape[1], &acts[0], &scratch[0], &grad[0],
                              <floating>learning_rate, n_iterations)
    return first_cost


def forward(const Py_ssize_t[::1] dims, const Py_ssize_t[::1] w_off,
            const Py_ssize_t[::1] b_off, const floating[::1] theta,
            const floating[:, ::1] X, floating[::1] Z, floating[::1] A):
    """Forward pass keeping every layer.

    ``Z`` and ``A`` (``sum(n_l) * m`` values each) receive Z_l and A_l layer after
    layer; A_L is the sigmoid of the logits Z_L.
    """
    cdef Net net = _net(dims, w_off, b_off, theta.shape[0])
    cdef Py_ssize_t m = X.shape[1]
    cdef Py_ssize_t l, offset
    _check_data(net, X.shape[0], m)
    _check_size(Z.shape[0], _layer_offset(net, net.L + 1, m), "Z")
    _check_size(A.shape[0], Z.shape[0], "A")
    cdef const floating* A_prev = &X[0, 0]
    with nogil:
        for l in range(1, net.L + 1):
            offset = _layer_offset(net, l, m)
            _linear_forward(&theta[net.w_off[l - 1]], &theta[net.b_off[l - 1]],
                            A_prev, m, &Z[offset], m, net.dims[l], net.dims[l - 1], m)
            if l < net.L:
                _relu(&Z[offset], m, &A[offset], m, net.dims[l], m)
            else:
                _sigmoid_rows(&Z[offset], m, &A[offset], m, net.dims[l], m)
            A_prev = &A[offset]


def backward(const Py_ssize_t[::1] dims, const Py_ssize_t[::1] w_off,
             const Py_ssize_t[::1] b_off, const floating[::1] theta,
             const floating[:, ::1] X, const floating[:, ::1] Y,
             const floating[::1] Z, const floating[::1] A,
             floating[::1] dZ, floating[::1] dA, floating[::1] grad):
    """Backward pass from a ``forward`` result, keeping every layer.

    ``dZ`` and ``dA`` (the layout of ``Z``) receive dZ_l for every layer and dA_l
    for the hidden layers; ``grad`` receives dW_l and db_l in the layout of
    ``theta``.
    """
    cdef Net net = _net(dims, w_off, b_off, theta.shape[0])
    cdef Py_ssize_t m = X.shape[1]
    cdef Py_ssize_t l, offset, prev_offset = 0
    cdef const floating* A_prev
    _check_data(net, X.shape[0], m)
    _check_labels(net, Y.shape[0], Y.shape[1], m)
    for name, buffer_size in (("Z", Z.shape[0]), ("A", A.shape[0]), ("dZ", dZ.shape[0]),
                              ("dA", dA.shape[0])):
        _check_size(buffer_size, _layer_offset(net, net.L + 1, m), name)
    _check_size(grad.shape[0], theta.shape[0], "grad")
    cdef floating inv_m = <floating>(1.0 / m)
    with nogil:
        offset = _layer_offset(net, net.L, m)
        _output_delta(&Z[offset], m, &Y[0, 0], m, &dZ[offset], m,
                      net.dims[net.L], m, inv_m)
        for l in range(net.L, 0, -1):
            if l > 1:
                prev_offset = _layer_offset(net, l - 1, m)
                A_prev = &A[prev_offset]
            else:
                A_prev = &X[0, 0]
            _weight_gradient(&dZ[offset], m, A_prev, m, &grad[net.w_off[l - 1]],
                             &grad[net.b_off[l - 1]], net.dims[l], net.dims[l - 1], m)
            if l > 1:
                _input_gradient(&theta[net.w_off[l - 1]], &dZ[offset], m,
                                &dA[prev_offset], m, net.dims[l], net.dims[l - 1], m)
                _relu_backward(&dA[prev_offset], m, A_prev, m, &dZ[prev_offset], m,
                               net.dims[l - 1], m)
            offset = prev_offset


def cost(const floating[:, ::1] ZL, const floating[:, ::1] Y):
    """Mean over the examples of the binary cross-entropy computed from the logits
    ``ZL`` (summed over output units), accumulated in double precision."""
    cdef Py_ssize_t m = ZL.shape[1]
    cdef double total
    if m < 1 or ZL.shape[0] < 1 or Y.shape[0] != ZL.shape[0] or Y.shape[1] != m:
        raise ValueError("ZL and Y must have the same shape, with at least one column")
    with nogil:
        total = _cost_sum(&ZL[0, 0], m, &Y[0, 0], m, ZL.shape[0], m)
    return total / m


def gradient_step(floating[::1] theta, const floating[::1] grad, double learning_rate):
    """``theta -= learning_rate * grad`` in place (``grad`` has theta's length)."""
    _check_size(grad.shape[0], theta.shape[0], "grad")
    if theta.shape[0] == 0:
        return
    with nogil:
        _gradient_step(&theta[0], &grad[0], <floating>learning_rate, theta.shape[0])
