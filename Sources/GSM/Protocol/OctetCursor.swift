/// Reads the octets of one message in order and names the element being read, so a block that ends
/// too soon gives an error that says what was cut off and where.
struct OctetCursor {
    let block: [UInt8]
    /// 0-based index of the next octet in the L2 block.
    private(set) var index: Int
    let message: String

    init(block: [UInt8], index: Int, message: String) {
        self.block = block
        self.index = index
        self.message = message
    }

    var remaining: Int { max(0, block.count - index) }

    /// The next octet.
    mutating func octet(_ element: String) throws(RRDecodingError) -> UInt8 {
        guard index < block.count else { throw cutOff(element) }
        defer { index += 1 }
        return block[index]
    }

    /// The next `count` octets.
    mutating func octets(_ count: Int, _ element: String) throws(RRDecodingError) -> [UInt8] {
        guard count >= 0, index + count <= block.count else { throw cutOff(element) }
        defer { index += count }
        return Array(block[index..<index + count])
    }

    /// An error naming `element` as cut off at the first octet that is missing (1-based).
    func cutOff(_ element: String) -> RRDecodingError {
        .truncated(message: message, element: element, octet: block.count + 1)
    }

    func malformed(_ element: String, _ reason: String) -> RRDecodingError {
        .malformed(message: message, element: element, reason: reason)
    }
}
