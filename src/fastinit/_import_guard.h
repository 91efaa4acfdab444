/* A build for an instruction set this CPU lacks must refuse to import, not die of
 * SIGILL: Cython's module code, compiled for that instruction set, runs its vector
 * instructions as soon as the module executes. FI_GUARD_INIT(MODULE, CPU_RUNS, WHAT)
 * defines PyInit_MODULE as a check of the CPU (scalar code, safe anywhere) that
 * raises ImportError or calls Cython's own init, which the including file then
 * renames with `#define PyInit_MODULE fi_unguarded_init`. */
#ifndef FI_IMPORT_GUARD_H
#define FI_IMPORT_GUARD_H

#include <Python.h>
#include "_cpu.h"

#define FI_GUARD_INIT(MODULE, CPU_RUNS, WHAT)                                             \
    PyMODINIT_FUNC fi_unguarded_init(void);                                               \
    PyMODINIT_FUNC PyInit_##MODULE(void)                                                  \
    {                                                                                     \
        if (!CPU_RUNS()) {                                                                \
            PyErr_SetString(PyExc_ImportError,                                            \
                            "fastinit." #MODULE " is built for " WHAT ", which this CPU " \
                            "lacks; import fastinit._kernels, which chooses the build "   \
                            "this CPU runs");                                             \
            return NULL;                                                                  \
        }                                                                                 \
        return fi_unguarded_init();                                                       \
    }

#endif
