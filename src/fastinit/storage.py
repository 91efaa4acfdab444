"""Saving and loading parameters, and reading user data files.

Every file fastinit writes goes through :func:`atomic_write`: a temporary file
in the same folder, fsynced, then renamed over the target, so a write that
fails or is killed leaves the previous file (or none), never a truncated one.
Files are read defensively: a corrupt, truncated or hostile ``.npz`` ends in a
``ValueError`` naming the file, before any large allocation.
"""

import contextlib
import csv
import errno
import io
import os
import stat
import tempfile
import warnings
import zipfile
import zlib

import numpy as np

from ._validation import check_parameters, physical_memory
from .activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE, check_activation
from .network import Network

__all__ = ["load_data", "load_parameters", "save_parameters"]


#: The entries of a parameter file that describe the hidden activation.
_ACTIVATION_KEYS = ("activation", "negative_slope")


#: A compressed ``.npz`` member may inflate to at most this many times its
#: stored size once it is larger than :data:`_INFLATION_FLOOR`: no real array
#: compresses like that (zlib's own limit is about 1032 times), a zip bomb does.
_MAX_INFLATION = 100
_INFLATION_FLOOR = 64 * 2**20

#: What each kind of file that is not a regular file is called in messages.
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _kind(mode):
    """What a file of ``st_mode`` ``mode`` is, in words."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_limit():
    """The most bytes fastinit reads from one file (or inflates from one
    ``.npz``): half this machine's memory, 8 GiB where the OS does not say."""
    memory = physical_memory()
    return memory // 2 if memory else 8 * 2**30


def same_file(first, second):
    """Whether two paths name the same file (symbolic and hard links
    included); False when either does not exist.

    Parameters
    ----------
    first, second : str or path-like

    Returns
    -------
    bool
    """
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):
        return False


def open_input(path, what="file"):
    """Open ``path`` for reading in binary mode if it is a regular file.

    A directory, FIFO, device or socket is refused by name without being read
    (a FIFO is opened non-blocking, so a missing writer cannot hang the read),
    and so is a file larger than :func:`read_limit`.

    Parameters
    ----------
    path : str or path-like
    what : str
        What the file is, for messages ("data file", "parameters").

    Returns
    -------
    handle : binary file object
    size : int
        The file's size in bytes.

    Raises
    ------
    ValueError
        Naming ``path`` and saying what is wrong with it.
    """
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    try:
        _check_regular(os.stat(path).st_mode, path, what)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                             | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise ValueError(f"{what} {path} is a symbolic link to a missing file") from None
        raise ValueError(f"{what} {path} does not exist") from None
    except OSError as error:
        raise ValueError(f"cannot read {what} {path}: {error.strerror}") from None
    try:
        status = os.fstat(descriptor)  # the file opened, not the one stat() saw
        _check_regular(status.st_mode, path, what)
        if status.st_size > read_limit():
            raise ValueError(f"{what} {path} holds {status.st_size / 2**30:.3g} GiB, more than "
                             f"the {read_limit() / 2**30:.3g} GiB fastinit reads from one file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb"), status.st_size
    except BaseException:
        os.close(descriptor)
        raise


def _check_regular(mode, path, what):
    if not stat.S_ISREG(mode):
        raise ValueError(f"{what} {path} is {_kind(mode)}, not a regular file; "
                         f"fastinit reads only regular files")


def _read_text(path, what):
    """The UTF-8 text of a regular file (a byte-order mark skipped), read at
    most :func:`read_limit` bytes however the file grows while it is read."""
    handle, _ = open_input(path, what)
    limit = read_limit()
    with handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{what} {path} holds more than the {limit / 2**30:.3g} GiB "
                         f"fastinit reads from one file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValueError(f"{what} {path} is not UTF-8 text: line {line} holds the byte "
                         f"{data[error.start:error.start + 1]!r}") from None


def check_output(path, what="--save"):
    """Check, before any work, that :func:`atomic_write` can write ``path``:
    not empty, not a directory, block device, socket or symbolic-link loop,
    in a folder that exists.

    Parameters
    ----------
    path : str or path-like
    what : str
        The option or argument that named it, for messages.

    Raises
    ------
    ValueError
        Naming ``path`` and saying why it cannot be written.
    """
    path = os.fspath(path)
    if not path:
        raise ValueError(f"{what} must name a file, got an empty path")
    target, _ = _write_target(path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise ValueError(f"cannot write {path}: the folder {folder} does not exist")


def _write_target(path):
    """``(target, in_place)``: where :func:`atomic_write` writes ``path``.

    A regular file, or a new one, is replaced atomically, through any symbolic
    links (the links stay links). A character device (``/dev/null``, a
    terminal) or a FIFO is written in place: replacing it would destroy it. A
    directory, a block device or a socket is refused."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return os.path.realpath(path), False  # new (through a dangling link: its target)
    except OSError as error:
        raise ValueError(f"cannot write {path}: {error.strerror}") from None
    if stat.S_ISREG(mode):
        return os.path.realpath(path), False
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return path, True
    raise ValueError(f"refusing to write {path}: it is {_kind(mode)}, which fastinit neither "
                     f"replaces nor writes into")


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a file to write ``path`` with; when the block ends without an error,
    the file is at ``path``, whole.

    A regular file (or a new one) is written as a temporary file beside it,
    fsynced, then renamed over it (atomic on POSIX and Windows); on an error
    the temporary file is removed and ``path`` is left as it was. A symbolic
    link is followed: its target is replaced and the link kept. A character
    device or a FIFO is never replaced: it is written in place (a FIFO only
    when something reads it). Anything else is refused.

    Parameters
    ----------
    path : str or path-like
    mode : {"wb", "w"}

    Raises
    ------
    ValueError
        ``path`` cannot be written, and why.
    OSError
        Writing failed (a full disk, RLIMIT_FSIZE), with ``path`` as its
        ``filename``.
    """
    path = os.fspath(path)
    if not path:
        raise ValueError("the path to write must not be empty")
    target, in_place = _write_target(path)
    text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    if in_place:
        with _in_place(path, mode, text) as handle:
            yield handle
        return
    try:
        handle = tempfile.NamedTemporaryFile(mode, dir=os.path.dirname(target),
                                             prefix=f".{os.path.basename(target)}.",
                                             suffix=".tmp", delete=False, **text)
    except OSError as error:
        raise OSError(error.errno, error.strerror, path) from None
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o666 & ~_umask())  # as open() would have made it
        os.replace(handle.name, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        if isinstance(error, OSError) and error.filename != path:
            raise OSError(error.errno, error.strerror, path) from None
        raise


@contextlib.contextmanager
def _in_place(path, mode, text):
    """Write a character device or a FIFO in place; errors say so."""
    why = "written in place: a device or FIFO is never replaced"
    try:
        descriptor = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise ValueError(f"cannot write {path}: it is a FIFO (named pipe) that nothing "
                             f"reads, and fastinit never replaces one") from None
        raise OSError(error.errno, f"{error.strerror} ({why})", path) from None
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    try:
        with os.fdopen(descriptor, mode, **text) as handle:
            yield handle
    except OSError as error:
        if error.filename == path:
            raise
        raise OSError(error.errno, f"{error.strerror} ({why})", path) from None


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
    parameters = read_npz(path, what="parameters file ")
    hidden = _stored_activation(parameters, path)
    check_parameters(parameters, name=f"parameters in {os.fspath(path)}")
    return (parameters, hidden) if with_activation else parameters


def read_npz(path, names=None, what=""):
    """The arrays of an ``.npz`` file (only ``names``, when given; missing ones
    are left out), read without pickle.

    Only a regular file is read (see :func:`open_input`). Before anything is
    inflated, the sizes the archive declares for the members read are checked:
    their total against :func:`read_limit`, and each compressed member's
    inflation against :data:`_MAX_INFLATION` (a zip bomb is refused, not
    decompressed); no read goes past a member's declared size. A file that is
    not a readable ``.npz`` (empty, truncated, a bad CRC, an ``.npy`` under
    another name, an array whose header claims more data than the file holds)
    raises ValueError naming it ("cannot read ``what`` ``path``: ...")."""
    path = os.fspath(path)
    handle, _ = open_input(path, what.strip() or "file")
    try:
        with handle, zipfile.ZipFile(handle) as archive:
            members = {info.filename[:-4]: info for info in archive.infolist()
                       if info.filename.endswith(".npy")
                       and (names is None or info.filename[:-4] in names)}
            _check_inflation(members)
            arrays = {}
            for name, info in members.items():
                with archive.open(info) as member:
                    arrays[name] = _read_npy_member(member, info.file_size, name)
            return arrays
    except zipfile.BadZipFile as error:
        raise ValueError(f"cannot read {what}{path}: not a valid .npz archive ({error})") \
            from None
    except (OSError, EOFError, zlib.error, ValueError, NotImplementedError, RuntimeError,
            OverflowError, MemoryError) as error:
        raise ValueError(f"cannot read {what}{path}: {error or type(error).__name__}") from None


def _check_inflation(members):
    """Refuse, before inflating anything, members whose declared sizes add up
    to more than :func:`read_limit` or that inflate like a zip bomb."""
    total = sum(info.file_size for info in members.values())
    if total > read_limit():
        raise ValueError(f"its arrays would take {total / 2**30:.3g} GiB, more than the "
                         f"{read_limit() / 2**30:.3g} GiB fastinit reads from one file")
    for name, info in members.items():
        if (info.compress_type != zipfile.ZIP_STORED and info.file_size > _INFLATION_FLOOR
                and info.file_size > _MAX_INFLATION * max(info.compress_size, 1)):
            raise ValueError(f"array {name!r} would inflate from {info.compress_size} to "
                             f"{info.file_size} bytes ({info.file_size // max(info.compress_size, 1)}"
                             f" times): refused as a zip bomb")


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
    an error, not a header. Errors name the file and the 1-based line."""
    text = _read_text(path, "data file")
    lines = io.StringIO(text)
    reader = csv.reader(lines)
    try:
        first = next(reader, [])
    except csv.Error as error:
        raise ValueError(f"{path} is not a numeric CSV file: line {reader.line_num}: "
                         f"{error}") from None
    cells = [cell.strip() for cell in first]
    header = cells if cells and not any(_is_number(cell) for cell in cells) else None
    lines.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data": checked below
            rows = np.loadtxt(lines, delimiter=",", skiprows=0 if header is None else 1, ndmin=2)
    except ValueError:
        raise ValueError(f"{path} is not a numeric CSV file: "
                         f"{_csv_problem(text, header is not None)}") from None
    return header, rows


def _csv_problem(text, skip_header):
    """Where a CSV that ``np.loadtxt`` refused goes wrong, as people count: the
    1-based line, the 1-based column and the cell."""
    width = first_line = None
    for number, line in enumerate(text.splitlines(), 1):
        if skip_header and number == 1:
            continue
        line = line.split("#", 1)[0]
        if not line.strip():
            continue
        cells = line.split(",")
        for column, cell in enumerate(cells, 1):
            if not _is_number(cell):
                shown = cell.strip() if len(cell) <= 40 else cell.strip()[:37] + "..."
                return f"line {number}, column {column}: cannot read {shown!r} as a number"
        if width is None:
            width, first_line = len(cells), number
        elif len(cells) != width:
            return (f"line {number} has {len(cells)} columns, line {first_line} has "
                    f"{width}")
    return "its rows cannot be read as numbers"


def _check_finite(X, path, name):
    """Refuse NaN and infinity in ``X`` (examples as rows), naming the first
    bad row counted from 1."""
    bad = ~np.isfinite(X).all(axis=1) if X.ndim == 2 else ~np.isfinite(X)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"X contains NaN or infinite values: {name} in {path}, example "
                         f"{row + 1}")


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
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".npz", ".csv"):
        raise ValueError(f"data file {path} must end in .npz or .csv")
    if extension == ".npz":
        arrays = read_npz(path, names=("X", "Y"), what="data file ")
        if "X" not in arrays:
            raise ValueError(f"{path} has no array named 'X'")
        X, Y = arrays["X"], arrays.get("Y")
        for name, array in (("X", X), ("Y", Y)):
            if array is not None and array.dtype.kind not in "iuf":
                raise ValueError(f"{name} in {path} must hold real numbers, got {array.dtype}")
        if X.ndim != 2:
            raise ValueError(f"X in {path} must be 2-D (examples as rows), got shape {X.shape}")
        _check_finite(X, path, "X")
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
        _check_finite(rows, path, "the data")
        if n_features is not None and rows.shape[1] == n_features and label_column is None:
            return rows.T, None
        column = _label_index(label_column, header, rows.shape[1], path)
        X = np.delete(rows, column, axis=1)
        return X.T, rows[:, column].reshape(1, -1)


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
