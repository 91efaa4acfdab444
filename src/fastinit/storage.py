"""Saving and loading parameters, and reading user data files."""

import os
import warnings

import numpy as np

from ._validation import check_parameters
from .network import Network

__all__ = ["load_data", "load_parameters", "save_parameters"]


def save_parameters(path, parameters):
    """Write ``{"W1", "b1", ..., "WL", "bL"}`` (a dict or a Network) to an ``.npz``
    file at ``path``."""
    if isinstance(parameters, Network):
        parameters = parameters.to_dict()
    dims, layers = check_parameters(parameters)
    arrays = {}
    for l, (W, b) in enumerate(layers, 1):
        arrays[f"W{l}"] = W
        arrays[f"b{l}"] = b.reshape(-1, 1)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def load_parameters(path):
    """Read parameters written by :func:`save_parameters` (or any ``.npz`` holding
    exactly ``W1``, ``b1``, ..., ``WL``, ``bL``); checks that the layers chain."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            parameters = {key: archive[key] for key in archive.files}
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read parameters from {path}: {error}") from None
    check_parameters(parameters, name=f"parameters in {os.fspath(path)}")
    return parameters


def _read_csv(path):
    """A numeric CSV (comma-separated, optional header row) as ``(header, rows)``."""
    with open(path, encoding="utf-8") as handle:
        first = handle.readline()
    cells = [cell.strip() for cell in first.split(",")]
    try:
        [float(cell) for cell in cells]
        header = None
    except ValueError:
        header = cells
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data": checked below
            rows = np.loadtxt(path, delimiter=",", skiprows=0 if header is None else 1, ndmin=2)
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
        try:
            with np.load(path, allow_pickle=False) as archive:
                if "X" not in archive.files:
                    raise ValueError(f"{path} has no array named 'X' (found {archive.files})")
                X = archive["X"]
                Y = archive["Y"] if "Y" in archive.files else None
        except OSError as error:
            raise ValueError(f"cannot read {path}: {error}") from None
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
