"""Toy data sets: circles and moons, and the course notebook's ``load_dataset``.

``make_circles`` and ``make_moons`` have scikit-learn's signatures and return
bit-identical arrays for the same ``random_state`` (scikit-learn is not
imported). Their sines and cosines come from the C library one value at a time
(Python's ``math``), not from NumPy, whose float64 ``sin`` and ``cos`` use other
code on CPUs with AVX-512: so a data set is the same on every x86-64 and aarch64
CPU under Linux (glibc), and equal to scikit-learn's wherever NumPy's own
functions are the C library's (CPUs without AVX-512). They return scikit-learn's
layout, ``X`` of shape ``(m, 2)`` and ``y`` of shape ``(m,)``; ``load_dataset``
returns the course's layout, ``(2, m)`` and ``(1, m)``. ``load_dataset("digits")``
is scikit-learn's bundled handwritten digits, even against odd.
"""

import math
import numbers

import numpy as np

from ._fixed_order import total
from ._validation import check_memory

__all__ = ["DATASETS", "load_dataset", "make_circles", "make_moons"]


def _random_state(random_state):
    """scikit-learn's ``check_random_state``: None (NumPy's global state), an int,
    or a ``RandomState``."""
    if random_state is None or random_state is np.random:
        return np.random.mtrand._rand
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, (bool, np.bool_)):
        if not 0 <= random_state < 2**32:
            raise ValueError(f"random_state must be between 0 and 2**32 - 1, got {random_state}")
        return np.random.RandomState(int(random_state))
    raise TypeError(
        f"random_state must be None, an int or a numpy.random.RandomState, "
        f"got {type(random_state).__name__}"
    )


#: Bytes a point costs while a data set is made: X, y, the angles, their sines
#: and cosines as Python floats, the shuffle's indices and the noise.
_BYTES_PER_POINT = 160


def _split_samples(n_samples, minimum):
    """``(n_out, n_in)``: half and half (the inner group takes the odd one), or a
    two-element tuple as given. Sizes beyond this machine's memory are refused
    before anything is allocated."""
    if isinstance(n_samples, numbers.Integral) and not isinstance(n_samples, (bool, np.bool_)):
        if n_samples < minimum:
            raise ValueError(f"n_samples must be an int >= {minimum}, got {n_samples}")
        split = int(n_samples) // 2, int(n_samples) - int(n_samples) // 2
    elif isinstance(n_samples, tuple) and len(n_samples) == 2 and all(
        isinstance(n, numbers.Integral) and not isinstance(n, (bool, np.bool_)) and n >= 0
        for n in n_samples
    ):
        split = int(n_samples[0]), int(n_samples[1])
    else:
        raise ValueError(  # a ValueError whatever the type, as it always was
            f"n_samples must be an int >= {minimum} or a tuple of two ints >= 0, got "
            f"{type(n_samples).__name__} {n_samples!r}"
        )
    check_memory(sum(split) * _BYTES_PER_POINT, f"n_samples={n_samples!r}")
    return split


def _check_shuffle(shuffle):
    """``shuffle`` as given if it is a bool: a string such as "no" is truthy."""
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {type(shuffle).__name__} "
                        f"{shuffle!r}")
    return bool(shuffle)


def _check_noise(noise):
    if noise is None:
        return None
    if isinstance(noise, (bool, np.bool_)) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be None or a number >= 0, got {type(noise).__name__}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be None or a finite number >= 0, got {noise}")
    return noise


def _each(function, angles):
    """``function`` (``math.sin`` or ``math.cos``: the C library's, see the module's
    docstring) of each angle, as an array."""
    return np.fromiter(map(function, angles.tolist()), dtype=np.float64, count=len(angles))


def _finish(outer_x, outer_y, inner_x, inner_y, shuffle, noise, generator):
    """Stack the two groups, label them 0 and 1, shuffle, then add noise, in
    scikit-learn's order of random draws."""
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(len(outer_x), dtype=np.intp), np.ones(len(inner_x), dtype=np.intp)])
    if shuffle:
        indices = np.arange(X.shape[0])
        generator.shuffle(indices)
        X, y = X[indices], y[indices]
    if noise is not None:
        X += generator.normal(scale=noise, size=X.shape)
    return X, y


def make_circles(n_samples=100, *, shuffle=True, noise=None, random_state=None, factor=0.8):
    """A large circle containing a smaller one, scikit-learn's generator.

    Parameters
    ----------
    n_samples : int or tuple of two ints, default 100
        Total number of points (the inner circle takes the odd one), or
        ``(n_outer, n_inner)``.
    shuffle : bool, default True
    noise : float or None, default None
        Standard deviation of Gaussian noise added to the points.
    random_state : int, RandomState or None, default None
        None draws from NumPy's global state, as scikit-learn does.
    factor : float, default 0.8
        Scale of the inner circle, in [0, 1).

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        0 for the outer circle, 1 for the inner one.
    """
    n_out, n_in = _split_samples(n_samples, minimum=0)
    shuffle = _check_shuffle(shuffle)
    noise = _check_noise(noise)
    if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, numbers.Real):
        raise TypeError(f"factor must be a number in [0, 1), got {type(factor).__name__}")
    if not 0 <= factor < 1:
        raise ValueError(f"factor must be in [0, 1), got {factor}")
    generator = _random_state(random_state)
    angles_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    angles_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    return _finish(_each(math.cos, angles_out), _each(math.sin, angles_out),
                   _each(math.cos, angles_in) * factor, _each(math.sin, angles_in) * factor,
                   shuffle, noise, generator)


def make_moons(n_samples=100, *, shuffle=True, noise=None, random_state=None):
    """Two interleaving half circles, scikit-learn's generator.

    Parameters
    ----------
    n_samples : int or tuple of two ints, default 100
        Total number of points (the second moon takes the odd one), or
        ``(n_first, n_second)``.
    shuffle : bool, default True
    noise : float or None, default None
        Standard deviation of Gaussian noise added to the points.
    random_state : int, RandomState or None, default None
        None draws from NumPy's global state, as scikit-learn does.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        The moon each point belongs to, 0 or 1.
    """
    n_out, n_in = _split_samples(n_samples, minimum=1)
    shuffle = _check_shuffle(shuffle)
    noise = _check_noise(noise)
    generator = _random_state(random_state)
    angles_out, angles_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    return _finish(_each(math.cos, angles_out), _each(math.sin, angles_out),
                   1 - _each(math.cos, angles_in), 1 - _each(math.sin, angles_in) - 0.5,
                   shuffle, noise, generator)


#: The digits data set's split: this many of the 1797 images, drawn by a
#: ``RandomState(0)`` permutation, are the test set; the rest train.
DIGITS_TEST_SIZE = 360


def _standardized(train, test):
    """``train`` and ``test`` (features in rows) less the training mean, over the
    training standard deviation (1 where a feature is constant), feature by
    feature; the sums in a fixed order, so the same bits on every CPU."""
    m = train.shape[1]
    mean = np.array([total(row) / m for row in train])
    centred = train - mean[:, None]
    std = np.sqrt(np.array([total(row * row) / m for row in centred]))
    std[std == 0] = 1.0
    return centred / std[:, None], (test - mean[:, None]) / std[:, None]


def _digits():
    """scikit-learn's handwritten digits (8x8 images, 64 features) as even (0)
    against odd (1): 1437 training and 360 test images, standardized."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("load_dataset('digits') needs scikit-learn, which bundles the "
                          "images: pip install 'fastinit-nn[sklearn]'") from None
    digits = load_digits()
    X = np.asarray(digits.data, dtype=np.float64).T
    y = (np.asarray(digits.target) % 2).astype(np.float64).reshape(1, -1)
    order = np.random.RandomState(0).permutation(X.shape[1])
    test, train = order[:DIGITS_TEST_SIZE], order[DIGITS_TEST_SIZE:]
    train_X, test_X = _standardized(X[:, train], X[:, test])
    return train_X, y[:, train], test_X, y[:, test]


def load_dataset(name="circles"):
    """A built-in train/test split in the course's layout.

    ``"circles"`` (the default) is the notebook's data: the same draws as the
    course's ``init_utils.load_dataset`` (which seeds NumPy's global state with 1,
    then 2), 300 training and 100 test points with noise 0.05. ``"moons"`` is the
    optimization notebook's ``make_moons(300, noise=0.2)`` after seed 3 for
    training, and 100 more points drawn after seed 4 for testing. ``"digits"``
    is scikit-learn's bundled handwritten digits (needs scikit-learn; nothing is
    downloaded) as a binary task, even (0) against odd (1): 64 features (8x8
    pixels), 1437 training and 360 test images split by a ``RandomState(0)``
    permutation, each feature standardized by the training images' mean and
    standard deviation. NumPy's global random state is left alone.

    Returns
    -------
    train_X : ndarray of shape (n_0, m_train)
        (2, 300) for circles and moons, (64, 1437) for digits.
    train_Y : ndarray of shape (1, m_train)
    test_X : ndarray of shape (n_0, m_test)
        (2, 100), or (64, 360) for digits.
    test_Y : ndarray of shape (1, m_test)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, one of {', '.join(DATASETS)}; got "
                        f"{type(name).__name__} {name!r}")
    if name == "digits":
        return _digits()
    if name == "circles":
        train = make_circles(n_samples=300, noise=0.05, random_state=np.random.RandomState(1))
        test = make_circles(n_samples=100, noise=0.05, random_state=np.random.RandomState(2))
    elif name == "moons":
        train = make_moons(n_samples=300, noise=0.2, random_state=np.random.RandomState(3))
        test = make_moons(n_samples=100, noise=0.2, random_state=np.random.RandomState(4))
    else:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    (train_X, train_Y), (test_X, test_Y) = train, test
    return train_X.T, train_Y.reshape(1, -1), test_X.T, test_Y.reshape(1, -1)


#: Names :func:`load_dataset` accepts.
DATASETS = ("circles", "moons", "digits")
