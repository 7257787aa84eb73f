/// The rules a detector runs unless told otherwise.
public enum StandardRules {
    public static let all: [any Rule] = [
        CellNotInBaselineRule(),
        PLMNNotValidRule(),
        AreaCodeChangedRule(),
        CGIChannelMismatchRule(),
        CellOutsideKnownAreaRule(),
        CellMovesRule(),
        CellReselectOffsetRule(),
        ImmediateReselectBonusRule(),
        T3212Rule(),
        NeighbourListEmptyRule(),
        CarrierFrequencyErrorRule(),
        BlasterTrafficRule(),
        SingleCellAreaRule(),
        AreaCodeUnlikeNeighboursRule(),
        NeighbourListNotReciprocalRule(),
        NewCellInWatchedAreaRule(),
        PagingGroupsRule(),
        OperatorNormRule(),
        PowerJumpRule(),
        ChannelOutsideOperatorRangeRule(),
        JamAndDowngradeRule(),
        LTEPrefersGSMRule(),
    ]

    /// The checks on channel measurements (energy with or without a decoded cell).
    public static let channelRules: [any ChannelRule] = [
        UndecodedCarrierRule(),
    ]
}
