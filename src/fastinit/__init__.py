"""fastinit: small fully-connected networks, trained in compiled code, for
studying how weight initialization changes learning.

Arrays follow the course's layout: ``X`` is ``(n_features, m)``, ``Y`` is
``(1, m)``, and parameters are a dict ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``
or a :class:`Network`, which holds them checked and packed for a loop.
"""

from . import datasets, depth, diagnostics, plotting
from .activations import ACTIVATIONS, calculate_gain
from .experiments import compare_initializers, compare_optimizers
from .gradcheck import gradient_check
from .initializers import INITIALIZERS, initialize
from .lsuv import lsuv
from .network import Network, accuracy, backward, forward, predict, predict_proba
from .training import DivergenceError, TrainResult, model, train
from .storage import load_parameters, save_parameters
from .sweep import SweepResult, sweep

__version__ = "0.1.0"

from .config import show_config  # noqa: E402  (reads __version__)

__all__ = [
    "ACTIVATIONS",
    "DivergenceError",
    "INITIALIZERS",
    "Network",
    "SweepResult",
    "TrainResult",
    "accuracy",
    "backward",
    "calculate_gain",
    "compare_initializers",
    "compare_optimizers",
    "datasets",
    "depth",
    "diagnostics",
    "forward",
    "gradient_check",
    "initialize",
    "load_parameters",
    "lsuv",
    "model",
    "plotting",
    "predict",
    "predict_proba",
    "save_parameters",
    "show_config",
    "sweep",
    "train",
]
