"""Mean-field theory (fastinit.theory): the Gaussian quadratures against closed forms,
scipy and Monte Carlo; the maps, their fixed points and slopes; the edge of chaos; the
Jacobian's moments against products of random matrices; SELU's moment map against
the numbers Klambauer et al. print; wide random networks against the trajectories;
hostile arguments; speed."""

import math
import zlib

import numpy as np
import pytest
from scipy import integrate, optimize, special

import fastinit as fi
from fastinit import theory
from fastinit.activations import SELU_ALPHA, SELU_SCALE
from fastinit.propagation import mean_field
from fastinit.theory import _phi, _phi_prime

SMOOTH = ("tanh", "sigmoid", "selu")  # the activations whose fixed points are solved for
PAIRS = [(1.0, 1.0), (0.3, 2.0), (1e4, 1e4), (1e-4, 1.0), (100.0, 0.01)]
CORRELATIONS = [-1.0, -0.999999, -0.7, 0.0, 0.3, 0.9, 0.999999, 1.0]


# ---------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------

def angle(c):
    """``arccos(c)`` and ``pi - arccos(c)``, each from ``(sqrt(1 - c**2), +-c)``
    without cancellation."""
    s = math.sqrt((1 - c) * (1 + c))
    return math.atan2(s, c), math.atan2(s, -c)


def arccos_kernel(degree, q1, q2, c):
    """Cho & Saul's arc-cosine kernels: ``E[relu(u1) relu(u2)]`` (degree 1) and
    ``E[step(u1) step(u2)]`` (degree 0). Near ``c = -1`` the degree-1 kernel's
    ``sin(psi) - psi cos(psi)`` (``psi = pi - theta``) is summed as a series, which
    the closed form loses to cancellation."""
    theta, psi = angle(c)
    if degree == 0:
        return psi / (2 * math.pi)
    if psi < 0.1:
        bracket = sum((-1) ** (k + 1) * 2 * k * psi ** (2 * k + 1) / math.factorial(2 * k + 1)
                      for k in range(1, 12))
    else:
        bracket = math.sin(theta) + psi * c
    return math.sqrt(q1 * q2) / (2 * math.pi) * bracket


def erf_kernel(a, q1, q2, c):
    """``E[erf(a u1) erf(a u2)] = (2/pi) arcsin(2 a**2 q12 / sqrt((1 + 2 a**2 q1)(1 + 2 a**2 q2)))``
    (Williams 1998), with the arcsin taken as an atan2 whose cosine side,
    ``1 + 2 a**2 (q1 + q2) + 4 a**4 q1 q2 (1 - c**2)``, has no cancellation."""
    a2 = a * a
    sine = 2 * a2 * c * math.sqrt(q1 * q2)
    cosine = math.sqrt(1 + 2 * a2 * (q1 + q2) + 4 * a2 * a2 * q1 * q2 * (1 - c) * (1 + c))
    return 2 / math.pi * math.atan2(sine, cosine)


def quad_1d(function, q, points=(0.0,)):
    """``E[function(z)]``, ``z ~ N(0, q)``, by scipy's adaptive quadrature."""
    width = 12 * math.sqrt(q)
    edges = sorted({-width, width, *[p for p in points if abs(p) < width]})

    def integrand(z):
        return function(z) * math.exp(-z * z / (2 * q)) / math.sqrt(2 * math.pi * q)

    return sum(integrate.quad(integrand, a, b, epsabs=0, epsrel=1e-13, limit=400)[0]
               for a, b in zip(edges[:-1], edges[1:]))


def quad_2d(function, q, c):
    """``E[function(u1, u2)]`` for equal variances ``q`` and correlation ``c``, by
    nested scipy quadratures with breakpoints at the kinks."""
    s = math.sqrt((1 - c) * (1 + c))
    r = math.sqrt(q)

    def inner(z1):
        def integrand(z2):
            return function(r * z1, r * (c * z1 + s * z2)) * math.exp(-z2 * z2 / 2)
        kink = -c * z1 / s
        edges = sorted({-11.0, 11.0, *([kink] if abs(kink) < 11 else [])})
        return sum(integrate.quad(integrand, a, b, epsabs=1e-15, epsrel=1e-13, limit=200)[0]
                   for a, b in zip(edges[:-1], edges[1:])) / math.sqrt(2 * math.pi)

    return sum(integrate.quad(lambda z1: inner(z1) * math.exp(-z1 * z1 / 2), a, b,
                              epsabs=1e-15, epsrel=1e-13, limit=200)[0]
               for a, b in ((-11, 0), (0, 11))) / math.sqrt(2 * math.pi)


def selu_paper(mu, omega, nu, tau, lam=SELU_SCALE, alpha=SELU_ALPHA):
    """Klambauer et al. 2017's closed-form moment map, their eqs. (4)/(12) for the mean
    and (5)/(13) for the second moment, written out from the paper."""
    m, v = mu * omega, nu * tau
    r = math.sqrt(2) * math.sqrt(v)
    mean = 0.5 * lam * (-(alpha + m) * math.erfc(m / r)
                        + alpha * math.exp(m + v / 2) * math.erfc((m + v) / r)
                        + math.sqrt(2 / math.pi) * math.sqrt(v) * math.exp(-m * m / (2 * v))
                        + 2 * m)
    second = 0.5 * lam ** 2 * (
        (m * m + v) * (math.erf(m / r) + 1)
        + alpha ** 2 * (-2 * math.exp(m + v / 2) * math.erfc((m + v) / r)
                        + math.exp(2 * (m + v)) * math.erfc((m + 2 * v) / r) + math.erfc(m / r))
        + math.sqrt(2 / math.pi) * m * math.sqrt(v) * math.exp(-m * m / (2 * v)))
    return mean, second - mean * mean


def relu(u):
    return np.maximum(u, 0.0)


# ---------------------------------------------------------------------------
# Gaussian expectations
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("q1, q2", PAIRS)
@pytest.mark.parametrize("c", CORRELATIONS)
def test_the_2d_rule_gives_the_arc_cosine_kernels(q1, q2, c):
    """Kinked integrands, from c = -1 to c = 1 (both included) and q up to 1e4."""
    one = theory.gaussian_expectation_2d(lambda a, b: relu(a) * relu(b), q1, q2, c)
    zero = theory.gaussian_expectation_2d(lambda a, b: (a > 0) * (b > 0) * 1.0, q1, q2, c)
    expected_one, expected_zero = arccos_kernel(1, q1, q2, c), arccos_kernel(0, q1, q2, c)
    scale = math.sqrt(q1 * q2)
    assert one == pytest.approx(expected_one, rel=1e-10, abs=1e-15 * scale)
    assert zero == pytest.approx(expected_zero, rel=1e-10, abs=1e-15)


@pytest.mark.parametrize("q1, q2", PAIRS)
@pytest.mark.parametrize("c", CORRELATIONS)
@pytest.mark.parametrize("a", [0.5, 2.0])
def test_the_2d_rule_gives_the_erf_kernel_and_the_linear_one(q1, q2, c, a):
    got = theory.gaussian_expectation_2d(lambda u, v: special.erf(a * u) * special.erf(a * v),
                                         q1, q2, c)
    assert got == pytest.approx(erf_kernel(a, q1, q2, c), rel=1e-10, abs=1e-15)
    linear = theory.gaussian_expectation_2d(lambda u, v: u * v, q1, q2, c)
    assert linear == pytest.approx(c * math.sqrt(q1 * q2), rel=1e-12,
                                   abs=1e-15 * math.sqrt(q1 * q2))


def selu_np(u):
    return _phi("selu", u, 0.01)


MONTE_CARLO = [
    ("tanh x tanh", lambda a, b: np.tanh(a) * np.tanh(b)),
    ("selu x selu", lambda a, b: selu_np(a) * selu_np(b)),
    ("leaky x sigmoid", lambda a, b: np.where(a > 0, a, 0.2 * a) / (1 + np.exp(-b))),
    ("|u1 - u2|", lambda a, b: np.abs(a - b)),
    ("step x square", lambda a, b: (a > 0) * b * b),
]


@pytest.mark.parametrize("name, function", MONTE_CARLO)
@pytest.mark.parametrize("q1, q2, c", [(1.0, 2.0, 0.4), (0.5, 0.5, -0.8), (3.0, 1.0, 0.95)])
def test_the_2d_rule_agrees_with_monte_carlo(name, function, q1, q2, c):
    """A seeded Monte Carlo, 400 000 draws: within 5 standard errors."""
    rng = np.random.default_rng([zlib.crc32(name.encode()), int(1000 * q1), int(1000 * (c + 1))])
    z1, z2 = rng.standard_normal((2, 400_000))
    u1 = math.sqrt(q1) * z1
    u2 = math.sqrt(q2) * (c * z1 + math.sqrt(1 - c * c) * z2)
    values = function(u1, u2)
    error = values.std() / math.sqrt(values.size)
    got = theory.gaussian_expectation_2d(function, q1, q2, c)
    assert abs(got - values.mean()) < 5 * error, name


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
@pytest.mark.parametrize("q", [1e-3, 0.7, 50.0])
def test_the_2d_rule_at_c_1_is_the_1d_rule_and_scipy_agrees_in_between(activation, q):
    def product(a, b):
        return _phi(activation, a, 0.1) * _phi(activation, b, 0.1)

    at_one = theory.gaussian_expectation_2d(product, q, q, 1.0)
    assert at_one == pytest.approx(
        theory.gaussian_expectation(lambda z: _phi(activation, z, 0.1) ** 2, q), rel=1e-13)
    near = theory.gaussian_expectation_2d(product, q, q, 1 - 1e-14)
    assert near == pytest.approx(at_one, rel=1e-10)
    if q == 0.7:
        scalar = {"relu": lambda u: max(u, 0.0), "leaky_relu": lambda u: u if u > 0 else 0.1 * u,
                  "tanh": math.tanh, "sigmoid": lambda u: 1 / (1 + math.exp(-u)),
                  "selu": lambda u: SELU_SCALE * (u if u > 0 else SELU_ALPHA * math.expm1(u)),
                  "linear": lambda u: u}[activation]
        expected = quad_2d(lambda a, b: scalar(a) * scalar(b), q, 0.35)
        assert theory.gaussian_expectation_2d(product, q, q, 0.35) == pytest.approx(
            expected, rel=1e-10, abs=1e-14)


def test_gaussian_expectations_at_zero_variance_and_their_function_checks():
    assert theory.gaussian_expectation(lambda z: z + 3.0, 0.0) == 3.0
    assert theory.gaussian_expectation_2d(lambda a, b: a + b + 1.0, 0.0, 0.0, 0.5) == \
        pytest.approx(1.0, rel=1e-15)
    assert theory.gaussian_expectation(lambda z: 2.0, 1.3) == pytest.approx(2.0, rel=1e-14)
    with pytest.raises(ValueError, match="function must return"):
        theory.gaussian_expectation(lambda z: np.ones(3), 1.0)
    with pytest.raises(TypeError, match="function must be callable"):
        theory.gaussian_expectation(3.0, 1.0)


@pytest.mark.parametrize("q", [1e-6, 0.25, 1.0, 7.0, 1e4])
def test_the_activation_means_have_their_closed_forms(q):
    r = math.sqrt(q)
    expected = {
        "relu": r / math.sqrt(2 * math.pi),
        "leaky_relu": (1 - 0.2) * r / math.sqrt(2 * math.pi),
        "tanh": 0.0, "linear": 0.0, "sigmoid": 0.5,
        # E[selu(z)] = lambda (sqrt(q / 2 pi) + alpha (e^{q/2} Phi(-sqrt q) - 1/2))
        "selu": SELU_SCALE * (r / math.sqrt(2 * math.pi) + SELU_ALPHA * (
            math.exp(q / 2) * 0.5 * math.erfc(r / math.sqrt(2)) - 0.5)) if q < 100 else None,
    }
    for activation, value in expected.items():
        if value is None:
            continue
        got = theory.activation_mean(q, activation=activation, negative_slope=0.2)
        assert got == pytest.approx(value, rel=1e-12, abs=1e-15 * max(1.0, r)), activation
    assert theory.activation_mean(1.0, activation="selu") == pytest.approx(0.0, abs=1e-15)


# ---------------------------------------------------------------------------
# The length map and q*
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("q", [0.0, 1e-8, 0.5, 3.0, 1e6])
def test_the_length_map_against_closed_forms_and_scipy(q):
    a = 0.3
    closed = {"relu": 1.7 * q / 2 + 0.2, "leaky_relu": 1.7 * (1 + a * a) * q / 2 + 0.2,
              "linear": 1.7 * q + 0.2}
    for activation, value in closed.items():
        assert theory.length_map(q, 1.7, 0.2, activation=activation, negative_slope=a) == \
            pytest.approx(value, rel=1e-14)
    if 0 < q < 1e5:
        for activation, scalar in (("tanh", math.tanh),
                                   ("sigmoid", lambda u: 1 / (1 + math.exp(-u))),
                                   ("selu", lambda u: SELU_SCALE * (
                                       u if u > 0 else SELU_ALPHA * math.expm1(u)))):
            expected = 1.7 * quad_1d(lambda z: scalar(z) ** 2, q) + 0.2
            assert theory.length_map(q, 1.7, 0.2, activation=activation) == \
                pytest.approx(expected, rel=1e-12), activation


GRID = [(w, b) for w in (0.3, 0.9, 1.0, 1.5, 2.5, 4.0, 7.0) for b in (0.0, 0.05, 0.5)]


@pytest.mark.parametrize("activation", fi.ACTIVATIONS)
def test_q_star_is_fixed_and_reached_from_1(activation):
    for sigma_w2, sigma_b2 in GRID:
        options = dict(activation=activation, negative_slope=0.1)
        q_star = theory.length_fixed_point(sigma_w2, sigma_b2, **options)
        if math.isinf(q_star):
            continue
        mapped = theory.length_map(q_star, sigma_w2, sigma_b2, **options)
        assert abs(mapped - q_star) <= 1e-12 * max(q_star, 1e-300), (sigma_w2, sigma_b2)
        slope = theory.depth_scales(sigma_w2, sigma_b2, **options)[0]
        if slope < 4 and q_star > 0:  # fast enough to reach by iterating the map
            q = 1.0
            for _ in range(int(40 * slope) + 40):
                q = theory.length_map(q, sigma_w2, sigma_b2, **options)
            assert q == pytest.approx(q_star, rel=1e-12), (sigma_w2, sigma_b2)


@pytest.mark.parametrize("activation", SMOOTH)
def test_q_star_to_13_digits_against_brentq(activation):
    for sigma_w2, sigma_b2 in [(0.8, 0.05), (2.0, 0.1), (1.3, 0.0), (1.7, 1.0)]:
        q_star = theory.length_fixed_point(sigma_w2, sigma_b2, activation=activation)
        if not 0 < q_star < math.inf:
            continue

        def excess(q):
            return theory.length_map(q, sigma_w2, sigma_b2, activation=activation) - q

        expected = optimize.brentq(excess, q_star / 2, q_star * 2 + 1e-3, xtol=1e-300,
                                   rtol=1e-15, maxiter=500)
        assert q_star == pytest.approx(expected, rel=1e-13), (sigma_w2, sigma_b2)


def test_q_star_special_cases():
    q = theory.length_fixed_point
    assert q(1.5, 0.2, activation="relu") == pytest.approx(0.2 / (1 - 0.75), rel=1e-15)
    assert q(2.0, 0.0, activation="relu") == 1.0  # every q is fixed: the start
    assert q(2.0, 0.1, activation="relu") == math.inf
    assert q(2.5, 0.0, activation="relu") == math.inf
    assert q(0.9, 0.3, activation="linear") == pytest.approx(3.0, rel=1e-14)
    assert q(0.0, 0.7, activation="sigmoid") == 0.7
    assert q(1.0, 0.0, activation="tanh") == 0.0
    assert q(0.99, 0.0, activation="tanh") == 0.0
    assert 0 < q(1.01, 0.0, activation="tanh") < 0.01
    assert q(2 / SELU_SCALE ** 2, 0.0, activation="selu") == math.inf
    assert math.isfinite(q(1.8, 0.0, activation="selu"))
    # SELU's constants make q = 1 a fixed point with sigma_w2 = 1 (Klambauer et al.)
    assert q(1.0, 0.0, activation="selu") == pytest.approx(1.0, rel=1e-14)


def test_length_trajectory_is_mean_field_with_biases():
    dims = [50] + [50] * 8 + [1]
    X = np.random.default_rng(1).standard_normal((50, 30)) * 1.3
    q0 = float(np.mean(X ** 2))
    for activation in fi.ACTIVATIONS:
        got, chi = mean_field(dims, [1.6 / 50] * 9, X, activation, 0.1, bias_variances=[0.2] * 9)
        expected = theory.length_trajectory(q0, 9, 1.6, 0.2, activation=activation,
                                            negative_slope=0.1)
        np.testing.assert_allclose(got, expected, rtol=1e-14)
        np.testing.assert_allclose(chi[:-1], [theory.chi_1(1.6, q=v, activation=activation,
                                                           negative_slope=0.1)
                                              for v in expected[:-1]], rtol=1e-14)
        plain, plain_chi = mean_field(dims, [1.6 / 50] * 9, X, activation, 0.1)
        zeros = mean_field(dims, [1.6 / 50] * 9, X, activation, 0.1, bias_variances=[0] * 9)
        np.testing.assert_array_equal(plain, zeros[0])
        np.testing.assert_array_equal(plain_chi, zeros[1])


@pytest.mark.parametrize("bias_variances, error, match", [
    ([0.1, 0.1], ValueError, "one entry per layer"),
    ([0.1, -1.0, 0.1], ValueError, r"bias_variances\[1\]"),
    ([0.1, math.nan, 0.1], ValueError, r"bias_variances\[1\]"),
    ([0.1, True, 0.1], TypeError, r"bias_variances\[1\]"),
    ("0.1", TypeError, "bias_variances"),
    (0.1, TypeError, "bias_variances"),
])
def test_mean_field_names_bad_bias_variances(bias_variances, error, match):
    with pytest.raises(error, match=match):
        mean_field([4, 5, 5, 1], [0.5, 0.4, 0.4], np.ones((4, 3)),
                   bias_variances=bias_variances)


# ---------------------------------------------------------------------------
# The correlation map, c*, chi
# ---------------------------------------------------------------------------

def relu_correlation_map(c, sigma_w2, sigma_b2, q):
    """``1 - C(c)`` for ReLU from the degree-1 arc-cosine kernel, without cancellation
    near ``c = 1``: ``1 - k1(c) / k1(1) = ((pi - theta)(1 - c) + theta - sin theta) / pi``."""
    theta, psi = angle(c)
    if theta < 0.1:
        theta_minus_sine = sum((-1) ** (k + 1) * theta ** (2 * k + 1) / math.factorial(2 * k + 1)
                               for k in range(1, 12))
    else:
        theta_minus_sine = theta - math.sin(theta)
    one_minus_k = (psi * (1 - c) + theta_minus_sine) / math.pi
    return sigma_w2 * q / 2 * one_minus_k / (sigma_w2 * q / 2 + sigma_b2)


@pytest.mark.parametrize("c", [-1.0, -0.5, 0.0, 0.5, 0.9, 0.999999, 1 - 1e-10, 1 - 1e-14])
def test_the_correlation_map_keeps_its_distance_to_1(c):
    """ReLU and linear have closed forms; 1 - C(c) is right to 1e-9 relative even
    at 1 - c = 1e-14."""
    for sigma_w2, sigma_b2, q in [(1.6, 0.1, 0.7), (2.0, 0.0, 3.0)]:
        got = theory.correlation_map(c, sigma_w2, sigma_b2, q=q, activation="relu")
        expected = relu_correlation_map(c, sigma_w2, sigma_b2, q)
        assert 1 - got == pytest.approx(expected, rel=1e-9, abs=1e-16)
        linear = theory.correlation_map(c, sigma_w2, sigma_b2, q=q, activation="linear")
        assert 1 - linear == pytest.approx(sigma_w2 * q * (1 - c) / (sigma_w2 * q + sigma_b2),
                                           rel=1e-12, abs=1e-16)
    assert theory.correlation_map(1.0, 2.0, 0.3) == 1.0


def test_the_correlation_map_against_scipy_and_its_slope_is_chi_c():
    for activation, scalar, sigma_w2 in (
            ("tanh", math.tanh, 2.0),
            ("selu", lambda u: SELU_SCALE * (u if u > 0 else SELU_ALPHA * math.expm1(u)), 1.5)):
        sigma_b2, q, c = 0.1, 0.8, 0.3
        expected = (sigma_w2 * quad_2d(lambda a, b: scalar(a) * scalar(b), q, c) + sigma_b2) / \
            theory.length_map(q, sigma_w2, sigma_b2, activation=activation)
        got = theory.correlation_map(c, sigma_w2, sigma_b2, q=q, activation=activation)
        assert got == pytest.approx(expected, rel=1e-10)
        q_star = theory.length_fixed_point(sigma_w2, sigma_b2, activation=activation)
        h = 1e-5
        for c in (-0.4, 0.2, 0.7):
            slope = (theory.correlation_map(c + h, sigma_w2, sigma_b2, activation=activation)
                     - theory.correlation_map(c - h, sigma_w2, sigma_b2, activation=activation)) \
                / (2 * h)
            assert theory.chi_c(sigma_w2, sigma_b2, q=q_star, c=c, activation=activation) == \
                pytest.approx(slope, rel=1e-7)
        assert theory.chi_c(sigma_w2, sigma_b2, c=1.0, activation=activation) == \
            theory.chi_1(sigma_w2, sigma_b2, activation=activation)


@pytest.mark.parametrize("activation", SMOOTH)
def test_c_star_is_fixed_and_attracts(activation):
    scale = {"tanh": 1.0, "sigmoid": 60.0, "selu": 0.5}[activation]
    for sigma_w2 in (0.8 * scale, 1.5 * scale, 2.5 * scale, 3.4 * scale):
        for sigma_b2 in (0.0, 0.05, 0.5):
            options = dict(activation=activation)
            if math.isinf(theory.length_fixed_point(sigma_w2, sigma_b2, **options)):
                continue
            c_star = theory.correlation_fixed_point(sigma_w2, sigma_b2, **options)
            chi = theory.chi_1(sigma_w2, sigma_b2, **options)
            if chi <= 1:
                assert c_star == 1.0
                continue
            assert 0 <= c_star < 1
            assert theory.correlation_map(c_star, sigma_w2, sigma_b2, **options) == \
                pytest.approx(c_star, abs=1e-12)
            xi_c = theory.depth_scales(sigma_w2, sigma_b2, **options)[1]
            if xi_c > 8:  # slow to reach by iterating
                continue
            c = 0.5 if c_star < 0.9 else 0.99
            for _ in range(int(40 * xi_c) + 20):
                c = theory.correlation_map(c, sigma_w2, sigma_b2, **options)
            assert c == pytest.approx(c_star, abs=1e-9), (sigma_w2, sigma_b2)


def test_c_star_special_cases():
    assert theory.correlation_fixed_point(3.0, 0.0, activation="tanh") == 0.0  # odd, no bias
    assert theory.correlation_fixed_point(1.5, 0.05, activation="tanh") == 1.0
    for activation in ("relu", "leaky_relu", "linear"):  # never chaotic with q* finite
        for sigma_w2 in (0.5, 1.9, 2.0, 3.0):
            assert theory.correlation_fixed_point(sigma_w2, 0.1, activation=activation) == 1.0


def test_chi_for_the_homogeneous_activations_and_at_q_0():
    assert theory.chi_1(1.5, 0.3, activation="relu") == pytest.approx(0.75, rel=1e-15)
    assert theory.chi_1(1.5, 0.3, activation="leaky_relu", negative_slope=0.5) == \
        pytest.approx(1.5 * 1.25 / 2, rel=1e-15)
    assert theory.chi_1(0.7, 0.3, activation="linear") == pytest.approx(0.7, rel=1e-15)
    assert theory.chi_1(4.0, 0.1, activation="relu") == 2.0  # q* infinite: the limit
    # at q* = 0 (tanh without bias, sigma_w2 <= 1) chi_1 is its limit sigma_w2 phi'(0)**2
    assert theory.chi_1(0.8, activation="tanh") == 0.8
    assert theory.chi_1(1.0, q=0.0, activation="relu") == pytest.approx(0.5, rel=1e-15)


# ---------------------------------------------------------------------------
# Depth scales
# ---------------------------------------------------------------------------

def test_xi_c_diverges_at_the_edge_of_chaos():
    critical = theory.critical_sigma_w2(0.05)
    assert theory.depth_scales(critical, 0.05)[1] == math.inf
    for side in (-1, 1):
        scales = [theory.depth_scales(critical * (1 + side * eps), 0.05)[1]
                  for eps in (1e-1, 1e-2, 1e-3, 1e-4)]
        assert all(a < b for a, b in zip(scales[:-1], scales[1:])), scales
        # xi_c ~ 1 / |sigma_w2 - critical| on both sides
        assert scales[-1] * 1e-4 == pytest.approx(scales[-2] * 1e-3, rel=0.05)


def test_the_depth_scales_are_the_rates_of_the_maps():
    for activation, sigma_w2, sigma_b2 in [("tanh", 1.3, 0.05), ("tanh", 3.0, 0.05),
                                           ("selu", 1.0, 0.0), ("sigmoid", 200.0, 0.1),
                                           ("relu", 1.5, 0.2)]:
        options = dict(activation=activation)
        xi_q, xi_c = theory.depth_scales(sigma_w2, sigma_b2, **options)
        q_star = theory.length_fixed_point(sigma_w2, sigma_b2, **options)
        h = 1e-6 * q_star
        slope = (theory.length_map(q_star + h, sigma_w2, sigma_b2, **options)
                 - theory.length_map(q_star - h, sigma_w2, sigma_b2, **options)) / (2 * h)
        assert xi_q == pytest.approx(-1 / math.log(slope), rel=1e-6), activation
        c_star = theory.correlation_fixed_point(sigma_w2, sigma_b2, **options)
        c = c_star - 1e-10 if c_star == 1 else c_star + 1e-8  # (ReLU bends like sqrt(1 - c))
        step = theory.correlation_map(c, sigma_w2, sigma_b2, **options)
        rate = (step - c_star) / (c - c_star)
        assert xi_c == pytest.approx(-1 / math.log(rate), rel=1e-4), activation
    assert theory.depth_scales(1.5, 0.2, activation="relu") == \
        pytest.approx((-1 / math.log(0.75),) * 2, rel=1e-14)
    assert theory.depth_scales(2.0, 0.2, activation="relu") == (math.inf, math.inf)
    assert all(math.isnan(x) for x in theory.depth_scales(2.5, 0.2, activation="relu"))


# ---------------------------------------------------------------------------
# The edge of chaos
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("activation, slope", [("tanh", 0.01), ("sigmoid", 0.01), ("selu", 0.01),
                                               ("relu", 0.01), ("leaky_relu", 0.01),
                                               ("leaky_relu", 0.3), ("linear", 0.01)])
def test_the_critical_point_has_chi_1_equal_to_1(activation, slope):
    options = dict(activation=activation, negative_slope=slope)
    for sigma_b2 in (0.0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5):
        critical = theory.critical_sigma_w2(sigma_b2, **options)
        assert abs(theory.chi_1(critical, sigma_b2, **options) - 1) < 1e-10, sigma_b2
        q_star = theory.length_fixed_point(critical, sigma_b2, **options)
        if math.isfinite(q_star):
            assert theory.length_map(q_star, critical, sigma_b2, **options) == \
                pytest.approx(q_star, rel=1e-12, abs=1e-300)


def test_the_critical_points_that_are_exact():
    assert theory.critical_sigma_w2(0.3, activation="relu") == 2.0
    assert theory.critical_sigma_w2(0.3, activation="leaky_relu", negative_slope=0.2) == \
        2 / (1 + 0.2 ** 2)
    assert theory.critical_sigma_w2(0.3, activation="linear") == 1.0
    assert theory.critical_sigma_w2(0.0, activation="tanh") == 1.0
    assert theory.critical_sigma_w2(0.0, activation="selu") == \
        pytest.approx(2 / (SELU_SCALE ** 2 * (1 + SELU_ALPHA ** 2)), rel=1e-14)


def test_the_critical_line():
    values = np.array([[0.0, 0.05], [0.2, 0.5]])
    line = theory.critical_line(values)
    assert line.shape == (2, 2)
    np.testing.assert_array_equal(line.ravel(), [theory.critical_sigma_w2(b)
                                                 for b in values.ravel()])
    tanh_line = theory.critical_line(np.linspace(0, 2, 21))
    assert np.all(np.diff(tanh_line) > 0)  # more bias noise needs larger weights
    np.testing.assert_array_equal(theory.critical_line([0.1, 0.2], activation="relu"), [2, 2])
    assert theory.critical_line([]).shape == (0,)


def test_the_numbers_for_tanh_with_sigma_b2_005():
    """The tanh network with sigma_b2 = 0.05 that Schoenholz et al. (2017) train: the
    edge of chaos at sigma_w2 = 1.76 (the value quoted for it; the paper's own
    text could not be checked here), and the numbers the report quotes."""
    critical = theory.critical_sigma_w2(0.05)
    assert round(critical, 2) == 1.76
    assert critical == pytest.approx(1.7609546396067, rel=1e-12)
    assert theory.length_fixed_point(critical, 0.05) == pytest.approx(0.570047881640764,
                                                                      rel=1e-12)
    xi_c = [theory.depth_scales(w, 0.05)[1] for w in (1.0, 2.0, 4.0)]
    np.testing.assert_allclose(xi_c, [3.6269756180530, 25.213414789152, 6.9802735329770],
                               rtol=1e-10)


def test_q_star_agrees_with_poole_et_al_figure_1_settings():
    """Poole et al. (2016), Figure 1: tanh with sigma_b = 0.3 and sigma_w = 1.3, 2.5,
    4.0 (the settings in ganguli-lab/deepchaos, cornet/constants.py). Their code's
    length map, iterated to convergence, gives these q* (printed here to 13 digits)."""
    expected = {1.3: 0.6070467919093, 2.5: 4.0791238752822, 4.0: 12.6041494978442}
    for sigma_w, q_star in expected.items():
        assert theory.length_fixed_point(sigma_w ** 2, 0.09) == pytest.approx(q_star, rel=1e-12)
    assert theory.chi_1(1.3 ** 2, 0.09) < 1 < theory.chi_1(2.5 ** 2, 0.09)


# ---------------------------------------------------------------------------
# The input-output Jacobian
# ---------------------------------------------------------------------------

def haar(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def jacobian_sample(activation, sigma_w2, sigma_b2, depth, width, seed, weights):
    """``(mean, variance)`` of the squared singular values of ``J = D_L W_L ... D_1 W_1``
    of one real network whose input starts its first layer at ``q*``."""
    rng = np.random.default_rng(seed)
    q_star = theory.length_fixed_point(sigma_w2, sigma_b2, activation=activation)
    x = rng.standard_normal(width)
    second_moment = (q_star - sigma_b2) / sigma_w2 if q_star > sigma_b2 else 1.0
    x *= math.sqrt(second_moment / np.mean(x * x))
    J = np.eye(width)
    for _ in range(depth):
        W = rng.standard_normal((width, width)) / math.sqrt(width) if weights == "gaussian" \
            else haar(rng, width)
        W *= math.sqrt(sigma_w2)
        z = W @ x + rng.standard_normal(width) * math.sqrt(sigma_b2)
        J = _phi_prime(activation, z, 0.01)[:, None] * (W @ J)
        x = _phi(activation, z, 0.01)
    JJ = J @ J.T
    mean = np.trace(JJ) / width
    return mean, np.sum(JJ * JJ) / width - mean * mean


@pytest.mark.parametrize("activation, sigma_b2", [("linear", 0.0), ("tanh", 0.05)])
@pytest.mark.parametrize("weights", ["gaussian", "orthogonal"])
@pytest.mark.parametrize("depth", [1, 4])
def test_the_jacobian_moments_against_products_of_random_matrices(activation, sigma_b2,
                                                                  weights, depth):
    """Width 256 at criticality, 6 seeds: within 4 standard errors plus the O(L / N)
    finite-width bias."""
    width, seeds = 256, 6
    sigma_w2 = theory.critical_sigma_w2(sigma_b2, activation=activation)
    samples = np.array([jacobian_sample(activation, sigma_w2, sigma_b2, depth, width, seed,
                                        weights) for seed in range(seeds)])
    mean, variance = theory.jacobian_moments(sigma_w2, sigma_b2, depth, weights=weights,
                                             activation=activation)
    errors = samples.std(axis=0, ddof=1) / math.sqrt(seeds)
    bias = 2 * depth / width
    assert abs(samples[:, 0].mean() - mean) <= 4 * errors[0] + bias * mean + 1e-12
    assert abs(samples[:, 1].mean() - variance) <= 4 * errors[1] + bias * variance + 1e-9


def test_the_jacobian_moments_in_closed_form():
    """Pennington et al. (2017): linear orthogonal networks are isometric at any depth;
    ReLU's variance grows linearly with depth even with orthogonal weights
    (mu_2 / mu_1**2 = 2), twice as fast with Gaussian ones; the mean is chi_1**L."""
    assert theory.jacobian_moments(1.0, 0.0, 50, weights="orthogonal",
                                   activation="linear") == (1.0, 0.0)
    assert theory.jacobian_moments(1.0, 0.0, 50, activation="linear") == (1.0, 50.0)
    assert theory.jacobian_moments(2.0, 0.0, 10, weights="orthogonal",
                                   activation="relu") == pytest.approx((1.0, 10.0), rel=1e-14)
    assert theory.jacobian_moments(2.0, 0.0, 10, activation="relu") == \
        pytest.approx((1.0, 20.0), rel=1e-14)
    mean, _ = theory.jacobian_moments(1.5, 0.05, 7)
    assert mean == pytest.approx(theory.chi_1(1.5, 0.05) ** 7, rel=1e-13)
    assert theory.jacobian_moments(0.5, 0.0, 10_000)[0] == 0.0  # underflows quietly


# ---------------------------------------------------------------------------
# SELU (Klambauer et al. 2017)
# ---------------------------------------------------------------------------

def test_selus_constants_are_eq_14():
    """Klambauer et al. 2017, Appendix A1, eq. (14): the closed forms of alpha_01
    (printed as 1.67326) and lambda_01 (printed as 1.0507)."""
    e = math.e
    erfc = math.erfc
    alpha = -math.sqrt(2 / math.pi) / (erfc(1 / math.sqrt(2)) * math.exp(0.5) - 1)
    lam = (1 - erfc(1 / math.sqrt(2)) * math.sqrt(e)) * math.sqrt(2 * math.pi) * (
        2 * erfc(math.sqrt(2)) * e ** 2 + math.pi * erfc(1 / math.sqrt(2)) ** 2 * e
        - 2 * (2 + math.pi) * erfc(1 / math.sqrt(2)) * math.sqrt(e) + math.pi + 2) ** -0.5
    assert SELU_ALPHA == pytest.approx(alpha, rel=1e-15)
    assert SELU_SCALE == pytest.approx(lam, rel=1e-15)
    assert round(SELU_ALPHA, 5) == 1.67326 and round(SELU_SCALE, 4) == 1.0507


def test_the_selu_map_has_the_fixed_point_0_1():
    """Klambauer et al. 2017, section "Stable and attracting fixed point (0, 1) for
    normalized weights": (0, 1) is a fixed point for omega = 0, tau = 1."""
    mean, variance = theory.selu_moment_map(0.0, 1.0)
    assert abs(mean) < 1e-15 and variance == pytest.approx(1.0, abs=1e-15)
    mu, nu = theory.selu_fixed_point()
    assert abs(mu) < 1e-14 and nu == pytest.approx(1.0, abs=1e-14)


def test_the_selu_jacobian_at_0_1_is_the_papers():
    """Klambauer et al. 2017, eq. (6): J(0, 1) = [[0.0, 0.088834], [0.0, 0.782648]],
    "the spectral norm of J(0, 1) (its largest singular value) is 0.7877". (Central
    differences; the paper's 0.088834 is 0.0888348 cut, not rounded, at 6 digits.)"""
    h = 1e-5
    jacobian = np.empty((2, 2))
    for j in range(2):
        step = np.eye(2)[j] * h
        up = np.array(theory.selu_moment_map(*(np.array([0.0, 1.0]) + step)))
        down = np.array(theory.selu_moment_map(*(np.array([0.0, 1.0]) - step)))
        jacobian[:, j] = (up - down) / (2 * h)
    np.testing.assert_allclose(jacobian, [[0.0, 0.088834], [0.0, 0.782648]], atol=1e-6)
    assert round(np.linalg.norm(jacobian, 2), 4) == 0.7877


def test_the_selu_map_is_the_papers_closed_form():
    """Against Klambauer et al.'s eqs. (12)-(13), written out in selu_paper."""
    for mu, omega, nu, tau in [(0.0, 0.0, 1.0, 1.0), (0.3, 0.5, 1.2, 0.9),
                               (-1.0, 0.1, 16.0, 1.25), (0.1, -0.1, 0.05, 0.8),
                               (2.0, 1.0, 0.3, 2.0)]:
        got = theory.selu_moment_map(mu, nu, omega=omega, tau=tau)
        np.testing.assert_allclose(got, selu_paper(mu, omega, nu, tau), rtol=1e-12, atol=1e-15)


def test_selu_theorems_1_to_3():
    """Klambauer et al. 2017, Theorem 1: for omega in [-0.1, 0.1] and tau in
    [0.95, 1.1] the stable fixed point has mu in [-0.03106, 0.06773] and nu in
    [0.80009, 1.48617]. Theorem 2: nu~ < nu on mu in [-1, 1], omega in [-0.1, 0.1],
    nu in [3, 16], tau in [0.8, 1.25]. Theorem 3 (appendix A2.3): nu~ > nu on
    mu, omega in [-0.1, 0.1] with nu in [0.05, 0.16], tau in [0.8, 1.25] and with
    nu in [0.05, 0.24], tau in [0.9, 1.25]."""
    for omega in np.linspace(-0.1, 0.1, 5):
        for tau in np.linspace(0.95, 1.1, 4):
            mu, nu = theory.selu_fixed_point(omega, tau)
            assert -0.03106 <= mu <= 0.06773 and 0.80009 <= nu <= 1.48617, (omega, tau)
            assert np.allclose(theory.selu_moment_map(mu, nu, omega=omega, tau=tau), (mu, nu),
                               rtol=0, atol=1e-13)
    grid = np.linspace(-1, 1, 3), np.linspace(-0.1, 0.1, 3)
    for mu in grid[0]:
        for omega in grid[1]:
            for nu in (3.0, 5.0, 9.0, 16.0):
                for tau in (0.8, 1.0, 1.25):
                    assert theory.selu_moment_map(mu, nu, omega=omega, tau=tau)[1] < nu
    for mu in grid[1]:
        for omega in grid[1]:
            for nu_max, tau_min in ((0.16, 0.8), (0.24, 0.9)):
                for nu in np.linspace(0.05, nu_max, 4):
                    for tau in np.linspace(tau_min, 1.25, 3):
                        assert theory.selu_moment_map(mu, nu, omega=omega, tau=tau)[1] > nu


# ---------------------------------------------------------------------------
# Wide random networks
# ---------------------------------------------------------------------------

def network_pair(activation, sigma_w2, sigma_b2, q0, c0, depth, width, seed):
    """Per layer of one random network: the pre-activations' second moment (averaged
    over the two inputs), their correlation and the activations' mean."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((width, 2)))
    scale = math.sqrt(q0 * width)
    x = scale * np.stack([basis[:, 0], c0 * basis[:, 0] + math.sqrt(1 - c0 * c0) * basis[:, 1]],
                         axis=1)
    q, c, mean = [], [], []
    for _ in range(depth):
        W = rng.standard_normal((width, width)) * math.sqrt(sigma_w2 / width)
        z = W @ x + rng.standard_normal((width, 1)) * math.sqrt(sigma_b2)
        second = np.mean(z * z, axis=0)
        q.append(second.mean())
        c.append(np.mean(z[:, 0] * z[:, 1]) / math.sqrt(second[0] * second[1]))
        x = _phi(activation, z, 0.2)
        mean.append(x.mean())
    return np.array(q), np.array(c), np.array(mean)


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2, q0, c0", [
    ("tanh", 1.5, 0.05, 1.0, 0.5),
    ("tanh", 4.0, 0.05, 1.0, 0.9),
    ("relu", 1.8, 0.1, 1.0, 0.3),
    ("leaky_relu", 1.5, 0.2, 2.0, -0.4),
    ("sigmoid", 8.0, 0.1, 1.0, 0.2),
    ("selu", 1.0, 0.0, 1.0, 0.6),
    ("linear", 0.8, 0.1, 1.0, 0.0),
])
def test_the_trajectories_match_wide_random_networks(activation, sigma_w2, sigma_b2, q0, c0):
    """Width 1000, 6 layers, 8 seeds: the mean over seeds within 5 standard errors of
    the theory (plus 1% of q for the O(1/width) bias)."""
    depth, width, seeds = 6, 1000, 8
    runs = np.array([network_pair(activation, sigma_w2, sigma_b2, q0, c0, depth, width, seed)
                     for seed in range(seeds)])
    mean, error = runs.mean(axis=0), runs.std(axis=0, ddof=1) / math.sqrt(seeds)
    q, c = theory.correlation_trajectory(q0, c0, depth, sigma_w2, sigma_b2,
                                         activation=activation, negative_slope=0.2)
    np.testing.assert_array_equal(q, theory.length_trajectory(
        q0, depth, sigma_w2, sigma_b2, activation=activation, negative_slope=0.2))
    activations = [theory.activation_mean(v, activation=activation, negative_slope=0.2)
                   for v in q]
    assert np.all(np.abs(mean[0] - q) <= 5 * error[0] + 0.01 * q)
    assert np.all(np.abs(mean[1] - c) <= 5 * error[1] + 2e-3)
    assert np.all(np.abs(mean[2] - np.array(activations)) <= 5 * error[2] + 2e-3)


def test_the_first_layer_and_the_degenerate_trajectories():
    q, c = theory.correlation_trajectory(2.0, 0.3, 3, 1.5, 0.2)
    assert q[0] == 1.5 * 2.0 + 0.2 and c[0] == pytest.approx((1.5 * 2 * 0.3 + 0.2) / 3.2)
    q, c = theory.correlation_trajectory(2.0, 1.0, 5, 1.5, 0.2, activation="selu")
    assert np.all(c == 1.0)
    q, c = theory.correlation_trajectory(0.0, 0.5, 3, 1.5, 0.0)
    assert np.all(q == 0) and np.all(np.isnan(c))
    q = theory.length_trajectory(1.0, 400, 4.0, 0.0, activation="relu")
    assert q[-1] == math.inf and np.all(np.diff(q[:300]) > 0)


# ---------------------------------------------------------------------------
# Hostile arguments
# ---------------------------------------------------------------------------

GOOD = {"sigma_w2": 1.5, "sigma_b2": 0.1}
HOSTILE = [
    (theory.length_map, dict(q=1.0, **GOOD)),
    (theory.length_fixed_point, dict(GOOD)),
    (theory.length_trajectory, dict(q0=1.0, depth=3, **GOOD)),
    (theory.correlation_map, dict(c=0.5, **GOOD)),
    (theory.correlation_trajectory, dict(q0=1.0, c0=0.5, depth=3, **GOOD)),
    (theory.correlation_fixed_point, dict(GOOD)),
    (theory.chi_1, dict(GOOD)),
    (theory.chi_c, dict(GOOD)),
    (theory.depth_scales, dict(GOOD)),
    (theory.critical_sigma_w2, {"sigma_b2": 0.1}),
    (theory.jacobian_moments, dict(depth=3, **GOOD)),
    (theory.activation_mean, {"q": 1.0}),
]
BAD_NUMBERS = [(math.nan, ValueError), (math.inf, ValueError), (-1.0, ValueError),
               (1e300, ValueError), (10 ** 400, ValueError), ("1", TypeError),
               (True, TypeError), (None, TypeError), ([1.0], TypeError), (1 + 0j, TypeError)]


@pytest.mark.parametrize("function, arguments", HOSTILE,
                         ids=[function.__name__ for function, _ in HOSTILE])
def test_every_bad_argument_is_named(function, arguments):
    for name in arguments:
        for value, error in BAD_NUMBERS:
            if name == "depth" or (name in ("c", "c0") and value == -1.0):  # -1 is a correlation
                continue
            if value is None and name == "q" and function is not theory.activation_mean \
                    and function is not theory.length_map:
                continue  # q=None is the default (q*)
            with pytest.raises(error, match=name):
                function(**{**arguments, name: value})
    for value, error in [(0, ValueError), (-2, ValueError), (1.5, TypeError), (True, TypeError),
                         ("3", TypeError), (10 ** 30, ValueError)]:
        if "depth" in arguments:
            if function is theory.jacobian_moments and value == 10 ** 30:
                continue
            with pytest.raises(error, match="depth"):
                function(**{**arguments, "depth": value})
    for activation, error in [("swish", ValueError), (3, TypeError), (None, TypeError)]:
        with pytest.raises(error, match="activation"):
            function(**arguments, activation=activation)
    for slope, error in [(-0.1, ValueError), (math.nan, ValueError), ("0.1", TypeError),
                         (1e300, ValueError)]:
        with pytest.raises(error, match="negative_slope"):
            function(**arguments, negative_slope=slope)


@pytest.mark.parametrize("call, error, match", [
    (lambda: theory.correlation_map(1.5, 1.0), ValueError, "c must be"),
    (lambda: theory.correlation_map(-1.01, 1.0), ValueError, "c must be"),
    (lambda: theory.chi_c(1.0, c=2.0), ValueError, "c must be"),
    (lambda: theory.correlation_trajectory(1.0, math.nan, 2, 1.0), ValueError, "c0"),
    (lambda: theory.jacobian_moments(1.0, 0.0, 2, weights="uniform"), ValueError, "weights"),
    (lambda: theory.jacobian_moments(1.0, 0.0, 2, weights=1), TypeError, "weights"),
    (lambda: theory.critical_line("0.1"), TypeError, "sigma_b2_values"),
    (lambda: theory.critical_line([0.1, math.nan]), ValueError, "sigma_b2_values"),
    (lambda: theory.critical_line([0.1, -1]), ValueError, "sigma_b2_values"),
    (lambda: theory.critical_line([True]), TypeError, "sigma_b2_values"),
    (lambda: theory.critical_line([[0.1, "a"]]), TypeError, "sigma_b2_values"),
    (lambda: theory.gaussian_expectation(np.tanh, -1.0), ValueError, "q must be"),
    (lambda: theory.gaussian_expectation(np.tanh, math.inf), ValueError, "q must be"),
    (lambda: theory.gaussian_expectation(np.tanh, "1"), TypeError, "q must be"),
    (lambda: theory.gaussian_expectation_2d(np.add, 1.0, math.nan, 0.0), ValueError, "q2"),
    (lambda: theory.gaussian_expectation_2d(np.add, -1.0, 1.0, 0.0), ValueError, "q1"),
    (lambda: theory.gaussian_expectation_2d(np.add, 1.0, 1.0, 1.0000001), ValueError, "c"),
    (lambda: theory.gaussian_expectation_2d(np.add, 1.0, 1.0, False), TypeError, "c"),
    (lambda: theory.gaussian_expectation_2d("f", 1.0, 1.0, 0.0), TypeError, "function"),
    (lambda: theory.selu_moment_map(math.nan, 1.0), ValueError, "mean"),
    (lambda: theory.selu_moment_map(0.0, -1.0), ValueError, "variance"),
    (lambda: theory.selu_moment_map(0.0, 1.0, omega="0"), TypeError, "omega"),
    (lambda: theory.selu_moment_map(0.0, 1.0, tau=math.inf), ValueError, "tau"),
    (lambda: theory.selu_fixed_point(tau=0.0), ValueError, "tau"),
    (lambda: theory.selu_fixed_point(omega=True), TypeError, "omega"),
    (lambda: theory.length_map(1.0, 1.0, 0.0, 0.01), TypeError, "positional"),
])
def test_bad_arguments_elsewhere(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_scalars_and_integers_are_numbers():
    assert theory.length_map(np.float32(1.0), np.int64(2), 0) == \
        theory.length_map(1.0, 2.0, 0.0)
    assert theory.length_trajectory(1.0, np.int32(3), 1.0).shape == (3,)


# ---------------------------------------------------------------------------
# The same bits on every CPU
# ---------------------------------------------------------------------------

def _ulps(got, expected):
    """|got - expected| in ulps of ``expected``; 0 where both agree (NaN, inf, signed zero)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    same = (got == expected) & (np.signbit(got) == np.signbit(expected))
    same |= np.isnan(got) & np.isnan(expected)
    with np.errstate(invalid="ignore"):
        distance = np.abs(got - expected) / np.spacing(np.abs(expected))
    return np.where(same, 0.0, np.where(np.isfinite(distance), distance, np.inf))


def _overflowing(function):
    def reference(x):
        try:
            return function(x)
        except OverflowError:
            return math.inf
        except ValueError:  # math.log at 0 or below
            return -math.inf if x == 0 else math.nan
    return reference


_EDGES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308,
          1e-300, -1e-300, 1e-17, -1e-17, 2.220446049250313e-16, 0.5, -0.5, 1.0, -1.0,
          0.34657359027997264, -0.34657359027997264, 0.6931471805599453, 19.0, -19.0, 22.0,
          -22.0, 40.0, -37.5, -45.0, -46.0, -708.4, -720.0, 700.0, 709.782712893384,
          -745.1332191019411, -745.1332191019412, 1e308, -1e308, math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("name, low, high", [("exp", -750.0, 712.0), ("expm1", -50.0, 712.0),
                                             ("tanh", -30.0, 30.0), ("log", 0.0, 0.0)])
def test_the_fixed_elementary_functions_are_within_4_ulp(name, low, high):
    """_fixed_math against the C library's correctly rounded (or nearly) results,
    over the whole range, near 0 (relative accuracy), and at the edges."""
    from fastinit import _fixed_math

    rng = np.random.default_rng(11)
    magnitudes = 10.0 ** rng.uniform(-320, 2.9, 20000)
    if name == "log":
        x = np.concatenate([10.0 ** rng.uniform(-323.5, 308.2, 40000), rng.uniform(0.5, 2, 20000),
                            1 + np.arange(-50, 50) * 2.220446049250313e-16, magnitudes])
    else:
        x = np.concatenate([np.linspace(low, high, 40001), rng.uniform(low, high, 20000),
                            rng.uniform(-2, 2, 20000), magnitudes, -magnitudes])
    x = np.concatenate([x, _EDGES])
    reference = _overflowing(getattr(math, name))
    expected = np.array([math.nan if math.isnan(v) else reference(v) for v in x])
    with np.errstate(all="raise"):  # no warning escapes
        got = getattr(_fixed_math, name)(x)
    assert got.shape == x.shape and got.dtype == np.float64
    assert _ulps(got, expected).max() <= 4, x[np.argmax(_ulps(got, expected))]
    # every class right: inf, NaN, zeros with their signs, the tiny arguments
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))
    if name in ("tanh", "expm1"):
        tiny = magnitudes[magnitudes < 1e-17]
        assert np.array_equal(getattr(_fixed_math, name)(tiny), tiny)  # x to the last bit
        assert np.array_equal(getattr(_fixed_math, name)(-tiny), -tiny)
    # scalars and shapes
    assert getattr(_fixed_math, name)(np.ones((2, 3))).shape == (2, 3)
    assert float(getattr(_fixed_math, name)(1.0)) == pytest.approx(reference(1.0), rel=1e-15)


def test_the_fixed_sigmoid_exp_and_expm1_and_power():
    from fastinit import _fixed_math

    x = np.concatenate([-np.logspace(-320, 3, 4001), [0.0, -0.0, -np.inf, np.nan]])
    exp_x, expm1_x = _fixed_math.exp_and_expm1(x)
    np.testing.assert_array_equal(exp_x, _fixed_math.exp(x))
    np.testing.assert_array_equal(expm1_x, _fixed_math.expm1(x))
    assert np.array_equal(np.signbit(expm1_x), np.signbit(_fixed_math.expm1(x)))
    z = np.linspace(-40, 40, 8001)
    expected = np.array([1 / (1 + math.exp(-v)) for v in z])
    assert np.abs(_fixed_math.sigmoid(z) - expected).max() <= 4 * np.finfo(float).eps
    for base, n in [(0.9, 10), (1.1, 1000), (1.7, 3), (0.5, 1074), (0.5, 1075), (2.0, 1023),
                    (2.0, 1024), (3.3, 600), (1.2345, 77), (0.3, 600), (0.999, 123456), (0.0, 3),
                    (5.0, 0), (1.0, 2 ** 62)]:
        try:
            expected = float(base) ** n
        except OverflowError:
            expected = math.inf
        assert _ulps(_fixed_math.power(base, n), expected) <= 1, (base, n)


_FIXED_SOURCES = ("theory", "_fixed_math")
#: The NumPy calls whose bits depend on the CPU (SIMD dispatch, BLAS, LAPACK).
_CPU_DEPENDENT_NUMPY = {"tanh", "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sin",
                        "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
                        "arcsinh", "arccosh", "arctanh", "power", "float_power", "cbrt", "hypot",
                        "dot", "vdot", "inner", "matmul", "einsum", "tensordot", "linalg",
                        "leggauss", "polynomial", "sum", "mean", "std", "var", "trapezoid"}
#: The math module's functions that are exact or correctly rounded everywhere.
_EXACT_MATH = {"sqrt", "isinf", "isfinite", "isnan", "inf", "nan", "pi", "ceil", "floor",
               "frexp", "ldexp", "copysign", "fabs"}


@pytest.mark.parametrize("module", _FIXED_SOURCES)
def test_the_theory_names_nothing_whose_bits_depend_on_the_cpu(module):
    """NumPy's transcendental ufuncs dispatch to SIMD kernels chosen by CPU, BLAS and
    LAPACK sum in their kernels' orders, and the C library's exp, log, pow, ... pick
    FMA variants by CPU: theory.py and _fixed_math.py name none of them, use no ``@``
    and no ``**`` (Python's and NumPy's scalar ``**`` call pow) but on int literals."""
    import ast
    import importlib
    import inspect

    tree = ast.parse(inspect.getsource(importlib.import_module(f"fastinit.{module}")))
    for node in ast.walk(tree):
        assert not (isinstance(node, (ast.BinOp, ast.AugAssign))
                    and isinstance(node.op, ast.MatMult)), ast.unparse(node)
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.Pow):
            operands = [node.left, node.right] if isinstance(node, ast.BinOp) else [node.value]
            assert all(isinstance(o, ast.Constant) and type(o.value) is int for o in operands), \
                ast.unparse(node)
        if isinstance(node, ast.Attribute) and not (isinstance(node.value, ast.Name)
                                                    and node.value.id == "_fixed_math"):
            assert node.attr not in _CPU_DEPENDENT_NUMPY, ast.unparse(node)
            if isinstance(node.value, ast.Name) and node.value.id == "math":
                assert node.attr in _EXACT_MATH, ast.unparse(node)
        if isinstance(node, ast.Name):
            assert node.id != "pow", node.id  # the C library's pow
        if isinstance(node, ast.ImportFrom):
            assert not {alias.name for alias in node.names} & (_CPU_DEPENDENT_NUMPY | {"pow"}), \
                ast.unparse(node)


def test_the_theory_calls_no_cpu_dependent_numpy(monkeypatch):
    """The source test above cannot see what a helper calls: here the CPU-dependent
    functions refuse to run while the theory computes."""
    def refuse(*args, **kwargs):
        raise AssertionError("a CPU-dependent function was called")

    for name in ("tanh", "exp", "expm1", "log", "log1p", "sin", "cos", "arcsin", "dot",
                 "einsum", "matmul", "inner", "power"):
        monkeypatch.setattr(np, name, refuse)
    monkeypatch.setattr(np.linalg, "solve", refuse)
    monkeypatch.setattr(np.polynomial.legendre, "leggauss", refuse)
    for cache in (theory._moments, theory._rule, theory._grid_2d, theory._outer_rule):
        cache.cache_clear()
    for activation in ("tanh", "sigmoid", "selu", "relu"):
        theory.critical_sigma_w2(0.07, activation=activation)
        theory.depth_scales(2.3, 0.11, activation=activation)
        theory.correlation_trajectory(1.1, 0.4, 4, 2.3, 0.11, activation=activation)
        theory.jacobian_moments(1.3, 0.11, 7, activation=activation)
    theory.selu_fixed_point(0.1, 1.1)
    theory.selu_moment_map(0.1, 1.2, omega=0.3, tau=0.9)


#: The exact bits of the theory's results, computed on the machine that wrote them:
#: a CPU that computes other bits (another SIMD width, FMA, another BLAS) fails here.
_DIGESTS = {
    ("critical_sigma_w2", "tanh", 0.0): "0x1.0000000000000p+0",
    ("critical_sigma_w2", "tanh", 0.05): "0x1.c2cdec5ad9b46p+0",
    ("critical_sigma_w2", "tanh", 0.3): "0x1.40a801fbff5b9p+1",
    ("critical_sigma_w2", "sigmoid", 0.0): "0x1.9c07bc32a9a84p+6",
    ("critical_sigma_w2", "sigmoid", 0.05): "0x1.9c8393edc1545p+6",
    ("critical_sigma_w2", "sigmoid", 0.3): "0x1.9eea155a1842ap+6",
    ("critical_sigma_w2", "selu", 0.0): "0x1.e836a965f2be8p-2",
    ("critical_sigma_w2", "selu", 0.05): "0x1.cdb4424b91becp-1",
    ("critical_sigma_w2", "selu", 0.3): "0x1.20d15e828233fp+0",
    ("length_fixed_point", 1.5, 0.05, "tanh"): "0x1.ac11f1a335f24p-2",
    ("length_fixed_point", 2.5, 0.1, "tanh"): "0x1.262af5f451d2ap+0",
    ("length_fixed_point", 3.0, 0.3, "sigmoid"): "0x1.32a03923b17dcp+0",
    ("length_fixed_point", 1.2, 0.1, "selu"): "0x1.674f8a8d6f6c5p+1",
    ("length_fixed_point", 0.9, 0.2, "selu"): "0x1.50afdf8a59874p+0",
    ("correlation_fixed_point", 2.5, 0.1, "tanh"): "0x1.54272ba1d667ep-1",
    ("correlation_fixed_point", 1.2, 0.1, "selu"): "0x1.320669cac906ep-1",
    ("depth_scales", 1.5, 0.05, "tanh"): ("0x1.aecdd75e4646dp+0", "0x1.f94fd2b87c70bp+3"),
    ("depth_scales", 2.5, 0.1, "tanh"): ("0x1.158e65f8c2f96p+0", "0x1.aeb907b0da9ebp+3"),
    ("depth_scales", 3.0, 0.3, "sigmoid"): ("0x1.9f2267baec2b0p-2", "0x1.f36028ee81356p-2"),
    ("depth_scales", 1.2, 0.1, "selu"): ("0x1.f2ba81c8727bep+1", "0x1.8b96c7011f55dp+4"),
    ("depth_scales", 0.9, 0.2, "selu"): ("0x1.38676063be012p+1", "0x1.754bedbabc874p+3"),
}


@pytest.mark.parametrize("key", list(_DIGESTS), ids=str)
def test_the_theory_bits_are_fixed(key):
    """critical_sigma_w2 sets the weights' scale of ``initialize(..., "critical")``: its
    bits, and those of the fixed points and depth scales, are the same on every CPU."""
    for cache in (theory._moments, theory._rule, theory._grid_2d, theory._outer_rule):
        cache.cache_clear()
    if key[0] == "critical_sigma_w2":
        value = theory.critical_sigma_w2(key[2], activation=key[1])
    else:
        value = getattr(theory, key[0])(key[1], key[2], activation=key[3])
    got = tuple(v.hex() for v in value) if isinstance(value, tuple) else value.hex()
    assert got == _DIGESTS[key]
