"""A network's structure and packed parameters, and the passes over it.

The kernels see a network's parameters as one flat vector ``theta``: ``W_1``
row-major, then ``b_1``, then ``W_2``, ... (:class:`Layout`). A
:class:`Network` holds that vector once it has been checked, with ``W1``,
``b1``, ... as views into it, so a loop that keeps one pays only for checking
its data. Every function here also takes the course's dict, which is checked
and packed in one pass at each call. Results are new arrays; the caller's
arrays are never written (except ``out=``).
"""

import numpy as np

from . import _boundary, _kernels
from ._boundary import parameter_keys
from ._validation import (_as_numeric_array, check_dtype, check_labels_given, check_layers_dims,
                          check_features, check_no_overlap, check_parameters, check_X, check_Y,
                          fast_path_ranks)
from .activations import DEFAULT_NEGATIVE_SLOPE, check_activation
from .threads import resolve_threads

__all__ = [
    "Layout",
    "Network",
    "accuracy",
    "as_network",
    "backward",
    "forward",
    "predict",
    "predict_proba",
]


class Layout:
    """Where each layer's parameters sit in the flat vector the kernels use.

    ``W_l`` (row-major) starts at ``w_off[l - 1]`` and ``b_l`` right after it at
    ``b_off[l - 1]``; gradients use the same layout. Made once per layer sizes
    (:meth:`of`); treat it as immutable.
    """

    def __init__(self, dims):
        self.dims = np.asarray(dims, dtype=np.intp)
        sizes = self.dims[1:] * (self.dims[:-1] + 1)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
        self.w_off = starts
        self.b_off = starts + self.dims[1:] * self.dims[:-1]
        self.size = int(sizes.sum())
        self.n_layers = len(dims) - 1
        #: ``[n_0, ..., n_L, w_off, b_off]`` in one array, as the embedding kernels take it.
        self.plan = np.concatenate([self.dims, self.w_off, self.b_off]).astype(np.intp)
        for array in (self.dims, self.w_off, self.b_off, self.plan):
            array.flags.writeable = False
        n = [int(size) for size in self.dims]
        self.keys = parameter_keys(self.n_layers)
        #: ``(offset, rows, cols)`` of every ``W_l`` and ``b_l`` (as (n_l, 1)), in key order.
        self.parameter_views = tuple(
            view for l in range(1, self.n_layers + 1)
            for view in ((int(self.w_off[l - 1]), n[l], n[l - 1]),
                         (int(self.b_off[l - 1]), n[l], 1)))
        #: ``(first row, rows)`` of every layer in a per-layer activation buffer.
        self.layer_rows = tuple(zip(np.cumsum([0, *n[1:-1]]).tolist(), n[1:]))
        self.activation_rows = sum(n[1:])
        #: ``named_views`` of a forward buffer (every Z_l, then every A_l, m columns).
        self.forward_spec = tuple(
            (f"{name}{l}", 0, 0, start + (self.activation_rows if name == "A" else 0), rows, 0, 1)
            for l, (start, rows) in enumerate(self.layer_rows, 1) for name in "ZA")
        self.forward_spec += (("AL",) + self.forward_spec[-1][1:],)
        self._named_specs = {}

    @staticmethod
    def of(dims):
        """The layout of ``dims`` (a tuple of ints), made once."""
        layout = _LAYOUTS.get(dims)
        if layout is None:
            if len(_LAYOUTS) >= 1024:
                _LAYOUTS.clear()
            layout = _LAYOUTS[dims] = Layout(dims)
        return layout

    def pack(self, layers, dtype):
        """``[(W1, b1), ...]`` (b flattened) as one new flat vector."""
        theta = np.empty(self.size, dtype=dtype)
        for (W, b), w_start, b_start in zip(layers, self.w_off, self.b_off):
            theta[w_start:b_start] = W.ravel()
            theta[b_start:b_start + b.size] = b
        return theta

    def unpack(self, flat, prefix=""):
        """New ``{prefix + "W1": (n1, n0), prefix + "b1": (n1, 1), ...}`` arrays."""
        return {prefix + key: view.copy() for key, view in zip(self.keys, self.views(flat))}

    def named(self, flat, prefix=""):
        """``{prefix + "W1": view, prefix + "b1": view, ...}`` of ``flat``."""
        spec = self._named_specs.get(prefix)
        if spec is None:
            spec = self._named_specs[prefix] = tuple(
                (prefix + key, 0, offset, 0, rows, cols, 0)
                for key, (offset, rows, cols) in zip(self.keys, self.parameter_views))
        return _boundary.named_views((flat,), spec, 0)

    def views(self, flat):
        """Views of ``flat`` as ``[W1, b1, ..., WL, bL]``."""
        return _boundary.split(flat, self.parameter_views)


_LAYOUTS = {}


class Network:
    """A fully-connected network's layer sizes, dtype and parameters, checked and
    packed once into one flat vector.

    Every public function that takes the course's parameter dict also takes a
    ``Network``; a loop that keeps one skips the check and the packing a dict
    costs at every call. Its methods are those functions.

    Parameters
    ----------
    parameters : dict or Network
        ``{"W1": (n_1, n_0), "b1": (n_1, 1) or (n_1,), ..., "WL", "bL"}``; copied.
    dtype : {None, "float32", "float64"}
        Default: float32 when every array is float32, else float64.

    Attributes
    ----------
    dims : tuple of int
        ``(n_0, n_1, ..., n_L)``.
    dtype : numpy.dtype
    theta : ndarray, shape (n_parameters,)
        Every parameter, ``W_1`` row-major, ``b_1``, ``W_2``, ...
    layout : Layout

    Examples
    --------
    >>> net = fi.Network(fi.initialize([2, 10, 5, 1], "he"))
    >>> grads = None
    >>> for i in range(1000):
    ...     grads = net.backward(X, Y, out=grads)
    ...     net.theta -= 0.01 * net.flat(grads)

    ``net["W1"]`` is a writable view: changing it changes the network.
    ``dims``, ``dtype`` and ``layout`` are read-only (the kernels trust them to
    describe ``theta``). A pickled, ``copy.copy``'d or ``copy.deepcopy``'d
    Network has its own ``theta``, and its views write into it.
    """

    __slots__ = ("_dims", "_dtype", "_theta", "_layout", "_views", "__weakref__")

    def __init__(self, parameters, dtype=None):
        if dtype is not None:
            dtype = check_dtype(dtype)
        if isinstance(parameters, Network):
            self._set(parameters.dims,
                      parameters.theta.astype(parameters.dtype if dtype is None else dtype))
        else:
            self._set(*_pack(parameters, dtype))

    def _set(self, dims, theta):
        self._dims = dims
        self._dtype = theta.dtype
        self._theta = theta
        self._layout = Layout.of(dims)
        self._views = None  # made when first asked for

    @property
    def dims(self):
        """``(n_0, n_1, ..., n_L)``."""
        return self._dims

    @property
    def dtype(self):
        """float32 or float64: the dtype of :attr:`theta`."""
        return self._dtype

    @property
    def layout(self):
        """The :class:`Layout` of :attr:`dims`."""
        return self._layout

    @property
    def theta(self):
        """Every parameter in one flat vector (``W_1`` row-major, ``b_1``, ...).

        Assigning to it (``net.theta -= lr * g`` included) writes into this
        vector, so ``net["W1"]`` and the other views stay valid. What is
        assigned must be real numbers of this shape (a number, a bool, a
        complex or a wrong shape is refused; overlapping memory is fine)."""
        return self._theta

    @theta.setter
    def theta(self, value):
        if value is self._theta:
            return
        array = _as_numeric_array(value, "theta")
        if array.shape != self._theta.shape:
            raise ValueError(f"theta must have shape {self._theta.shape}, got {array.shape}")
        self._theta[...] = array

    def __reduce__(self):
        return _restore, (self._dims, self._theta)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        copied = memo.get(id(self))
        if copied is None:
            copied = memo[id(self)] = self.copy()
        return copied

    def _named_views(self):
        if self._views is None:
            self._views = self.layout.named(self.theta)
        return self._views

    @classmethod
    def _packed(cls, dims, theta):
        """A Network around an already checked ``theta`` (not copied); ``dims``
        a tuple of ints."""
        net = cls.__new__(cls)
        net._set(dims, theta)
        return net

    @property
    def n_layers(self):
        """L, the number of layers with weights."""
        return len(self.dims) - 1

    def __getitem__(self, key):
        """``"W1"``, ``"b1"``, ...: a writable view into :attr:`theta`."""
        try:
            return self._named_views()[key]
        except KeyError:
            raise KeyError(f"a Network of {self.n_layers} layers has keys "
                           f"{', '.join(self.layout.keys)}; got {key!r}") from None

    def keys(self):
        return self.layout.keys

    def __iter__(self):
        return iter(self.layout.keys)

    def __len__(self):
        return len(self.layout.keys)

    @property
    def parameters(self):
        """``{"W1": view, "b1": view, ...}``: views into :attr:`theta`."""
        return dict(self._named_views())

    def to_dict(self):
        """``{"W1", "b1", ...}`` as new arrays (b as (n_l, 1))."""
        return self.layout.unpack(self.theta)

    def copy(self):
        """A Network with its own copy of :attr:`theta`."""
        return Network._packed(self.dims, self.theta.copy())

    def flat(self, gradients):
        """A gradient dict from :meth:`backward` (``dW1``, ``db1``, ...) as one
        flat vector in :attr:`theta`'s layout (its own buffer, not a copy, when
        ``backward`` made it)."""
        flat = _flat_gradient(gradients, self.layout, self.dtype)
        return flat if flat is not None else _pack_gradients(gradients, self.layout,
                                                             self.dtype, "gradients")

    def __repr__(self):
        return f"Network(dims={list(self.dims)}, dtype={self.dtype.name})"

    def forward(self, X, activation="relu", negative_slope=DEFAULT_NEGATIVE_SLOPE):
        """:func:`fastinit.forward` on this network."""
        return forward(X, self, activation, negative_slope)

    def backward(self, X, Y, out=None, activation="relu",
                 negative_slope=DEFAULT_NEGATIVE_SLOPE):
        """:func:`fastinit.backward` on this network."""
        return backward(X, Y, self, out=out, activation=activation,
                        negative_slope=negative_slope)

    def predict_proba(self, X, out=None, n_threads=None, activation="relu",
                      negative_slope=DEFAULT_NEGATIVE_SLOPE):
        """:func:`fastinit.predict_proba` on this network."""
        return predict_proba(X, self, out=out, n_threads=n_threads, activation=activation,
                             negative_slope=negative_slope)

    def predict(self, X, n_threads=None, activation="relu",
                negative_slope=DEFAULT_NEGATIVE_SLOPE):
        """:func:`fastinit.predict` on this network."""
        return predict(X, self, n_threads=n_threads, activation=activation,
                       negative_slope=negative_slope)

    def accuracy(self, X, Y, n_threads=None, activation="relu",
                 negative_slope=DEFAULT_NEGATIVE_SLOPE):
        """:func:`fastinit.accuracy` on this network."""
        return accuracy(X, Y, self, n_threads=n_threads, activation=activation,
                        negative_slope=negative_slope)


def _restore(dims, theta):
    """The Network that ``Network.__reduce__`` pickled, checked: ``dims`` layer
    sizes, ``theta`` a 1-D float vector of their layout's size (copied unless
    it is a writable, C-contiguous, native float32 or float64 array of its own)."""
    dims = check_layers_dims(dims)
    theta = _as_numeric_array(theta, "theta")
    if theta.ndim != 1 or theta.size != Layout.of(dims).size:
        raise ValueError(f"theta must be 1-D with {Layout.of(dims).size} values for layer "
                         f"sizes {list(dims)}, got shape {theta.shape}")
    dtype = np.float32 if theta.dtype == np.float32 else np.float64
    if not (theta.dtype == dtype and theta.dtype.isnative and theta.flags.c_contiguous
            and theta.flags.writeable and theta.flags.aligned and theta.base is None):
        theta = np.array(theta, dtype=dtype, order="C")
    return Network._packed(dims, theta)


class Weights(list):
    """``[W1, b1, ..., WL, bL]``: parameters in order, without the dict's names
    (``init_utils`` reads them so from the course's cache)."""


def _pack(parameters, dtype, name="parameters"):
    """``(dims, theta)`` of a parameter dict (or :class:`Weights`) in ``dtype``
    (None: float64 unless every array is float32), checked: the C fast path,
    or the complete checks that convert what it does not take and word the
    errors (``name``: the argument, as the caller spelt it). Only 1-D and 2-D
    ndarrays reach the fast path (:func:`fast_path_ranks`)."""
    typenum = -1 if dtype is None else dtype.num
    if type(parameters) is Weights:
        if fast_path_ranks(parameters):
            packed = _boundary.pack_arrays(parameters, typenum)
            if packed is not None:
                return packed
        parameters = dict(zip(parameter_keys(len(parameters) // 2), parameters))
    elif type(parameters) is dict and fast_path_ranks(parameters.values()):
        packed = _boundary.pack_parameters(parameters, typenum)
        if packed is not None:
            return packed
    dims, layers = check_parameters(parameters, dtype, name=name)
    dtype = layers[0][0].dtype
    return dims, Layout.of(dims).pack(layers, dtype)


def as_network(parameters, dtype, name="parameters"):
    """``parameters`` (a Network, a dict or Weights) as a Network of ``dtype``: the
    Network itself when it has that dtype, else a checked, packed copy. Errors
    name the argument ``name``."""
    if isinstance(parameters, Network):
        return parameters if parameters.dtype == dtype else Network(parameters, dtype)
    return Network._packed(*_pack(parameters, dtype, name))


def _checked_X(X):
    """``check_X`` with its C fast path."""
    checked = _boundary.check_matrix(X)
    return checked if checked is not None else check_X(X)


def _prepare(X, parameters, Y=None, name="parameters"):
    """Validate and convert once: returns ``(network, X, Y)``, all in the dtype
    ``X`` decides (float32 for float32 data, else float64). ``name``: what the
    caller calls ``parameters``."""
    X = _checked_X(X)
    net = as_network(parameters, X.dtype, name)
    if X.shape[0] != net.dims[0]:  # compared here: every call passes this way
        check_features(X.shape, net.dims[0], f"{name}['W1']", " (its number of columns)")
    if Y is not None:
        labels = _boundary.check_labels(Y, net.dims[-1], X.shape[1], X.dtype.num)
        Y = labels if labels is not None else check_Y(Y, X.shape[1], net.dims[-1], X.dtype,
                                                      n_features=X.shape[0])
    return net, X, Y


def _forward_buffer(net, X, activation=(0, DEFAULT_NEGATIVE_SLOPE)):
    """The kernel's forward pass into one new buffer: every layer's Z (n_l, m),
    then every layer's A. ``activation``: ``check_activation``'s pair."""
    buffer = np.empty(2 * net.layout.activation_rows * X.shape[1], dtype=X.dtype)
    _kernels.forward_layers(net.layout.plan, net.theta, X, buffer, *activation)
    return buffer


def forward(X, parameters, activation="relu", negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """Forward propagation, LINEAR->ACTIVATION x (L-1) -> LINEAR->SIGMOID.

    Parameters
    ----------
    X : array_like, shape (n_0, m)
        Input data, one example per column.
    parameters : dict or Network
        ``{"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}``.
    activation : str, default "relu"
        The hidden layers' activation, one of :data:`fastinit.ACTIVATIONS`.
    negative_slope : float, default 0.01
        Leaky ReLU's slope for z < 0 (finite, >= 0).

    Returns
    -------
    dict
        ``{"Z1", "A1", ..., "ZL", "AL"}`` (with ``"A{L}"`` also under ``"AL"``),
        each ``(n_l, m)``: the pre-activations and activations of every layer.
        ``AL`` holds the output probabilities.
    """
    activation = check_activation(activation, negative_slope)
    net, X, _ = _prepare(X, parameters)
    buffer = _forward_buffer(net, X, activation)
    return _boundary.named_views((buffer,), net.layout.forward_spec, X.shape[1])


def _backward(net, X, Y, buffer, grad, activation=(0, DEFAULT_NEGATIVE_SLOPE)):
    """The kernel's backward pass from a :func:`_forward_buffer` ``buffer``
    (made with the same ``activation``): the gradient goes to ``grad``; returns
    a new buffer holding every layer's dZ, then the hidden layers' dA."""
    deltas = np.empty((2 * net.layout.activation_rows - net.dims[-1]) * X.shape[1],
                      dtype=X.dtype)
    _kernels.backward_layers(net.layout.plan, net.theta, X, Y, buffer, deltas, grad,
                             *activation)
    return deltas


def _flat_gradient(gradients, layout, dtype):
    """The flat buffer behind a gradient dict that :func:`backward` returned
    for this layout and dtype, or None."""
    if type(gradients) is not dict:
        return None
    arrays = [gradients.get(key) for key in parameter_keys(layout.n_layers, "d")]
    return _boundary.flat_of(arrays, layout.parameter_views, 0, 0, dtype.num, layout.size)


def _pack_gradients(gradients, layout, dtype, name):
    """A gradient dict (``dW1``, ``db1``, ...; other keys, such as the course's
    ``dz``/``da``, ignored) for ``layout``, checked and packed into a new flat
    vector of ``dtype`` in the layout of ``Network.theta``."""
    packed = None
    if type(gradients) is dict and fast_path_ranks(gradients.values()):
        packed = _boundary.pack_parameters(gradients, dtype.num, "d", layout.n_layers)
    if packed is None:
        if not hasattr(gradients, "items"):
            raise TypeError(f"{name} must be a dict with keys 'dW1', 'db1', ..., "
                            f"got {type(gradients).__name__}")
        weights = {key: value for key, value in gradients.items()
                   if str(key)[:2] in ("dW", "db")}
        dims, layers = check_parameters(weights, dtype, name=name, prefix="d")
        packed = dims, Layout.of(dims).pack(layers, dtype)
    if packed[0] != tuple(int(n) for n in layout.dims):
        raise ValueError(f"{name} have layer sizes {list(packed[0])}, parameters "
                         f"{[int(n) for n in layout.dims]}")
    return packed[1]


def backward(X, Y, parameters, out=None, activation="relu",
             negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """Gradients of the mean binary cross-entropy with respect to every parameter.

    Parameters
    ----------
    X : array_like, shape (n_0, m)
    Y : array_like, shape (n_L, m)
        Labels, 0 or 1.
    parameters : dict or Network
        ``{"W1", "b1", ..., "WL", "bL"}`` as in :func:`forward`.
    out : dict, optional
        A dict that ``backward`` returned before, for the same layer sizes and
        dtype: the gradients are written into its arrays, and it is returned.
        Its buffer must share no memory with ``X``, ``Y`` or the parameters
        (``ValueError``).
    activation : str, default "relu"
    negative_slope : float, default 0.01
        The hidden activation, as in :func:`forward`.

    Returns
    -------
    dict
        ``{"dW1": (n_1, n_0), "db1": (n_1, 1), ..., "dWL", "dbL"}``: views of
        one flat buffer, in the layout of ``Network.theta``.
    """
    activation = check_activation(activation, negative_slope)
    X_given, Y_given = X, check_labels_given(Y)
    net, X, Y = _prepare(X, parameters, Y)
    if out is None:
        grad = np.empty(net.layout.size, dtype=X.dtype)
    else:
        grad = _flat_gradient(out, net.layout, X.dtype)
        if grad is None or grad is net.theta:  # a dict of the network's own views
            raise ValueError(f"out must be a dict returned by backward for layer sizes "
                             f"{list(net.dims)} and dtype {X.dtype.name}")
        check_no_overlap(grad, _inputs(net, parameters, ("X", X_given), ("X", X),
                                       ("Y", Y_given), ("Y", Y)))
    _backward(net, X, Y, _forward_buffer(net, X, activation), grad, activation)
    return out if out is not None else net.layout.named(grad, "d")


def _inputs(net, parameters, *named):
    """``(name, array)`` of everything a call reads, for :func:`check_no_overlap`:
    the ``named`` pairs (the caller's arrays and their checked forms), the
    caller's ``parameters`` dict and the packed ``net.theta``."""
    yield from named
    if isinstance(parameters, dict):
        for key, value in parameters.items():
            yield f"parameters[{key!r}]", value
    yield "the network's parameters (theta)", net.theta


def _output_buffer(out, shape, dtype):
    """``out`` checked as a writable C-contiguous array of ``shape`` and ``dtype``."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a NumPy array, got {type(out).__name__}")
    flags = out.flags
    if (out.shape == shape and out.dtype == dtype and out.dtype.isnative
            and flags.c_contiguous and flags.writeable and flags.aligned):
        return out
    flaws = [flaw for flaw, present in (
        (f"shape {out.shape}", out.shape != shape),
        (f"dtype {out.dtype}", out.dtype != dtype or not out.dtype.isnative),
        ("not C-contiguous", not flags.c_contiguous),
        ("read-only", not flags.writeable),
        ("not aligned", not flags.aligned)) if present]
    raise ValueError(f"out must be a writable C-contiguous {dtype.name} array of shape "
                     f"{shape}, got {out.dtype.name} {out.shape} ({', '.join(flaws)})")


def predict_proba(X, parameters, out=None, n_threads=None, activation="relu",
                  negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """Output probabilities ``sigmoid(Z_L)``, shape ``(n_L, m)``.

    Only the output is computed and stored: the examples go through the
    network in blocks, on ``n_threads`` threads (default: as many as the work
    repays), with the same bits for every thread count.

    Parameters
    ----------
    X : array_like, shape (n_0, m)
    parameters : dict or Network
    out : ndarray, optional
        Receives the probabilities: C-contiguous, shape ``(n_L, m)``, the dtype
        of the computation (float32 for float32 ``X``, else float64), sharing
        no memory with ``X`` or the parameters (``ValueError``).
    n_threads : int, optional
    activation : str, default "relu"
    negative_slope : float, default 0.01
        The hidden activation, as in :func:`forward`.
    """
    activation = check_activation(activation, negative_slope)
    X_given = X
    net, X, _ = _prepare(X, parameters)
    shape = (net.dims[-1], X.shape[1])
    if out is None:
        out = np.empty(shape, dtype=X.dtype)
    else:
        out = _output_buffer(out, shape, X.dtype)
        check_no_overlap(out, _inputs(net, parameters, ("X", X_given), ("X", X)))
    _kernels.infer(net.layout.plan, net.theta, X, out, None,
                   resolve_threads(n_threads, net.dims, X.shape[1], passes=1), *activation)
    return out


def predict(X, parameters, n_threads=None, activation="relu",
            negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """0/1 predictions (probability > 0.5), ``int64`` of shape ``(n_L, m)``; the
    arguments are :func:`predict_proba`'s."""
    return (predict_proba(X, parameters, n_threads=n_threads, activation=activation,
                          negative_slope=negative_slope) > 0.5).astype(np.int64)


def accuracy(X, Y, parameters, n_threads=None, activation="relu",
             negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """Fraction of labels in ``Y`` (shape ``(n_L, m)``, 0/1) predicted correctly
    (probability > 0.5), computed block by block without storing any output;
    the other arguments are :func:`predict_proba`'s."""
    activation = check_activation(activation, negative_slope)
    net, X, Y = _prepare(X, parameters, check_labels_given(Y))
    hits = _kernels.infer(net.layout.plan, net.theta, X, None, Y,
                          resolve_threads(n_threads, net.dims, X.shape[1], passes=1),
                          *activation)
    return hits / Y.size
