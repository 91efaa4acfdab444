"""fastinit: small fully-connected networks, trained in compiled code, for
studying how weight initialization changes learning.

Arrays follow the course's layout: ``X`` is ``(n_features, m)``, ``Y`` is
``(1, m)``, and parameters are a dict ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``
or a :class:`Network`, which holds them checked and packed for a loop.
"""

import os

# libgomp's threads spin on a barrier for GOMP_SPINCOUNT rounds (300000 by default)
# before sleeping. When every core is busy, a spinning thread keeps the core its
# partner needs, and training on several threads ran 2.5-3.8x slower than on one.
# A tenth of that spin keeps the idle machine as fast and lets a loaded one get on.
# libgomp reads it once, when the first compiled module loads, so it is set here,
# before any; a value the user set wins.
os.environ.setdefault("GOMP_SPINCOUNT", "30000")

from . import datasets, depth, diagnostics, plotting, theory  # noqa: E402
from .activations import ACTIVATIONS, calculate_gain  # noqa: E402
from .experiments import compare_initializers, compare_optimizers  # noqa: E402
from .gradcheck import gradient_check  # noqa: E402
from .initializers import INITIALIZERS, initialize  # noqa: E402
from .lsuv import lsuv  # noqa: E402
from .network import Network, accuracy, backward, forward, predict, predict_proba  # noqa: E402
from .training import DivergenceError, TrainResult, model, train  # noqa: E402
from .storage import load_parameters, save_parameters  # noqa: E402
from .sweep import SweepResult, sweep  # noqa: E402

__version__ = "0.1.0"
#: The name on the package index (``pip install fastinit-nn``); the import name is fastinit.
DISTRIBUTION = "fastinit-nn"

from .config import show_config  # noqa: E402  (reads __version__ and DISTRIBUTION)
from .phase import PhaseDiagram, phase_diagram  # noqa: E402  (reads __version__)

__all__ = [
    "ACTIVATIONS",
    "DISTRIBUTION",
    "DivergenceError",
    "INITIALIZERS",
    "Network",
    "PhaseDiagram",
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
    "phase_diagram",
    "plotting",
    "predict",
    "predict_proba",
    "save_parameters",
    "show_config",
    "sweep",
    "theory",
    "train",
]
