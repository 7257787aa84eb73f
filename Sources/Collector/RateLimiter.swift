import Foundation
import Synchronization

/// Per-sensor token bucket: each upload takes one token; a sensor holds at most `burst` tokens and
/// earns `ratePerSecond`. Time comes from the caller (the collector's injected clock).
public final class RateLimiter: Sendable {
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        /// Seconds until one token is available (0 when allowed).
        public var retryAfter: TimeInterval
    }

    public let ratePerSecond: Double
    public let burst: Double
    private struct Bucket { var tokens: Double; var updated: Date }
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Buckets kept before full ones (which say nothing a new bucket would not) are dropped, so keys
    /// chosen by a client (login names) cannot grow the table without bound.
    public let maxKeys: Int

    public init(ratePerSecond: Double, burst: Int, maxKeys: Int = 10_000) {
        self.ratePerSecond = max(ratePerSecond, 1e-6)
        self.burst = Double(max(burst, 1))
        self.maxKeys = max(maxKeys, 1)
    }

    public func take(_ key: String, now: Date, cost: Double = 1) -> Decision {
        buckets.withLock { buckets in
            if buckets.count >= maxKeys && buckets[key] == nil {
                buckets = buckets.filter { min(burst, $0.value.tokens + max(0, now.timeIntervalSince($0.value.updated)) * ratePerSecond) < burst }
            }
            var b = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = max(0, now.timeIntervalSince(b.updated))
            b.tokens = min(burst, b.tokens + elapsed * ratePerSecond)
            b.updated = now
            if b.tokens >= cost {
                b.tokens -= cost
                buckets[key] = b
                return Decision(allowed: true, retryAfter: 0)
            }
            buckets[key] = b
            return Decision(allowed: false, retryAfter: (cost - b.tokens) / ratePerSecond)
        }
    }
}
