#ifndef CELLWATCH_CZLIB_SHIM_H
#define CELLWATCH_CZLIB_SHIM_H
// zlib (Debian zlib1g-dev): gzip bodies of sensor reports (Content-Encoding: gzip).
#include <zlib.h>
#endif
