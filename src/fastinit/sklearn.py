"""A scikit-learn classifier trained by fastinit's compiled core, with the
initializer as a parameter (``MLPClassifier`` always draws Glorot-uniform).

This is the only module of fastinit that imports scikit-learn
(``pip install "fastinit-nn[sklearn]"``).
"""

import numbers
import reprlib
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from . import _kernels
from ._validation import check_memory
from .activations import ACTIVATIONS
from .initializers import INITIALIZERS, activation_options, initialize
from .network import Network, forward, predict_proba
from .threads import MAX_THREADS, resolve_threads
from .training import OPTIMIZERS, DivergenceError, train

__all__ = ["FastInitClassifier"]

try:  # scikit-learn's own: what its estimators raise for a bad parameter
    from sklearn.utils._param_validation import InvalidParameterError
except ImportError:  # pragma: no cover - scikit-learn before 1.2
    class InvalidParameterError(ValueError, TypeError):
        """A constructor parameter of the wrong type or value (both a
        ``ValueError`` and a ``TypeError``, as scikit-learn's)."""


#: Copies of the parameters that fitting holds at once: the initial dict, the
#: packed network, the state kept for a divergence, Adam's two moments and the
#: result.
_PARAMETER_COPIES = 6
#: The most epochs the mini-batch shuffles can be seeded for (one seed each).
_MAX_EPOCHS = 2**31
#: ``MLPClassifier``'s names for fastinit's activations.
ACTIVATION_ALIASES = {"logistic": "sigmoid", "identity": "linear"}
#: ``MLPClassifier``'s names for fastinit's optimizers: its "sgd" (mini-batch
#: gradient descent with ``momentum``) is the course's momentum.
SOLVER_ALIASES = {"sgd": "momentum"}
#: ``batch_size="auto"``: ``MLPClassifier``'s ``min(200, n_samples)``.
_AUTO_BATCH = 200


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _shown(value):
    """``repr(value)``, shortened: a message must stay one readable line."""
    return " ".join(reprlib.repr(value).split())


def _checked_int(value, name, minimum=1, maximum=None, none=False):
    """``value`` as an ``int`` in ``[minimum, maximum]``; bools, floats (even
    whole ones), strings and ``None`` (unless ``none``) are refused, not coerced."""
    if value is None and none:
        return None
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        expected = "an int or None" if none else "an int"
        raise InvalidParameterError(f"{name} must be {expected}, got {type(value).__name__} "
                                    f"{_shown(value)}")
    value = int(value)
    if value < minimum:
        raise InvalidParameterError(f"{name} must be an int >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise InvalidParameterError(f"{name} must be an int <= {maximum}, got {value}")
    return value


def _checked_real(value, name, low, high=None, low_open=False, high_open=False):
    """``value`` as a finite ``float`` in the interval from ``low`` to ``high``
    (open at either end as asked); bools and strings are refused."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"{name} must be a real number, got "
                                    f"{type(value).__name__} {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = float("inf") if value > 0 else float("-inf")
    interval = (("(" if low_open else "[") + f"{low:g}, "
                + ("inf)" if high is None else f"{high:g}" + (")" if high_open else "]")))
    inside = np.isfinite(number) and (number > low if low_open else number >= low) and (
        high is None or (number < high if high_open else number <= high))
    if not inside:
        raise InvalidParameterError(f"{name} must be a finite number in {interval}, got "
                                    f"{_shown(value)}")
    return number


def _checked_name(value, name, choices, aliases=None):
    """``value`` if it is a ``str`` among ``choices``, or what ``aliases`` (other
    names for some of them) maps it to."""
    aliases = aliases or {}
    accepted = [*choices, *aliases]
    if not isinstance(value, str):
        raise InvalidParameterError(f"{name} must be a str, one of {', '.join(accepted)}; "
                                    f"got {type(value).__name__} {_shown(value)}")
    if value not in accepted:
        raise InvalidParameterError(f"{name} must be one of {', '.join(accepted)}; got "
                                    f"{_shown(value)}")
    return aliases.get(value, value)


def _checked_batch_size(value):
    """``batch_size``: None, "auto" (kept as the string) or an int >= 1."""
    if isinstance(value, str) and value == "auto":
        return value
    if isinstance(value, str):
        raise InvalidParameterError(f"batch_size must be an int, \"auto\" or None, got "
                                    f"{_shown(value)}")
    return _checked_int(value, "batch_size", none=True)


def _checked_sizes(sizes):
    """``hidden_layer_sizes`` as a tuple of ints >= 1 (an int is one layer; an
    empty sequence, no hidden layer). A string is refused, not read digit by
    digit; so are floats, bools, nested sequences and one-shot iterators (which
    a second ``fit`` or a ``clone`` would find empty)."""
    name = "hidden_layer_sizes"
    if isinstance(sizes, numbers.Integral) and not _is_bool(sizes):
        sizes = (sizes,)
    if isinstance(sizes, (str, bytes, dict, set, frozenset)) or _is_bool(sizes) or \
            not hasattr(sizes, "__len__") or not hasattr(sizes, "__getitem__") or \
            (isinstance(sizes, np.ndarray) and sizes.ndim != 1):
        raise InvalidParameterError(f"{name} must be an int or a sequence of ints such as "
                                    f"(10, 5), got {type(sizes).__name__} {_shown(sizes)}")
    checked = []
    for position, size in enumerate(sizes):
        if _is_bool(size) or not isinstance(size, numbers.Integral):
            raise InvalidParameterError(f"{name}[{position}] must be an int, got "
                                        f"{type(size).__name__} {_shown(size)}")
        if size < 1:
            raise InvalidParameterError(f"{name}[{position}] must be >= 1, got {size}")
        checked.append(int(size))
    return tuple(checked)


def _checked_random_state(value):
    """``random_state`` as an ``int`` in [0, 2**32) or a ``RandomState`` (None:
    NumPy's global one, as scikit-learn does)."""
    if value is None or isinstance(value, np.random.RandomState):
        return check_random_state(value)
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(f"random_state must be None, an int or a "
                                    f"numpy.random.RandomState, got {type(value).__name__} "
                                    f"{_shown(value)}")
    if not 0 <= value < 2**32:
        raise InvalidParameterError(f"random_state must be an int in [0, 2**32 - 1], got {value}")
    return int(value)


def _batch(batch_size, n_samples):
    """The mini-batch size ``batch_size`` (checked) means on ``n_samples``."""
    if batch_size is None:
        return n_samples
    return min(_AUTO_BATCH if batch_size == "auto" else batch_size, n_samples)


def _length(y):
    """``len(y)``, or -1 where ``y`` has none."""
    try:
        return len(y)
    except TypeError:
        return -1


def _shape(X):
    """``X``'s shape, or ``()`` where it has none (a ragged list)."""
    if hasattr(X, "shape"):
        return tuple(X.shape)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.shape(X)
    except (ValueError, TypeError):
        return ()


def _transposed(X, axis, count, what):
    """The hint for an ``X`` whose ``axis`` (not the other) has the ``count``
    that the other should have (``what`` says whose count that is); ``""`` when
    ``X`` does not look transposed."""
    shape = _shape(X)
    if len(shape) == 2 and shape[axis] == count != shape[1 - axis]:
        return (f"; X has shape {tuple(shape)} and {what} is {count}, so it looks "
                f"transposed (one sample per column); pass X.T")
    return ""


class FastInitClassifier(ClassifierMixin, BaseEstimator):
    """A fully-connected classifier: hidden layers of ``activation``, sigmoid
    outputs, trained by gradient descent, momentum or Adam in fastinit's
    compiled core, from any of fastinit's initializers.

    Two classes train one sigmoid output (exactly fastinit's network); K > 2
    classes train K sigmoid outputs together (one-vs-rest in one network), and
    ``predict_proba`` normalises each row to sum to 1.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (10, 5)
        The hidden layers' widths (an int is one layer, ``()`` none). A string
        such as ``"55"`` is refused, not read as ``(5, 5)``.
    activation : str, default "relu"
        Any of :data:`fastinit.ACTIVATIONS`, or ``MLPClassifier``'s names
        ``"logistic"`` (``"sigmoid"``) and ``"identity"`` (``"linear"``).
    alpha : float, default 0.0
        L2 penalty, fastinit's ``lambd``: the loss gains
        ``alpha / (2 n_samples) * sum(W**2)``.
    batch_size : int, "auto" or None, default None
        Mini-batch size (reshuffled every epoch); None trains on the whole set;
        ``"auto"`` is ``MLPClassifier``'s ``min(200, n_samples)``.
    learning_rate_init : float, default 0.01
    max_iter : int, default 15000
        Iterations, or epochs with mini-batches or a solver other than "gd".
    momentum : float, default 0.9
        The "momentum" (or "sgd") solver's beta.
    beta_1, beta_2, epsilon : float, default 0.9, 0.999, 1e-8
        Adam's.
    random_state : int, RandomState or None, default None
        Seeds the initializer as ``fastinit.initialize(..., seed=random_state)``
        does (an int draws from ``RandomState(random_state)``), and the
        mini-batch shuffles.
    verbose : bool, default False
        Print the cost every 1000 iterations.
    init : str, default "he"
        Any name in :data:`fastinit.INITIALIZERS` but ``"lsuv"``, which needs the data.
    solver : {"gd", "momentum", "adam", "sgd"}, default "gd"
        ``"sgd"`` is ``MLPClassifier``'s name for mini-batch gradient descent
        with ``momentum``, trained as ``"momentum"``: the course's momentum, an
        average of the gradients ``v = momentum * v + (1 - momentum) * grad``
        (so steps are ``1 - momentum`` times scikit-learn's, and not Nesterov's).
        "lbfgs" is not available.
    keep_prob : float, default 1.0
        Dropout on the hidden layers (probability of keeping a unit).
    n_threads : int, optional
        Threads of the compiled core; default as many as the work repays.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    parameters_ : dict
        fastinit's ``{"W1", "b1", ..., "WL", "bL"}``.
    loss_curve_ : list of float
        The cost at every recorded iteration (every ``max(1, min(1000,
        max_iter // 10))``-th).
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray
        Only when fitted on a DataFrame with string column names.

    Every parameter is checked when ``fit`` runs, by the name above: a wrong
    type or value raises scikit-learn's ``InvalidParameterError`` (both a
    ``ValueError`` and a ``TypeError``); nothing is coerced (``batch_size=2.5``
    is not 2, ``max_iter=True`` is not 1).

    Examples
    --------
    >>> from fastinit.sklearn import FastInitClassifier
    >>> clf = FastInitClassifier(init="he", random_state=3).fit(X, y)
    >>> clf.score(X_test, y_test)
    """

    def __init__(self, hidden_layer_sizes=(10, 5), activation="relu", alpha=0.0,
                 batch_size=None, learning_rate_init=0.01, max_iter=15000, momentum=0.9,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, random_state=None, verbose=False,
                 init="he", solver="gd", keep_prob=1.0, n_threads=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.random_state = random_state
        self.verbose = verbose
        self.init = init
        self.solver = solver
        self.keep_prob = keep_prob
        self.n_threads = n_threads

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.non_deterministic = False
        return tags

    def _checked_parameters(self):
        """The constructor's parameters, checked when ``fit`` runs (scikit-learn's
        convention: ``__init__`` and ``set_params`` only store them).

        Returns
        -------
        dict
            Every parameter, checked and converted (``hidden_layer_sizes`` as a
            tuple, ``random_state`` as an int or a ``RandomState``, scikit-learn's
            names of activations and solvers as fastinit's).

        Raises
        ------
        TypeError, ValueError
            Naming the parameter as this estimator spells it.
        """
        checked = dict(
            hidden_layer_sizes=_checked_sizes(self.hidden_layer_sizes),
            activation=_checked_name(self.activation, "activation", ACTIVATIONS,
                                     ACTIVATION_ALIASES),
            alpha=_checked_real(self.alpha, "alpha", 0.0),
            batch_size=_checked_batch_size(self.batch_size),
            learning_rate_init=_checked_real(self.learning_rate_init, "learning_rate_init",
                                             0.0, low_open=True),
            max_iter=_checked_int(self.max_iter, "max_iter"),
            momentum=_checked_real(self.momentum, "momentum", 0.0, 1.0, high_open=True),
            beta_1=_checked_real(self.beta_1, "beta_1", 0.0, 1.0, high_open=True),
            beta_2=_checked_real(self.beta_2, "beta_2", 0.0, 1.0, high_open=True),
            epsilon=_checked_real(self.epsilon, "epsilon", 0.0, low_open=True),
            random_state=_checked_random_state(self.random_state),
            init=_checked_name(self.init, "init",
                               sorted(set(INITIALIZERS) - {"lsuv"})),  # lsuv needs the data
            solver=_checked_name(self.solver, "solver", tuple(OPTIMIZERS), SOLVER_ALIASES),
            keep_prob=_checked_real(self.keep_prob, "keep_prob", 0.0, 1.0, low_open=True),
            n_threads=_checked_int(self.n_threads, "n_threads", maximum=MAX_THREADS,
                                   none=True),
        )
        verbose = self.verbose
        if not _is_bool(verbose):
            checked_verbose = _checked_int(verbose, "verbose", minimum=0) \
                if isinstance(verbose, numbers.Integral) else None
            if checked_verbose is None:
                raise InvalidParameterError(f"verbose must be a bool or an int >= 0, got "
                                            f"{type(verbose).__name__} {_shown(verbose)}")
        checked["verbose"] = bool(verbose)
        checked["epochs"] = checked["solver"] != "gd" or checked["batch_size"] is not None
        if checked["epochs"] and checked["max_iter"] >= _MAX_EPOCHS:
            raise InvalidParameterError(
                f"max_iter must be below 2**31 with solver={checked['solver']!r} and "
                f"batch_size={checked['batch_size']!r} (epochs, each shuffled from its own "
                f"seed), got {checked['max_iter']}")
        return checked

    @staticmethod
    def _check_fit_memory(params, dims, n_samples, itemsize):
        """Refuse, before allocating anything, a network that would not fit in
        this machine's memory, naming ``hidden_layer_sizes``."""
        what = (f"hidden_layer_sizes={_shown(params['hidden_layer_sizes'])} "
                f"(layers {_shown(list(dims))} on {n_samples} samples)")
        n_weights = sum(dims[l - 1] * dims[l] + dims[l] for l in range(1, len(dims)))
        check_memory(_PARAMETER_COPIES * n_weights * itemsize, what)  # Python ints: no overflow
        packed = np.array(dims, dtype=np.intp)
        n_threads = resolve_threads(params["n_threads"], packed, n_samples)
        work = _kernels.training_layout(packed, n_samples, n_threads)[0]
        if params["epochs"]:
            work += _kernels.epoch_layout(packed, _batch(params["batch_size"], n_samples))
        check_memory((_PARAMETER_COPIES * n_weights + work) * itemsize, what)

    def _training_options(self, params, n_samples, seed):
        options = dict(learning_rate=params["learning_rate_init"], lambd=params["alpha"],
                       keep_prob=params["keep_prob"], activation=params["activation"],
                       n_threads=params["n_threads"], print_cost=params["verbose"],
                       record_every=max(1, min(1000, params["max_iter"] // 10)))
        if not params["epochs"]:
            options["num_iterations"] = params["max_iter"]
        else:
            options.update(optimizer=params["solver"], beta=params["momentum"],
                           beta1=params["beta_1"], beta2=params["beta_2"],
                           epsilon=params["epsilon"], num_epochs=params["max_iter"],
                           mini_batch_size=_batch(params["batch_size"], n_samples),
                           # the mini-batch shuffles: seed + max_iter < 2**32
                           seed=seed % _MAX_EPOCHS if isinstance(seed, int) else
                           int(seed.randint(_MAX_EPOCHS - 1)))
        return options

    def fit(self, X, y):
        """Train on ``X`` and labels ``y``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Finite real numbers; float32 data trains in float32, anything else
            in float64. Sparse matrices are refused.
        y : array_like of shape (n_samples,)
            Labels of any type scikit-learn classifiers take (ints, strings,
            bools, ...), at least two distinct ones.

        Returns
        -------
        self : FastInitClassifier

        Raises
        ------
        TypeError, ValueError
            A parameter of the wrong type or value (named as this estimator
            spells it), data of the wrong shape, type or content, one class only,
            or a network too large for this machine's memory.
        fastinit.training.DivergenceError
            A ``ValueError``: training stopped being finite (``learning_rate_init``
            too large, or ``X`` too large in magnitude).
        """
        params = self._checked_parameters()
        try:
            X, y = self._validated(X, y)
            check_classification_targets(y)
            binarizer = LabelBinarizer().fit(y)
        except OverflowError as error:  # labels such as 10**30, beyond every NumPy int
            raise ValueError(f"y holds integers too large for NumPy ({error}); use strings "
                             f"or smaller ints as labels") from None
        classes = binarizer.classes_
        if len(classes) < 2:
            raise ValueError(f"FastInitClassifier needs samples of at least 2 classes in y, "
                             f"got 1 class: {classes[0]!r}")
        n_samples, n_outputs = X.shape[0], (1 if len(classes) == 2 else len(classes))
        check_memory(n_samples * n_outputs * (8 + X.dtype.itemsize),
                     f"y with {len(classes)} classes and {n_samples} samples")
        dims = [X.shape[1], *params["hidden_layer_sizes"], n_outputs]
        self._check_fit_memory(params, dims, n_samples, X.dtype.itemsize)
        self.classes_ = classes
        targets = binarizer.transform(y).T.astype(X.dtype)  # (1, n) or (K, n)
        seed = params["random_state"]
        described = f"hidden_layer_sizes={_shown(params['hidden_layer_sizes'])}"
        try:
            parameters = initialize(dims, params["init"], seed=seed, dtype=X.dtype,
                                    **activation_options(params["init"], params["activation"]))
            # after initialize: a RandomState gives the initial weights first
            options = self._training_options(params, n_samples, seed)
            result = train(np.ascontiguousarray(X.T), targets, parameters, **options)
        except DivergenceError as error:
            raise DivergenceError(
                f"FastInitClassifier diverged: {error.result.num_iterations} of max_iter="
                f"{params['max_iter']} steps in, the parameters or the cost stopped being "
                f"finite; try a smaller learning_rate_init (got "
                f"{params['learning_rate_init']:g}) or scale X (e.g. StandardScaler)",
                error.result) from None
        except MemoryError:
            raise ValueError(f"{described} with {X.shape[1]} features and {n_samples} "
                             f"samples ran out of memory; use smaller hidden_layer_sizes or "
                             f"fewer samples") from None
        self.parameters_ = result.parameters
        self.loss_curve_ = list(result.costs)
        self.n_iter_ = int(result.num_iterations)
        self._fitted_activation = params["activation"]
        return self

    def _validated(self, X, y):
        """scikit-learn's ``validate_data`` for ``fit``; its error says so when
        ``X`` looks transposed."""
        try:
            return validate_data(self, X, y, dtype=(np.float64, np.float32), order="C")
        except ValueError as error:
            hint = _transposed(X, 1, _length(y), "the number of labels in y")
            if hint:
                raise ValueError(f"{str(error).rstrip('.')}{hint}") from None
            raise

    def _checked_X(self, X):
        """``X`` checked against what ``fit`` saw, and the network to run on it
        (with the activation it was trained with, whatever ``set_params`` has
        changed since)."""
        check_is_fitted(self)
        try:
            X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32), order="C")
        except ValueError as error:
            hint = _transposed(X, 0, self.n_features_in_, "the number of features fit saw")
            if hint:
                raise ValueError(f"{str(error).rstrip('.')}{hint}") from None
            raise
        activation = getattr(self, "_fitted_activation", None) or \
            ACTIVATION_ALIASES.get(self.activation, self.activation)
        return np.ascontiguousarray(X.T), Network(self.parameters_, X.dtype), activation

    def decision_function(self, X):
        """The output logits.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray
            Shape (n_samples,) for two classes (positive means ``classes_[1]``),
            (n_samples, n_classes) otherwise.
        """
        X, network, activation = self._checked_X(X)
        check_memory(2 * X.shape[1] * sum(network.dims[1:]) * X.dtype.itemsize,
                     f"X with {X.shape[1]} samples through layers {_shown(list(network.dims))}"
                     f" (decision_function keeps every layer; predict_proba does not)")
        layers = forward(X, network, activation=activation)
        scores = layers[f"Z{network.n_layers}"]
        return scores[0] if scores.shape[0] == 1 else scores.T

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows summing to 1; a row is NaN where the network's output is
            (inputs so large that the layers overflow).
        """
        X, network, activation = self._checked_X(X)
        outputs = predict_proba(X, network, n_threads=self.n_threads, activation=activation).T
        if outputs.shape[1] == 1:
            return np.hstack([1 - outputs, outputs])
        totals = outputs.sum(axis=1, keepdims=True)
        uniform = totals == 0  # every output underflowed: no preference
        return np.where(uniform, 1.0 / outputs.shape[1], outputs / np.where(uniform, 1, totals))

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.

        Raises
        ------
        ValueError
            When a sample's probabilities are NaN (the layers overflowed on
            inputs far larger than the training data): no class is chosen for it.
        """
        proba = self.predict_proba(X)
        bad = np.isnan(proba).any(axis=1)
        if bad.any():
            raise ValueError(f"X gives NaN probabilities for {int(bad.sum())} of {len(bad)} "
                             f"samples (first: row {int(np.argmax(bad))}): its values are too "
                             f"large for the network; scale X as it was scaled for fit")
        return self.classes_[np.argmax(proba, axis=1)]
