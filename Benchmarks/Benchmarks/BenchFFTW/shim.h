#ifndef CELLWATCH_BENCH_FFTW_SHIM_H
#define CELLWATCH_BENCH_FFTW_SHIM_H
// FFTW for the bare-FFT baselines that need more than `DSP.FFT` offers (new-array execute over the
// segments of a block). Its own module name, so it does not clash with the main package's CFFTW.
#include <fftw3.h>

static const unsigned bench_fftw_measure = FFTW_MEASURE;
#endif
