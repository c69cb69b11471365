/// One measure compared between the `before` and `after` groups: one row of `summary.csv`.
public struct MeasureComparison: Sendable, Equatable, Codable {
    public var measure: SummaryMeasure
    /// The pooled value of each group; `nil` when undefined (e.g. no shaft length).
    public var before: Double?
    public var after: Double?
    /// `100 * (after - before) / before`; `nil` when `before` is zero or either value undefined.
    public var changePercent: Double?
    /// Expanded percentile bootstrap interval of `changePercent`; `nil` for untested measures or when it
    /// cannot be bounded (see `Bootstrap.minimumDefinedFraction` and `minimumUnitsPerGroup`).
    public var changePercentInterval: ConfidenceInterval?
    /// Mann-Whitney U test of the per-unit values; `nil` for untested measures or when a group
    /// has no unit with a defined value.
    public var test: MannWhitneyU.Result?

    public init(measure: SummaryMeasure, before: Double?, after: Double?, changePercent: Double?,
                changePercentInterval: ConfidenceInterval?, test: MannWhitneyU.Result?) {
        self.measure = measure
        self.before = before
        self.after = after
        self.changePercent = changePercent
        self.changePercentInterval = changePercentInterval
        self.test = test
    }

    /// Two-sided p-value of `test`.
    public var pValue: Double? { test?.pValue }

    /// The fields of this row in `GroupComparison.csvHeader` order; undefined values are empty.
    public func csvFields(format: (Double) -> String = GroupComparison.defaultNumberFormat) -> [String] {
        [measure.name,
         before.map(format) ?? "", after.map(format) ?? "", changePercent.map(format) ?? "",
         changePercentInterval.map { format($0.low) } ?? "", changePercentInterval.map { format($0.high) } ?? "",
         pValue.map(format) ?? ""]
    }
}

/// The before/after comparison behind `summary.csv`.
///
/// Values pool each group (see `SummaryMeasure`). The interval of each percent change comes from
/// `Bootstrap` over units; the p-value from `MannWhitneyU` on the measure computed per unit
/// (units without a defined value, e.g. a density of an image with no traced shaft, are left
/// out of the test). A unit is one image, or, when images carry a `clusterKey`, all images of
/// the group sharing that key (images without a key stay units of their own). Units are formed
/// within each group, in order of first appearance, so results do not depend on hashing.
public struct GroupComparison: Sendable, Equatable, Codable {
    /// One row per requested measure, in the requested order.
    public var rows: [MeasureComparison]
    /// Number of units (images or clusters) in each group.
    public var beforeUnits: Int
    public var afterUnits: Int
    /// `true` when any image carried a cluster key.
    public var isClustered: Bool
    /// Bootstrap settings used, for the methods section: how the intervals were made
    /// (`Bootstrap.method(before:after:)`; nil when a group had too few units for any), and
    /// the replicates drawn when they were sampled rather than enumerated, and the seed.
    public var method: String?
    public var resamples: Int?
    public var seed: UInt64
    /// Units each group needed for an interval (`Bootstrap.unitsNeeded`).
    public var minimumUnitsPerGroup: Int

    /// `summary.csv` columns.
    public static let csvHeader = ["measure", "before", "after", "change_pct", "ci95_low_pct", "ci95_high_pct",
                                   "p_value"]

    /// Shortest text that reads back as the same `Double` (e.g. `0.125`, `1e-05`).
    public static let defaultNumberFormat: @Sendable (Double) -> String = { "\($0)" }

    /// Compares the images of two groups; each image should come from a successful analysis.
    public init(before: [ImageMeasures], after: [ImageMeasures],
                measures: [SummaryMeasure] = SummaryMeasure.allCases, bootstrap: Bootstrap = Bootstrap()) {
        let beforeUnits = Self.units(of: before)
        let afterUnits = Self.units(of: after)
        let beforeTotals = MeasureTotals(pooling: before)
        let afterTotals = MeasureTotals(pooling: after)
        let tested = measures.filter(\.isTested)

        let intervals = bootstrap.intervals(before: beforeUnits, after: afterUnits, statisticCount: tested.count) {
            resampledBefore, resampledAfter in
            let pooledBefore = resampledBefore.reduce(into: MeasureTotals()) { $0 += $1 }
            let pooledAfter = resampledAfter.reduce(into: MeasureTotals()) { $0 += $1 }
            return tested.map {
                SummaryMeasure.resampledPercentChange(before: $0.value(of: pooledBefore), after: $0.value(of: pooledAfter))
            }
        }
        let intervalByMeasure = Dictionary(zip(tested, intervals), uniquingKeysWith: { first, _ in first })

        rows = measures.map { measure in
            let beforeValue = measure.value(of: beforeTotals)
            let afterValue = measure.value(of: afterTotals)
            var test: MannWhitneyU.Result?
            if measure.isTested {
                test = MannWhitneyU.test(beforeUnits.compactMap(measure.value(of:)),
                                         afterUnits.compactMap(measure.value(of:)))
            }
            return MeasureComparison(measure: measure, before: beforeValue, after: afterValue,
                                     changePercent: SummaryMeasure.percentChange(before: beforeValue, after: afterValue),
                                     changePercentInterval: intervalByMeasure[measure] ?? nil, test: test)
        }
        self.beforeUnits = beforeUnits.count
        self.afterUnits = afterUnits.count
        isClustered = (before + after).contains { $0.clusterKey != nil }
        let smaller = min(beforeUnits.count, afterUnits.count)
        method = bootstrap.method(before: beforeUnits.count, after: afterUnits.count)
        let sampled = method != nil && Bootstrap.exactPairs(before: beforeUnits.count, after: afterUnits.count) == nil
        resamples = sampled ? bootstrap.resamples(forUnits: smaller) : nil
        seed = bootstrap.seed
        minimumUnitsPerGroup = bootstrap.unitsNeeded
    }

    /// The row of `measure`, if it was requested.
    public subscript(measure: SummaryMeasure) -> MeasureComparison? {
        rows.first { $0.measure == measure }
    }

    /// Every row as CSV fields under `csvHeader` (header not included).
    public func csvRecords(format: (Double) -> String = GroupComparison.defaultNumberFormat) -> [[String]] {
        rows.map { $0.csvFields(format: format) }
    }

    /// Pooled totals of each unit of replication: one per image, or one per cluster key.
    public static func units(of images: [ImageMeasures]) -> [MeasureTotals] {
        var units = [MeasureTotals]()
        var unitIndexByCluster = [String: Int]()
        for image in images {
            if let key = image.clusterKey {
                if let index = unitIndexByCluster[key] {
                    units[index] += image.totals
                } else {
                    unitIndexByCluster[key] = units.count
                    units.append(image.totals)
                }
            } else {
                units.append(image.totals)
            }
        }
        return units
    }
}
