"""A scikit-learn classifier trained by fastinit's compiled core, with the
initializer as a parameter (``MLPClassifier`` always draws Glorot-uniform).

This is the only module of fastinit that imports scikit-learn
(``pip install "fastinit[sklearn]"``).
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from .activations import check_activation
from .initializers import INITIALIZERS, initialize
from .network import Network, forward, predict_proba
from .training import OPTIMIZERS, train

__all__ = ["FastInitClassifier"]


class FastInitClassifier(ClassifierMixin, BaseEstimator):
    """A fully-connected classifier: hidden layers of ``activation``, sigmoid
    outputs, trained by gradient descent, momentum or Adam in fastinit's
    compiled core, from any of fastinit's initializers.

    Two classes train one sigmoid output (exactly fastinit's network); K > 2
    classes train K sigmoid outputs together (one-vs-rest in one network), and
    ``predict_proba`` normalises each row to sum to 1.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (10, 5)
    activation : str, default "relu"
        Any of :data:`fastinit.ACTIVATIONS`.
    alpha : float, default 0.0
        L2 penalty, fastinit's ``lambd``: the loss gains
        ``alpha / (2 n_samples) * sum(W**2)``.
    batch_size : int, optional
        Mini-batch size (reshuffled every epoch); None trains on the whole set.
    learning_rate_init : float, default 0.01
    max_iter : int, default 15000
        Iterations, or epochs with mini-batches or a solver other than "gd".
    momentum : float, default 0.9
        The "momentum" solver's beta.
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
    solver : {"gd", "momentum", "adam"}, default "gd"
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
        convention: ``__init__`` only stores them)."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        try:
            sizes = tuple(int(size) for size in sizes)
        except (TypeError, ValueError):
            raise ValueError(f"hidden_layer_sizes must be a sequence of positive ints, got "
                             f"{self.hidden_layer_sizes!r}") from None
        if any(size < 1 for size in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive, got {sizes}")
        if self.init not in INITIALIZERS or self.init == "lsuv":
            raise ValueError(f"init must be an initializer name other than 'lsuv' (one of "
                             f"{', '.join(sorted(set(INITIALIZERS) - {'lsuv'}))}), got "
                             f"{self.init!r}")
        if self.solver not in OPTIMIZERS:
            raise ValueError(f"solver must be one of {', '.join(OPTIMIZERS)}, got "
                             f"{self.solver!r}")
        check_activation(self.activation)
        return sizes

    def _training_options(self, n_samples):
        options = dict(learning_rate=self.learning_rate_init, lambd=self.alpha,
                       keep_prob=self.keep_prob, activation=self.activation,
                       n_threads=self.n_threads, print_cost=bool(self.verbose),
                       record_every=max(1, min(1000, int(self.max_iter) // 10)))
        if self.solver == "gd" and self.batch_size is None:
            options["num_iterations"] = self.max_iter
        else:
            options.update(optimizer=self.solver, beta=self.momentum, beta1=self.beta_1,
                           beta2=self.beta_2, epsilon=self.epsilon, num_epochs=self.max_iter,
                           mini_batch_size=n_samples if self.batch_size is None else
                           min(int(self.batch_size), n_samples))
        return options

    def fit(self, X, y):
        """Train on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,) of any type.

        Returns
        -------
        self
        """
        sizes = self._checked_parameters()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32), order="C")
        check_classification_targets(y)
        binarizer = LabelBinarizer().fit(y)
        self.classes_ = binarizer.classes_
        if len(self.classes_) < 2:
            raise ValueError(f"FastInitClassifier needs samples of at least 2 classes in y, "
                             f"got 1 class: {self.classes_[0]!r}")
        targets = binarizer.transform(y).T.astype(X.dtype)  # (1, n) or (K, n)
        dims = [X.shape[1], *sizes, targets.shape[0]]
        seed = self.random_state
        if not isinstance(seed, numbers.Integral):
            seed = check_random_state(seed)  # None: NumPy's global RandomState, as sklearn
        parameters = initialize(dims, self.init, seed=seed, dtype=X.dtype)
        options = self._training_options(X.shape[0])
        if "optimizer" in options:  # the mini-batch shuffles
            options["seed"] = int(seed) % 2**31 if isinstance(seed, numbers.Integral) else \
                int(seed.randint(2**31 - 1))
        result = train(np.ascontiguousarray(X.T), targets, parameters, **options)
        self.parameters_ = result.parameters
        self.loss_curve_ = list(result.costs)
        self.n_iter_ = int(result.num_iterations)
        return self

    def _hidden(self):
        return {"activation": self.activation}

    def decision_function(self, X):
        """The output logits: shape (n_samples,) for two classes (positive means
        ``classes_[1]``), (n_samples, n_classes) otherwise."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32), order="C")
        network = Network(self.parameters_, X.dtype)
        layers = forward(np.ascontiguousarray(X.T), network, **self._hidden())
        scores = layers[f"Z{network.n_layers}"]
        return scores[0] if scores.shape[0] == 1 else scores.T

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), rows summing to 1."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32), order="C")
        outputs = predict_proba(np.ascontiguousarray(X.T), Network(self.parameters_, X.dtype),
                                n_threads=self.n_threads, **self._hidden()).T
        if outputs.shape[1] == 1:
            return np.hstack([1 - outputs, outputs])
        totals = outputs.sum(axis=1, keepdims=True)
        uniform = totals == 0  # every output underflowed: no preference
        return np.where(uniform, 1.0 / outputs.shape[1], outputs / np.where(uniform, 1, totals))

    def predict(self, X):
        """The most probable class of each sample."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
