/// One row of `summary.csv`: a named measure of a set of images, computed from pooled totals.
///
/// Densities pool the set (total spines over total shaft length), fractions pool spines over
/// all spines, and means are over all spines of the set, so an image counts in proportion to how
/// much dendrite or how many spines it holds. The raw value is the CSV `measure` name.
public enum SummaryMeasure: String, Sendable, CaseIterable, Codable, Hashable {
    case densityPerMicron = "density_per_um"
    case mushroomPerMicron = "mushroom_per_um"
    case thinPerMicron = "thin_per_um"
    case stubbyPerMicron = "stubby_per_um"
    case mushroomFraction = "mushroom_fraction"
    case thinFraction = "thin_fraction"
    case stubbyFraction = "stubby_fraction"
    case headDiameterMeanMicrons = "head_diameter_um_mean"
    case spineLengthMeanMicrons = "length_um_mean"
    /// Number of images in the set.
    case images
    /// Summed shaft length of the set.
    case dendriteLengthMicrons = "dendrite_length_um"
    /// Number of spines in the set.
    case spines

    /// The CSV name, e.g. `density_per_um`.
    public var name: String { rawValue }

    /// `false` for the descriptive totals (`images`, `dendrite_length_um`, `spines`): they grow
    /// with the number of images, so a confidence interval or a test on them would say nothing
    /// about the biology and their CI and p-value fields stay empty.
    public var isTested: Bool {
        switch self {
        case .images, .dendriteLengthMicrons, .spines: false
        default: true
        }
    }

    /// The measure of `totals`, or `nil` when undefined (no shaft length for a density, no
    /// spines for a fraction or mean). Never NaN or infinite.
    public func value(of totals: MeasureTotals) -> Double? {
        switch self {
        case .densityPerMicron: Self.ratio(Double(totals.spines), totals.dendriteLengthMicrons)
        case .mushroomPerMicron: Self.ratio(Double(totals.mushroom), totals.dendriteLengthMicrons)
        case .thinPerMicron: Self.ratio(Double(totals.thin), totals.dendriteLengthMicrons)
        case .stubbyPerMicron: Self.ratio(Double(totals.stubby), totals.dendriteLengthMicrons)
        case .mushroomFraction: Self.ratio(Double(totals.mushroom), Double(totals.spines))
        case .thinFraction: Self.ratio(Double(totals.thin), Double(totals.spines))
        case .stubbyFraction: Self.ratio(Double(totals.stubby), Double(totals.spines))
        case .headDiameterMeanMicrons:
            Self.ratio(totals.headDiameterSumMicrons, Double(totals.headDiameterSpines))
        case .spineLengthMeanMicrons:
            Self.ratio(totals.spineLengthSumMicrons, Double(totals.spineLengthSpines))
        case .images: Double(totals.images)
        case .dendriteLengthMicrons: totals.dendriteLengthMicrons.isFinite ? totals.dendriteLengthMicrons : nil
        case .spines: Double(totals.spines)
        }
    }

    private static func ratio(_ numerator: Double, _ denominator: Double) -> Double? {
        guard denominator > 0, denominator.isFinite, numerator.isFinite else { return nil }
        let value = numerator / denominator
        return value.isFinite ? value : nil
    }

    /// `100 * (after - before) / before`, or `nil` when either is undefined or `before` is zero.
    public static func percentChange(before: Double?, after: Double?) -> Double? {
        guard let before, let after, before != 0 else { return nil }
        let change = 100 * (after - before) / before
        return change.isFinite ? change : nil
    }

    /// `percentChange` for a bootstrap replicate: a rise from zero is an infinite change, not an
    /// undefined one, so it stays among the replicates (beyond every finite one) and the
    /// interval's bound on that side cannot be given. Only no value, or zero to zero, is
    /// undefined.
    public static func resampledPercentChange(before: Double?, after: Double?) -> Double? {
        guard let before, let after else { return nil }
        if before == 0 { return after == 0 ? nil : (after > 0 ? .infinity : -.infinity) }
        return percentChange(before: before, after: after)
    }
}
