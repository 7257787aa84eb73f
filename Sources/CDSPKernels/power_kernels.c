// See include/CDSPKernels.h. Plain loops written for the compiler's vectoriser (restrict pointers,
// no calls); the multiversion attribute compiles each body twice and an ifunc resolver picks the AVX2
// one on CPUs that have it.
#include "CDSPKernels.h"

#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define CW_MULTIVERSION __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CW_MULTIVERSION
#endif

CW_MULTIVERSION
static void hann_acc(const float *restrict x, size_t lanes, float *restrict acc) {
    for (size_t j = 0; j < lanes; j++) {
        float y = (x[(ptrdiff_t)j - 2] + x[j + 2]) - 2.0f * x[j];
        acc[j] += y * y;
    }
}

CW_MULTIVERSION
static void hann_acc_peak(const float *restrict x, size_t lanes, float *restrict acc, float *restrict peak) {
    for (size_t m = 0; m < lanes / 2; m++) {
        size_t j = 2 * m;
        float yr = (x[(ptrdiff_t)j - 2] + x[j + 2]) - 2.0f * x[j];
        float yi = (x[(ptrdiff_t)j - 1] + x[j + 3]) - 2.0f * x[j + 1];
        float pr = yr * yr, pi = yi * yi;
        acc[j] += pr;
        acc[j + 1] += pi;
        float p = pr + pi;
        peak[m] = p > peak[m] ? p : peak[m];
    }
}

CW_MULTIVERSION
static void power_acc(const float *restrict x, size_t lanes, float *restrict acc) {
    for (size_t j = 0; j < lanes; j++) acc[j] += x[j] * x[j];
}

CW_MULTIVERSION
static void power_acc_peak(const float *restrict x, size_t lanes, float *restrict acc, float *restrict peak) {
    for (size_t m = 0; m < lanes / 2; m++) {
        size_t j = 2 * m;
        float pr = x[j] * x[j], pi = x[j + 1] * x[j + 1];
        acc[j] += pr;
        acc[j + 1] += pi;
        float p = pr + pi;
        peak[m] = p > peak[m] ? p : peak[m];
    }
}

CW_MULTIVERSION
void cw_multiply(const float *restrict x, const float *restrict w, size_t lanes, float *restrict out) {
    for (size_t j = 0; j < lanes; j++) out[j] = x[j] * w[j];
}

void cw_hann_power_accumulate(const float *x, size_t lanes, float *acc, float *peak) {
    if (peak) hann_acc_peak(x, lanes, acc, peak); else hann_acc(x, lanes, acc);
}

void cw_power_accumulate(const float *x, size_t lanes, float *acc, float *peak) {
    if (peak) power_acc_peak(x, lanes, acc, peak); else power_acc(x, lanes, acc);
}
