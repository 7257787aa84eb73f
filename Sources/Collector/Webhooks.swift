import CellwatchModel
import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle

/// One receiver of alert events.
public struct WebhookTarget: Sendable, Codable, Equatable {
    public var url: String
    /// Shared secret for the HMAC-SHA256 signature.
    public var secret: String
    public init(url: String, secret: String) {
        self.url = url
        self.secret = secret
    }
}

/// Posts every alert event to the configured URLs as JSON, signed GitHub/Stripe style:
///
///     X-Cellwatch-Event-Id: 17                     (receivers deduplicate on it)
///     X-Cellwatch-Timestamp: 1764385447            (Unix seconds)
///     X-Cellwatch-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
///
/// Failed deliveries are retried with exponential backoff (1 s, 2 s, 4 s …, `maxAttempts` in all).
/// Runs as a lifecycle `Service` beside the HTTP server and stops on graceful shutdown.
public final class WebhookDispatcher: Service, Sendable {
    public let targets: [WebhookTarget]
    let hub: AlertHub
    let logger: Logger
    let clock: @Sendable () -> Date
    let maxAttempts: Int
    let firstBackoff: Double

    public init(targets: [WebhookTarget], hub: AlertHub, maxAttempts: Int = 5, firstBackoffSeconds: Double = 1,
                clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "cellwatch.webhooks")) {
        self.targets = targets
        self.hub = hub
        self.maxAttempts = max(1, maxAttempts)
        self.firstBackoff = firstBackoffSeconds
        self.clock = clock
        self.logger = logger
    }

    /// "sha256=<hex>" over "<timestamp>.<body>".
    public static func signature(secret: String, timestamp: Int, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Data(mac).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }

    public func run() async throws {
        guard !targets.isEmpty else { return }
        let (subscriber, events) = hub.subscribe(after: nil)
        defer { hub.unsubscribe(subscriber) }
        for await item in events.cancelOnGracefulShutdown() {
            // A change made on another instance is that instance's to post.
            guard case .event(let e) = item, !e.fromOtherInstance else { continue }
            let body = try ReportCoding.encoder().encode(WebhookEvent(id: e.id, kind: e.kind, alert: e.alert))
            for target in targets {
                _ = await deliver(body, eventID: e.id, to: target)
            }
        }
    }

    /// Delivers one body, retrying; true when the receiver answered 2xx.
    public func deliver(_ body: Data, eventID: Int, to target: WebhookTarget) async -> Bool {
        guard let url = URL(string: target.url) else {
            logger.error("webhook URL is not valid", metadata: ["url": "\(target.url)"])
            return false
        }
        var delay = firstBackoff
        for attempt in 1...maxAttempts {
            let timestamp = Int(clock().timeIntervalSince1970)
            var request = URLRequest(url: url, timeoutInterval: 10)
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue(String(eventID), forHTTPHeaderField: "X-Cellwatch-Event-Id")
            request.setValue(String(timestamp), forHTTPHeaderField: "X-Cellwatch-Timestamp")
            request.setValue(Self.signature(secret: target.secret, timestamp: timestamp, body: body),
                             forHTTPHeaderField: "X-Cellwatch-Signature")
            do {
                let (_, response) = try await URLSession.shared.data(for: request)
                if let code = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(code) { return true }
                logger.warning("webhook refused", metadata: ["url": "\(target.url)", "attempt": "\(attempt)",
                                                             "status": "\((response as? HTTPURLResponse)?.statusCode ?? 0)"])
            } catch {
                logger.warning("webhook failed", metadata: ["url": "\(target.url)", "attempt": "\(attempt)", "error": "\(error)"])
            }
            if attempt < maxAttempts {
                do { try await Task.sleep(for: .seconds(delay)) } catch { return false }
                delay *= 2
            }
        }
        return false
    }
}

/// The JSON body of a webhook delivery.
public struct WebhookEvent: Codable, Sendable {
    public var id: Int
    public var kind: String
    public var alert: AlertRecord
}
