# cython: language_level=3, cdivision=True
"""The fast path of the public boundary: check and pack in one pass.

Each function here handles the common case (exact NumPy arrays of float32 or
float64, native byte order, aligned) with C-level checks, and returns ``None``
for anything else, so that ``_validation``'s complete checks, which convert
other inputs and word the errors, run only when they are needed. What these
functions accept, the complete checks accept too, with the same result.

``split`` makes the views that public calls return, at C cost.
"""

cimport numpy as cnp
from cpython.ref cimport PyObject
from libc.string cimport memcpy

cnp.import_array()

cdef extern from "Python.h":
    PyObject* PyDict_GetItemWithError(object mapping, object key) except? NULL

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    /* 1 when every value is finite: the exponent bits of inf and NaN are all
       ones. An integer OR over the values, which compilers vectorize. */
    #define FI_DEFINE_ALL_FINITE(NAME, T, U, EXPONENT)                        \
    static int NAME(const T* x, Py_ssize_t n) {                               \
        U bad = 0;                                                            \
        for (Py_ssize_t i = 0; i < n; i++) {                                  \
            U b; memcpy(&b, x + i, sizeof b);                                 \
            bad |= (b & EXPONENT) == EXPONENT;                                \
        }                                                                     \
        return !bad;                                                          \
    }
    FI_DEFINE_ALL_FINITE(fi_all_finite_d, double, uint64_t, 0x7FF0000000000000ULL)
    FI_DEFINE_ALL_FINITE(fi_all_finite_f, float, uint32_t, 0x7F800000U)
    """
    bint fi_all_finite_d(const double* x, Py_ssize_t n) nogil
    bint fi_all_finite_f(const float* x, Py_ssize_t n) nogil


cdef dict _NAMES = {}


cpdef tuple parameter_keys(Py_ssize_t n_layers, str prefix=""):
    """``(prefix + "W1", prefix + "b1", ..., prefix + "WL", prefix + "bL")``,
    made once."""
    cdef list names
    key = (prefix, n_layers)
    found = _NAMES.get(key)
    if found is None:
        names = []
        for l in range(1, n_layers + 1):
            names.append(f"{prefix}W{l}")
            names.append(f"{prefix}b{l}")
        found = _NAMES[key] = tuple(names)
    return found


cdef inline bint _plain_float_array(object value):
    """An exact ndarray of float32 or float64, native byte order, aligned."""
    cdef cnp.ndarray array
    if type(value) is not cnp.ndarray:
        return False
    array = <cnp.ndarray>value
    return ((cnp.PyArray_TYPE(array) == cnp.NPY_DOUBLE
             or cnp.PyArray_TYPE(array) == cnp.NPY_FLOAT)
            and cnp.PyArray_ISNOTSWAPPED(array) and cnp.PyArray_ISALIGNED(array))


cdef inline bint _finite(const char* data, Py_ssize_t n, int typenum) noexcept nogil:
    if typenum == cnp.NPY_DOUBLE:
        return fi_all_finite_d(<const double*>data, n)
    return fi_all_finite_f(<const float*>data, n)


cdef inline double _read(const char* p, int typenum) noexcept nogil:
    """The value at ``p`` of a float64, float32, int64 or int32 array, as a double."""
    if typenum == cnp.NPY_DOUBLE:
        return (<const double*>p)[0]
    if typenum == cnp.NPY_FLOAT:
        return (<const float*>p)[0]
    if typenum == cnp.NPY_INT64:
        return <double>(<const cnp.int64_t*>p)[0]
    return <double>(<const cnp.int32_t*>p)[0]


cdef bint _copy_finite(cnp.ndarray source, Py_ssize_t rows, Py_ssize_t cols,
                       char* target, int typenum) noexcept:
    """Copy a (rows, cols) float array, any strides, into ``target`` (row-major,
    ``typenum``), converting the dtype; False when a copied value is not finite."""
    cdef int source_type = cnp.PyArray_TYPE(source)
    cdef Py_ssize_t itemsize = 8 if typenum == cnp.NPY_DOUBLE else 4
    cdef const char* data = <const char*>cnp.PyArray_DATA(source)
    cdef Py_ssize_t row_stride, col_stride, i, j
    cdef double value
    if cnp.PyArray_IS_C_CONTIGUOUS(source) and source_type == typenum:
        memcpy(target, data, rows * cols * itemsize)
        return _finite(target, rows * cols, typenum)
    row_stride = cnp.PyArray_STRIDES(source)[0]
    col_stride = cnp.PyArray_STRIDES(source)[1] if cnp.PyArray_NDIM(source) == 2 else 0
    for i in range(rows):
        for j in range(cols):
            value = _read(data + i * row_stride + j * col_stride, source_type)
            if typenum == cnp.NPY_DOUBLE:
                (<double*>target)[i * cols + j] = value
            else:
                (<float*>target)[i * cols + j] = <float>value
    return _finite(target, rows * cols, typenum)


cdef bint _is_parameter_key(str key, str prefix):
    """Whether ``key`` is ``prefix`` followed by "W" or "b" (and anything)."""
    cdef Py_ssize_t i, p = len(prefix)
    if len(key) <= p or (key[p] != u"W" and key[p] != u"b"):
        return False
    for i in range(p):
        if key[i] != prefix[i]:
            return False
    return True


def pack_parameters(parameters, int typenum, str prefix="", Py_ssize_t n_layers=0):
    """``(dims, theta)`` of a parameter dict, or None for the complete checks.

    ``parameters`` must be a ``dict`` holding exactly ``prefix + "W1"``,
    ``prefix + "b1"``, ..., or, with ``n_layers``, those of ``n_layers``
    layers and no other key that starts with ``prefix + "W"`` or
    ``prefix + "b"`` (the course's gradients also hold ``dz`` and ``da``).
    Every array must be a float ndarray: ``W_l`` non-empty ``(n_l, n_{l-1})``,
    ``b_l`` ``(n_l, 1)`` or ``(n_l,)``, every value finite once converted to
    ``typenum`` (-1: float32 when every array is float32, else float64).
    ``theta`` is new: every ``W_l`` row-major then ``b_l``.
    """
    cdef Py_ssize_t L, l, count = 0
    cdef tuple names
    cdef list arrays = []
    cdef PyObject* found
    if type(parameters) is not dict:
        return None
    if n_layers == 0:
        if len(<dict>parameters) == 0 or len(<dict>parameters) % 2:
            return None
        L = len(<dict>parameters) // 2
    else:
        L = n_layers
        for key in <dict>parameters:
            if type(key) is not str:
                return None
            count += _is_parameter_key(<str>key, prefix)
        if count != 2 * L:
            return None
    names = parameter_keys(L, prefix)
    for l in range(2 * L):
        found = PyDict_GetItemWithError(<dict>parameters, names[l])
        if found == NULL:
            return None
        arrays.append(<object>found)
    return _pack(arrays, typenum)


def pack_arrays(arrays, int typenum):
    """:func:`pack_parameters` of ``[W1, b1, ..., WL, bL]`` (a list)."""
    if not isinstance(arrays, list) or len(arrays) == 0 or len(arrays) % 2:
        return None
    return _pack(list(arrays), typenum)


cdef object _pack(list arrays, int typenum):
    """``(dims, theta)`` of ``[W1, b1, ..., WL, bL]``, or None (see
    :func:`pack_parameters`)."""
    cdef Py_ssize_t L = len(arrays) // 2, l, size = 0, n_out, n_in
    cdef list dims = []
    cdef cnp.ndarray W, b, theta
    cdef cnp.npy_intp length
    cdef char* target
    cdef Py_ssize_t itemsize
    cdef bint single = True
    for value in arrays:
        if not _plain_float_array(value):
            return None
        single &= cnp.PyArray_TYPE(<cnp.ndarray>value) == cnp.NPY_FLOAT
    if typenum < 0:
        typenum = cnp.NPY_FLOAT if single else cnp.NPY_DOUBLE
    itemsize = 8 if typenum == cnp.NPY_DOUBLE else 4
    for l in range(L):
        W = <cnp.ndarray>arrays[2 * l]
        b = <cnp.ndarray>arrays[2 * l + 1]
        if cnp.PyArray_NDIM(W) != 2:
            return None
        n_out, n_in = cnp.PyArray_DIMS(W)[0], cnp.PyArray_DIMS(W)[1]
        if n_out < 1 or n_in < 1 or (l > 0 and n_in != dims[l]):
            return None
        if cnp.PyArray_DIMS(b)[0] != n_out or not (
                cnp.PyArray_NDIM(b) == 1
                or (cnp.PyArray_NDIM(b) == 2 and cnp.PyArray_DIMS(b)[1] == 1)):
            return None
        if l == 0:
            dims.append(n_in)
        dims.append(n_out)
        size += n_out * (n_in + 1)
    length = size
    theta = cnp.PyArray_EMPTY(1, &length, typenum, 0)
    target = <char*>cnp.PyArray_DATA(theta)
    for l in range(L):
        W = <cnp.ndarray>arrays[2 * l]
        b = <cnp.ndarray>arrays[2 * l + 1]
        n_out, n_in = dims[l + 1], dims[l]
        if not _copy_finite(W, n_out, n_in, target, typenum):
            return None
        target += n_out * n_in * itemsize
        if not _copy_finite(b, n_out, 1, target, typenum):
            return None
        target += n_out * itemsize
    return tuple(dims), theta


def check_matrix(X, Py_ssize_t n_rows=-1):
    """``X`` as a C-contiguous 2-D float array with at least one column (and
    ``n_rows`` rows, unless -1) whose values are all finite: ``X`` itself when it
    is one, a new copy when only its strides differ; else None."""
    cdef cnp.ndarray array, copy
    cdef int typenum
    if not _plain_float_array(X):
        return None
    array = <cnp.ndarray>X
    typenum = cnp.PyArray_TYPE(array)
    if (cnp.PyArray_NDIM(array) != 2 or cnp.PyArray_DIMS(array)[1] < 1
            or (n_rows >= 0 and cnp.PyArray_DIMS(array)[0] != n_rows)):
        return None
    if cnp.PyArray_IS_C_CONTIGUOUS(array):
        if not _finite(<const char*>cnp.PyArray_DATA(array), cnp.PyArray_SIZE(array), typenum):
            return None
        return X
    copy = cnp.PyArray_EMPTY(2, cnp.PyArray_DIMS(array), typenum, 0)
    if not _copy_finite(array, cnp.PyArray_DIMS(array)[0], cnp.PyArray_DIMS(array)[1],
                        <char*>cnp.PyArray_DATA(copy), typenum):
        return None
    return copy


cdef inline bint _is_label(double value) noexcept nogil:
    return value == 0 or value == 1


def check_labels(Y, Py_ssize_t n_outputs, Py_ssize_t m, int typenum):
    """Labels as a C-contiguous ``(n_outputs, m)`` array of ``typenum``, or None.

    ``Y`` must be an exact ndarray of float64, float32, int64 or int32 of that
    shape, holding only 0 and 1. It is returned itself when it already has the
    dtype and layout, else converted into a new array.
    """
    cdef cnp.ndarray array, out
    cdef int source_type
    cdef Py_ssize_t i, j, row_stride, col_stride
    cdef const char* data
    cdef double value
    cdef cnp.npy_intp shape[2]
    if type(Y) is not cnp.ndarray:
        return None
    array = <cnp.ndarray>Y
    source_type = cnp.PyArray_TYPE(array)
    if (source_type not in (cnp.NPY_DOUBLE, cnp.NPY_FLOAT, cnp.NPY_INT64, cnp.NPY_INT32)
            or not cnp.PyArray_ISNOTSWAPPED(array) or not cnp.PyArray_ISALIGNED(array)
            or cnp.PyArray_NDIM(array) != 2 or cnp.PyArray_DIMS(array)[0] != n_outputs
            or cnp.PyArray_DIMS(array)[1] != m):
        return None
    data = <const char*>cnp.PyArray_DATA(array)
    row_stride = cnp.PyArray_STRIDES(array)[0]
    col_stride = cnp.PyArray_STRIDES(array)[1]
    for i in range(n_outputs):
        for j in range(m):
            value = _read(data + i * row_stride + j * col_stride, source_type)
            if not _is_label(value):
                return None
    if source_type == typenum and cnp.PyArray_IS_C_CONTIGUOUS(array):
        return Y
    shape[0], shape[1] = n_outputs, m
    out = cnp.PyArray_EMPTY(2, shape, typenum, 0)
    for i in range(n_outputs):
        for j in range(m):
            value = _read(data + i * row_stride + j * col_stride, source_type)
            if typenum == cnp.NPY_DOUBLE:
                (<double*>cnp.PyArray_DATA(out))[i * m + j] = value
            else:
                (<float*>cnp.PyArray_DATA(out))[i * m + j] = <float>value
    return out


cdef int _decode(object entry, Py_ssize_t columns, Py_ssize_t* offset, Py_ssize_t* rows,
                 Py_ssize_t* cols) except -1:
    """``(offset, rows, cols)`` of one entry of a :func:`split` spec."""
    if columns > 0:
        first_row, rows[0] = entry
        offset[0] = first_row * columns
        cols[0] = columns
    else:
        offset[0], rows[0], cols[0] = entry
    return 0


def split(cnp.ndarray flat, tuple spec, Py_ssize_t columns=0, Py_ssize_t second=0):
    """Views of the 1-D C-contiguous ``flat``: one ``(rows, cols)`` array per
    ``(offset, rows, cols)`` of ``spec``, each keeping ``flat`` alive. With
    ``columns``, ``spec`` holds ``(first_row, rows)`` pairs instead, each the
    view ``(rows, columns)`` from ``first_row * columns``, followed, with
    ``second``, by the same view ``second`` values further on."""
    cdef list views = []
    cdef Py_ssize_t offset, rows, cols
    for entry in spec:
        _decode(entry, columns, &offset, &rows, &cols)
        views.append(_view(flat, offset, rows, cols))
        if second > 0:
            views.append(_view(flat, offset + second, rows, cols))
    return views


def unzip_cache(tuple cache):
    """``(layers, weights)`` of the course's cache ``(z1, a1, W1, b1, z2, ...)``:
    ``[z1, a1, z2, a2, ...]`` and ``[W1, b1, W2, b2, ...]``."""
    cdef Py_ssize_t i
    cdef list layers = [], weights = []
    for i in range(len(cache)):
        (layers if i % 4 < 2 else weights).append(cache[i])
    return layers, weights


cdef cnp.ndarray _view(cnp.ndarray flat, Py_ssize_t offset, Py_ssize_t rows,
                       Py_ssize_t cols):
    """The ``(rows, cols)`` view of the 1-D C-contiguous ``flat`` from ``offset``."""
    cdef cnp.npy_intp shape[2]
    cdef cnp.ndarray view
    if (cnp.PyArray_NDIM(flat) != 1 or not cnp.PyArray_IS_C_CONTIGUOUS(flat) or offset < 0
            or rows < 0 or cols < 0 or offset + rows * cols > cnp.PyArray_SIZE(flat)):
        raise ValueError(f"view ({offset}, {rows}, {cols}) does not fit in a 1-D contiguous "
                         f"array of {cnp.PyArray_SIZE(flat)} values")
    shape[0], shape[1] = rows, cols
    view = cnp.PyArray_New(cnp.ndarray, 2, shape, cnp.PyArray_TYPE(flat), NULL,
                           <char*>cnp.PyArray_DATA(flat) + offset * cnp.PyArray_ITEMSIZE(flat),
                           0, cnp.NPY_ARRAY_CARRAY if cnp.PyArray_ISWRITEABLE(flat)
                           else cnp.NPY_ARRAY_CARRAY_RO, None)
    cnp.set_array_base(view, flat)
    return view


def named_views(tuple buffers, tuple spec, Py_ssize_t m):
    """A dict of views: for each ``(key, buffer, offset, offset_per_m, rows, cols,
    cols_per_m)`` of ``spec``, ``key`` maps to the ``(rows, cols + cols_per_m m)``
    view of ``buffers[buffer]`` from ``offset + offset_per_m m``."""
    cdef dict out = {}
    cdef Py_ssize_t buffer, offset, offset_per_m, rows, cols, cols_per_m
    for key, buffer, offset, offset_per_m, rows, cols, cols_per_m in spec:
        out[key] = _view(<cnp.ndarray?>buffers[buffer], offset + offset_per_m * m, rows,
                         cols + cols_per_m * m)
    return out


def flat_of(arrays, tuple spec, Py_ssize_t columns, Py_ssize_t second, int typenum,
            Py_ssize_t size):
    """The 1-D buffer of ``size`` values of ``typenum`` whose views, as
    :func:`split` makes them from ``spec``, ``columns`` and ``second``, are the
    ndarrays in the list ``arrays``, in order; None when they are not."""
    cdef cnp.ndarray view, flat
    cdef Py_ssize_t i = 0, offset, copy, rows, cols
    cdef object base = None
    cdef object value
    for entry in spec:
        _decode(entry, columns, &offset, &rows, &cols)
        for copy in range(2 if second > 0 else 1):
            if i >= len(arrays):
                return None
            value = arrays[i]
            if type(value) is not cnp.ndarray:
                return None
            view = <cnp.ndarray>value
            if i == 0:
                if cnp.PyArray_BASE(view) == NULL:
                    return None
                base = <object>cnp.PyArray_BASE(view)
                if type(base) is not cnp.ndarray:
                    return None
                flat = <cnp.ndarray>base
                if (cnp.PyArray_TYPE(flat) != typenum or cnp.PyArray_NDIM(flat) != 1
                        or cnp.PyArray_SIZE(flat) != size
                        or not cnp.PyArray_IS_C_CONTIGUOUS(flat)
                        or not cnp.PyArray_ISWRITEABLE(flat)):
                    return None
            if (cnp.PyArray_BASE(view) != <PyObject*>base or cnp.PyArray_NDIM(view) != 2
                    or cnp.PyArray_DIMS(view)[0] != rows or cnp.PyArray_DIMS(view)[1] != cols
                    or not cnp.PyArray_IS_C_CONTIGUOUS(view)
                    or <char*>cnp.PyArray_DATA(view) != <char*>cnp.PyArray_DATA(flat)
                    + offset * cnp.PyArray_ITEMSIZE(flat)):
                return None
            offset += second
            i += 1
    return base if i == len(arrays) else None


cdef double _pairwise_sum(const double* a, Py_ssize_t n) noexcept nogil:
    """NumPy's pairwise summation of ``add.reduce`` on a contiguous float64
    array (``pairwise_sum_DOUBLE``): the same additions in the same order."""
    cdef Py_ssize_t i, half
    cdef double r[8]
    cdef double total
    if n < 8:
        total = 0.0
        for i in range(n):
            total += a[i]
        return total
    if n <= 128:
        for i in range(8):
            r[i] = a[i]
        i = 8
        while i < n - (n % 8):
            r[0] += a[i]
            r[1] += a[i + 1]
            r[2] += a[i + 2]
            r[3] += a[i + 3]
            r[4] += a[i + 4]
            r[5] += a[i + 5]
            r[6] += a[i + 6]
            r[7] += a[i + 7]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            total += a[i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return _pairwise_sum(a, half) + _pairwise_sum(a + half, n - half)


def loss_operands(a3, Y):
    """``([a3, 1 - a3]`` flattened into one new float64 array, whether every
    value of ``a3`` lies strictly between 0 and 1 (so that no log of them
    warns)), or None unless ``a3`` is a C-contiguous float64 ndarray and ``Y``
    a C-contiguous int64 or float64 one (then NumPy computes the loss)."""
    cdef cnp.ndarray array, out
    cdef cnp.npy_intp n, size
    cdef const double* p
    cdef double* q
    cdef Py_ssize_t j
    cdef bint inside = True
    if type(a3) is not cnp.ndarray or type(Y) is not cnp.ndarray:
        return None
    array = <cnp.ndarray>a3
    if (cnp.PyArray_TYPE(array) != cnp.NPY_DOUBLE or not cnp.PyArray_IS_C_CONTIGUOUS(array)
            or not cnp.PyArray_ISNOTSWAPPED(array)
            or cnp.PyArray_TYPE(<cnp.ndarray>Y) not in (cnp.NPY_DOUBLE, cnp.NPY_INT64)
            or not cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>Y)
            or not cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>Y)):
        return None
    n = cnp.PyArray_SIZE(array)
    size = 2 * n
    p = <const double*>cnp.PyArray_DATA(array)
    out = cnp.PyArray_EMPTY(1, &size, cnp.NPY_DOUBLE, 0)
    q = <double*>cnp.PyArray_DATA(out)
    for j in range(n):
        q[j] = p[j]
        q[n + j] = 1 - p[j]
        inside &= 0 < p[j] < 1
    return out, inside


def course_cache(list layers, parameters, tuple keys):
    """The course's cache ``(z1, a1, W1, b1, z2, ...)`` from ``[z1, a1, z2, a2,
    ...]`` and ``parameters[keys[0]], parameters[keys[1]], ...``."""
    cdef list out = []
    cdef Py_ssize_t l
    for l in range(len(keys) // 2):
        out.append(layers[2 * l])
        out.append(layers[2 * l + 1])
        out.append(parameters[keys[2 * l]])
        out.append(parameters[keys[2 * l + 1]])
    return tuple(out)


def cross_entropy_sum(logs, Y):
    """The course's ``nansum(-Y log(a3) - (1 - Y) log(1 - a3))`` from
    ``logs = log([a3, 1 - a3])`` (see :func:`loss_operands`), with every step
    NumPy's: the products as float64 (int64 labels cast after ``1 - Y``), NaN
    terms dropped, the rest added by NumPy's pairwise summation. None when
    ``Y`` is not a C-contiguous int64 or float64 array of half ``logs``' size."""
    cdef cnp.ndarray log_array = <cnp.ndarray?>logs, labels, terms
    cdef cnp.npy_intp n
    cdef const double* la
    cdef double* t
    cdef Py_ssize_t j
    cdef double y, w, term
    if type(Y) is not cnp.ndarray:
        return None
    labels = <cnp.ndarray>Y
    n = cnp.PyArray_SIZE(labels)
    if (cnp.PyArray_TYPE(labels) not in (cnp.NPY_DOUBLE, cnp.NPY_INT64)
            or not cnp.PyArray_IS_C_CONTIGUOUS(labels) or not cnp.PyArray_ISNOTSWAPPED(labels)
            or cnp.PyArray_SIZE(log_array) != 2 * n
            or cnp.PyArray_TYPE(log_array) != cnp.NPY_DOUBLE
            or not cnp.PyArray_IS_C_CONTIGUOUS(log_array)):
        return None
    la = <const double*>cnp.PyArray_DATA(log_array)
    terms = cnp.PyArray_EMPTY(1, &n, cnp.NPY_DOUBLE, 0)
    t = <double*>cnp.PyArray_DATA(terms)
    for j in range(n):
        if cnp.PyArray_TYPE(labels) == cnp.NPY_INT64:
            y = <double>(<const cnp.int64_t*>cnp.PyArray_DATA(labels))[j]
            w = <double>(1 - (<const cnp.int64_t*>cnp.PyArray_DATA(labels))[j])
        else:
            y = (<const double*>cnp.PyArray_DATA(labels))[j]
            w = 1 - y
        term = (-la[j]) * y + (-la[n + j]) * w
        t[j] = 0.0 if term != term else term
    return _pairwise_sum(t, n)
