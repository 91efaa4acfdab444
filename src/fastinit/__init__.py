"""fastinit: small fully-connected networks, trained in compiled code, for
studying how weight initialization changes learning.

Arrays follow the course's layout: ``X`` is ``(n_features, m)``, ``Y`` is
``(1, m)``, and parameters are a dict ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``.
"""

from . import datasets, plotting
from .initializers import INITIALIZERS, initialize
from .network import (
    TrainResult,
    accuracy,
    backward,
    forward,
    model,
    predict,
    predict_proba,
    train,
)

__version__ = "0.1.0"

__all__ = [
    "INITIALIZERS",
    "TrainResult",
    "accuracy",
    "backward",
    "datasets",
    "forward",
    "initialize",
    "model",
    "plotting",
    "predict",
    "predict_proba",
    "train",
]
