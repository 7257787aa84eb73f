// RTL2832U demodulator with an R820T tuner behind its I2C repeater, as an RTL-SDR stick presents them
// (0bda:2838). Facts from the RTL-SDR host library (osmocom rtl-sdr 0.6.0, read for facts): every
// access is vendor request 0 with wValue = address and wIndex = block << 8 (| 0x10 to write); demod
// registers use wIndex = page (| 0x10) and wValue = reg << 8 | 0x20; block 6 is the I2C bridge (wValue =
// 7-bit address << 1), which reaches the tuner only while the repeater bit (demod page 1, reg 0x01,
// 0x08) is set. The R820T answers a read from register 0 on, each byte bit-reversed on the wire;
// register 0 reads 0x69 (its chip ID), register 2 carries the PLL-lock bit (0x40).
//
// Two sticks: "rtlsdr" (R820T at I2C address 0x34, the common RTL-SDR) and "rtlsdr-r828d" (R828D at
// 0x74, as on the RTL-SDR Blog V4; same chip ID, its own 16 MHz crystal, which only the host's PLL
// arithmetic sees).
#include "shim.h"

#include <string.h>

enum { BLOCK_DEMOD = 0, BLOCK_USB = 1, BLOCK_SYS = 2, BLOCK_I2C = 6 };
enum { R820T_ADDRESS = 0x34, R828D_ADDRESS = 0x74, USB_EPA_CTL = 0x2148 };

typedef struct {
    unsigned char demod[16][256];
    unsigned char usb[0x1000];     // USB block, 0x2000–0x2fff
    unsigned char sys[0x100];      // SYS block, 0x3000–0x30ff
    unsigned char tuner[32];       // R820T shadow registers as written
    int stream_armed;              // USB_EPA_CTL was reset (0x1002) and released (0x0000)
    uint64_t counter;              // test-mode 8-bit counter position
    int tuner_address;             // 8-bit I2C address the tuner answers at
} rtl_state;

static unsigned char bitrev(unsigned char b) {
    unsigned char r = 0;
    for (int i = 0; i < 8; i++) if (b & (1u << i)) r |= (unsigned char)(0x80u >> i);
    return r;
}

// Status the R820T reports in registers 0–4 (logical values, before the wire's bit reversal).
static unsigned char r820t_status(int reg) {
    switch (reg) {
    case 0: return 0x96;           // reads 0x69 on the wire: the chip ID librtlsdr probes for
    case 2: return 0x40 | 0x1a;    // PLL locked, VCO fine-tune mid-range
    case 4: return 0x05;           // filter calibration code (neither 0 nor 0x0f: calibration done)
    default: return 0x00;
    }
}

static void reset(shim_device *d) {
    rtl_state *s = shim_state(d);
    s->demod[0][0x19] = 0x05;      // test mode off
    s->tuner_address = R820T_ADDRESS;
}

static void reset_r828d(shim_device *d) {
    reset(d);
    ((rtl_state *)shim_state(d))->tuner_address = R828D_ADDRESS;
}

static int repeater_on(rtl_state *s) { return (s->demod[1][0x01] & 0x08) != 0; }

static int control(shim_device *d, uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
                   unsigned char *data, uint16_t length) {
    rtl_state *s = shim_state(d);
    if ((rt & 0x60) != LIBUSB_REQUEST_TYPE_VENDOR || req != 0) return LIBUSB_ERROR_PIPE;
    const int in = (rt & LIBUSB_ENDPOINT_IN) != 0;
    const int write = (index & 0x10) != 0;
    if (in == write) return LIBUSB_ERROR_PIPE;
    const int block = index >> 8;
    if (block == BLOCK_DEMOD) {
        int page = index & 0x0f, reg = value >> 8;
        if ((value & 0xff) != 0x20) return LIBUSB_ERROR_PIPE;
        for (int i = 0; i < length; i++) {
            unsigned char *r = &s->demod[page][(reg + i) & 0xff];
            if (write) *r = data[i]; else data[i] = *r;
        }
        return length;
    }
    if (block == BLOCK_USB || block == BLOCK_SYS) {
        unsigned char *file = block == BLOCK_USB ? s->usb : s->sys;
        unsigned base = block == BLOCK_USB ? 0x2000 : 0x3000, size = block == BLOCK_USB ? 0x1000 : 0x100;
        if (value < base || value + length > base + size) return LIBUSB_ERROR_PIPE;
        for (int i = 0; i < length; i++) {
            if (write) file[value - base + i] = data[i]; else data[i] = file[value - base + i];
        }
        if (write && block == BLOCK_USB && value == USB_EPA_CTL && length == 2) {
            // Big-endian 16-bit value: 0x1002 stalls and flushes endpoint A, 0x0000 starts it again.
            unsigned v = (unsigned)data[0] << 8 | data[1];
            if (v == 0x1002) s->stream_armed = 0;
            else if (v == 0x0000) { s->stream_armed = 1; shim_stream_restart(d); }
        }
        return length;
    }
    if (block == BLOCK_I2C) {
        if (value != s->tuner_address || !repeater_on(s)) return LIBUSB_ERROR_PIPE;   // no ACK
        if (write) {
            if (length < 1) return LIBUSB_ERROR_PIPE;
            int reg = data[0];
            for (int i = 1; i < length; i++)
                if (reg + i - 1 < 32) s->tuner[reg + i - 1] = data[i];
            return length;
        }
        for (int i = 0; i < length; i++)
            data[i] = bitrev(i < 5 ? r820t_status(i) : i < 32 ? s->tuner[i] : 0);
        return length;
    }
    // ROM and IR blocks: nothing there on this stick.
    if (in) { memset(data, 0, length); return length; }
    return length;
}

static int streaming(shim_device *d) {
    return ((rtl_state *)shim_state(d))->stream_armed;
}

static double byte_rate(shim_device *d) {
    rtl_state *s = shim_state(d);
    const unsigned char *p = &s->demod[1][0x9f];
    uint32_t ratio = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (ratio == 0) return 2.0 * 2048000.0;
    return 2.0 * 28800000.0 * 4194304.0 / (double)ratio;
}

static void fill(shim_device *d, unsigned char *buffer, int length, uint64_t offset) {
    rtl_state *s = shim_state(d);
    if (s->demod[0][0x19] == 0x03) {
        // Test mode: the demodulator sends an 8-bit counter instead of samples (rtl_test counts gaps in it).
        for (int i = 0; i < length; i++) buffer[i] = (unsigned char)(s->counter + (uint64_t)i);
        s->counter += (uint64_t)length;
        return;
    }
    shim_counter_pattern(buffer, length, offset);
}

const shim_model shim_model_rtl2832u_r820t = {
    .name = "rtlsdr",
    .vid = 0x0bda,
    .pid = 0x2838,
    .bcd_device = 0x0100,
    .bcd_usb = 0x0200,
    .speed = LIBUSB_SPEED_HIGH,
    .manufacturer = "Realtek",
    .product = "RTL2838UHIDIR",
    .default_serial = "00000001",
    .num_interfaces = 2,
    .bulk_in_endpoint = 0x81,
    .bulk_out_endpoint = 0,
    .state_size = sizeof(rtl_state),
    .reset = reset,
    .control = control,
    .streaming = streaming,
    .byte_rate = byte_rate,
    .fill = fill,
};

const shim_model shim_model_rtl2832u_r828d = {
    .name = "rtlsdr-r828d",
    .vid = 0x0bda,
    .pid = 0x2838,
    .bcd_device = 0x0100,
    .bcd_usb = 0x0200,
    .speed = LIBUSB_SPEED_HIGH,
    .manufacturer = "RTLSDRBlog",
    .product = "Blog V4",
    .default_serial = "00000001",
    .num_interfaces = 1,
    .bulk_in_endpoint = 0x81,
    .bulk_out_endpoint = 0,
    .state_size = sizeof(rtl_state),
    .reset = reset_r828d,
    .control = control,
    .streaming = streaming,
    .byte_rate = byte_rate,
    .fill = fill,
};
