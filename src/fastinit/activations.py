"""The hidden layers' activations: their names, the checks of the arguments
that choose one, and the gains of the initializers made for them.

The output layer is always a sigmoid. The hidden layers use one of
:data:`ACTIVATIONS`, as PyTorch defines them; the compiled core computes each
one vectorized, and its derivative from the activation's own output.
"""

import math
import numbers

import numpy as np

__all__ = ["ACTIVATIONS", "DEFAULT_NEGATIVE_SLOPE", "SELU_ALPHA", "SELU_SCALE",
           "calculate_gain", "check_activation"]

#: Every hidden activation, in the order of the compiled core's codes.
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "selu", "linear")
#: Leaky ReLU's slope for z < 0 when none is given (PyTorch's).
DEFAULT_NEGATIVE_SLOPE = 0.01
#: SELU's constants (Klambauer et al. 2017): ``scale * (z if z > 0 else alpha * (e^z - 1))``.
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

_CODES = {name: code for code, name in enumerate(ACTIVATIONS)}
# PyTorch's calculate_gain gives 1 to every linear-like layer as well.
_LINEAR_GAIN = ("linear", "sigmoid", "identity", "conv1d", "conv2d", "conv3d",
                "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def _checked_slope(negative_slope, name="negative_slope"):
    if isinstance(negative_slope, (bool, np.bool_)) or not isinstance(negative_slope,
                                                                      numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(negative_slope).__name__}")
    if not (math.isfinite(negative_slope) and negative_slope >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {negative_slope}")
    return float(negative_slope)


def check_activation(activation, negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """``(code, negative_slope)`` for the compiled core, after checking both.

    Parameters
    ----------
    activation : str
        One of :data:`ACTIVATIONS`.
    negative_slope : float, default 0.01
        Leaky ReLU's slope for z < 0: finite and >= 0 (the backward pass reads
        the derivative from the sign of the activation, which a negative slope
        would flip). Checked whatever the activation.

    Raises
    ------
    ValueError, TypeError
        Naming the argument and what was expected.
    """
    code = _CODES.get(activation) if isinstance(activation, str) else None
    if code is None:
        if not isinstance(activation, str):
            raise TypeError(f"activation must be a str, got {type(activation).__name__}")
        raise ValueError(f"unknown activation {activation!r}; choose from: "
                         f"{', '.join(ACTIVATIONS)}")
    if negative_slope == DEFAULT_NEGATIVE_SLOPE and type(negative_slope) is float:
        return code, negative_slope
    return code, _checked_slope(negative_slope)


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for an activation, with PyTorch's values
    (``torch.nn.init.calculate_gain``).

    ================  ==========================
    nonlinearity      gain
    ================  ==========================
    linear, sigmoid   1
    tanh              5/3
    relu              sqrt(2)
    leaky_relu        sqrt(2 / (1 + param**2)), param default 0.01
    selu              3/4
    ================  ==========================

    The convolution names PyTorch accepts (``conv2d``, ...) give 1, as there.

    Parameters
    ----------
    nonlinearity : str
    param : float, optional
        Leaky ReLU's negative slope.

    Returns
    -------
    float
    """
    if not isinstance(nonlinearity, str):
        raise TypeError(f"nonlinearity must be a str, got {type(nonlinearity).__name__}")
    if nonlinearity in _LINEAR_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = DEFAULT_NEGATIVE_SLOPE
        if param is not None:
            if isinstance(param, (bool, np.bool_)) or not isinstance(param, numbers.Real) \
                    or not math.isfinite(param) or not abs(param) < 1e154:
                raise ValueError(f"param must be a finite number below 1e154 in size (its "
                                 f"square is taken) for leaky_relu, got {param!r}")
            slope = float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}; choose from: "
                     f"{', '.join(ACTIVATIONS)} (or PyTorch's conv names)")
