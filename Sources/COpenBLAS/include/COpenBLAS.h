#ifndef SWIFTSIGHT_COPENBLAS_H
#define SWIFTSIGHT_COPENBLAS_H

#include <cblas.h>

/// How the active OpenBLAS kernel was chosen.
typedef enum {
    /// OpenBLAS's own detection was kept (it recognised the CPU).
    swiftsight_core_openblas = 0,
    /// The user set OPENBLAS_CORETYPE; it was respected.
    swiftsight_core_environment = 1,
    /// SwiftSight found a generic fallback kernel and switched to one matching the CPU.
    swiftsight_core_selected = 2,
} swiftsight_core_origin;

/// Makes OpenBLAS use the best kernel the CPU supports. Idempotent and thread-safe;
/// also run once as a load-time constructor, before any Swift code can call BLAS.
swiftsight_core_origin swiftsight_openblas_select_core(void);

/// The core name OpenBLAS would have used without SwiftSight ("" if unchanged).
const char *swiftsight_openblas_original_core(void);

#endif
