// Recording libusb-1.0 stand-in (see shim.h). Written for Cellwatch's USB driver tests: the vendor
// tools and our own driver run against the same simulated devices, and both leave a transcript.
#define _GNU_SOURCE
#include "shim.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

// ---------------------------------------------------------------------------------------------
// Devices

#define MAX_DEVICES 8
#define MAX_PENDING 256

struct libusb_context { int unused; };

struct libusb_device {
    shim_device *shim;
};

struct shim_device {
    struct libusb_device usb;
    const shim_model *model;
    char serial[64];
    uint8_t bus, address;
    int present;                 // plugged in
    unsigned generation;         // bumped at every plug-in; handles of an older one are dead
    int configuration;
    int kernel_driver[8];
    unsigned char *state;
    uint64_t stream_offset;      // next stream byte
    uint64_t lifetime_bytes;     // bytes streamed since plug-in
    double stream_started;       // monotonic seconds at shim_stream_restart
    int unplugged_once;
    double gone_since;
};

struct libusb_device_handle {
    shim_device *dev;
    unsigned generation;
    unsigned claimed;
    int auto_detach;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static shim_device devices[MAX_DEVICES];
static int device_count = -1;
static struct libusb_context default_context;
static int interrupted;

static uint64_t unplug_after_bytes;
static long replug_after_ms = -1;
static int realtime;

static const shim_model *const shim_models[] = {
    &shim_model_hackrf_one,
    &shim_model_rtl2832u_r820t,
    &shim_model_rtl2832u_r828d,
    NULL,
};

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void *shim_state(shim_device *d) { return d->state; }
const char *shim_serial(shim_device *d) { return d->serial; }

void shim_stream_restart(shim_device *d) {
    d->stream_offset = 0;
    d->stream_started = now_seconds();
}

void shim_counter_pattern(unsigned char *buffer, int length, uint64_t offset) {
    for (int i = 0; i < length; i++) {
        uint64_t k = offset + (uint64_t)i;
        uint32_t word = (uint32_t)(k >> 2) * 2654435761u;
        buffer[i] = (unsigned char)(word >> (8 * (k & 3)));
    }
}

static void plug_in(shim_device *d) {
    d->present = 1;
    d->generation++;
    d->configuration = 1;
    memset(d->kernel_driver, 0, sizeof d->kernel_driver);
    const char *kd = getenv("USBSHIM_KERNEL_DRIVER");
    if (kd && strcmp(kd, "1") == 0) d->kernel_driver[0] = 1;
    memset(d->state, 0, d->model->state_size ? d->model->state_size : 1);
    d->stream_offset = 0;
    d->lifetime_bytes = 0;
    if (d->model->reset) d->model->reset(d);
}

// Called with mu held. Reads the environment once.
static void setup_devices(void) {
    if (device_count >= 0) return;
    device_count = 0;
    const char *env = getenv("USBSHIM_DEVICES");
    char spec[512];
    snprintf(spec, sizeof spec, "%s", env && *env ? env : "hackrf");
    char *save = NULL;
    for (char *item = strtok_r(spec, ",", &save); item && device_count < MAX_DEVICES;
         item = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(item, ':');
        if (colon) *colon = 0;
        if (strcmp(item, "none") == 0) continue;   // no device attached
        const shim_model *model = NULL;
        for (int m = 0; shim_models[m]; m++)
            if (strcmp(shim_models[m]->name, item) == 0) model = shim_models[m];
        if (!model) {
            fprintf(stderr, "usbshim: unknown device model '%s' in USBSHIM_DEVICES\n", item);
            continue;
        }
        shim_device *d = &devices[device_count];
        d->usb.shim = d;
        d->model = model;
        snprintf(d->serial, sizeof d->serial, "%s", colon ? colon + 1 : model->default_serial);
        d->bus = 1;
        d->address = (uint8_t)(4 + device_count);
        d->state = calloc(1, model->state_size ? model->state_size : 1);
        plug_in(d);
        device_count++;
    }
    const char *u = getenv("USBSHIM_UNPLUG_AFTER_BYTES");
    if (u) unplug_after_bytes = strtoull(u, NULL, 10);
    const char *r = getenv("USBSHIM_REPLUG_AFTER_MS");
    if (r) replug_after_ms = strtol(r, NULL, 10);
    const char *rt = getenv("USBSHIM_REALTIME");
    realtime = rt && strcmp(rt, "1") == 0;
}

// Called with mu held: brings unplugged devices back when their time has come.
static void check_replug(void) {
    for (int i = 0; i < device_count; i++) {
        shim_device *d = &devices[i];
        if (!d->present && replug_after_ms >= 0 &&
            (now_seconds() - d->gone_since) * 1000.0 >= (double)replug_after_ms) {
            plug_in(d);
            shim_note("replug %s", d->serial);
        }
    }
}

static int handle_alive(libusb_device_handle *h) {
    return h && h->dev->present && h->dev->generation == h->generation;
}

// A test runner's threads block most signals, and a child started from one inherits that mask.
// hackrf_transfer waits for SIGALRM (its once-a-second timer, or its own raise at the sample limit) with
// pause(): blocked, it would wait forever. Give every program under the shim the default mask.
__attribute__((constructor)) static void shim_unblock_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
}

// ---------------------------------------------------------------------------------------------
// Transcript

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -2;

static void log_line(const char *line) {
    pthread_mutex_lock(&log_mu);
    if (log_fd == -2) {
        const char *path = getenv("USBSHIM_TRANSCRIPT");
        log_fd = path && *path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
    }
    if (log_fd >= 0) {
        size_t n = strlen(line);
        ssize_t w = write(log_fd, line, n);
        (void)w;
    }
    pthread_mutex_unlock(&log_mu);
}

void shim_note(const char *format, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(line, sizeof line - 2, format, ap);
    va_end(ap);
    if (n < 0) return;
    if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
    line[n] = '\n';
    line[n + 1] = 0;
    log_line(line);
}

static void log_control(uint8_t rt, uint8_t req, uint16_t value, uint16_t index, const unsigned char *data,
                        int length, int result) {
    // ctrl <bmRequestType> <bRequest> <wValue> <wIndex> <wLength> <data hex> -> <result>
    char line[8192];
    int n = snprintf(line, sizeof line, "ctrl %02x %02x %04x %04x %u ", rt, req, value, index, (unsigned)length);
    int shown = (rt & LIBUSB_ENDPOINT_IN) ? (result > 0 ? result : 0) : length;
    if (!data) shown = 0;
    if (shown == 0) n += snprintf(line + n, sizeof line - (size_t)n, "-");
    for (int i = 0; i < shown && n < (int)sizeof line - 40; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, "%02x", data[i]);
    snprintf(line + n, sizeof line - (size_t)n, " -> %d\n", result);
    log_line(line);
}

// ---------------------------------------------------------------------------------------------
// Library, enumeration, descriptors

int LIBUSB_CALL libusb_init(libusb_context **ctx) {
    pthread_mutex_lock(&mu);
    setup_devices();
    pthread_mutex_unlock(&mu);
    if (ctx) *ctx = calloc(1, sizeof(libusb_context));
    shim_note("init");
    return 0;
}

void LIBUSB_CALL libusb_exit(libusb_context *ctx) {
    shim_note("exit");
    if (ctx && ctx != &default_context) free(ctx);
}

int LIBUSB_CALL libusb_set_option(libusb_context *ctx, enum libusb_option option, ...) {
    (void)ctx; (void)option;
    return 0;
}

void LIBUSB_CALL libusb_set_debug(libusb_context *ctx, int level) { (void)ctx; (void)level; }

const struct libusb_version *LIBUSB_CALL libusb_get_version(void) {
    static const struct libusb_version v = {1, 0, 26, 0, "-usbshim", "https://cellwatch.invalid/usbshim"};
    return &v;
}

int LIBUSB_CALL libusb_has_capability(uint32_t capability) {
    return capability == LIBUSB_CAP_HAS_CAPABILITY || capability == LIBUSB_CAP_SUPPORTS_DETACH_KERNEL_DRIVER;
}

const char *LIBUSB_CALL libusb_error_name(int code) {
    switch (code) {
    case LIBUSB_SUCCESS: return "LIBUSB_SUCCESS";
    case LIBUSB_ERROR_IO: return "LIBUSB_ERROR_IO";
    case LIBUSB_ERROR_INVALID_PARAM: return "LIBUSB_ERROR_INVALID_PARAM";
    case LIBUSB_ERROR_ACCESS: return "LIBUSB_ERROR_ACCESS";
    case LIBUSB_ERROR_NO_DEVICE: return "LIBUSB_ERROR_NO_DEVICE";
    case LIBUSB_ERROR_NOT_FOUND: return "LIBUSB_ERROR_NOT_FOUND";
    case LIBUSB_ERROR_BUSY: return "LIBUSB_ERROR_BUSY";
    case LIBUSB_ERROR_TIMEOUT: return "LIBUSB_ERROR_TIMEOUT";
    case LIBUSB_ERROR_OVERFLOW: return "LIBUSB_ERROR_OVERFLOW";
    case LIBUSB_ERROR_PIPE: return "LIBUSB_ERROR_PIPE";
    case LIBUSB_ERROR_INTERRUPTED: return "LIBUSB_ERROR_INTERRUPTED";
    case LIBUSB_ERROR_NO_MEM: return "LIBUSB_ERROR_NO_MEM";
    case LIBUSB_ERROR_NOT_SUPPORTED: return "LIBUSB_ERROR_NOT_SUPPORTED";
    default: return "LIBUSB_ERROR_OTHER";
    }
}

const char *LIBUSB_CALL libusb_strerror(int code) {
    switch (code) {
    case LIBUSB_SUCCESS: return "Success";
    case LIBUSB_ERROR_IO: return "Input/Output Error";
    case LIBUSB_ERROR_INVALID_PARAM: return "Invalid parameter";
    case LIBUSB_ERROR_ACCESS: return "Access denied (insufficient permissions)";
    case LIBUSB_ERROR_NO_DEVICE: return "No such device (it may have been disconnected)";
    case LIBUSB_ERROR_NOT_FOUND: return "Entity not found";
    case LIBUSB_ERROR_BUSY: return "Resource busy";
    case LIBUSB_ERROR_TIMEOUT: return "Operation timed out";
    case LIBUSB_ERROR_OVERFLOW: return "Overflow";
    case LIBUSB_ERROR_PIPE: return "Pipe error";
    case LIBUSB_ERROR_INTERRUPTED: return "System call interrupted (perhaps due to signal)";
    case LIBUSB_ERROR_NO_MEM: return "Insufficient memory";
    case LIBUSB_ERROR_NOT_SUPPORTED: return "Operation not supported or unimplemented on this platform";
    default: return "Other error";
    }
}

ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list) {
    (void)ctx;
    pthread_mutex_lock(&mu);
    setup_devices();
    check_replug();
    libusb_device **out = calloc((size_t)device_count + 1, sizeof *out);
    ssize_t n = 0;
    for (int i = 0; i < device_count; i++)
        if (devices[i].present) out[n++] = &devices[i].usb;
    pthread_mutex_unlock(&mu);
    *list = out;
    return n;
}

void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref_devices) {
    (void)unref_devices;
    free(list);
}

libusb_device *LIBUSB_CALL libusb_ref_device(libusb_device *dev) { return dev; }
void LIBUSB_CALL libusb_unref_device(libusb_device *dev) { (void)dev; }

uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev) { return dev->shim->bus; }
uint8_t LIBUSB_CALL libusb_get_device_address(libusb_device *dev) { return dev->shim->address; }
uint8_t LIBUSB_CALL libusb_get_port_number(libusb_device *dev) { return dev->shim->address; }
int LIBUSB_CALL libusb_get_port_numbers(libusb_device *dev, uint8_t *ports, int len) {
    if (len < 1) return LIBUSB_ERROR_OVERFLOW;
    ports[0] = dev->shim->address;
    return 1;
}
int LIBUSB_CALL libusb_get_device_speed(libusb_device *dev) { return dev->shim->model->speed; }
libusb_device *LIBUSB_CALL libusb_get_parent(libusb_device *dev) { (void)dev; return NULL; }

int LIBUSB_CALL libusb_get_max_packet_size(libusb_device *dev, unsigned char endpoint) {
    (void)endpoint;
    return dev->shim->model->speed >= LIBUSB_SPEED_HIGH ? 512 : 64;
}

int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *desc) {
    const shim_model *m = dev->shim->model;
    memset(desc, 0, sizeof *desc);
    desc->bLength = LIBUSB_DT_DEVICE_SIZE;
    desc->bDescriptorType = LIBUSB_DT_DEVICE;
    desc->bcdUSB = m->bcd_usb;
    desc->bDeviceClass = 0;
    desc->bMaxPacketSize0 = 64;
    desc->idVendor = m->vid;
    desc->idProduct = m->pid;
    desc->bcdDevice = m->bcd_device;
    desc->iManufacturer = 1;
    desc->iProduct = 2;
    desc->iSerialNumber = 3;
    desc->bNumConfigurations = 1;
    return 0;
}

static struct libusb_config_descriptor *make_config(const shim_model *m) {
    struct libusb_config_descriptor *c = calloc(1, sizeof *c);
    c->bLength = LIBUSB_DT_CONFIG_SIZE;
    c->bDescriptorType = LIBUSB_DT_CONFIG;
    c->bNumInterfaces = m->num_interfaces;
    c->bConfigurationValue = 1;
    c->bmAttributes = 0x80;
    c->MaxPower = 250;
    struct libusb_interface *ifs = calloc(m->num_interfaces, sizeof *ifs);
    for (int i = 0; i < m->num_interfaces; i++) {
        struct libusb_interface_descriptor *alt = calloc(1, sizeof *alt);
        alt->bLength = LIBUSB_DT_INTERFACE_SIZE;
        alt->bDescriptorType = LIBUSB_DT_INTERFACE;
        alt->bInterfaceNumber = (uint8_t)i;
        alt->bInterfaceClass = LIBUSB_CLASS_VENDOR_SPEC;
        if (i == 0) {
            int n = (m->bulk_in_endpoint ? 1 : 0) + (m->bulk_out_endpoint ? 1 : 0);
            struct libusb_endpoint_descriptor *eps = calloc((size_t)n + 1, sizeof *eps);
            int k = 0;
            if (m->bulk_in_endpoint) {
                eps[k].bLength = LIBUSB_DT_ENDPOINT_SIZE;
                eps[k].bDescriptorType = LIBUSB_DT_ENDPOINT;
                eps[k].bEndpointAddress = m->bulk_in_endpoint;
                eps[k].bmAttributes = LIBUSB_TRANSFER_TYPE_BULK;
                eps[k].wMaxPacketSize = 512;
                k++;
            }
            if (m->bulk_out_endpoint) {
                eps[k].bLength = LIBUSB_DT_ENDPOINT_SIZE;
                eps[k].bDescriptorType = LIBUSB_DT_ENDPOINT;
                eps[k].bEndpointAddress = m->bulk_out_endpoint;
                eps[k].bmAttributes = LIBUSB_TRANSFER_TYPE_BULK;
                eps[k].wMaxPacketSize = 512;
                k++;
            }
            alt->bNumEndpoints = (uint8_t)k;
            alt->endpoint = eps;
        }
        ifs[i].altsetting = alt;
        ifs[i].num_altsetting = 1;
    }
    c->interface = ifs;
    return c;
}

int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device *dev, struct libusb_config_descriptor **config) {
    *config = make_config(dev->shim->model);
    return 0;
}

int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *dev, uint8_t index, struct libusb_config_descriptor **config) {
    if (index != 0) return LIBUSB_ERROR_NOT_FOUND;
    *config = make_config(dev->shim->model);
    return 0;
}

void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *config) {
    if (!config) return;
    for (int i = 0; i < config->bNumInterfaces; i++) {
        struct libusb_interface_descriptor *alt = (struct libusb_interface_descriptor *)config->interface[i].altsetting;
        free((void *)alt->endpoint);
        free(alt);
    }
    free((void *)config->interface);
    free(config);
}

// ---------------------------------------------------------------------------------------------
// Open, close, configuration, interfaces

int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **handle) {
    const char *err = getenv("USBSHIM_OPEN_ERROR");
    if (err && strcmp(err, "access") == 0) {
        shim_note("open %s -> %d", dev->shim->serial, LIBUSB_ERROR_ACCESS);
        return LIBUSB_ERROR_ACCESS;
    }
    pthread_mutex_lock(&mu);
    int alive = dev->shim->present;
    pthread_mutex_unlock(&mu);
    if (!alive) return LIBUSB_ERROR_NO_DEVICE;
    libusb_device_handle *h = calloc(1, sizeof *h);
    h->dev = dev->shim;
    h->generation = dev->shim->generation;
    *handle = h;
    shim_note("open");
    return 0;
}

libusb_device_handle *LIBUSB_CALL libusb_open_device_with_vid_pid(libusb_context *ctx, uint16_t vid, uint16_t pid) {
    (void)ctx;
    pthread_mutex_lock(&mu);
    setup_devices();
    check_replug();
    shim_device *found = NULL;
    for (int i = 0; i < device_count && !found; i++)
        if (devices[i].present && devices[i].model->vid == vid && devices[i].model->pid == pid) found = &devices[i];
    pthread_mutex_unlock(&mu);
    if (!found) return NULL;
    libusb_device_handle *h = NULL;
    if (libusb_open(&found->usb, &h) != 0) return NULL;
    return h;
}

void LIBUSB_CALL libusb_close(libusb_device_handle *handle) {
    if (!handle) return;
    shim_note("close");
    free(handle);
}

libusb_device *LIBUSB_CALL libusb_get_device(libusb_device_handle *handle) { return &handle->dev->usb; }

int LIBUSB_CALL libusb_get_configuration(libusb_device_handle *h, int *config) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    *config = h->dev->configuration;
    return 0;
}

int LIBUSB_CALL libusb_set_configuration(libusb_device_handle *h, int config) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    shim_note("set_configuration %d", config);
    if (config != 1 && config != -1) return LIBUSB_ERROR_NOT_FOUND;
    if (h->claimed) return LIBUSB_ERROR_BUSY;
    h->dev->configuration = config == -1 ? 0 : config;
    return 0;
}

int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *h, int iface) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    shim_note("claim_interface %d", iface);
    if (iface < 0 || iface >= h->dev->model->num_interfaces) return LIBUSB_ERROR_NOT_FOUND;
    if (h->dev->kernel_driver[iface]) {
        if (!h->auto_detach) return LIBUSB_ERROR_BUSY;
        h->dev->kernel_driver[iface] = 0;
        shim_note("auto_detach_kernel_driver %d", iface);
    }
    h->claimed |= 1u << iface;
    return 0;
}

int LIBUSB_CALL libusb_release_interface(libusb_device_handle *h, int iface) {
    shim_note("release_interface %d", iface);
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    if (!(h->claimed & (1u << iface))) return LIBUSB_ERROR_NOT_FOUND;
    h->claimed &= ~(1u << iface);
    return 0;
}

int LIBUSB_CALL libusb_set_interface_alt_setting(libusb_device_handle *h, int iface, int alt) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    shim_note("set_interface_alt_setting %d %d", iface, alt);
    if (!(h->claimed & (1u << iface)) || alt != 0) return LIBUSB_ERROR_NOT_FOUND;
    return 0;
}

int LIBUSB_CALL libusb_clear_halt(libusb_device_handle *h, unsigned char endpoint) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    shim_note("clear_halt %02x", endpoint);
    return 0;
}

int LIBUSB_CALL libusb_reset_device(libusb_device_handle *h) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    shim_note("reset_device");
    return 0;
}

int LIBUSB_CALL libusb_kernel_driver_active(libusb_device_handle *h, int iface) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    if (iface < 0 || iface >= 8) return LIBUSB_ERROR_NOT_FOUND;
    return h->dev->kernel_driver[iface];
}

int LIBUSB_CALL libusb_detach_kernel_driver(libusb_device_handle *h, int iface) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    shim_note("detach_kernel_driver %d", iface);
    if (iface < 0 || iface >= 8 || !h->dev->kernel_driver[iface]) return LIBUSB_ERROR_NOT_FOUND;
    h->dev->kernel_driver[iface] = 0;
    return 0;
}

int LIBUSB_CALL libusb_attach_kernel_driver(libusb_device_handle *h, int iface) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    shim_note("attach_kernel_driver %d", iface);
    return LIBUSB_ERROR_NOT_FOUND;
}

int LIBUSB_CALL libusb_set_auto_detach_kernel_driver(libusb_device_handle *h, int enable) {
    h->auto_detach = enable;
    return 0;
}

int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t index, unsigned char *data, int length) {
    if (!handle_alive(h)) return LIBUSB_ERROR_NO_DEVICE;
    shim_note("string %u", index);
    const shim_model *m = h->dev->model;
    const char *s = index == 1 ? m->manufacturer : index == 2 ? m->product : index == 3 ? h->dev->serial : NULL;
    if (!s) return LIBUSB_ERROR_PIPE;
    int n = (int)strlen(s);
    if (n > length - 1) n = length - 1;
    if (n < 0) return LIBUSB_ERROR_INVALID_PARAM;
    memcpy(data, s, (size_t)n);
    data[n] = 0;
    return n;
}

// ---------------------------------------------------------------------------------------------
// Control transfers

int LIBUSB_CALL libusb_control_transfer(libusb_device_handle *h, uint8_t rt, uint8_t req, uint16_t value,
                                        uint16_t index, unsigned char *data, uint16_t length, unsigned int timeout) {
    (void)timeout;
    pthread_mutex_lock(&mu);
    int result;
    if (!handle_alive(h)) {
        result = LIBUSB_ERROR_NO_DEVICE;
    } else {
        result = h->dev->model->control(h->dev, rt, req, value, index, data, length);
    }
    pthread_mutex_unlock(&mu);
    log_control(rt, req, value, index, data, length, result);
    return result;
}

// ---------------------------------------------------------------------------------------------
// Bulk streaming: asynchronous transfers and the event loop

typedef struct {
    struct libusb_transfer *transfer;
    int cancelled;
} pending_entry;

static pending_entry pending[MAX_PENDING];
static int pending_count;

// Zero-copy (kernel-mapped) buffers: not offered, as on kernels without usbfs mmap; callers fall back
// to their own buffers (librtlsdr does).
unsigned char *LIBUSB_CALL libusb_dev_mem_alloc(libusb_device_handle *h, size_t length) {
    (void)h; (void)length;
    return NULL;
}

int LIBUSB_CALL libusb_dev_mem_free(libusb_device_handle *h, unsigned char *buffer, size_t length) {
    (void)h; (void)buffer; (void)length;
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

struct libusb_transfer *LIBUSB_CALL libusb_alloc_transfer(int iso_packets) {
    size_t size = sizeof(struct libusb_transfer) + (size_t)(iso_packets > 0 ? iso_packets : 0) *
                  sizeof(struct libusb_iso_packet_descriptor);
    struct libusb_transfer *t = calloc(1, size);
    if (t) t->num_iso_packets = iso_packets;
    return t;
}

void LIBUSB_CALL libusb_free_transfer(struct libusb_transfer *t) {
    if (!t) return;
    if ((t->flags & LIBUSB_TRANSFER_FREE_BUFFER) && t->buffer) free(t->buffer);
    free(t);
}

int LIBUSB_CALL libusb_submit_transfer(struct libusb_transfer *t) {
    pthread_mutex_lock(&mu);
    int result = 0;
    if (!handle_alive(t->dev_handle)) {
        result = LIBUSB_ERROR_NO_DEVICE;
    } else if (pending_count >= MAX_PENDING) {
        result = LIBUSB_ERROR_NO_MEM;
    } else {
        for (int i = 0; i < pending_count; i++)
            if (pending[i].transfer == t) result = LIBUSB_ERROR_BUSY;
        if (result == 0) {
            pending[pending_count].transfer = t;
            pending[pending_count].cancelled = 0;
            pending_count++;
            pthread_cond_broadcast(&cv);
        }
    }
    pthread_mutex_unlock(&mu);
    return result;
}

int LIBUSB_CALL libusb_cancel_transfer(struct libusb_transfer *t) {
    pthread_mutex_lock(&mu);
    int result = LIBUSB_ERROR_NOT_FOUND;
    for (int i = 0; i < pending_count; i++) {
        if (pending[i].transfer == t && !pending[i].cancelled) {
            pending[i].cancelled = 1;
            result = 0;
        }
    }
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    return result;
}

static void unplug(shim_device *d) {
    d->present = 0;
    d->unplugged_once = 1;
    d->gone_since = now_seconds();
    shim_note("unplug %s", d->serial);
}

// With mu held: whether the transfer can finish now; sets its status and data if so. `wait` receives
// the seconds until a paced transfer will be ready.
static int try_complete(pending_entry *e, double *wait) {
    struct libusb_transfer *t = e->transfer;
    libusb_device_handle *h = t->dev_handle;
    if (e->cancelled) {
        t->status = LIBUSB_TRANSFER_CANCELLED;
        t->actual_length = 0;
        return 1;
    }
    if (!handle_alive(h)) {
        t->status = LIBUSB_TRANSFER_NO_DEVICE;
        t->actual_length = 0;
        return 1;
    }
    shim_device *d = h->dev;
    const shim_model *m = d->model;
    if (t->type == LIBUSB_TRANSFER_TYPE_CONTROL) {
        struct libusb_control_setup *s = (struct libusb_control_setup *)t->buffer;
        int r = m->control(d, s->bmRequestType, s->bRequest, libusb_le16_to_cpu(s->wValue),
                           libusb_le16_to_cpu(s->wIndex), t->buffer + LIBUSB_CONTROL_SETUP_SIZE,
                           libusb_le16_to_cpu(s->wLength));
        t->status = r >= 0 ? LIBUSB_TRANSFER_COMPLETED : LIBUSB_TRANSFER_STALL;
        t->actual_length = r >= 0 ? r : 0;
        return 1;
    }
    if (t->endpoint == m->bulk_out_endpoint && m->bulk_out_endpoint) {
        t->status = LIBUSB_TRANSFER_COMPLETED;
        t->actual_length = t->length;
        return 1;
    }
    if (t->endpoint != m->bulk_in_endpoint) {
        t->status = LIBUSB_TRANSFER_STALL;
        t->actual_length = 0;
        return 1;
    }
    if (!m->streaming(d)) return 0;
    if (realtime && m->byte_rate) {
        double rate = m->byte_rate(d);
        double due = d->stream_started + (double)(d->stream_offset + (uint64_t)t->length) / rate;
        double now = now_seconds();
        if (due > now) {
            if (due - now < *wait) *wait = due - now;
            return 0;
        }
    }
    if (unplug_after_bytes && !d->unplugged_once && d->lifetime_bytes + (uint64_t)t->length > unplug_after_bytes) {
        unplug(d);
        t->status = LIBUSB_TRANSFER_NO_DEVICE;
        t->actual_length = 0;
        return 1;
    }
    m->fill(d, t->buffer, t->length, d->stream_offset);
    d->stream_offset += (uint64_t)t->length;
    d->lifetime_bytes += (uint64_t)t->length;
    t->status = LIBUSB_TRANSFER_COMPLETED;
    t->actual_length = t->length;
    return 1;
}

int LIBUSB_CALL libusb_handle_events_timeout_completed(libusb_context *ctx, struct timeval *tv, int *completed) {
    (void)ctx;
    double limit = tv ? (double)tv->tv_sec + (double)tv->tv_usec * 1e-6 : 60.0;
    double deadline = now_seconds() + limit;
    struct libusb_transfer *done[MAX_PENDING];
    int ndone = 0;
    pthread_mutex_lock(&mu);
    check_replug();
    for (;;) {
        double wait = deadline - now_seconds();
        int keep = 0;
        for (int i = 0; i < pending_count; i++) {
            if (try_complete(&pending[i], &wait)) {
                done[ndone++] = pending[i].transfer;
            } else {
                pending[keep++] = pending[i];
            }
        }
        pending_count = keep;
        if (ndone > 0) break;
        if (interrupted) { interrupted = 0; break; }
        if (completed && *completed) break;
        if (wait <= 0) break;
        double until = now_seconds() + wait;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        (void)ts;
        // The condition variable uses CLOCK_REALTIME; convert the wait to an absolute realtime.
        struct timespec abs;
        clock_gettime(CLOCK_REALTIME, &abs);
        double secs = (double)abs.tv_sec + (double)abs.tv_nsec * 1e-9 + (until - now_seconds());
        abs.tv_sec = (time_t)secs;
        abs.tv_nsec = (long)((secs - (double)abs.tv_sec) * 1e9);
        pthread_cond_timedwait(&cv, &mu, &abs);
        if (now_seconds() >= deadline && pending_count == 0) break;
    }
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < ndone; i++)
        if (done[i]->callback) done[i]->callback(done[i]);
    return 0;
}

int LIBUSB_CALL libusb_handle_events_timeout(libusb_context *ctx, struct timeval *tv) {
    return libusb_handle_events_timeout_completed(ctx, tv, NULL);
}

int LIBUSB_CALL libusb_handle_events(libusb_context *ctx) {
    struct timeval tv = {60, 0};
    return libusb_handle_events_timeout_completed(ctx, &tv, NULL);
}

int LIBUSB_CALL libusb_handle_events_completed(libusb_context *ctx, int *completed) {
    struct timeval tv = {60, 0};
    return libusb_handle_events_timeout_completed(ctx, &tv, completed);
}

void LIBUSB_CALL libusb_interrupt_event_handler(libusb_context *ctx) {
    (void)ctx;
    pthread_mutex_lock(&mu);
    interrupted = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

int LIBUSB_CALL libusb_bulk_transfer(libusb_device_handle *h, unsigned char endpoint, unsigned char *data, int length,
                                     int *transferred, unsigned int timeout) {
    double deadline = now_seconds() + (timeout ? timeout / 1000.0 : 3600.0);
    if (transferred) *transferred = 0;
    for (;;) {
        pthread_mutex_lock(&mu);
        if (!handle_alive(h)) { pthread_mutex_unlock(&mu); return LIBUSB_ERROR_NO_DEVICE; }
        struct libusb_transfer t;
        memset(&t, 0, sizeof t);
        t.dev_handle = h;
        t.endpoint = endpoint;
        t.type = LIBUSB_TRANSFER_TYPE_BULK;
        t.buffer = data;
        t.length = length;
        pending_entry e = {&t, 0};
        double wait = deadline - now_seconds();
        int ok = try_complete(&e, &wait);
        pthread_mutex_unlock(&mu);
        if (ok) {
            if (transferred) *transferred = t.actual_length;
            return t.status == LIBUSB_TRANSFER_COMPLETED ? 0
                 : t.status == LIBUSB_TRANSFER_NO_DEVICE ? LIBUSB_ERROR_NO_DEVICE : LIBUSB_ERROR_PIPE;
        }
        if (now_seconds() >= deadline) return LIBUSB_ERROR_TIMEOUT;
        usleep(wait > 0 && wait < 0.01 ? (useconds_t)(wait * 1e6) : 1000);
    }
}
