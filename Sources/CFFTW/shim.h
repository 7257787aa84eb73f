#ifndef CELLWATCH_CFFTW_SHIM_H
#define CELLWATCH_CFFTW_SHIM_H
// Single-precision FFTW 3 (Debian libfftw3-dev): fftwf_* symbols from libfftw3f.
#include <fftw3.h>

// FFTW's planner flags are shift expressions, which Swift does not import as constants.
static const unsigned cellwatch_fftw_measure = FFTW_MEASURE;
static const unsigned cellwatch_fftw_estimate = FFTW_ESTIMATE;
static const unsigned cellwatch_fftw_patient = FFTW_PATIENT;
static const unsigned cellwatch_fftw_wisdom_only = FFTW_WISDOM_ONLY;
#endif
