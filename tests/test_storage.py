import numpy as np
import pytest

import fastinit as fi
from fastinit.storage import load_data


def test_parameters_round_trip_exactly(tmp_path):
    parameters = fi.initialize([3, 5, 2, 1], "orthogonal", seed=2)
    fi.save_parameters(tmp_path / "p.npz", parameters)
    loaded = fi.load_parameters(tmp_path / "p.npz")
    assert loaded.keys() == parameters.keys()
    for key in parameters:
        np.testing.assert_array_equal(loaded[key], parameters[key])
        assert loaded[key].shape == parameters[key].shape


def test_load_parameters_rejects_what_is_not_a_network(tmp_path):
    np.savez(tmp_path / "broken.npz", W1=np.zeros((3, 2)), b1=np.zeros((3, 1)),
             W2=np.zeros((1, 4)), b2=np.zeros((1, 1)))
    with pytest.raises(ValueError, match="W2 must have 3 columns"):
        fi.load_parameters(tmp_path / "broken.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot read parameters"):
        fi.load_parameters(tmp_path / "junk.npz")


def test_npz_examples_are_rows(tmp_path):
    X = np.arange(12.0).reshape(6, 2)
    Y = np.array([0, 1, 1, 0, 1, 0])
    np.savez(tmp_path / "d.npz", X=X, Y=Y.reshape(-1, 1))
    loaded_X, loaded_Y = load_data(tmp_path / "d.npz")
    np.testing.assert_array_equal(loaded_X, X.T)
    np.testing.assert_array_equal(loaded_Y, Y.reshape(1, -1))
    np.savez(tmp_path / "x_only.npz", X=X)
    assert load_data(tmp_path / "x_only.npz")[1] is None


def test_csv_with_header_and_named_label_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("label,a,b\n1,0.5,2\n0,1.5,3\n")
    X, Y = load_data(path, label_column="label")
    np.testing.assert_array_equal(X, [[0.5, 1.5], [2, 3]])
    np.testing.assert_array_equal(Y, [[1, 0]])
    X0, Y0 = load_data(path, label_column=0)
    np.testing.assert_array_equal(X0, X)
    path.write_text("0.5,2,1\n1.5,3,0\n")
    X, Y = load_data(path)
    np.testing.assert_array_equal(Y, [[1, 0]])
    assert load_data(path, n_features=3)[1] is None


@pytest.mark.parametrize("content, kwargs, message", [
    ("a,b\n", {}, "no data rows"),
    ("1\n2\n", {}, "at least one feature column"),
    ("1,2\n3,4\n", {"label_column": 5}, "out of range"),
    ("x,y\n1,2\n", {"label_column": "z"}, "no column named 'z'"),
])
def test_bad_csv_files(tmp_path, content, kwargs, message):
    path = tmp_path / "d.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_data(path, **kwargs)
