#ifndef CELLWATCH_CLIBUSB_SHIM_H
#define CELLWATCH_CLIBUSB_SHIM_H
// libusb 1.0 (Debian libusb-1.0-0-dev); pkg-config adds -I/usr/include/libusb-1.0.
#include <libusb.h>
#endif
