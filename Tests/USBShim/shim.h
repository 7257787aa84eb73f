// Recording libusb-1.0 stand-in, loaded with LD_PRELOAD in front of the real library.
//
// The core (libusb_shim.c) implements the libusb API a USB SDR driver uses: enumeration and
// descriptors, open/close, configuration and interfaces, kernel-driver calls, synchronous control and
// bulk transfers, and asynchronous transfers with an event loop. Everything a device *does* lives in a
// model (one file per device, e.g. model_hackrf.c) registered in `shim_models[]`: its descriptors, how
// it answers control requests, and what it streams on its bulk IN endpoint.
//
// Environment:
//   USBSHIM_DEVICES            comma list of MODEL[:SERIAL]: hackrf, rtlsdr, rtlsdr-r828d, or none (default "hackrf")
//   USBSHIM_TRANSCRIPT         file that receives one line per control transfer and setup call
//   USBSHIM_OPEN_ERROR         "access" makes libusb_open fail with LIBUSB_ERROR_ACCESS
//   USBSHIM_KERNEL_DRIVER      "1": interface 0 starts bound to a kernel driver
//   USBSHIM_REALTIME           "1": stream at the configured sample rate instead of as fast as possible
//   USBSHIM_UNPLUG_AFTER_BYTES the device disappears once it has streamed this many bytes
//   USBSHIM_REPLUG_AFTER_MS    ... and comes back (fresh state) this many milliseconds later
#ifndef CELLWATCH_USBSHIM_H
#define CELLWATCH_USBSHIM_H

#include <libusb.h>
#include <stddef.h>
#include <stdint.h>

typedef struct shim_device shim_device;

typedef struct shim_model {
    const char *name;                 // as written in USBSHIM_DEVICES
    uint16_t vid, pid;
    uint16_t bcd_device;              // HackRF: the USB API version
    uint16_t bcd_usb;
    enum libusb_speed speed;
    const char *manufacturer, *product, *default_serial;
    uint8_t num_interfaces;
    uint8_t bulk_in_endpoint;         // e.g. 0x81
    uint8_t bulk_out_endpoint;        // 0 when none
    size_t state_size;                // bytes of model state, zeroed at plug-in
    // Called at plug-in (and replug) after the state has been zeroed.
    void (*reset)(shim_device *d);
    // A control transfer addressed to the device (any request type). Returns the number of bytes
    // transferred (IN: written into data, at most length) or a LIBUSB_ERROR_* (PIPE = stall).
    int (*control)(shim_device *d, uint8_t request_type, uint8_t request, uint16_t value,
                   uint16_t index, unsigned char *data, uint16_t length);
    // Whether the bulk IN endpoint produces data now (e.g. receiver on).
    int (*streaming)(shim_device *d);
    // Bytes per second the device streams at (for USBSHIM_REALTIME pacing).
    double (*byte_rate)(shim_device *d);
    // Fills `length` bytes of the stream starting at stream byte `offset`.
    void (*fill)(shim_device *d, unsigned char *buffer, int length, uint64_t offset);
} shim_model;

// The model's private state (state_size bytes).
void *shim_state(shim_device *d);
// The device's serial number string.
const char *shim_serial(shim_device *d);
// Starts a new stream: the next bulk IN byte is stream byte 0. Call when the device turns streaming on.
void shim_stream_restart(shim_device *d);
// Appends one free-form line to the transcript (models may note things the host cannot see).
void shim_note(const char *format, ...) __attribute__((format(printf, 1, 2)));

// The pattern every model streams: 32-bit little-endian words, word n = n * 2654435761 mod 2^32
// (an odd multiplier, so the receiver can recover n from any word and check order and gaps).
void shim_counter_pattern(unsigned char *buffer, int length, uint64_t offset);

extern const shim_model shim_model_hackrf_one;
extern const shim_model shim_model_rtl2832u_r820t;
extern const shim_model shim_model_rtl2832u_r828d;

#endif
