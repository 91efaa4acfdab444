"""Checks at the public boundary.

The compiled core runs with bounds checks off, so every public function passes
its arguments through these helpers first. Each raises ``TypeError`` (wrong kind
of thing) or ``ValueError`` (right kind, wrong value), naming the argument and
what was expected. None of them modifies what it is given.
"""

import itertools
import numbers
import os
import re

import numpy as np



def physical_memory():
    """This machine's memory in bytes, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(n_bytes, what):
    """Refuse, before allocating, ``n_bytes`` that exceed this machine's memory;
    ``what`` names the argument that asked for them."""
    memory = physical_memory()
    if memory is not None and n_bytes > memory:
        raise ValueError(f"{what} would need {n_bytes / 2**30:.3g} GiB, more than this "
                         f"machine's {memory / 2**30:.3g} GiB of memory")


#: Every count the compiled core takes is a C ``int64``.
MAX_COUNT = 2**63 - 1


def check_positive_int(value, name):
    """Return ``value`` as an ``int`` if it is an integer in [1, 2**63) (a
    count the compiled core can hold)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    if value > MAX_COUNT:
        raise ValueError(f"{name} must be below 2**63, got {value}")
    return int(value)


def check_positive_ints(values, name):
    """``values`` as a non-empty list of ints >= 1 (``name``: the argument)."""
    values = [check_positive_int(value, name) for value in values]
    if not values:
        raise ValueError(f"{name} must hold at least one value")
    return values


#: The most seeds one call takes (a range of 10**12 would not fit in memory).
MAX_SEEDS = 1_000_000


def check_seeds(seeds, name="seeds"):
    """``seeds`` as a non-empty list of ints in [0, 2**32).

    A float (``1.9``), a bool or a string is refused, never rounded; so is a
    single int given where a collection of them is expected.
    """
    if isinstance(seeds, (str, bytes, numbers.Number, np.generic)) or \
            not hasattr(seeds, "__iter__") or getattr(seeds, "ndim", 1) == 0:
        raise TypeError(f"{name} must be a collection of ints, such as range(5) or [0, 1], "
                        f"got {type(seeds).__name__} {seeds!r}")
    try:
        count = len(seeds)
    except TypeError:  # an iterator: at most one more than allowed is drawn from it
        seeds = list(itertools.islice(seeds, MAX_SEEDS + 1))
        count = len(seeds)
    if count > MAX_SEEDS:
        raise ValueError(f"{name} holds more than {MAX_SEEDS} seeds; give at most {MAX_SEEDS}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError(f"{name} must hold at least one seed")
    for seed in seeds:
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"{name} must be ints in [0, 2**32), got "
                            f"{type(seed).__name__} {seed!r}")
        if not 0 <= seed < 2**32:
            raise ValueError(f"{name} must be ints in [0, 2**32), got {seed!r}")
    return [int(seed) for seed in seeds]


def check_bool(value, name):
    """Return ``value`` as a ``bool`` if it is ``True`` or ``False`` (NumPy's too);
    a number or a string is refused, never read as its truth value."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_labels_given(Y, name="Y"):
    """Refuse ``Y=None`` where labels are required (None elsewhere means "no
    labels", so the checks that follow would skip it)."""
    if Y is None:
        raise TypeError(f"{name} must be an array of 0/1 labels of shape (n_L, m), got None")
    return Y


def check_positive_number(value, name):
    """Return ``value`` as a ``float`` if it is a finite real number > 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


def check_layers_dims(layers_dims):
    """Return ``layers_dims`` as a tuple of ints: at least two sizes, each >= 1."""
    if isinstance(layers_dims, (str, bytes, set, frozenset, dict)) or \
            not hasattr(layers_dims, "__len__"):
        raise TypeError(
            f"layers_dims must be a sequence of layer sizes in order, such as [2, 10, 5, 1], "
            f"got {type(layers_dims).__name__}"
        )
    dims = tuple(layers_dims)
    if len(dims) < 2:
        raise ValueError(
            f"layers_dims must have at least two entries (inputs and outputs), got {list(dims)}"
        )
    for position, size in enumerate(dims):
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral):
            raise TypeError(
                f"layers_dims[{position}] must be an integer, got {type(size).__name__} {size!r}"
            )
        if size < 1:
            raise ValueError(f"layers_dims[{position}] must be >= 1, got {size}")
    return tuple(int(size) for size in dims)


def check_hidden_layers_dims(layers_dims):
    """:func:`check_layers_dims`, and at least one hidden layer (what a
    measurement of the hidden layers needs)."""
    dims = check_layers_dims(layers_dims)
    if len(dims) < 3:
        raise ValueError(f"layers_dims must have at least one hidden layer, got {list(dims)}")
    return dims


def check_dtype(dtype, name="dtype"):
    """Return ``np.float32`` or ``np.float64`` (the default, for ``None``)."""
    if dtype is None:
        return np.dtype(np.float64)
    if isinstance(dtype, (np.ndarray, np.generic)):  # np.dtype() would take their dtype
        raise TypeError(f"{name} must be float32 or float64 (a dtype or its name), got "
                        f"{type(dtype).__name__} {dtype!r}")
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be float32 or float64, got {dtype!r}") from None
    if resolved not in (np.float32, np.float64):
        raise ValueError(f"{name} must be float32 or float64, got {resolved}")
    return resolved


def check_seed(seed, name="seed"):
    """Return a random generator for ``seed``.

    An ``int`` gives a new legacy ``RandomState`` (the course's ``np.random.seed``
    stream, without touching NumPy's global state); a ``RandomState`` or
    ``Generator`` is used as it is; ``None`` means NumPy's global state.
    """
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, (np.random.RandomState, np.random.Generator)):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be an int, a numpy.random.Generator, a numpy.random.RandomState "
            f"or None, got {type(seed).__name__}"
        )
    if not 0 <= seed < 2**32:
        raise ValueError(f"{name} must be between 0 and 2**32 - 1, got {seed}")
    return np.random.RandomState(int(seed))


def _as_numeric_array(value, name):
    """``np.asarray(value)`` that refuses what is not real numbers."""
    if value is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{name} must be a plain array: a masked array's mask would be ignored; "
                        f"fill or drop the masked values first (np.ma.filled, .compressed)")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers: {error}") from None
    kind = array.dtype.kind
    if kind == "b":
        raise TypeError(f"{name} must hold numbers, got a boolean array; convert it first")
    if kind == "c":
        raise TypeError(f"{name} must hold real numbers, got complex dtype {array.dtype}")
    if kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def _aligned(array):
    """``array``, copied when its data is not aligned for its dtype (the
    compiled core reads whole values)."""
    return array if array.flags.aligned else array.copy()


def fast_path_ranks(arrays):
    """Whether every one of ``arrays`` is an ndarray of 1 or 2 dimensions.

    The C fast path (``_boundary``) reads an array's first dimensions before
    it checks its rank, so an array of any other rank (a 0-d bias above all)
    must never reach it: it goes to the complete checks, which word the error.
    """
    for array in arrays:
        if type(array) is not np.ndarray or not 0 < array.ndim < 3:
            return False
    return True


#: NumPy's "too hard to decide" error (``numpy.exceptions`` from NumPy 1.25 on).
_TOO_HARD = getattr(getattr(np, "exceptions", np), "TooHardError", RuntimeError)


def _overlaps(a, b):
    """Whether ``a`` and ``b`` share memory; True too when that is too hard to
    decide exactly (interleaved strides), so an overlap is never missed."""
    if not np.may_share_memory(a, b):
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=100_000))
    except _TOO_HARD:
        return True


def check_no_overlap(out, others, name="out"):
    """Refuse an output buffer that shares memory with an input.

    Parameters
    ----------
    out : ndarray
        The buffer the call would write.
    others : iterable of (str, object)
        Every input by the name the caller knows it by (``"X"``,
        ``"parameters['W1']"``, ``"the network's theta"``); what is not an
        ndarray is skipped (it was copied when converted).
    name : str
        The output argument's name.

    Raises
    ------
    ValueError
        Naming ``name`` and the input it overlaps: the kernels read the inputs
        while they write ``out``, so an overlap gives wrong results or
        overwrites the input.
    """
    for other_name, other in others:
        if isinstance(other, np.ndarray) and _overlaps(out, other):
            raise ValueError(f"{name} shares memory with {other_name}; pass an array that "
                             f"overlaps no input (e.g. a new np.empty)")


def computation_dtype(X):
    """The dtype a computation on ``X`` runs in: float32 for float32 data, else
    float64. Decided once, at the boundary."""
    return np.dtype(np.float32) if np.asarray(X).dtype == np.float32 else np.dtype(np.float64)


def check_X(X, n_features=None, name="X"):
    """Return ``X`` as a C-contiguous, aligned ``(n_features, m)`` float array with m >= 1.

    Float32 input stays float32; everything else becomes float64. The result is
    a copy whenever conversion was needed, so callers may not write into it.
    """
    array = _as_numeric_array(X, name)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (n_features, n_examples), got {array.ndim}-D "
            f"shape {array.shape}"
        )
    if array.shape[1] == 0:
        raise ValueError(f"{name} has no examples (shape {array.shape}); need at least one")
    if n_features is not None:
        check_features(array.shape, n_features, "the network",
                       " (layers_dims[0] / W1.shape[1])", name)
    array = _aligned(np.ascontiguousarray(array, dtype=computation_dtype(array)))
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_features(shape, n_features, expected_by, note="", name="X"):
    """Refuse an ``X`` of ``shape`` (2-D, examples as columns) whose rows are not
    the ``n_features`` that ``expected_by`` expects; ``note`` ends the message.
    An ``X`` whose columns are that many is called transposed, with the fix."""
    if shape[0] == n_features:
        return
    if shape[1] == n_features:
        raise ValueError(
            f"{name} has shape {tuple(shape)}: rows are features here, so it looks "
            f"transposed; pass {name}.T ({expected_by} expects {n_features} features as "
            f"rows, one example per column)"
        )
    raise ValueError(f"{name} has {shape[0]} features (rows) but {expected_by} expects "
                     f"{n_features}{note}")


def check_Y(Y, m, n_outputs, dtype, name="Y", n_features=None):
    """Return labels as a C-contiguous, aligned ``(n_outputs, m)`` array of 0/1 in ``dtype``.

    A ``Y`` of shape ``(m, n_outputs)`` is called transposed; so is ``X`` (of
    ``n_features`` rows, when given) when ``Y`` has one column per row of ``X``."""
    array = _as_numeric_array(Y, name)
    if array.shape != (n_outputs, m):
        raise ValueError(_label_shape_problem(array.shape, m, n_outputs, name, n_features))
    if not np.isin(array, (0, 1)).all():
        bad = np.unique(array[~np.isin(array, (0, 1))])[:5]
        raise ValueError(f"{name} must contain only 0 and 1 labels, found {bad.tolist()}")
    return _aligned(np.ascontiguousarray(array, dtype=dtype))


def _label_shape_problem(shape, m, n_outputs, name, n_features):
    """Why labels of ``shape`` do not fit ``(n_outputs, m)``, with the fix when
    ``Y`` or ``X`` looks transposed."""
    expected = (f"{name} must have shape ({n_outputs}, {m}) to match the network's outputs "
                f"and X's {m} examples, got {shape}")
    if shape == (m, n_outputs):
        return f"{expected}: it looks transposed; pass {name}.T"
    if n_features is not None and shape == (n_outputs, n_features):
        return (f"{expected}: one label per row of X, so X (shape ({n_features}, {m})) looks "
                f"transposed (rows are features here); pass X.T")
    return expected


def check_parameters(parameters, dtype=None, name="parameters", prefix=""):
    """Check a course-style parameter dict and return ``(dims, layers)``.

    ``layers`` is ``[(W1, b1), ..., (WL, bL)]`` as C-contiguous arrays of
    ``dtype`` (new arrays where conversion was needed, never written to), with
    each ``b_l`` flattened to ``(n_l,)``. ``dims`` is ``(n_0, n_1, ..., n_L)``.
    ``dtype=None`` keeps float32 when every array is float32, else float64.
    ``prefix`` is put before every key (``"d"`` for gradients: ``dW1``, ``db1``).
    """
    if not hasattr(parameters, "keys") or not hasattr(parameters, "__getitem__"):
        raise TypeError(
            f"{name} must be a dict with keys '{prefix}W1', '{prefix}b1', ..., "
            f"got {type(parameters).__name__}"
        )
    key_pattern = re.compile(rf"^{prefix}([Wb])([1-9][0-9]*)$")
    indices = {"W": set(), "b": set()}
    for key in parameters.keys():
        match = key_pattern.match(key) if isinstance(key, str) else None
        if match is None:
            raise ValueError(
                f"{name} has an unexpected key {key!r}; expected only "
                f"'{prefix}W1', '{prefix}b1', ..., '{prefix}WL', '{prefix}bL'"
            )
        indices[match.group(1)].add(int(match.group(2)))
    n_layers = len(indices["W"])
    expected = set(range(1, n_layers + 1))
    if n_layers == 0 or indices["W"] != expected or indices["b"] != expected:
        missing = sorted(
            [f"{prefix}W{l}" for l in expected - indices["W"]]
            + [f"{prefix}b{l}" for l in expected - indices["b"]]
        )
        extra = sorted(
            [f"{prefix}W{l}" for l in indices["W"] - expected]
            + [f"{prefix}b{l}" for l in indices["b"] - expected]
        )
        detail = "no weights" if n_layers == 0 else f"missing {missing or 'none'}"
        raise ValueError(
            f"{name} must hold {prefix}W1, {prefix}b1, ..., {prefix}WL, {prefix}bL for "
            f"consecutive layers; {detail}"
            + (f", unexpected {extra}" if extra else "")
        )

    arrays = {
        key: _as_numeric_array(parameters[key], f"{name}[{key!r}]") for key in parameters.keys()
    }
    if dtype is None:
        all_single = all(array.dtype == np.float32 for array in arrays.values())
        dtype = np.float32 if all_single else np.float64
    layers = []
    dims = []
    for l in range(1, n_layers + 1):
        W_key, b_key = f"{prefix}W{l}", f"{prefix}b{l}"
        W, b = arrays[W_key], arrays[b_key]
        if W.ndim != 2 or 0 in W.shape:
            raise ValueError(
                f"{name}['{W_key}'] must be a non-empty 2-D array (n_{l}, n_{l - 1}), "
                f"got shape {W.shape}"
            )
        n_out, n_in = W.shape
        if l == 1:
            dims.append(n_in)
        elif n_in != dims[-1]:
            raise ValueError(
                f"{name}['{W_key}'] has shape {W.shape} but {prefix}W{l - 1} has {dims[-1]} "
                f"rows: {W_key} must have {dims[-1]} columns"
            )
        if b.shape not in ((n_out, 1), (n_out,)):
            raise ValueError(
                f"{name}['{b_key}'] must have shape ({n_out}, 1) to match {W_key}, got {b.shape}"
            )
        W = np.ascontiguousarray(W, dtype=dtype)
        b = np.ascontiguousarray(b.reshape(n_out), dtype=dtype)
        for key, array in ((W_key, W), (b_key, b)):
            if not np.isfinite(array).all():
                raise ValueError(f"{name}['{key}'] contains NaN or infinite values")
        dims.append(n_out)
        layers.append((W, b))
    return tuple(dims), layers
