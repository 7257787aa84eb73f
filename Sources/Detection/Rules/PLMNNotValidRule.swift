import CellwatchModel

/// An MCC/MNC that does not belong in the country: an MNC never allocated under the country's MCC,
/// digits that are not a PLMN at all, or a foreign MCC.
public struct PLMNNotValidRule: Rule {
    public let id = "PLMN_FOREIGN_OR_UNKNOWN"
    public let reason = "The network code is not one of the country's operators, or the country code is foreign."
    public let inputs = ["identity.mcc", "identity.mnc", "configuration.countryMNCs", "configuration.allowedPLMNs"]
    public let weight = 0.35
    /// A foreign MCC is weaker evidence than an unallocated MNC: near borders it is normal.
    public let foreignWeight = 0.20
    public let knownFalsePositiveCauses = [
        "Border areas: a neighbour country's network (Hong Kong 454, Macau 455 near Shenzhen and Zhuhai); put such PLMNs in allowedPLMNs.",
        "A newly allocated MNC not yet in the list.",
        "Private, test or IoT networks (e.g. 001-01 test PLMN).",
    ]
    public init() {}

    public func evaluate(_ o: CellObservation, in context: RuleContext) -> Finding? {
        let id = o.identity
        guard id.mcc.count == 3, (2...3).contains(id.mnc.count), let mcc = id.mccValue, let mnc = id.mncValue else {
            return finding("MCC/MNC \"\(id.mcc)\"/\"\(id.mnc)\" is not a valid PLMN code")
        }
        let c = context.configuration
        if c.allowedPLMNs.contains(PLMNCode(mcc: mcc, mnc: mnc)) { return nil }
        if let allocated = c.countryMNCs[mcc] {
            guard !allocated.contains(mnc) else { return nil }
            return finding("MNC \(id.mnc) is not allocated under MCC \(id.mcc)")
        }
        let home = c.countryMNCs.keys.sorted().map(String.init).joined(separator: ", ")
        return finding("MCC \(id.mcc) (MNC \(id.mnc)) is foreign to the configured country (MCC \(home))",
                       weight: foreignWeight)
    }
}
