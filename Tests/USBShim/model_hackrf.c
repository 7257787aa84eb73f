// HackRF One as the shim presents it: firmware 2022.09.1 (USB API 0x0106), the release Debian 12's
// libhackrf0 2022.09.1 comes with. Vendor requests answer the way that firmware's handlers do
// (request numbers, payload layouts and validity rules from greatscottgadgets/hackrf, read for facts):
// invalid settings stall the control pipe, gain requests answer one byte (1 = accepted).
#include "shim.h"

#include <stdio.h>
#include <string.h>

enum {
    REQ_SET_TRANSCEIVER_MODE = 1,
    REQ_SAMPLE_RATE_SET = 6,
    REQ_BASEBAND_FILTER_BANDWIDTH_SET = 7,
    REQ_BOARD_ID_READ = 14,
    REQ_VERSION_STRING_READ = 15,
    REQ_SET_FREQ = 16,
    REQ_AMP_ENABLE = 17,
    REQ_BOARD_PARTID_SERIALNO_READ = 18,
    REQ_SET_LNA_GAIN = 19,
    REQ_SET_VGA_GAIN = 20,
    REQ_SET_TXVGA_GAIN = 21,
    REQ_ANTENNA_ENABLE = 23,
    REQ_OPERACAKE_GET_BOARDS = 27,
    REQ_SET_HW_SYNC_MODE = 29,
    REQ_RESET = 30,
    REQ_CLKOUT_ENABLE = 32,
    REQ_UI_ENABLE = 37,
    REQ_GET_CLKIN_STATUS = 44,
    REQ_BOARD_REV_READ = 45,
    REQ_SUPPORTED_PLATFORM_READ = 46,
};

enum { MODE_OFF = 0, MODE_RECEIVE = 1, MODE_TRANSMIT = 2, MODE_RX_SWEEP = 5 };

typedef struct {
    int mode;
    uint32_t rate_numerator, rate_divider;
    uint32_t filter_hz;
    uint64_t frequency_hz;
    int amp, antenna, hw_sync;
    int lna_db, vga_db, txvga_db;
} hackrf_state;

static void reset(shim_device *d) {
    hackrf_state *s = shim_state(d);
    // Firmware defaults at power-up: 10 MS/s, receiver off.
    s->rate_numerator = 10000000;
    s->rate_divider = 1;
}

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

static int reply(unsigned char *data, uint16_t length, const unsigned char *bytes, int n) {
    if (n > length) n = length;
    memcpy(data, bytes, (size_t)n);
    return n;
}

static int control(shim_device *d, uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
                   unsigned char *data, uint16_t length) {
    hackrf_state *s = shim_state(d);
    const int vendor = (rt & 0x60) == LIBUSB_REQUEST_TYPE_VENDOR;
    const int in = (rt & LIBUSB_ENDPOINT_IN) != 0;
    if (!vendor) return LIBUSB_ERROR_PIPE;
    switch (req) {
    case REQ_SET_TRANSCEIVER_MODE:
        if (in || value > MODE_RX_SWEEP || value == 4) return LIBUSB_ERROR_PIPE;
        if (value == MODE_RECEIVE && s->mode != MODE_RECEIVE) shim_stream_restart(d);
        s->mode = value;
        return 0;
    case REQ_SAMPLE_RATE_SET: {
        if (in || length != 8) return LIBUSB_ERROR_PIPE;
        uint32_t num = le32(data), div = le32(data + 4);
        // The Si5351C multisynth needs a sensible ratio; the firmware refuses a zero divider or rate.
        if (num == 0 || div == 0 || num / div > 25000000) return LIBUSB_ERROR_PIPE;
        s->rate_numerator = num;
        s->rate_divider = div;
        return 8;
    }
    case REQ_BASEBAND_FILTER_BANDWIDTH_SET: {
        if (in) return LIBUSB_ERROR_PIPE;
        uint32_t bw = (uint32_t)value | (uint32_t)index << 16;
        if (bw < 1750000 || bw > 28000000) return LIBUSB_ERROR_PIPE;
        s->filter_hz = bw;
        return 0;
    }
    case REQ_BOARD_ID_READ: {
        if (!in) return LIBUSB_ERROR_PIPE;
        const unsigned char id = 2;   // BOARD_ID_HACKRF1_OG: HackRF One before r9
        return reply(data, length, &id, 1);
    }
    case REQ_VERSION_STRING_READ: {
        if (!in) return LIBUSB_ERROR_PIPE;
        const char *v = "2022.09.1";
        return reply(data, length, (const unsigned char *)v, (int)strlen(v));
    }
    case REQ_SET_FREQ: {
        if (in || length != 8) return LIBUSB_ERROR_PIPE;
        uint32_t mhz = le32(data), hz = le32(data + 4);
        if (hz >= 1000000 || mhz > 7250) return LIBUSB_ERROR_PIPE;   // tuning.c: MAX_HP_FREQ_MHZ
        s->frequency_hz = (uint64_t)mhz * 1000000u + hz;
        return 8;
    }
    case REQ_AMP_ENABLE:
        if (in || value > 1) return LIBUSB_ERROR_PIPE;
        s->amp = value;
        return 0;
    case REQ_BOARD_PARTID_SERIALNO_READ: {
        if (!in) return LIBUSB_ERROR_PIPE;
        // part_id[2], serial_no[4]: the serial string is the four words printed as %08x.
        unsigned char out[24];
        put_le32(out, 0xa000cb3c);
        put_le32(out + 4, 0x00574f4d);
        const char *serial = shim_serial(d);
        size_t n = strlen(serial);
        for (int w = 0; w < 4; w++) {
            uint32_t word = 0;
            for (int c = 0; c < 8; c++) {
                size_t pos = (size_t)(w * 8 + c);
                char ch = pos < n ? serial[pos] : '0';
                int nib = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                        : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : 0;
                word = word << 4 | (uint32_t)nib;
            }
            put_le32(out + 8 + 4 * w, word);
        }
        return reply(data, length, out, 24);
    }
    case REQ_SET_LNA_GAIN: {
        if (!in) return LIBUSB_ERROR_PIPE;
        // max2837_set_lna_gain: 0, 8, 16, 24, 32 or 40 dB, anything else refused.
        unsigned char ok = index <= 40 && index % 8 == 0;
        if (ok) s->lna_db = index;
        return reply(data, length, &ok, 1);
    }
    case REQ_SET_VGA_GAIN: {
        if (!in) return LIBUSB_ERROR_PIPE;
        // max2837_set_vga_gain: even values 0..62 dB.
        unsigned char ok = index <= 62 && (index & 1) == 0;
        if (ok) s->vga_db = index;
        return reply(data, length, &ok, 1);
    }
    case REQ_SET_TXVGA_GAIN: {
        if (!in) return LIBUSB_ERROR_PIPE;
        unsigned char ok = index <= 47;
        if (ok) s->txvga_db = index;
        return reply(data, length, &ok, 1);
    }
    case REQ_ANTENNA_ENABLE:
        if (in || value > 1) return LIBUSB_ERROR_PIPE;
        s->antenna = value;
        return 0;
    case REQ_SET_HW_SYNC_MODE:
        if (in || value > 1) return LIBUSB_ERROR_PIPE;
        s->hw_sync = value;
        return 0;
    case REQ_OPERACAKE_GET_BOARDS: {
        if (!in) return LIBUSB_ERROR_PIPE;
        unsigned char none[8];
        memset(none, 0xff, sizeof none);   // HACKRF_OPERACAKE_ADDRESS_INVALID everywhere: no Opera Cake
        return reply(data, length, none, 8);
    }
    case REQ_RESET:
    case REQ_CLKOUT_ENABLE:
    case REQ_UI_ENABLE:
        return in ? LIBUSB_ERROR_PIPE : 0;
    case REQ_GET_CLKIN_STATUS: {
        if (!in) return LIBUSB_ERROR_PIPE;
        const unsigned char none = 0;
        return reply(data, length, &none, 1);
    }
    case REQ_BOARD_REV_READ: {
        if (!in) return LIBUSB_ERROR_PIPE;
        const unsigned char rev = 0x83;   // BOARD_REV_GSG_HACKRF1_R8
        return reply(data, length, &rev, 1);
    }
    case REQ_SUPPORTED_PLATFORM_READ: {
        if (!in) return LIBUSB_ERROR_PIPE;
        const unsigned char platforms[4] = {0, 0, 0, 0x0a};   // big-endian HACKRF1_OG | HACKRF1_R9
        return reply(data, length, platforms, 4);
    }
    default:
        return LIBUSB_ERROR_PIPE;
    }
}

static int streaming(shim_device *d) {
    return ((hackrf_state *)shim_state(d))->mode == MODE_RECEIVE;
}

static double byte_rate(shim_device *d) {
    hackrf_state *s = shim_state(d);
    return 2.0 * (double)s->rate_numerator / (double)s->rate_divider;
}

static void fill(shim_device *d, unsigned char *buffer, int length, uint64_t offset) {
    (void)d;
    shim_counter_pattern(buffer, length, offset);
}

const shim_model shim_model_hackrf_one = {
    .name = "hackrf",
    .vid = 0x1d50,
    .pid = 0x6089,
    .bcd_device = 0x0106,
    .bcd_usb = 0x0200,
    .speed = LIBUSB_SPEED_HIGH,
    .manufacturer = "Great Scott Gadgets",
    .product = "HackRF One",
    .default_serial = "0000000000000000a06063c8234e925f",
    .num_interfaces = 1,
    .bulk_in_endpoint = 0x81,
    .bulk_out_endpoint = 0x02,
    .state_size = sizeof(hackrf_state),
    .reset = reset,
    .control = control,
    .streaming = streaming,
    .byte_rate = byte_rate,
    .fill = fill,
};
