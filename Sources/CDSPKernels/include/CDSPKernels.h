// Per-segment kernels of the Welch PSD (DSP's WelchPSD), in C so that one binary carries both a
// baseline x86-64 (SSE2) version and an AVX2+FMA version, chosen once when the program loads
// (function multiversioning). Swift has no per-function target attributes, and building all of DSP
// for AVX2 would stop the sensor on the small Atom/Celeron boxes that lack it.
//
// All arrays are interleaved complex floats as FFTW writes them: lane j is Re (j even) or Im (j odd)
// of bin j/2. `lanes` is twice the number of bins and even.
#ifndef CELLWATCH_DSP_KERNELS_H
#define CELLWATCH_DSP_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Hann window applied in the frequency domain, then power accumulated:
/// y[j] = x[j-2] + x[j+2] - 2·x[j] (= −4 × the Hann-windowed spectrum), acc[j] += y[j]².
/// `x` must have two valid floats before index 0 and after index lanes−1 (the wrapped-around bins).
/// When `peak` is not NULL, peak[j/2] = max(peak[j/2], y[j]² + y[j+1]²) as well.
void cw_hann_power_accumulate(const float *x, size_t lanes, float *acc, float *peak);

/// Power accumulated without a window: acc[j] += x[j]²; with `peak`, the per-bin maximum as above.
void cw_power_accumulate(const float *x, size_t lanes, float *acc, float *peak);

/// out[j] = x[j]·w[j] (a time-domain window applied to interleaved samples; `w` holds each
/// coefficient twice). `out` must not overlap `x` or `w`.
void cw_multiply(const float *x, const float *w, size_t lanes, float *out);

#ifdef __cplusplus
}
#endif

#endif
