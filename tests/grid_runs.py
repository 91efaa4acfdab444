"""Helpers of the tests of grids of runs (sweeps and phase diagrams)."""

import csv


def without_seconds(runs):
    """``runs`` without their ``seconds`` (the one column that is not the same bits)."""
    return [{k: v for k, v in run.items() if k != "seconds"} for run in runs]


def read_csv(path):
    """The rows of the CSV file at ``path``, as dicts of strings."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
