import CLibUSB
import Radio
#if canImport(Glibc)
import Glibc
#endif

/// Asynchronous bulk IN streaming: a fixed set of libusb transfers, allocated once with their buffers,
/// kept in flight by an event thread; each completion is copied into the `ByteRing` (or dropped and
/// counted when the reader is behind) and the transfer resubmitted. No allocation per transfer.
final class BulkStream: @unchecked Sendable {
    let ring: ByteRing
    private let context: OpaquePointer
    private let handle: OpaquePointer
    private let endpoint: UInt8
    private let transferCount: Int
    private let transferSize: Int
    private let transfers: UnsafeMutablePointer<UnsafeMutablePointer<libusb_transfer>?>
    private let buffers: UnsafeMutableRawPointer

    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    // Guarded by `mutex`.
    private var active = 0
    private var running = false
    // The `completed` flag libusb's event loop watches; a pointer so the event thread and `stop()` share it.
    private let stopEvents: UnsafeMutablePointer<Int32>
    private var failure: String? // what ended the stream, when not a stop or an unplug
    private var gone = false
    private var thread: pthread_t?

    init(context: OpaquePointer, handle: OpaquePointer, endpoint: UInt8, transferCount: Int, transferSize: Int,
         ringBytes: Int) {
        precondition(transferSize % 512 == 0, "bulk transfers are whole 512-byte packets")
        self.context = context
        self.handle = handle
        self.endpoint = endpoint
        self.transferCount = transferCount
        self.transferSize = transferSize
        ring = ByteRing(capacity: ringBytes)
        transfers = .allocate(capacity: transferCount)
        buffers = .allocate(byteCount: transferCount * transferSize, alignment: 4096)
        stopEvents = .allocate(capacity: 1)
        stopEvents.initialize(to: 0)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
        for i in 0..<transferCount {
            transfers[i] = libusb_alloc_transfer(0)
        }
    }

    deinit {
        stop()
        for i in 0..<transferCount { libusb_free_transfer(transfers[i]) }
        transfers.deallocate()
        buffers.deallocate()
        stopEvents.deallocate()
        pthread_mutex_destroy(&mutex)
        pthread_cond_destroy(&cond)
    }

    var isGone: Bool {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return gone
    }

    var failureReason: String? {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return failure
    }

    /// Submits every transfer and starts the event thread. Returns a libusb error code, 0 on success.
    func start() -> Int32 {
        ring.reset()
        pthread_mutex_lock(&mutex)
        failure = nil
        gone = false
        running = true
        stopEvents.pointee = 0
        pthread_mutex_unlock(&mutex)
        let me = Unmanaged.passUnretained(self).toOpaque()
        for i in 0..<transferCount {
            guard let t = transfers[i] else { return Int32(LIBUSB_ERROR_NO_MEM.rawValue) }
            t.pointee.dev_handle = handle
            t.pointee.endpoint = endpoint
            t.pointee.type = UInt8(LIBUSB_TRANSFER_TYPE_BULK.rawValue)
            t.pointee.timeout = 0
            t.pointee.buffer = (buffers + i * transferSize).assumingMemoryBound(to: UInt8.self)
            t.pointee.length = Int32(transferSize)
            t.pointee.user_data = me
            t.pointee.callback = bulkStreamCallback
            pthread_mutex_lock(&mutex)
            let r = libusb_submit_transfer(t)
            if r == 0 { active += 1 }
            pthread_mutex_unlock(&mutex)
            if r != 0 {
                stop()
                return r
            }
        }
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let stream = Unmanaged<BulkStream>.fromOpaque(arg!).takeUnretainedValue()
            stream.eventLoop()
            return nil
        }, me)
        if rc != 0 {
            stop()
            return Int32(LIBUSB_ERROR_OTHER.rawValue)
        }
        pthread_mutex_lock(&mutex)
        thread = tid
        pthread_mutex_unlock(&mutex)
        return 0
    }

    private func eventLoop() {
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        while true {
            pthread_mutex_lock(&mutex)
            let quit = stopEvents.pointee != 0 && active == 0
            pthread_mutex_unlock(&mutex)
            if quit { break }
            // Not passing `stopEvents` as the completed flag: libusb returns at once when it is set, and
            // the cancelled transfers would then never be handed back.
            _ = libusb_handle_events_timeout_completed(context, &tv, nil)
        }
    }

    /// Cancels the transfers, waits until libusb has handed every one back, and ends the event thread.
    func stop() {
        pthread_mutex_lock(&mutex)
        running = false
        let t = thread
        pthread_mutex_unlock(&mutex)
        for i in 0..<transferCount {
            if let tr = transfers[i] { _ = libusb_cancel_transfer(tr) }
        }
        if let t {
            pthread_mutex_lock(&mutex)
            stopEvents.pointee = 1
            pthread_mutex_unlock(&mutex)
            libusb_interrupt_event_handler(context)
            pthread_join(t, nil)
            pthread_mutex_lock(&mutex)
            thread = nil
            pthread_mutex_unlock(&mutex)
        } else {
            // Never started its thread: drain cancellations here.
            var tv = timeval(tv_sec: 0, tv_usec: 100_000)
            var spins = 0
            while spins < 50 {
                pthread_mutex_lock(&mutex)
                let left = active
                pthread_mutex_unlock(&mutex)
                if left == 0 { break }
                _ = libusb_handle_events_timeout_completed(context, &tv, nil)
                spins += 1
            }
        }
        ring.finish()
    }

    fileprivate func completed(_ t: UnsafeMutablePointer<libusb_transfer>) {
        let status = t.pointee.status
        if status == LIBUSB_TRANSFER_COMPLETED {
            let n = Int(t.pointee.actual_length)
            if n > 0 { ring.write(UnsafeRawPointer(t.pointee.buffer), count: n & ~1) }
            pthread_mutex_lock(&mutex)
            if running {
                let r = libusb_submit_transfer(t)
                if r != 0 {
                    active -= 1
                    if r == Int32(LIBUSB_ERROR_NO_DEVICE.rawValue) { gone = true } else {
                        failure = "resubmitting a transfer failed: \(USBRadioError.libusbName(r))"
                    }
                    running = false
                }
            } else {
                active -= 1
            }
            let ended = !running
            pthread_mutex_unlock(&mutex)
            if ended { ring.finish() }
            return
        }
        pthread_mutex_lock(&mutex)
        active -= 1
        if status == LIBUSB_TRANSFER_NO_DEVICE {
            gone = true
            running = false
        } else if status != LIBUSB_TRANSFER_CANCELLED {
            failure = "a bulk transfer ended with status \(transferStatusName(status))"
            running = false
        }
        let ended = !running
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
        if ended { ring.finish() }
    }
}

private func bulkStreamCallback(_ t: UnsafeMutablePointer<libusb_transfer>?) {
    guard let t, let ctx = t.pointee.user_data else { return }
    Unmanaged<BulkStream>.fromOpaque(ctx).takeUnretainedValue().completed(t)
}

func transferStatusName(_ s: libusb_transfer_status) -> String {
    switch s {
    case LIBUSB_TRANSFER_COMPLETED: "completed"
    case LIBUSB_TRANSFER_ERROR: "error"
    case LIBUSB_TRANSFER_TIMED_OUT: "timed out"
    case LIBUSB_TRANSFER_CANCELLED: "cancelled"
    case LIBUSB_TRANSFER_STALL: "stall"
    case LIBUSB_TRANSFER_NO_DEVICE: "no device"
    case LIBUSB_TRANSFER_OVERFLOW: "overflow"
    default: "status \(s.rawValue)"
    }
}
