"""``fastinit theory``: the edge of chaos, mean-field theory against measured
random networks, as a table, figures and theory.json."""

import json
import os
import sys
import time

from .. import __version__
from ..activations import ACTIVATIONS, DEFAULT_NEGATIVE_SLOPE
from ..storage import atomic_write
from ..threads import available_cores
from .figures import _save
from .options import (UsageError, _bias_variance, _non_negative_float, _output_folder,
                      _seed_list, _theory_depth, _theory_width)


def add_parser(commands):
    """Add the ``theory`` command: the edge of chaos, mean-field theory
    against measured random networks.

    Parameters
    ----------
    commands : argparse._SubParsersAction
        The subcommands of the ``fastinit`` parser.
    """
    theory = commands.add_parser(
        "theory",
        help="the edge of chaos: mean-field theory against measured random networks",
        description=(
            "The edge of chaos (Poole et al. 2016, Schoenholz et al. 2017, Pennington et al. "
            "2017) for one activation and bias variance sigma_b2: the critical sigma_w2 "
            "(chi_1 = 1), the fixed points q* and c*, the depth scales xi_q and xi_c, and "
            "random networks of --depth hidden layers of --width units (N(0, sigma_w2/fan-in) "
            "weights, N(0, sigma_b2) biases, one per seed) measured against them. Prints a "
            "table and writes edge_phase.png (c* over sigma_w2 x sigma_b2 and the critical "
            "line), edge_depth.png (q^l and c^l of two inputs in an ordered, the critical and "
            "a chaotic network), edge_depth_scales.png (xi_q and xi_c against sigma_w2, xi_c "
            "fitted to measurements), edge_jacobian.png (the input-output Jacobian's squared "
            "singular values at criticality, Gaussian against orthogonal weights) and "
            "theory.json (settings, version, every number) to --out."
        ),
    )
    theory.add_argument("--activation", choices=ACTIVATIONS, default="tanh",
                        help="the hidden layers' activation (default: tanh)")
    theory.add_argument("--negative-slope", type=_non_negative_float,
                        default=DEFAULT_NEGATIVE_SLOPE,
                        help="leaky_relu's slope for z < 0 (default: 0.01)")
    theory.add_argument("--bias-variance", type=_bias_variance, default=0.05, metavar="SIGMA_B2",
                        help="the biases' variance sigma_b2, in [0, 1e6] (default: 0.05)")
    theory.add_argument("--width", type=_theory_width, default=200,
                        help="units of every layer of the measured networks, at least 2 "
                             "(default: 200)")
    theory.add_argument("--depth", type=_theory_depth, default=30,
                        help="hidden layers of the measured networks (default: 30)")
    theory.add_argument("--seeds", type=_seed_list, default=list(range(10)),
                        help="one network per seed at every point, e.g. 0-9 or 1,5,9 "
                             "(default: 0-9)")
    theory.add_argument("--out", default="fastinit-out",
                        help="folder for the figures and theory.json (default: ./fastinit-out)")
    theory.add_argument("--no-plots", action="store_true", help="write theory.json only")
    theory.add_argument("--format", choices=("table", "json"), default="table",
                        help="what is printed on stdout: the table, or its numbers as JSON "
                             "(default: table)")
    theory.add_argument("--quiet", action="store_true", help="no progress output")


def _check_theory_size(args):
    """Refuse, before any work, networks whose parameters do not fit in memory."""
    from .._validation import physical_memory

    # every worker holds one network of depth + 1 width x width layers (float64),
    # and the Jacobian's forward mode a few width x width products beside it
    needed = (args.depth + 4) * args.width ** 2 * 8 * min(len(args.seeds), available_cores())
    memory = physical_memory()
    if memory is not None and needed > memory:
        raise UsageError(f"--width {args.width} and --depth {args.depth} need "
                         f"{needed / 2**30:.3g} GiB for the networks measured at once, more "
                         f"than this machine's {memory / 2**30:.3g} GiB")


def format_theory_table(summary):
    """``fastinit theory``'s table: the critical point, the depth scales and the
    measured networks against the theory."""
    activation, depth = summary["activation"], summary["last_layer"]
    lines = [f"edge of chaos: {activation}, sigma_b2 = {summary['sigma_b2']:g}",
             "",
             f"critical sigma_w2 (chi_1 = 1)   {summary['critical_sigma_w2']:.4f}",
             f"q* there                        {summary['q_star']:.4f}",
             ""]
    header = (f"{'sigma_w2':>8}  {'phase':<8} {'c*':>7} {'xi_q':>7} {'xi_c':>8} "
              f"{'xi_c measured':>14}  {'(16-84%)':<14}")
    lines += ["depth scales (theory; xi_c measured: fitted to the mean c^l over seeds, and "
              "its 16-84% range over resamples of the seeds)", header.rstrip(),
              "-" * len(header.rstrip())]
    for row in summary["depth_scales"]:
        lines.append(f"{row['sigma_w2']:>8.3g}  {row['phase']:<8} {row['c_star']:>7.4f} "
                     f"{row['xi_q']:>7.3f} {row['xi_c']:>8.3f} {row['xi_c_measured']:>14.3f}  "
                     f"({row['xi_c_measured_low']:.3g} to {row['xi_c_measured_high']:.3g})")
    header = (f"{'network':<9} {'sigma_w2':>8} {'q measured':>17} {'q theory':>9} "
              f"{'c measured':>17} {'c theory':>9}")
    lines += ["", f"layer {depth}: measured (mean +- std over seeds) against the theory",
              header, "-" * len(header)]
    for row in summary["points"]:
        lines.append(f"{row['phase']:<9} {row['sigma_w2']:>8.4g} "
                     f"{row['q_measured']:>8.4g} +- {row['q_std']:<5.2g} {row['q_theory']:>9.4g} "
                     f"{row['c_measured']:>8.4f} +- {row['c_std']:<5.3f} {row['c_theory']:>9.4f}")
    header = (f"{'weights':<11} {'mean measured':>17} {'theory':>9} "
              f"{'variance measured':>21} {'theory':>9}")
    lines += ["", "Jacobian at the critical sigma_w2, squared singular values (each seed's "
                  "moments, mean +- std over seeds)", header, "-" * len(header)]
    for weights, row in summary["jacobian"].items():
        lines.append(f"{weights:<11} {row['mean_measured']:>8.4g} +- {row['mean_std']:<5.2g} "
                     f"{row['theory_mean']:>9.4g} {row['variance_measured']:>11.4g} +- "
                     f"{row['variance_std']:<6.3g} {row['theory_variance']:>9.4g}")
    return "\n".join(lines)


def run(args):
    """Run ``fastinit theory``: the table, the figures and theory.json.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ..edge_of_chaos import NoEdgeOfChaos, report

    _check_theory_size(args)
    _output_folder(args.out)
    started = time.perf_counter()

    def on_step(text):
        if not args.quiet:
            print(f"[{time.perf_counter() - started:5.1f} s] {text}", file=sys.stderr,
                  flush=True)

    try:
        data = report(args.activation, args.bias_variance, width=args.width, depth=args.depth,
                      seeds=args.seeds, negative_slope=args.negative_slope, on_step=on_step)
    except NoEdgeOfChaos as error:
        raise UsageError(f"--bias-variance {args.bias_variance:g} with --activation "
                         f"{args.activation}: {error}") from None
    document = {"fastinit_version": __version__, "command": "theory", **data}
    with atomic_write(os.path.join(args.out, "theory.json"), "w") as handle:
        json.dump(document, handle, indent=1, allow_nan=True)
    written = ["theory.json"]
    if not args.no_plots:
        from ..chaos_figures import FIGURES

        on_step("the figures")
        for name, plot in FIGURES.items():
            _save(plot(data), os.path.join(args.out, name))
        written = list(FIGURES) + written
    if args.format == "json":
        print(json.dumps(data["summary"], indent=2, allow_nan=True))
    else:
        print(format_theory_table(data["summary"]))
    if not args.quiet:
        print(f"\nwrote {', '.join(written)} to {args.out} in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
