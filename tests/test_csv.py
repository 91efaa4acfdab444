"""CSV files as people write them (issue 15, item 6)."""

import subprocess
import sys

import numpy as np
import pytest

import fastinit as fi
from fastinit.storage import load_data


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_byte_order_mark_does_not_make_the_first_row_a_header(tmp_path):
    X, Y = load_data(write(tmp_path, "bom.csv", "\ufeff1.0,2.0,1\n3.0,4.0,0\n"))
    np.testing.assert_array_equal(X, [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_array_equal(Y, [[1.0, 0.0]])


def test_a_malformed_first_row_is_an_error_not_a_header(tmp_path):
    with pytest.raises(ValueError, match="not a numeric CSV.*2.x"):
        load_data(write(tmp_path, "bad.csv", "1.0,2.x,1\n3.0,4.0,0\n"))


def test_quoted_header_names_as_r_writes_them(tmp_path):
    path = write(tmp_path, "r.csv", '"x1","label","x2"\n1,1,2\n3,0,4\n')
    X, Y = load_data(path, label_column="label")
    np.testing.assert_array_equal(X, [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_array_equal(Y, [[1.0, 0.0]])


def test_predict_prints_nothing_when_it_fails(tmp_path):
    fi.save_parameters(tmp_path / "p.npz", fi.initialize([2, 3, 1], seed=0))
    path = write(tmp_path, "labels.csv", "1.0,2.0,1\n3.0,4.0,2\n")  # a label that is not 0/1
    process = subprocess.run([sys.executable, "-m", "fastinit", "predict", "--params",
                              str(tmp_path / "p.npz"), "--data", str(path)],
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 2
    assert process.stdout == ""
    assert len(process.stderr.strip().splitlines()) == 1
