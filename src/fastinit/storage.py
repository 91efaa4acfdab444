"""Saving and loading parameters, and reading user data files.

Every file fastinit writes goes through :func:`atomic_write`: a temporary file
in the same folder, fsynced, then renamed over the target, so a write that
fails or is killed leaves the previous file (or none), never a truncated one.
Files are read defensively: a corrupt, truncated or hostile ``.npz`` ends in a
``ValueError`` naming the file, before any large allocation.
"""

import contextlib
import csv
import os
import tempfile
import warnings
import zipfile
import zlib

import numpy as np

from ._validation import check_parameters
from .activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE, check_activation
from .network import Network

__all__ = ["load_data", "load_parameters", "save_parameters"]


#: The entries of a parameter file that describe the hidden activation.
_ACTIVATION_KEYS = ("activation", "negative_slope")


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file beside ``path`` for writing; when the block ends
    without an error, fsync it and rename it to ``path`` (atomic on POSIX and
    Windows). On an error, remove it and leave ``path`` as it was."""
    path = os.fspath(path)
    if not path:
        raise ValueError("the path to write must not be empty")
    folder = os.path.dirname(os.path.abspath(path))
    text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    handle = tempfile.NamedTemporaryFile(mode, dir=folder, prefix=f".{os.path.basename(path)}.",
                                         suffix=".tmp", delete=False, **text)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o666 & ~_umask())  # as open() would have made it
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_parameters(path, parameters, activation="relu",
                    negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """Write ``{"W1", "b1", ..., "WL", "bL"}`` (a dict or a Network) to an ``.npz``
    file at ``path``, with the hidden ``activation`` and ``negative_slope``
    they were trained with (``TrainResult.activation`` and
    ``TrainResult.negative_slope``), so that :func:`load_parameters` and
    ``fastinit predict`` use them."""
    code, negative_slope = check_activation(activation, negative_slope)
    if isinstance(parameters, Network):
        parameters = parameters.to_dict()
    dims, layers = check_parameters(parameters)
    arrays = {"activation": np.array(ACTIVATIONS[code]),
              "negative_slope": np.array(negative_slope)}
    for l, (W, b) in enumerate(layers, 1):
        arrays[f"W{l}"] = W
        arrays[f"b{l}"] = b.reshape(-1, 1)
    with atomic_write(path) as handle:
        np.savez(handle, **arrays)


def load_parameters(path, with_activation=False):
    """Read parameters written by :func:`save_parameters` (or any ``.npz`` holding
    exactly ``W1``, ``b1``, ..., ``WL``, ``bL``); checks that the layers chain.

    Parameters
    ----------
    path : str or path-like
    with_activation : bool, default False
        Also return the hidden activation stored with them.

    Returns
    -------
    parameters : dict
    activation : dict
        Only ``with_activation``: ``{"activation": str, "negative_slope": float}``,
        the keywords of :func:`fastinit.predict` and the other passes. Files
        written before activations were stored give ReLU.
    """
    parameters = read_npz(path, what="parameters from ")
    hidden = _stored_activation(parameters, path)
    check_parameters(parameters, name=f"parameters in {os.fspath(path)}")
    return (parameters, hidden) if with_activation else parameters


def read_npz(path, names=None, what=""):
    """The arrays of an ``.npz`` file (only ``names``, when given; missing ones
    are left out), read without pickle. A file that is not a readable ``.npz``
    (empty, truncated, a bad CRC, an ``.npy`` under another name, an array whose
    header claims more data than the file holds) raises ValueError naming it
    ("cannot read ``what`` ``path``: ...")."""
    path = os.fspath(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename[:-4]: info for info in archive.infolist()
                       if info.filename.endswith(".npy")}
            arrays = {}
            for name, info in members.items():
                if names is not None and name not in names:
                    continue
                with archive.open(info) as member:
                    arrays[name] = _read_npy_member(member, info.file_size, name)
            return arrays
    except zipfile.BadZipFile as error:
        raise ValueError(f"cannot read {what}{path}: not a valid .npz archive ({error})") \
            from None
    except (OSError, EOFError, zlib.error, ValueError) as error:
        raise ValueError(f"cannot read {what}{path}: {error}") from None


def _read_npy_member(member, size, name):
    """One ``.npy`` of an archive, after checking that its header's shape fits in
    the ``size`` bytes the archive says it has."""
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(member)
    else:
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(member)
    if dtype.hasobject:
        raise ValueError(f"array {name!r} holds Python objects, which are not read")
    count = int(np.prod(shape, dtype=object))
    if count * dtype.itemsize > size:
        raise ValueError(f"array {name!r} claims shape {shape} of {dtype}, more than the "
                         f"{size} bytes stored")
    data = member.read(count * dtype.itemsize)
    if len(data) != count * dtype.itemsize:
        raise ValueError(f"array {name!r} is truncated")
    if member.read(1):  # reading to the end also checks the archive's CRC
        raise ValueError(f"array {name!r} has more data than its header says")
    array = np.frombuffer(data, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran_order else "C").copy()


def _stored_activation(arrays, path):
    """Take the activation entries out of a parameter file's ``arrays`` and
    check them; ReLU when there are none."""
    activation = arrays.pop("activation", np.array("relu"))
    slope = arrays.pop("negative_slope", np.array(DEFAULT_NEGATIVE_SLOPE))
    if activation.shape != () or activation.dtype.kind != "U":
        raise ValueError(f"'activation' in {path} must be one string, got "
                         f"{activation.dtype} {activation.shape}")
    if slope.shape != () or slope.dtype.kind != "f":
        raise ValueError(f"'negative_slope' in {path} must be one float, got "
                         f"{slope.dtype} {slope.shape}")
    try:
        code, slope = check_activation(str(activation), float(slope))
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    return {"activation": ACTIVATIONS[code], "negative_slope": slope}


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path):
    """A numeric CSV (comma-separated, optional header row) as ``(header, rows)``.

    A UTF-8 byte-order mark is skipped. The first row is a header when none of
    its cells is a number (names, quoted or not, as R's ``write.csv`` writes
    them); a first row with some numbers is data, and an unreadable cell in it is
    an error, not a header."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle), [])
    cells = [cell.strip() for cell in first]
    header = cells if cells and not any(_is_number(cell) for cell in cells) else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data": checked below
            rows = np.loadtxt(path, delimiter=",", skiprows=0 if header is None else 1, ndmin=2,
                              encoding="utf-8-sig")
    except ValueError as error:
        raise ValueError(f"{path} is not a numeric CSV file: {error}") from None
    return header, rows


def load_data(path, n_features=None, label_column=None):
    """Read examples stored one per row and return them in the course's layout.

    Parameters
    ----------
    path : str or path-like
        ``.npz`` with an array ``X`` of shape ``(m, n_features)`` and, optionally,
        ``Y`` of shape ``(m,)`` or ``(m, 1)``; or ``.csv`` with one example per
        row, comma-separated, an optional header row, and the 0/1 label in one
        column.
    n_features : int, optional
        When given, a CSV with exactly ``n_features`` columns is read as having
        no labels (for predicting).
    label_column : int or str, optional
        The CSV's label column, by index (negative counts from the end) or by
        header name. Defaults to the last column.

    Returns
    -------
    X : ndarray, shape (n_features, m)
    Y : ndarray, shape (1, m), or None when the file has no labels
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"data file {path} does not exist")
    extension = os.path.splitext(path)[1].lower()
    if extension == ".npz":
        arrays = read_npz(path, names=("X", "Y"))
        if "X" not in arrays:
            raise ValueError(f"{path} has no array named 'X'")
        X, Y = arrays["X"], arrays.get("Y")
        for name, array in (("X", X), ("Y", Y)):
            if array is not None and array.dtype.kind not in "iuf":
                raise ValueError(f"{name} in {path} must hold real numbers, got {array.dtype}")
        if X.ndim != 2:
            raise ValueError(f"X in {path} must be 2-D (examples as rows), got shape {X.shape}")
        if Y is not None:
            if Y.ndim == 2 and Y.shape[1] == 1:
                Y = Y[:, 0]
            if Y.shape != (X.shape[0],):
                raise ValueError(
                    f"Y in {path} must have one label per row of X ({X.shape[0]}), "
                    f"got shape {Y.shape}"
                )
            Y = Y.reshape(1, -1)
        return X.T, Y
    if extension == ".csv":
        header, rows = _read_csv(path)
        if rows.shape[0] == 0:
            raise ValueError(f"{path} has no data rows")
        if n_features is not None and rows.shape[1] == n_features and label_column is None:
            return rows.T, None
        column = _label_index(label_column, header, rows.shape[1], path)
        X = np.delete(rows, column, axis=1)
        return X.T, rows[:, column].reshape(1, -1)
    raise ValueError(f"data file {path} must end in .npz or .csv")


def _label_index(label_column, header, n_columns, path):
    if n_columns < 2:
        raise ValueError(f"{path} needs at least one feature column and a label column")
    if label_column is None:
        return n_columns - 1
    if isinstance(label_column, str) and not label_column.lstrip("-").isdigit():
        if header is None or label_column not in header:
            raise ValueError(f"{path} has no column named {label_column!r}")
        return header.index(label_column)
    index = int(label_column)
    if not -n_columns <= index < n_columns:
        raise ValueError(f"label column {index} is out of range for {n_columns} columns in {path}")
    return index % n_columns
