"""Hostile review of the toy data sets (``fastinit.datasets``, issue 24). Each
case asserts the error's type and that its message names the argument."""

import numpy as np
import pytest

import fastinit as fi


@pytest.mark.parametrize("call, kind, name", [
    (lambda: fi.datasets.make_circles(10**12), ValueError, "n_samples"),  # before allocating
    (lambda: fi.datasets.make_moons(10**15), ValueError, "n_samples"),
    (lambda: fi.datasets.make_moons((10**15, 1)), ValueError, "n_samples"),
    (lambda: fi.datasets.make_circles((2**62, 2**62)), ValueError, "n_samples"),
    (lambda: fi.datasets.make_circles(100, shuffle="no"), TypeError, "shuffle"),  # truthy
    (lambda: fi.datasets.make_moons(100, shuffle=None), TypeError, "shuffle"),
    (lambda: fi.datasets.make_moons(100, shuffle=1), TypeError, "shuffle"),
    (lambda: fi.datasets.make_circles(True), ValueError, "n_samples"),
    (lambda: fi.datasets.make_circles([50, 50]), ValueError, "n_samples"),
    (lambda: fi.datasets.make_circles((50, -1)), ValueError, "n_samples"),
    (lambda: fi.datasets.make_circles(100, noise=float("nan")), ValueError, "noise"),
    (lambda: fi.datasets.make_circles(100, factor=float("nan")), ValueError, "factor"),
    (lambda: fi.datasets.make_moons(100, random_state=-1), ValueError, "random_state"),
    (lambda: fi.datasets.make_moons(100, random_state=1.5), TypeError, "random_state"),
    (lambda: fi.datasets.load_dataset(["moons"]), TypeError, "name"),
    (lambda: fi.datasets.load_dataset(None), TypeError, "name"),
    (lambda: fi.datasets.load_dataset("Moons"), ValueError, "dataset"),
])
def test_bad_arguments_are_refused_by_name(call, kind, name):
    with pytest.raises(kind) as error:
        call()
    assert name in str(error.value)


@pytest.mark.parametrize("shuffle", [True, False, np.bool_(True)])
def test_a_bool_shuffle_still_works(shuffle):
    X, y = fi.datasets.make_moons(11, shuffle=shuffle, random_state=0)
    assert X.shape == (11, 2) and sorted(y.tolist()) == [0] * 5 + [1] * 6
