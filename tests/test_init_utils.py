"""fastinit.init_utils as a drop-in for the course's module."""

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pytest
import reference as ref
from conftest import (
    NOTEBOOK_HE_COSTS,
    NOTEBOOK_RANDOM_COSTS,
    NOTEBOOK_ZEROS_COST,
    random_cost_tolerance,
)

import fastinit as fi
from fastinit import init_utils

#: The notebook's code cells, verbatim except for the import line swapped to
#: fastinit.init_utils and the IPython-only "%matplotlib inline" dropped.
NOTEBOOK = textwrap.dedent('''
    import numpy as np
    import matplotlib.pyplot as plt
    import sklearn
    import sklearn.datasets
    from fastinit.init_utils import sigmoid, relu, compute_loss, forward_propagation, backward_propagation
    from fastinit.init_utils import update_parameters, predict, load_dataset, plot_decision_boundary, predict_dec

    plt.rcParams['figure.figsize'] = (7.0, 4.0) # set default size of plots
    plt.rcParams['image.interpolation'] = 'nearest'
    plt.rcParams['image.cmap'] = 'gray'

    # load image dataset: blue/red dots in circles
    train_X, train_Y, test_X, test_Y = load_dataset()

    def model(X, Y, learning_rate = 0.01, num_iterations = 15000, print_cost = True, initialization = "he"):
        grads = {}
        costs = [] # to keep track of the loss
        m = X.shape[1] # number of examples
        layers_dims = [X.shape[0], 10, 5, 1]

        # Initialize parameters dictionary.
        if initialization == "zeros":
            parameters = initialize_parameters_zeros(layers_dims)
        elif initialization == "random":
            parameters = initialize_parameters_random(layers_dims)
        elif initialization == "he":
            parameters = initialize_parameters_he(layers_dims)

        # Loop (gradient descent)

        for i in range(0, num_iterations):

            # Forward propagation: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.
            a3, cache = forward_propagation(X, parameters)

            # Loss
            cost = compute_loss(a3, Y)

            # Backward propagation.
            grads = backward_propagation(X, Y, cache)

            # Update parameters.
            parameters = update_parameters(parameters, grads, learning_rate)

            # Print the loss every 1000 iterations
            if print_cost and i % 1000 == 0:
                print("Cost after iteration {}: {}".format(i, cost))
                costs.append(cost)

        # plot the loss
        plt.plot(costs)
        plt.ylabel('cost')
        plt.xlabel('iterations (per hundreds)')
        plt.title("Learning rate =" + str(learning_rate))
        plt.show()

        return parameters

    def initialize_parameters_zeros(layers_dims):
        parameters = {}
        L = len(layers_dims) # number of layers in the network

        for l in range(1, L):
            parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1])) ## None
            parameters['b' + str(l)] = np.zeros((layers_dims[l], 1)) ## None
        return parameters

    def initialize_parameters_random(layers_dims):
        np.random.seed(3) # This seed makes sure your "random" numbers will be the as ours
        parameters = {}
        L = len(layers_dims) # integer representing the number of layers

        for l in range(1, L):
            parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * 10 ## None
            parameters['b' + str(l)] = np.zeros((layers_dims[l], 1)) ## None

        return parameters

    def initialize_parameters_he(layers_dims):
        np.random.seed(3)
        parameters = {}
        L = len(layers_dims) - 1 # integer representing the number of layers

        for l in range(1, L + 1):
            parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2.0 / layers_dims[l-1]) ## None
            parameters['b' + str(l)] = np.zeros((layers_dims[l], 1)) ## None

        return parameters

    for initialization, title in [("zeros", "Model with Zeros initialization"),
                                  ("random", "Model with large random initialization"),
                                  ("he", "Model with He initialization")]:
        parameters = model(train_X, train_Y, initialization = initialization)
        print ("On the train set:")
        predictions_train = predict(train_X, train_Y, parameters)
        print ("On the test set:")
        predictions_test = predict(test_X, test_Y, parameters)

        plt.title(title)
        axes = plt.gca()
        axes.set_xlim([-1.5,1.5])
        axes.set_ylim([-1.5,1.5])
        plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)
        figure = plt.gcf()
        plt.close("all")
''')


def test_notebook_cells_run_unchanged_and_print_the_notebooks_numbers(capsys):
    namespace = {}
    exec(compile(NOTEBOOK, "notebook", "exec"), namespace)
    out = capsys.readouterr().out
    costs = [float(c) for c in re.findall(r"Cost after iteration \d+: (\S+)", out)]
    accuracies = [float(a) for a in re.findall(r"Accuracy: (\S+)", out)]
    assert len(costs) == 45 and len(accuracies) == 6
    zeros, random, he = costs[:15], costs[15:30], costs[30:]

    np.testing.assert_allclose(zeros, [NOTEBOOK_ZEROS_COST] * 15, rtol=1e-9)
    # compute_loss keeps the course's behaviour: inf where a probability saturated.
    assert np.isinf(random[0]) and np.isinf(NOTEBOOK_RANDOM_COSTS[0])
    for i, (cost, expected) in enumerate(zip(random[1:], NOTEBOOK_RANDOM_COSTS[1:]), 1):
        assert cost == pytest.approx(expected, abs=random_cost_tolerance(1000 * i))
    np.testing.assert_allclose(he, NOTEBOOK_HE_COSTS, rtol=1e-9)
    assert accuracies == pytest.approx([0.5, 0.5, 0.83, 0.86, 298 / 300, 0.96])

    axes = namespace["figure"].axes[0]
    assert axes.get_title() == "Model with He initialization"
    assert axes.get_xlim() == (-1.5, 1.5) and axes.get_ylim() == (-1.5, 1.5)
    assert axes.collections, "the decision regions and points were drawn"
    assert namespace["predictions_test"].shape == (1, 100)


@pytest.fixture
def three_layer():
    X, Y, _, _ = fi.datasets.load_dataset()
    return X, Y, fi.initialize([2, 10, 5, 1], "he", seed=3)


def test_forward_propagation_returns_the_courses_cache(three_layer):
    X, _, parameters = three_layer
    a3, cache = init_utils.forward_propagation(X, parameters)
    assert len(cache) == 12
    AL, caches = ref.forward(X, parameters)
    (z1, a1), (z2, a2), (z3, _) = caches
    expected = (z1, a1, parameters["W1"], parameters["b1"], z2, a2, parameters["W2"],
                parameters["b2"], z3, AL, parameters["W3"], parameters["b3"])
    for got, want in zip(cache, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a3, AL, rtol=1e-12)


def test_backward_propagation_returns_the_courses_gradients(three_layer):
    X, Y, parameters = three_layer
    _, cache = init_utils.forward_propagation(X, parameters)
    grads = init_utils.backward_propagation(X, Y, cache)
    assert set(grads) == {"dz3", "dW3", "db3", "da2", "dz2", "dW2", "db2",
                          "da1", "dz1", "dW1", "db1"}
    # The course's own backward_propagation, written out for three layers.
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    dz3 = 1. / m * (a3 - Y)
    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))
    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    expected = {"dz3": dz3, "dW3": np.dot(dz3, a2.T), "db3": np.sum(dz3, axis=1, keepdims=True),
                "da2": da2, "dz2": dz2, "dW2": np.dot(dz2, a1.T),
                "db2": np.sum(dz2, axis=1, keepdims=True), "da1": da1, "dz1": dz1,
                "dW1": np.dot(dz1, X.T), "db1": np.sum(dz1, axis=1, keepdims=True)}
    for key, value in expected.items():
        assert grads[key].shape == value.shape, key
        np.testing.assert_allclose(grads[key], value, rtol=1e-12, atol=1e-15, err_msg=key)


def test_update_parameters_steps_and_returns_new_arrays(three_layer):
    X, Y, parameters = three_layer
    originals = {k: v.copy() for k, v in parameters.items()}
    grads = fi.backward(X, Y, parameters)
    course_grads = dict(grads, dz3=np.ones((1, 300)))
    updated = init_utils.update_parameters(parameters, course_grads, 0.5)
    expected = ref.update_parameters(parameters, grads, 0.5)
    for key in expected:
        np.testing.assert_array_equal(updated[key], expected[key])
        np.testing.assert_array_equal(parameters[key], originals[key])
    with pytest.raises(ValueError, match="grads"):
        init_utils.update_parameters(parameters, {"dW1": grads["dW1"]}, 0.5)
    with pytest.raises(ValueError, match="learning_rate"):
        init_utils.update_parameters(parameters, grads, -1.0)


def test_compute_loss_keeps_the_courses_inf():
    assert np.isinf(init_utils.compute_loss(np.array([[0.0, 0.5]]), np.array([[1, 1]])))
    a3 = np.array([[0.9, 0.2, 0.6]])
    Y = np.array([[1, 0, 1]])
    assert init_utils.compute_loss(a3, Y) == pytest.approx(ref.compute_cost(a3, Y), rel=1e-15)


def test_predict_prints_accuracy_and_predict_dec_is_boolean(three_layer, capsys):
    X, Y, parameters = three_layer
    p = init_utils.predict(X, Y, parameters)
    assert p.shape == (1, 300) and set(np.unique(p)) <= {0, 1}
    expected = np.mean(p == Y)
    assert capsys.readouterr().out == f"Accuracy: {expected}\n"
    dec = init_utils.predict_dec(parameters, X)
    assert dec.dtype == bool
    np.testing.assert_array_equal(dec, p.astype(bool))


def test_initializers_match_the_course_and_leave_global_state_alone():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    he = init_utils.initialize_parameters_he([2, 4, 1])
    random = init_utils.initialize_parameters_random([3, 2, 1])
    zeros = init_utils.initialize_parameters_zeros([3, 2, 1])
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    np.testing.assert_equal(he, ref.initialize([2, 4, 1], lambda n: np.sqrt(2.0 / n), seed=3))
    np.testing.assert_equal(random, ref.initialize([3, 2, 1], 10, seed=3))
    np.testing.assert_equal(zeros, ref.initialize([3, 2, 1], 0, seed=3))


def test_sigmoid_and_relu():
    x = np.array([-800.0, -1.0, 0.0, 2.0])
    np.testing.assert_array_equal(init_utils.sigmoid(x), ref.sigmoid(x))
    np.testing.assert_array_equal(init_utils.relu(x), [0.0, 0.0, 0.0, 2.0])


def test_plot_decision_boundary_draws_on_the_current_axes_and_returns_the_figure(three_layer):
    X, Y, parameters = three_layer
    figure = plt.figure()
    result = init_utils.plot_decision_boundary(lambda x: init_utils.predict_dec(parameters, x.T),
                                               X, Y)
    assert result is figure
    assert len(figure.axes) == 1 and len(figure.axes[0].collections) >= 2
    plt.close(figure)


@pytest.mark.parametrize("call, error, message", [
    (lambda X, Y, p: init_utils.predict(X, Y[:, :5], p), ValueError, r"y must have shape \(1, 300\)"),
    (lambda X, Y, p: init_utils.predict(X, Y * 3, p), ValueError, "only 0 and 1"),
    (lambda X, Y, p: init_utils.backward_propagation(X, Y, [1, 2]), ValueError, "cache"),
    (lambda X, Y, p: init_utils.compute_loss(np.ones((1, 3)), Y), ValueError, "a3 and Y"),
    (lambda X, Y, p: init_utils.forward_propagation(X[:1], p), ValueError, "X has 1 features"),
    (lambda X, Y, p: init_utils.update_parameters(p, {}, 0.1), ValueError, "grads"),
    (lambda X, Y, p: init_utils.plot_decision_boundary(lambda x: x, X[:1], Y), ValueError,
     "X has 1 features"),
])
def test_bad_input_gets_a_clear_error(three_layer, call, error, message):
    X, Y, parameters = three_layer
    with pytest.raises(error, match=message):
        call(X, Y, parameters)
