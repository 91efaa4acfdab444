import numpy as np
import pytest
import reference as ref

import fastinit as fi


def test_activation_stats_match_a_plain_forward_pass():
    X = fi.diagnostics.standard_normal_inputs(20, 300, seed=1)
    dims = [20, 30, 30, 30, 1]
    stats = fi.diagnostics.activation_stats(dims, "he", X=X, seed=4)
    _, caches = ref.forward(X, fi.initialize(dims, "he", seed=4))
    hidden = [A for _, A in caches[:-1]]
    np.testing.assert_array_equal(stats["layer"], [1, 2, 3])
    np.testing.assert_allclose(stats["mean"], [A.mean() for A in hidden], rtol=1e-12)
    np.testing.assert_allclose(stats["std"], [A.std() for A in hidden], rtol=1e-12)
    np.testing.assert_array_equal(stats["dead_fraction"],
                                  [np.mean((A <= 0).all(axis=1)) for A in hidden])


def test_the_deep_default_shows_why_he_works():
    random = fi.diagnostics.activation_stats(method="random")
    small = fi.diagnostics.activation_stats(method="random_small")
    he = fi.diagnostics.activation_stats(method="he")
    zeros = fi.diagnostics.activation_stats(method="zeros")
    assert len(he["std"]) == 10
    assert np.all(np.diff(np.log(random["std"])) > 3)      # grows ~70x per layer
    assert np.all(np.diff(np.log(small["std"])) < -2)      # shrinks ~14x per layer
    assert he["std"].max() / he["std"].min() < 2           # stays flat
    assert np.all(zeros["dead_fraction"] == 1) and np.all(zeros["std"] == 0)


def test_activation_stats_rejects_bad_input():
    with pytest.raises(ValueError, match="at least one hidden layer"):
        fi.diagnostics.activation_stats([3, 1])
    with pytest.raises(ValueError, match="X has 3 features"):
        fi.diagnostics.activation_stats([4, 5, 1], X=np.zeros((3, 10)))
    with pytest.raises(ValueError, match="unknown initializer"):
        fi.diagnostics.activation_stats([4, 5, 1], method="nope")
