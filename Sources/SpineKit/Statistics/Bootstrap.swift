/// A two-sided confidence interval.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    public var low: Double
    public var high: Double
    /// Nominal coverage, e.g. 0.95.
    public var level: Double

    public init(low: Double, high: Double, level: Double) {
        self.low = low
        self.high = high
        self.level = level
    }

    public func contains(_ value: Double) -> Bool { low <= value && value <= high }
}

/// The percentile bootstrap for statistics comparing two independent groups.
///
/// Each replicate resamples the units (images, or clusters of images) of each group with
/// replacement, keeping the group sizes, and recomputes the statistics; the interval is the
/// `(1 - level) / 2` and `(1 + level) / 2` quantiles of the replicates (Efron & Tibshirani 1993,
/// "An Introduction to the Bootstrap", chapter 13). The generator is seeded, so the same data
/// give the same interval on every run.
public struct Bootstrap: Sendable, Equatable {
    /// Number of replicates; 2000 keeps the Monte Carlo error of a 95 % percentile bound small
    /// (Efron & Tibshirani 1993, section 19.3 recommend at least 1000 for percentile intervals).
    public var resamples: Int
    /// Nominal coverage of the intervals.
    public var level: Double
    public var seed: UInt64
    /// Replicates in which a statistic is undefined (`nil` or NaN, e.g. a percent change from
    /// zero to zero) are dropped; if fewer than this fraction of replicates is defined the
    /// interval is `nil`, because the dropped ones could sit beyond a bound. Infinite values
    /// (a rise from zero) are kept: they sort beyond every finite one, and a bound that falls
    /// among them cannot be given, so the interval is then `nil` as well.
    public var minimumDefinedFraction: Double
    /// Units each group needs for an interval (2). Resampling a group of one unit always gives
    /// that unit back, so the interval would carry none of that group's variation between
    /// images (between 1 and 1 image it is a single point): it would claim a precision the data
    /// cannot show.
    public var minimumUnitsPerGroup: Int

    public static let defaultResamples = 2000
    public static let defaultLevel = 0.95

    public init(resamples: Int = Bootstrap.defaultResamples, level: Double = Bootstrap.defaultLevel,
                seed: UInt64 = SplitMix64.defaultSeed, minimumDefinedFraction: Double = 0.95,
                minimumUnitsPerGroup: Int = 2) {
        self.resamples = resamples
        self.level = level
        self.seed = seed
        self.minimumDefinedFraction = minimumDefinedFraction
        self.minimumUnitsPerGroup = minimumUnitsPerGroup
    }

    /// Percentile intervals for `statisticCount` statistics of two groups.
    ///
    /// - Parameter statistics: computes every statistic of one replicate from the resampled
    ///   `before` and `after` units; it must return `statisticCount` values (`nil` = undefined,
    ///   infinite = beyond every finite value).
    /// - Returns: one interval per statistic, `nil` when a group has fewer than
    ///   `minimumUnitsPerGroup` units (or none), `resamples < 1`, too few replicates were defined,
    ///   or a bound is infinite.
    public func intervals<Unit>(before: [Unit], after: [Unit], statisticCount: Int,
                                statistics: ([Unit], [Unit]) -> [Double?]) -> [ConfidenceInterval?] {
        let none = [ConfidenceInterval?](repeating: nil, count: statisticCount)
        guard !before.isEmpty, !after.isEmpty, before.count >= minimumUnitsPerGroup, after.count >= minimumUnitsPerGroup,
              resamples > 0, level > 0, level < 1 else { return none }

        var generator = SplitMix64(seed: seed)
        var replicates = [[Double]](repeating: [], count: statisticCount)
        for index in replicates.indices { replicates[index].reserveCapacity(resamples) }
        var resampledBefore = before
        var resampledAfter = after
        for _ in 0..<resamples {
            for index in resampledBefore.indices {
                resampledBefore[index] = before[generator.nextIndex(below: before.count)]
            }
            for index in resampledAfter.indices {
                resampledAfter[index] = after[generator.nextIndex(below: after.count)]
            }
            let values = statistics(resampledBefore, resampledAfter)
            precondition(values.count == statisticCount,
                         "bootstrap statistics returned \(values.count) values, expected \(statisticCount)")
            for (index, value) in values.enumerated() {
                if let value, !value.isNaN { replicates[index].append(value) }
            }
        }

        let lowQuantile = (1 - level) / 2
        let highQuantile = (1 + level) / 2
        return replicates.map { values in
            guard !values.isEmpty,
                  Double(values.count) >= minimumDefinedFraction * Double(resamples) else { return nil }
            let sorted = values.sorted()
            let low = Self.quantile(sorted, lowQuantile), high = Self.quantile(sorted, highQuantile)
            guard low.isFinite, high.isFinite else { return nil }
            return ConfidenceInterval(low: low, high: high, level: level)
        }
    }

    /// The `q` quantile of ascending `sorted` values, interpolating linearly between order
    /// statistics (Hyndman & Fan 1996 type 7, the default of R and NumPy).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of no values")
        let position = min(max(q, 0), 1) * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let weight = position - Double(lower)
        // Exactly on an order statistic, that value (the interpolation below would make an
        // infinite neighbour's zero weight NaN); otherwise between the two.
        guard weight > 0 else { return sorted[lower] }
        return sorted[lower] + weight * (sorted[upper] - sorted[lower])
    }
}
