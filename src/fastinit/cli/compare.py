"""``fastinit compare``: train one network per initializer (or optimizer), or
the depth study, and compare them in a table, figures and results.json."""

import csv
import io
import json
import os
import sys

from .. import __version__
from ..datasets import DATASETS
from ..depth import DEPTH_DEFAULTS
from ..storage import atomic_write
from .figures import _save
from .options import (UsageError, _add_training_options, _add_verbosity_options,
                      _counts_epochs, _depth_list, _hidden_layers, _initializers,
                      _positive_int, _seed_list, _training_options)
from .progress import _Progress


#: What ``compare --experiment`` can compare: the column naming each run, the
#: names compared, and the defaults of options left out (the notebooks' own).
EXPERIMENTS = {
    "initializers": dict(label="initializer", names=["zeros", "random", "he"], layers=(10, 5),
                         dataset="circles", iterations=15000, learning_rate=0.01),
    "optimizers": dict(label="optimizer", names=["gd", "momentum", "adam"], layers=(5, 2),
                       dataset="moons", iterations=10000, learning_rate=0.0007, mini_batch=64),
    "depth": dict(label="initializer", names=list(DEPTH_DEFAULTS["methods"]), layers=None,
                  dataset=DEPTH_DEFAULTS["dataset"], iterations=DEPTH_DEFAULTS["num_iterations"],
                  learning_rate=DEPTH_DEFAULTS["learning_rate"]),
}
#: The options only the depth experiment takes.
DEPTH_OPTIONS = ("depths", "width", "seeds")

#: Columns of the table; the first is "initializer" or "optimizer".
TABLE_COLUMNS = ("initializer", "train_accuracy", "test_accuracy", "final_cost", "seconds",
                 "comment")


def add_parser(commands):
    """Add the ``compare`` command: train one network per initializer (or
    optimizer) and compare them.

    Parameters
    ----------
    commands : argparse._SubParsersAction
        The subcommands of the ``fastinit`` parser.
    """
    compare = commands.add_parser(
        "compare",
        help="train one network per initializer (or optimizer) and compare them",
        description=(
            "Train the same network once per initializer on a built-in data set, print a "
            "comparison table and write costs.png, boundaries.png, activations.png, "
            "signal.png, layer_history.png and results.json to --out. With no options this is the course notebook: "
            "layers 2-10-5-1, learning rate 0.01, 15000 iterations, zeros/random/he. "
            "The comment column says what each run's results show: 'diverged', 'failed to "
            "break symmetry' (every hidden layer's units ended identical) or 'did not train' "
            "(train accuracy within 0.02 of always guessing the commoner label, or a cost "
            "that did not fall); it is empty otherwise. "
            "With --experiment optimizers it is the optimization notebook instead: gd, "
            "momentum and Adam on moons, layers 2-5-2-1, He initialization, learning rate "
            "0.0007, mini-batches of 64, 10000 epochs (costs.png, boundaries.png, "
            "results.json). With --experiment depth it is He et al.'s depth study in small: "
            "hidden layers of 20 units, depths 2, 5, 10, 20, 30, initializers he, xavier, "
            "glorot and random_small, seeds 0-4, circles, learning rate 0.01, 2000 "
            "iterations; it prints mean +- std of the accuracies and writes depth.png and "
            "results.json (--activation tanh: the same study for tanh)."
        ),
    )
    compare.add_argument("--experiment", choices=tuple(EXPERIMENTS), default="initializers",
                         help="what to compare (default: initializers)")
    compare.add_argument("--inits", type=_initializers, default=None,
                         help="comma-separated initializers (default: zeros,random,he)")
    compare.add_argument("--layers", type=_hidden_layers, default=None,
                         help="comma-separated hidden layer sizes (default: 10,5; "
                              "optimizers: 5,2)")
    compare.add_argument("--dataset", choices=DATASETS, default=None,
                         help="built-in data set (default: circles, the notebook's; "
                              "optimizers: moons)")
    compare.add_argument("--depths", type=_depth_list, default=None,
                         help="depth experiment: numbers of hidden layers (default: "
                              "2,5,10,20,30)")
    compare.add_argument("--width", type=_positive_int, default=None,
                         help="depth experiment: units per hidden layer (default: 20)")
    compare.add_argument("--seeds", type=_seed_list, default=None,
                         help="depth experiment: initializer seeds, e.g. 0-4 or 1,5,9 "
                              "(default: 0-4)")
    _add_training_options(compare, iterations=None, learning_rate=None)
    compare.add_argument("--out", default="fastinit-out",
                         help="folder for figures and results.json (default: ./fastinit-out)")
    compare.add_argument("--no-plots", action="store_true", help="write results.json only")
    compare.add_argument("--format", choices=("table", "json", "csv"), default="table",
                         help="what is printed on stdout (default: table)")
    _add_verbosity_options(compare)


def _rows(runs, label="initializer"):
    return [{
        label: run.name,
        "train_accuracy": run.train_accuracy,
        "test_accuracy": run.test_accuracy,
        "final_cost": run.final_cost,
        "seconds": run.seconds,
        "comment": run.comment,
    } for run in runs]


def format_table(rows, label="initializer"):
    """The comparison table as aligned text."""
    header = f"{label:<24} {'train acc':>9} {'test acc':>9} {'final cost':>11} " \
             f"{'time (s)':>9}  comment"
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row[label]:<24} {row['train_accuracy']:>9.3f} {row['test_accuracy']:>9.3f} "
            f"{row['final_cost']:>11.4g} {row['seconds']:>9.2f}  {row['comment']}".rstrip()
        )
    return "\n".join(lines)


def format_csv(rows, label="initializer"):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=(label, *TABLE_COLUMNS[1:]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
    return buffer.getvalue().rstrip("\n")


def _results_document(args, names, runs, activation):
    label = EXPERIMENTS[args.experiment]["label"]
    rows = _rows(runs, label)
    for row, run in zip(rows, runs):
        row["diverged"] = run.diverged
        row["iterations"] = run.iterations
        row["costs"] = run.costs
    document = {
        "fastinit_version": __version__,
        "settings": {
            "experiment": args.experiment,
            f"{label}s": names,
            "dataset": args.dataset,
            "layers_dims": [2, *args.layers, 1],
            "num_iterations": args.iterations,
            "learning_rate": args.learning_rate,
            "seed": args.seed,
            "dtype": args.dtype,
            **_training_options(args),
        },
        "results": rows,
    }
    if activation is not None:
        document["activation_stats"] = activation
    return document


def _activation_summary(methods, seed):
    from ..diagnostics import DEEP_LAYERS, activation_stats

    summary = {"layers_dims": list(DEEP_LAYERS), "inputs": "standard normal, 1000 examples"}
    for method in methods:
        stats = activation_stats(DEEP_LAYERS, method, seed=seed)
        summary[method] = {key: value.tolist() for key, value in stats.items() if key != "layer"}
    return summary


def _experiment_settings(args):
    """Fill the options left out with the experiment's defaults, and refuse
    the ones that make no sense for it. Returns the names compared."""
    experiment = EXPERIMENTS[args.experiment]
    if args.experiment != "depth":
        given = [option for option in DEPTH_OPTIONS if getattr(args, option) is not None]
        if given:
            raise UsageError(f"--{given[0]} is an option of --experiment depth")
    elif args.layers is not None:
        raise UsageError("--experiment depth sets the layers with --depths and --width, "
                         "not --layers")
    for option in ("layers", "dataset", "iterations", "learning_rate"):
        if getattr(args, option) is None:
            setattr(args, option, experiment[option])
    if args.experiment == "optimizers":
        if args.inits is not None:
            raise UsageError("--inits compares initializers; --experiment optimizers trains "
                             "every optimizer from He initialization (--seed sets its seed)")
        if args.optimizer is not None:
            raise UsageError("--experiment optimizers compares gd, momentum and adam; "
                             "leave out --optimizer")
        if args.mini_batch is None:
            args.mini_batch = experiment["mini_batch"]
        return list(experiment["names"])
    return args.inits or list(experiment["names"])


def _train_one(args, name, on_record):
    """One run of the experiment: ``((run,), data)``."""
    from ..experiments import compare_initializers, compare_optimizers

    common = dict(dataset=args.dataset, hidden_layers=args.layers, learning_rate=args.learning_rate,
                  seed=args.seed, dtype=args.dtype, on_record=on_record)
    if args.experiment == "optimizers":
        return compare_optimizers([name], num_epochs=args.iterations, record_every=100,
                                  **common, **_training_options(args))
    return compare_initializers([name], num_iterations=args.iterations, track_layers=True,
                                **common, **_training_options(args))


def run_depth(args, names):
    """``compare --experiment depth``: the table of means and spreads, depth.png
    and results.json."""
    from ..depth import compare_depths

    depths = args.depths or list(DEPTH_DEFAULTS["depths"])
    seeds = args.seeds or list(DEPTH_DEFAULTS["seeds"])
    total = len(names) * len(depths) * len(seeds)
    progress = _Progress(total, args.iterations, args.quiet, False)
    done = []

    def on_run(run):
        done.append(run)
        progress.step(f"{run.initializer}, depth {run.depth}, seed {run.seed}", len(done))

    result = compare_depths(names, depths, width=args.width or DEPTH_DEFAULTS["width"],
                            seeds=seeds, dataset=args.dataset, num_iterations=args.iterations,
                            learning_rate=args.learning_rate, dtype=args.dtype, on_run=on_run,
                            **_training_options(args))
    progress.done()
    summary = result.summary()
    os.makedirs(args.out, exist_ok=True)
    document = {"fastinit_version": __version__, "experiment": "depth", **result.to_dict()}
    with atomic_write(os.path.join(args.out, "results.json"), "w") as handle:
        json.dump(document, handle, indent=2, allow_nan=True)
    written = ["results.json"]
    if not args.no_plots:
        from .. import plotting

        _save(plotting.plot_depth(summary, title=f"Accuracy against depth: {args.dataset}, "
                                                 f"{args.activation}, width "
                                                 f"{result.settings['width']}, {len(seeds)} "
                                                 f"seeds, {args.iterations} iterations"),
              os.path.join(args.out, "depth.png"))
        written.insert(0, "depth.png")
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    elif args.format == "csv":
        print(format_csv(summary, "initializer"))
    else:
        print(format_depth_table(summary))
        if not args.quiet:
            print(f"\nwrote {', '.join(written)} to {args.out}", file=sys.stderr)
    return 0


def format_depth_table(summary):
    """The depth experiment's table: mean +- std over the seeds."""
    header = (f"{'initializer':<16} {'depth':>5} {'train acc':>15} {'test acc':>15} "
              f"{'diverged':>8}")
    lines = [header, "-" * len(header)]
    for row in summary:
        lines.append(
            f"{row['initializer']:<16} {row['depth']:>5} "
            f"{row['train_accuracy_mean']:>7.3f} +- {row['train_accuracy_std']:.3f} "
            f"{row['test_accuracy_mean']:>7.3f} +- {row['test_accuracy_std']:.3f} "
            f"{row['diverged']:>4}/{row['runs']}")
    return "\n".join(lines)


def run(args):
    """Run ``fastinit compare``: the comparison table, results.json and the figures.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit code, 0.
    """
    names = _experiment_settings(args)
    if args.experiment == "depth":
        return run_depth(args, names)
    label = EXPERIMENTS[args.experiment]["label"]
    epochs = _counts_epochs(_training_options(args))
    progress = _Progress(len(names), args.iterations, args.quiet, args.verbose,
                         record_every=100 if args.experiment == "optimizers" else 1000,
                         unit="epoch" if epochs else "iteration")
    runs = []
    for name in names:
        progress.start(name)
        (run,), data = _train_one(args, name, lambda _, iteration, cost: progress.record(
            iteration, cost))
        progress.finish()
        runs.append(run)
    rows = _rows(runs, label)

    initializers = args.experiment == "initializers"
    activation = _activation_summary(names, args.seed) if initializers else None
    os.makedirs(args.out, exist_ok=True)
    with atomic_write(os.path.join(args.out, "results.json"), "w") as handle:
        json.dump(_results_document(args, names, runs, activation), handle, indent=2)
    figures = []
    if not args.no_plots:
        figures = _write_figures(args, runs, data, names, "epoch" if epochs else "iteration")

    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif args.format == "csv":
        print(format_csv(rows, label))
    else:
        print(format_table(rows, label))
        if not args.quiet:
            print(f"\nwrote {', '.join(figures + ['results.json'])} to {args.out}",
                  file=sys.stderr)
    return 0


def _write_figures(args, runs, data, names, unit):
    """costs.png, boundaries.png and (comparing initializers) activations.png;
    returns the names written."""
    from .. import plotting

    label = EXPERIMENTS[args.experiment]["label"]
    train_X, train_Y, _, _ = data
    trained = (f"{plotting._network([train_X.shape[0], *args.layers, 1])}, {args.activation}, "
               f"{args.dataset}, {'He initialization, ' if label == 'optimizer' else ''}"
               f"seed {args.seed}")
    _save(plotting.plot_costs({run.name: run.costs for run in runs},
                              iterations=runs[0].iterations, xlabel=unit, legend_title=label,
                              title=f"Cost during training\n{trained}\nlearning rate "
                                    f"{args.learning_rate:g}"
                                    + (f", mini-batches of {args.mini_batch}"
                                       if args.mini_batch else "")),
          os.path.join(args.out, "costs.png"))
    titles = {run.name: f"{run.name}\ntrain {run.train_accuracy:.3f}, "
                        f"test {run.test_accuracy:.3f}" for run in runs}
    _save(plotting.plot_decision_boundaries({run.name: run.parameters for run in runs},
                                            train_X, train_Y, titles=titles,
                                            activation=args.activation,
                                            negative_slope=args.negative_slope,
                                            title=f"Decision boundaries after training\n{trained}"),
          os.path.join(args.out, "boundaries.png"))
    if args.experiment != "initializers":
        return ["costs.png", "boundaries.png"]
    _save(plotting.plot_activation_stats(names, seed=args.seed),
          os.path.join(args.out, "activations.png"))
    _save(plotting.plot_signal_propagation(_signal_by_name(names, args.activation,
                                                           args.negative_slope)),
          os.path.join(args.out, "signal.png"))
    _save(plotting.plot_layer_history({run.name: run.layer_history for run in runs},
                                      runs[0].iterations, unit=unit,
                                      title=f"Layers during training\n{trained}"),
          os.path.join(args.out, "layer_history.png"))
    return ["costs.png", "boundaries.png", "activations.png", "signal.png", "layer_history.png"]


def _signal_by_name(names, activation, negative_slope):
    """signal.png's statistics: each initializer at initialization in the deep network
    of activations.png (10 hidden layers of 100, standard-normal inputs), 10 seeds."""
    from ..diagnostics import DEEP_LAYERS, signal_propagation, standard_normal_inputs

    X = standard_normal_inputs(DEEP_LAYERS[0])
    return {name: signal_propagation(DEEP_LAYERS, name, X, activation=activation,
                                     negative_slope=negative_slope)
            for name in names}
