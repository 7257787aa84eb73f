import CellwatchModel
import Foundation
import Synchronization

/// One change of an alert, as the live stream carries it.
public struct AlertEvent: Sendable, Hashable {
    /// Monotonic per collector process; the SSE `id:` (clients resend it as `Last-Event-ID`).
    public var id: Int
    /// "created", "updated", "moved", "acknowledged", "dispatched", "resolved".
    public var kind: String
    public var alert: AlertRecord
    /// Made on another collector instance of the same database and relayed here (PostgreSQL
    /// fan-out); webhooks leave those to the instance where the change happened.
    public var fromOtherInstance: Bool = false
}

/// Fan-out of alert changes to live subscribers (SSE), with a short replay buffer so a client that
/// reconnects with `Last-Event-ID` misses nothing recent.
public final class AlertHub: Sendable {
    public enum Item: Sendable {
        case event(AlertEvent)
        case heartbeat
    }

    private struct State {
        var nextID = 1
        var recent: [AlertEvent] = []
        var subscribers: [Int: AsyncStream<Item>.Continuation] = [:]
        var nextSubscriber = 0
    }
    private let state = Mutex(State())
    private let replayLimit: Int
    /// Passes each change published here on to the other collector instances (PostgreSQL fleets).
    private let relay: (@Sendable (AlertEvent) -> Void)?

    public init(replayLimit: Int = 256, relay: (@Sendable (AlertEvent) -> Void)? = nil) {
        self.replayLimit = replayLimit
        self.relay = relay
    }

    /// Sends `alert` to this hub's subscribers and, when `relay` is true (a change made on this
    /// instance), to the other instances; a change that came from another instance passes false.
    @discardableResult
    public func publish(_ alert: AlertRecord, kind: String, relay: Bool = true) -> AlertEvent {
        let e = state.withLock { s in
            let e = AlertEvent(id: s.nextID, kind: kind, alert: alert, fromOtherInstance: !relay)
            s.nextID += 1
            s.recent.append(e)
            if s.recent.count > replayLimit { s.recent.removeFirst(s.recent.count - replayLimit) }
            for c in s.subscribers.values { c.yield(.event(e)) }
            return e
        }
        if relay { self.relay?(e) }
        return e
    }

    /// A stream of events after `lastEventID` (the replayed ones first), then live ones.
    public func subscribe(after lastEventID: Int?) -> (id: Int, stream: AsyncStream<Item>) {
        let (stream, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id = state.withLock { s in
            let id = s.nextSubscriber
            s.nextSubscriber += 1
            if let lastEventID {
                for e in s.recent where e.id > lastEventID { continuation.yield(.event(e)) }
            }
            s.subscribers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return (id, stream)
    }

    /// Sends one subscriber a heartbeat (its stream writes a comment, which also detects a gone client).
    public func heartbeat(_ subscriber: Int) {
        state.withLock { s in _ = s.subscribers[subscriber]?.yield(.heartbeat) }
    }

    public func unsubscribe(_ id: Int) {
        let c = state.withLock { s in s.subscribers.removeValue(forKey: id) }
        c?.finish()
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
