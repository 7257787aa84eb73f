#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hand-off between a USB radio's transfer completions (one producer thread) and the reader that
/// converts samples (one consumer): a byte ring allocated once, with overflow accounting.
///
/// When the reader falls behind and a completed transfer does not fit, the whole transfer is dropped
/// (never half of one), counted, and the position where the stream resumes is remembered, so the
/// reader's next block starts exactly there, is flagged `afterGap`, and carries its true stream offset
/// (dropped bytes included) — timing downstream stays right.
public final class ByteRing: @unchecked Sendable {
    public let capacity: Int
    private let storage: UnsafeMutableRawPointer
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()

    // Guarded by `mutex`. Positions count bytes written into / read out of the ring since the start.
    private var written: Int64 = 0
    private var read: Int64 = 0
    private var dropped: Int64 = 0
    private var overflows = 0
    private var ended: Bool = false
    // Gaps: (ring position where data resumes, total bytes dropped up to there), a fixed circular queue.
    private let gapPositions: UnsafeMutablePointer<Int64>
    private let gapDropped: UnsafeMutablePointer<Int64>
    private let gapCapacity = 1024
    private var gapHead = 0
    private var gapCount = 0
    private var pendingGap = false
    // Reader side: bytes dropped before `read`.
    private var droppedBeforeRead: Int64 = 0

    public init(capacity: Int) {
        precondition(capacity > 0 && capacity % 2 == 0, "ring capacity must be positive and even")
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 64)
        gapPositions = .allocate(capacity: gapCapacity)
        gapDropped = .allocate(capacity: gapCapacity)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }

    deinit {
        storage.deallocate()
        gapPositions.deallocate()
        gapDropped.deallocate()
        pthread_mutex_destroy(&mutex)
        pthread_cond_destroy(&cond)
    }

    /// Bytes dropped because the reader was too slow, and how many times that happened.
    public var overflow: (bytes: Int64, events: Int) {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return (dropped, overflows)
    }

    /// Producer: appends `count` bytes (even), or drops them all when they do not fit. Returns false
    /// when dropped. Never blocks and never allocates.
    @discardableResult
    public func write(_ source: UnsafeRawPointer, count: Int) -> Bool {
        pthread_mutex_lock(&mutex)
        let free = capacity - Int(written - read)
        guard count <= free else {
            dropped += Int64(count)
            overflows += 1
            pendingGap = true
            pthread_mutex_unlock(&mutex)
            return false
        }
        if pendingGap {
            pendingGap = false
            if gapCount < gapCapacity {
                let slot = (gapHead + gapCount) % gapCapacity
                gapPositions[slot] = written
                gapDropped[slot] = dropped
                gapCount += 1
            }
        }
        let start = Int(written % Int64(capacity))
        pthread_mutex_unlock(&mutex)
        // The region [start, start+count) is free and only this producer writes it.
        let first = min(count, capacity - start)
        (storage + start).copyMemory(from: source, byteCount: first)
        if first < count { storage.copyMemory(from: source + first, byteCount: count - first) }
        pthread_mutex_lock(&mutex)
        written += Int64(count)
        pthread_cond_signal(&cond)
        pthread_mutex_unlock(&mutex)
        return true
    }

    /// Producer: no more data will come (stream stopped or device gone); wakes the reader.
    public func finish() {
        pthread_mutex_lock(&mutex)
        ended = true
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
    }

    /// Empties the ring and its accounting for a new stream (no producer may be running).
    public func reset() {
        pthread_mutex_lock(&mutex)
        written = 0; read = 0; dropped = 0; overflows = 0; ended = false
        gapHead = 0; gapCount = 0; pendingGap = false; droppedBeforeRead = 0
        pthread_mutex_unlock(&mutex)
    }

    /// Consumer: throws away everything written so far (after a retune: those samples are at the old
    /// frequency). Returns the bytes discarded; the stream offset keeps counting them.
    @discardableResult
    public func discardPending() -> Int64 {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        let n = written - read
        // Gaps inside the discarded span no longer start a read; keep their dropped totals.
        while gapCount > 0 && gapPositions[gapHead] <= written {
            droppedBeforeRead = gapDropped[gapHead]
            gapHead = (gapHead + 1) % gapCapacity
            gapCount -= 1
        }
        read = written
        return n
    }

    public enum ReadResult: Equatable, Sendable {
        /// `bytes` were handed to the body; `streamOffset` is the stream byte index of the first (dropped
        /// bytes included); `afterGap` says bytes were dropped just before it.
        case data(bytes: Int, streamOffset: Int64, afterGap: Bool)
        case timedOut
        /// `finish()` was called and everything written has been read.
        case ended
    }

    /// Consumer: waits up to `timeout` seconds for data, then passes up to `maxBytes` (even) of it to
    /// `body` as one or two contiguous pieces (the ring wraps), and releases them. A read never spans a
    /// gap: data after dropped bytes starts a new read.
    public func read(maxBytes: Int, timeout: Double,
                     _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) -> ReadResult {
        pthread_mutex_lock(&mutex)
        if written == read && !ended {
            var deadline = timespec()
            clock_gettime(CLOCK_REALTIME, &deadline)
            let whole = Int(timeout)
            deadline.tv_sec += whole
            deadline.tv_nsec += Int((timeout - Double(whole)) * 1e9)
            if deadline.tv_nsec >= 1_000_000_000 { deadline.tv_sec += 1; deadline.tv_nsec -= 1_000_000_000 }
            while written == read && !ended {
                if pthread_cond_timedwait(&cond, &mutex, &deadline) == ETIMEDOUT { break }
            }
        }
        if written == read {
            let result: ReadResult = ended ? .ended : .timedOut
            pthread_mutex_unlock(&mutex)
            return result
        }
        var afterGap = false
        var limit = written
        if gapCount > 0 {
            if gapPositions[gapHead] == read {
                afterGap = true
                droppedBeforeRead = gapDropped[gapHead]
                gapHead = (gapHead + 1) % gapCapacity
                gapCount -= 1
            }
            if gapCount > 0 { limit = min(limit, gapPositions[gapHead]) }
        }
        let n = Int(min(Int64(maxBytes & ~1), limit - read))
        let start = Int(read % Int64(capacity))
        let offset = read + droppedBeforeRead
        pthread_mutex_unlock(&mutex)
        let first = min(n, capacity - start)
        body(UnsafeRawBufferPointer(start: storage + start, count: first),
             UnsafeRawBufferPointer(start: first < n ? storage : nil, count: n - first))
        pthread_mutex_lock(&mutex)
        read += Int64(n)
        pthread_mutex_unlock(&mutex)
        return .data(bytes: n, streamOffset: offset, afterGap: afterGap)
    }
}
