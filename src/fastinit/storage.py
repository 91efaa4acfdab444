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
import numbers
import os
import stat
import tempfile
import warnings
import zipfile
import zlib
from array import array as packed_array

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


def save_figure(figure, path, dpi):
    """Write ``figure`` to ``path`` (:func:`atomic_write`; the format from the
    extension, PNG without one), then close it, even when the write fails."""
    import matplotlib.pyplot as plt

    try:
        with atomic_write(path) as handle:
            figure.savefig(handle, dpi=dpi, format=os.path.splitext(path)[1][1:] or "png")
    finally:
        plt.close(figure)


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
                    negative_slope=DEFAULT_NEGATIVE_SLOPE, labels=None):
    """Write ``{"W1", "b1", ..., "WL", "bL"}`` (a dict or a Network) to an ``.npz``
    file at ``path``, with the hidden ``activation`` and ``negative_slope``
    they were trained with (``TrainResult.activation`` and
    ``TrainResult.negative_slope``), so that :func:`load_parameters` and
    ``fastinit predict`` use them.

    ``labels``, when given, is what outputs 0 and 1 stand for: two distinct
    strings (``["cat", "dog"]``), stored as the array ``labels``, so that
    ``fastinit predict`` reports predictions in them."""
    code, negative_slope = check_activation(activation, negative_slope)
    if labels is not None:
        labels = _checked_labels(labels, "labels")
    if isinstance(parameters, Network):
        parameters = parameters.to_dict()
    dims, layers = check_parameters(parameters)
    arrays = {"activation": np.array(ACTIVATIONS[code]),
              "negative_slope": np.array(negative_slope)}
    if labels is not None:
        arrays["labels"] = np.array(labels)
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
    parameters, hidden, _ = read_parameters_file(path)
    return (parameters, hidden) if with_activation else parameters


def read_parameters_file(path):
    """Everything a parameters file written by :func:`save_parameters` holds.

    Returns
    -------
    parameters : dict
    activation : dict
        ``{"activation": str, "negative_slope": float}`` (ReLU for files
        written before activations were stored).
    labels : list of two str
        What outputs 0 and 1 stand for; ``["0", "1"]`` for files saved
        without labels.
    """
    parameters = read_npz(path, what="parameters file ")
    hidden = _stored_activation(parameters, path)
    labels = parameters.pop("labels", None)
    labels = ["0", "1"] if labels is None else _checked_labels(labels, f"'labels' in {path}")
    check_parameters(parameters, name=f"parameters in {os.fspath(path)}")
    return parameters, hidden, labels


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


def _checked_labels(labels, name):
    """``labels`` (two strings, numbers or booleans) as a list of two distinct,
    non-empty one-line strings."""
    array = np.asarray(labels)
    if array.shape != (2,) or array.dtype.kind not in "Uiufb":
        raise ValueError(f"{name} must be two labels (what outputs 0 and 1 stand for), got "
                         f"{array.dtype} of shape {array.shape}")
    labels = [_label_text(label) for label in array.tolist()]
    if labels[0] == labels[1] or not all(labels) or \
            any(len(label.splitlines()) != 1 for label in labels):
        raise ValueError(f"{name} must be two distinct, non-empty one-line strings, got "
                         f"{labels!r}")
    return labels


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path):
    """A CSV (comma-separated, optional header row) as ``(header, text, rows)``:
    ``rows`` is every cell as a number, or None when some cell is not one (a
    text label, a quoted number), for :func:`_labelled_rows` to read.

    A UTF-8 byte-order mark is skipped. The first row is a header when none of
    its cells is a number (names, quoted or not, as R's ``write.csv`` writes
    them); a first row with some numbers is data. Errors name the file and the
    1-based line."""
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
        rows = None
    return header, text, rows


class _CsvProblem(ValueError):
    """Where a CSV cannot be read, as people count (1-based lines and columns);
    :func:`load_data` puts the file's name before it."""


def _data_lines(text, skip_header):
    """``(line number, cells)`` of each data row of a CSV's ``text``, as
    ``np.loadtxt`` sees them: ``#`` starts a comment, blank lines are skipped;
    cells may be quoted."""
    for number, line in enumerate(text.splitlines(), 1):
        if skip_header and number == 1:
            continue
        line = line.split("#", 1)[0]
        if line.strip():
            try:
                yield number, next(csv.reader([line]))
            except csv.Error as error:
                raise _CsvProblem(f"line {number}: {error}") from None


def _labelled_rows(text, skip_header, path, label_column, header, n_features):
    """A CSV whose cells are not all numbers: ``(X, labels)``, ``X`` as
    ``(m, n)`` floats and ``labels`` the label column's cells as text (None
    when the file has ``n_features`` columns and no ``label_column`` is given).
    Every other cell must be a number: an error names its line and column."""
    features, labels, width, column = packed_array("d"), [], None, None
    distinct = {}  # one string object per distinct label, however many rows hold it
    for number, cells in _data_lines(text, skip_header):
        if width is None:
            width, first_line = len(cells), number
            if not (n_features is not None and width == n_features and label_column is None):
                column = _label_index(label_column, header, width, path)
        elif len(cells) != width:
            raise _CsvProblem(f"line {number} has {len(cells)} columns, line {first_line} has "
                              f"{width}")
        for index, cell in enumerate(cells):
            if index == column:
                continue
            try:
                features.append(float(cell))
            except ValueError:
                shown = cell.strip() if len(cell) <= 40 else cell.strip()[:37] + "..."
                raise _CsvProblem(f"line {number}, column {index + 1}: cannot read {shown!r} "
                                  f"as a number") from None
        if column is not None:
            label = cells[column].strip()
            if not label:
                raise _CsvProblem(f"line {number}: the label (column {column + 1}) is empty")
            labels.append(distinct.setdefault(label, label))
    if width is None:
        raise ValueError(f"{path} has no data rows")
    X = np.frombuffer(features, dtype=np.float64).reshape(-1, width - (column is not None))
    return X, (None if column is None else np.array(labels))


def _check_finite(X, path, name):
    """Refuse NaN and infinity in ``X`` (examples as rows), naming the first
    bad row counted from 1."""
    bad = ~np.isfinite(X).all(axis=1) if X.ndim == 2 else ~np.isfinite(X)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"X contains NaN or infinite values: {name} in {path}, example "
                         f"{row + 1}")


def _check_finite_labels(labels, path):
    """Refuse NaN and infinite numeric labels, naming the first, counted from 1."""
    if labels.dtype.kind == "f" and not np.isfinite(labels).all():
        row = int(np.argmax(~np.isfinite(labels)))
        raise ValueError(f"the labels in {path} must be finite: example {row + 1} has "
                         f"{labels[row]}")


def load_data(path, n_features=None, label_column=None):
    """Read examples stored one per row and return them in the course's layout.

    Parameters
    ----------
    path : str or path-like
        ``.npz`` with an array ``X`` of shape ``(m, n_features)`` and, optionally,
        labels ``Y`` of shape ``(m,)`` or ``(m, 1)`` (numbers, booleans or
        strings); or ``.csv`` with one example per row, comma-separated, an
        optional header row, numbers in every column but the label column,
        whose cells may be any text (``cat``, ``-1``, ``True``).
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
        The labels as stored: numbers (floats from a CSV whose labels are all
        numbers), booleans or strings. :func:`encode_labels` maps them to 0/1.
    """
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".npz", ".csv"):
        raise ValueError(f"data file {path} must end in .npz or .csv")
    if extension == ".npz":
        return _load_npz_data(path)
    header, text, rows = _read_csv(path)
    if rows is None:
        try:
            X, labels = _labelled_rows(text, header is not None, path, label_column, header,
                                       n_features)
        except _CsvProblem as problem:
            raise ValueError(f"{path} is not a numeric CSV file: {problem}") from None
    else:
        if rows.shape[0] == 0:
            raise ValueError(f"{path} has no data rows")
        if n_features is not None and rows.shape[1] == n_features and label_column is None:
            X, labels = rows, None
        else:
            column = _label_index(label_column, header, rows.shape[1], path)
            X, labels = np.delete(rows, column, axis=1), rows[:, column]
    _check_finite(X, path, "X")
    if labels is None:
        return X.T, None
    _check_finite_labels(labels, path)
    return X.T, labels.reshape(1, -1)


def _load_npz_data(path):
    """:func:`load_data` of an ``.npz`` file."""
    arrays = read_npz(path, names=("X", "Y"), what="data file ")
    if "X" not in arrays:
        raise ValueError(f"{path} has no array named 'X'")
    X, Y = arrays["X"], arrays.get("Y")
    if X.dtype.kind not in "iuf":
        raise ValueError(f"X in {path} must hold real numbers, got {X.dtype}")
    if Y is not None and Y.dtype.kind not in "iufbUS":
        raise ValueError(f"Y in {path} must hold labels (numbers, booleans or strings), got "
                         f"{Y.dtype}")
    if X.ndim != 2:
        raise ValueError(f"X in {path} must be 2-D (examples as rows), got shape {X.shape}")
    _check_finite(X, path, "X")
    if Y is None:
        return X.T, None
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = Y[:, 0]
    if Y.shape != (X.shape[0],):
        hint = ""
        if Y.shape == (X.shape[1],):
            hint = (f"; X (shape {X.shape}) looks transposed: store one example per row, "
                    f"X of shape {X.shape[::-1]}")
        raise ValueError(f"Y in {path} must have one label per row of X ({X.shape[0]}), "
                         f"got shape {Y.shape}{hint}")
    if Y.dtype.kind == "S":
        try:
            Y = np.char.decode(Y, "utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"Y in {path} holds bytes that are not UTF-8 text") from None
    _check_finite_labels(Y, path)
    return X.T, Y.reshape(1, -1)


#: At most this many labels are shown in a message about them.
_SHOWN_LABELS = 5


def _label_text(value):
    """A label as the command line shows it: a whole number without ``.0``."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (numbers.Integral, np.integer)):
        return str(int(value))
    if isinstance(value, (numbers.Real, np.floating)):
        value = float(value)
        return str(int(value)) if value.is_integer() and abs(value) < 2**63 else repr(value)
    return str(value)


def _distinct_labels(labels):
    """``(texts, codes)``: the distinct labels as text in sorted order (numbers
    by value, even when stored as text; other text alphabetically; False
    before True), and each label's index among them."""
    values, codes = np.unique(np.asarray(labels).ravel(), return_inverse=True)
    if values.dtype.kind in "US" and all(_is_number(value) for value in values):
        numeric = np.array([float(value) for value in values])
        if np.isfinite(numeric).all():
            merged, inverse = np.unique(numeric, return_inverse=True)
            values, codes = merged, inverse[codes]
    return [_label_text(value) for value in values.tolist()], codes.ravel()


def _shown_labels(texts):
    shown = ", ".join(texts[:_SHOWN_LABELS])
    return shown + (f", ... ({len(texts)} in all)" if len(texts) > _SHOWN_LABELS else "")


def encode_labels(labels, path, classes=None):
    """Map a data file's labels to the 0/1 the network trains on.

    Parameters
    ----------
    labels : ndarray
        The labels :func:`load_data` read (numbers, booleans or strings).
    path : str or path-like
        The file they came from, for messages.
    classes : sequence of two str, optional
        The labels (as text) that 0 and 1 stand for, as a trained network
        stores them (:func:`save_parameters`); the file's labels must be among
        them (one of them is enough). By default the file must hold exactly two
        distinct labels, mapped to 0 and 1 in sorted order: numbers by value
        (-1 -> 0, 1 -> 1; 2 -> 0, 7 -> 1), text alphabetically (cat -> 0,
        dog -> 1), False -> 0, True -> 1.

    Returns
    -------
    Y : ndarray of float64, shape (1, m)
        0 and 1.
    classes : list of two str
        What 0 and 1 stand for.

    Raises
    ------
    ValueError
        Naming ``path`` and the labels found.
    """
    texts, codes = _distinct_labels(labels)
    if classes is None:
        if len(texts) != 2:
            raise ValueError(f"{os.fspath(path)} must hold exactly two distinct labels (the "
                             f"two classes), found {len(texts)}: {_shown_labels(texts)}")
        classes, index = texts, np.arange(2)
    else:
        classes = list(classes)
        unknown = [text for text in texts if text not in classes]
        if unknown:
            raise ValueError(f"{os.fspath(path)} holds labels the parameters were not trained "
                             f"on: {_shown_labels(unknown)} (trained on "
                             f"{describe_labels(classes)})")
        index = np.array([classes.index(text) for text in texts])
    return index[codes].astype(np.float64).reshape(1, -1), classes


def describe_labels(classes):
    """``"cat -> 0, dog -> 1"``: what 0 and 1 stand for, in one line."""
    return f"{classes[0]} -> 0, {classes[1]} -> 1"


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
