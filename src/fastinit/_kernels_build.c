/* One build of the compiled core: the kernels of _simd.h compiled for one
 * instruction set, and the module's entry point.
 *
 * setup.py compiles this file once per build, with that build's flags and
 * -DFI_MODULE=<module name> (-DFI_CPU_RUNS=<test> for a build that needs more than
 * the baseline), and links it with the core (_kernels_core.pyx, compiled once)
 * into fastinit.<module name>. See _kernels_api.h.
 */
#include <Python.h>

#include "_kernels_api.h"
#include "_simd.h"
#include "_cpu.h"

#ifndef FI_MODULE
#error "setup.py names the module: -DFI_MODULE=_kernels_generic"
#endif

double fi_build_exp(double x) { return fi_exp(x); }
float fi_build_expf(float x) { return fi_expf(x); }
double fi_build_log1p(double x) { return fi_log1p(x); }
double fi_build_power(double x, long long n) { return fi_power(x, n); }
double fi_build_madd_d(double a, double b, double c) { return fi_madd_d(a, b, c); }
float fi_build_madd_f(float a, float b, float c) { return fi_madd_f(a, b, c); }

const char* fi_build_instruction_set(void) { return FI_INSTRUCTION_SET; }
const char* fi_build_fma_kind(void) { return fi_fma_kind(); }
int fi_build_lanes_d(void) { return FI_LANES_d; }
double fi_build_fma_chains(long n, double start) { return fi_fma_chains(n, start); }

/* The core's module init (Cython's PyInit__kernels_core, renamed by setup.py). */
PyMODINIT_FUNC fi_core_init(void);

#define FI_PASTE(a, b) a##b
#define FI_INIT_NAME(module) FI_PASTE(PyInit_, module)
#define FI_QUOTE(name) #name
#define FI_NAME(module) FI_QUOTE(module)

/* A build for an instruction set this CPU lacks refuses to import instead of dying
 * of SIGILL: this check is scalar code, safe anywhere, and runs before any of the
 * build's vector code. */
PyMODINIT_FUNC FI_INIT_NAME(FI_MODULE)(void)
{
#ifdef FI_CPU_RUNS
    if (!FI_CPU_RUNS()) {
        PyErr_SetString(PyExc_ImportError,
                        "fastinit." FI_NAME(FI_MODULE) " is built for " FI_INSTRUCTION_SET
                        ", which this CPU lacks; import fastinit._kernels, which chooses "
                        "the build this CPU runs");
        return NULL;
    }
#endif
    fi_detect_fma();
    return fi_core_init();
}
