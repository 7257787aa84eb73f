#ifndef CELLWATCH_CBZIP2_SHIM_H
#define CELLWATCH_CBZIP2_SHIM_H
// libbz2 (Debian libbz2-dev; it ships no pkg-config file): reads gr-gsm .bursts.bz2 captures.
#include <bzlib.h>
#endif
