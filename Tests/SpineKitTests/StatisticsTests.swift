import Testing
@testable import SpineKit

// MARK: - Helpers

/// An image with `spines` spines along `length` microns; every spine of class `spineClass` unless
/// counts are given, heads `head` microns wide and `spineLength` microns long.
private func image(_ name: String, length: Double, mushroom: Int = 0, thin: Int = 0, stubby: Int = 0,
                   head: Double = 0.5, spineLength: Double = 1.0, cluster: String? = nil) -> ImageMeasures {
    let count = mushroom + thin + stubby
    return ImageMeasures(imageName: name, clusterKey: cluster, dendriteLengthMicrons: length, spineCount: count,
                         mushroomCount: mushroom, thinCount: thin, stubbyCount: stubby,
                         headDiameterSumMicrons: head * Double(count), headDiameterSpineCount: count,
                         spineLengthSumMicrons: spineLength * Double(count), spineLengthSpineCount: count)
}

/// Two-sided exact p-value by enumerating every way of choosing which of the pooled values
/// belong to the first group (the permutation distribution of U), independent of the DP.
private func bruteForceExactP(_ x: [Double], _ y: [Double]) -> Double {
    let pooled = x + y
    let n1 = x.count
    func u(_ first: [Double], _ second: [Double]) -> Double {
        var count = 0.0
        for a in first { for b in second { count += a > b ? 1 : (a == b ? 0.5 : 0) } }
        return count
    }
    let observed = u(x, y)
    let pairs = Double(x.count * y.count)
    let observedExtreme = max(observed, pairs - observed)
    var atLeast = 0
    var total = 0
    for mask in 0..<(1 << pooled.count) where mask.nonzeroBitCount == n1 {
        let first = pooled.indices.filter { mask & (1 << $0) != 0 }.map { pooled[$0] }
        let second = pooled.indices.filter { mask & (1 << $0) == 0 }.map { pooled[$0] }
        let value = u(first, second)
        if value >= observedExtreme - 1e-9 { atLeast += 1 }
        total += 1
    }
    return min(1, 2 * Double(atLeast) / Double(total))
}

@Suite struct StatisticsTests {
    // MARK: - SplitMix64

    @Test func splitMix64MatchesReferenceSequence() {
        // First outputs of Vigna's splitmix64.c seeded with 0 (also quoted in the xoshiro docs).
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func splitMix64IndicesStayInRangeAndRepeat() {
        var a = SplitMix64(seed: 42)
        var b = SplitMix64(seed: 42)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let index = a.nextIndex(below: 7)
            #expect((0..<7).contains(index))
            #expect(index == b.nextIndex(below: 7))
            seen.insert(index)
        }
        #expect(seen.count == 7)
        let unit = a.nextUnitDouble()
        #expect(unit >= 0 && unit < 1)
    }

    // MARK: - Mann-Whitney U

    @Test func mannWhitneyExactSeparatedTriples() throws {
        // All 20 orderings are equally likely; U = 0 and U = 9 each occur once: p = 2/20.
        let result = try #require(MannWhitneyU.test([1, 2, 3], [4, 5, 6]))
        #expect(result.method == .exact)
        #expect(result.u == 0)
        #expect(abs(result.pValue - 0.1) < 1e-12)
    }

    @Test(arguments: [
        ([1.0, 2, 3, 4], [5.0, 6, 7, 8, 9]),
        ([3.0, 1, 7, 9, 2], [4.0, 8, 5, 6]),
        ([0.2, 5.5], [1.1, 2.2, 3.3, 4.4, 6.6, 7.7]),
        ([10.0, 2, 30, 4, 50, 6], [1.0, 20, 3, 40, 5, 60]),
        ([1.0], [2.0]),
    ])
    func mannWhitneyExactMatchesEnumeration(x: [Double], y: [Double]) throws {
        let result = try #require(MannWhitneyU.test(x, y))
        #expect(result.isExact)
        #expect(abs(result.pValue - bruteForceExactP(x, y)) < 1e-12)
        #expect(result.pValue >= 0 && result.pValue <= 1)
    }

    @Test func mannWhitneyExactDistributionSumsToBinomial() {
        // The number of orderings of 5 + 7 values is C(12, 5) = 792, symmetric around U = 17.5.
        let distribution = MannWhitneyU.exactDistribution(n1: 5, n2: 7)
        #expect(distribution.count == 36)
        #expect(distribution.reduce(0, +) == 792)
        #expect(distribution == Array(distribution.reversed()))
    }

    @Test func mannWhitneyExactMatchesScipyForLargerGroups() throws {
        // scipy 1.17.1: mannwhitneyu(x, y, method='exact') -> statistic 71.0, pvalue 0.3728121372353436
        //               mannwhitneyu(x, y, method='asymptotic') -> pvalue 0.3666811190730933
        let x = [0.0, 0.38, 1.5, 3.36, 5.96, 9.3, 2.08, 6.9, 1.16, 7.46, 3.2, 10.98]
        let y = [1.0, 1.55, 3.16, 5.83, 9.56, 2.25, 8.1, 2.91, 10.88, 7.81, 5.8, 4.85, 4.96, 6.13, 8.36]
        let exact = try #require(MannWhitneyU.test(x, y))
        #expect(exact.method == .exact)
        #expect(exact.u == 71)
        #expect(abs(exact.pValue - 0.3728121372353436) < 1e-10)
        let approximate = try #require(MannWhitneyU.test(x, y, exactMaximumPairs: 0))
        #expect(approximate.method == .normalApproximation)
        #expect(abs(approximate.pValue - 0.3666811190730933) < 1e-10)
    }

    @Test(arguments: [
        // scipy 1.17.1: mannwhitneyu([1,2,2,3,3,3,4], [2,3,4,4,5,5,6,7], method='asymptotic')
        //   -> statistic 8.5, pvalue 0.025279736885893914
        ([1.0, 2, 2, 3, 3, 3, 4], [2.0, 3, 4, 4, 5, 5, 6, 7], 8.5, 0.025279736885893914),
        // scipy 1.17.1: mannwhitneyu([1.5,2.5,2.5,3,7], [2.5,4,4,9,9,10], method='asymptotic')
        //   -> statistic 5.0, pvalue 0.07864522326072336
        ([1.5, 2.5, 2.5, 3, 7], [2.5, 4, 4, 9, 9, 10], 5.0, 0.07864522326072336),
    ])
    func mannWhitneyTiesUseCorrectedNormalApproximation(x: [Double], y: [Double], u: Double, p: Double) throws {
        let result = try #require(MannWhitneyU.test(x, y))
        #expect(result.method == .normalApproximation)
        #expect(result.u == u)
        #expect(abs(result.pValue - p) < 1e-12)
    }

    @Test func mannWhitneyDegenerateGroups() throws {
        #expect(MannWhitneyU.test([], [1, 2]) == nil)
        #expect(MannWhitneyU.test([1, 2], []) == nil)
        #expect(MannWhitneyU.test([.nan, .infinity], [1, 2]) == nil)
        // scipy 1.17.1: mannwhitneyu([5,5,5], [5,5], method='asymptotic') -> statistic 3.0, pvalue 1.0
        let allTied = try #require(MannWhitneyU.test([5, 5, 5], [5, 5]))
        #expect(allTied.method == .allTied)
        #expect(allTied.pValue == 1)
        #expect(allTied.u == 3)
    }

    @Test func mannWhitneyIsSymmetricInGroupOrder() throws {
        let x = [0.9, 1.4, 2.2, 0.7, 1.9, 3.1]
        let y = [2.4, 2.9, 1.8, 3.5, 4.0]
        let forward = try #require(MannWhitneyU.test(x, y))
        let backward = try #require(MannWhitneyU.test(y, x))
        #expect(abs(forward.pValue - backward.pValue) < 1e-12)
        #expect(forward.u + backward.u == Double(x.count * y.count))
    }

    // MARK: - Bootstrap

    @Test func bootstrapQuantileInterpolatesLikeNumpy() {
        // numpy.quantile([1, 2, 3, 4], 0.25) == 1.75 (linear, type 7).
        #expect(Bootstrap.quantile([1, 2, 3, 4], 0.25) == 1.75)
        #expect(Bootstrap.quantile([1, 2, 3, 4], 0) == 1)
        #expect(Bootstrap.quantile([1, 2, 3, 4], 1) == 4)
        #expect(Bootstrap.quantile([7], 0.975) == 7)
    }

    @Test func bootstrapOfConstantRatioIsExact() throws {
        // Every before image has 1 spine/um and every after image 1.5 spines/um, at varying lengths:
        // every resample pools to exactly +50 %, so the interval collapses onto it.
        let before = [image("b1", length: 10, thin: 10), image("b2", length: 20, thin: 20), image("b3", length: 4, thin: 4),
                      image("b4", length: 7, thin: 7)]
        let after = [image("a1", length: 10, thin: 15), image("a2", length: 6, thin: 9), image("a3", length: 2, thin: 3),
                     image("a4", length: 30, thin: 45)]
        let comparison = GroupComparison(before: before, after: after, measures: [.densityPerMicron])
        let row = try #require(comparison[.densityPerMicron])
        let interval = try #require(row.changePercentInterval)
        #expect(abs(interval.low - 50) < 1e-9)
        #expect(abs(interval.high - 50) < 1e-9)
        #expect(abs(try #require(row.changePercent) - 50) < 1e-9)
    }

    @Test func bootstrapIsRepeatableForASeedAndBracketsTheEstimate() throws {
        var generator = SplitMix64(seed: 7)
        func noisyImages(_ prefix: String, density: Double, count: Int) -> [ImageMeasures] {
            (0..<count).map { index in
                let length = 20 + 40 * generator.nextUnitDouble()
                let spines = Int((length * density * (0.7 + 0.6 * generator.nextUnitDouble())).rounded())
                return image("\(prefix)\(index)", length: length, mushroom: spines / 3, thin: spines - spines / 3)
            }
        }
        let before = noisyImages("b", density: 1.0, count: 12)
        let after = noisyImages("a", density: 1.3, count: 12)
        let first = GroupComparison(before: before, after: after)
        let second = GroupComparison(before: before, after: after)
        #expect(first == second)
        let otherSeed = GroupComparison(before: before, after: after, bootstrap: Bootstrap(seed: 99))
        #expect(otherSeed[.densityPerMicron]?.changePercentInterval != first[.densityPerMicron]?.changePercentInterval)

        for measure in [SummaryMeasure.densityPerMicron, .mushroomPerMicron, .thinPerMicron, .mushroomFraction] {
            let row = try #require(first[measure])
            let change = try #require(row.changePercent)
            let interval = try #require(row.changePercentInterval, "no interval for \(measure)")
            #expect(interval.low <= change && change <= interval.high, "\(measure): \(change) outside \(interval)")
            #expect(interval.low < interval.high)
        }
        // Density rises by ~30 % with 12 images per group and ±30 % noise: the interval excludes 0
        // and the rank test sees the shift.
        let density = try #require(first[.densityPerMicron])
        #expect(try #require(density.changePercentInterval).low > 0)
        #expect(try #require(density.pValue) < 0.05)
    }

    @Test func aRiseFromZeroIsBeyondEveryBoundNotDropped() throws {
        // 30 before images of 10 um, 3 of them with one stubby spine; 30 after images with one
        // each. About 4 % of resamples of `before` draw none of the three: their change is a rise
        // from zero, infinite, beyond the 97.5 % quantile. Dropped as undefined, as they once
        // were, they left a finite upper bound (2900 %) on an interval that has none.
        let before = (0..<30).map { image("b\($0)", length: 10, thin: 5, stubby: $0 < 3 ? 1 : 0) }
        let after = (0..<30).map { image("a\($0)", length: 10, thin: 5, stubby: 1) }
        let comparison = GroupComparison(before: before, after: after)
        let stubby = try #require(comparison[.stubbyPerMicron])
        #expect(stubby.changePercent.map { abs($0 - 900) < 1e-9 } == true)
        #expect(stubby.changePercentInterval == nil)
        #expect(comparison[.densityPerMicron]?.changePercentInterval != nil)
        #expect(SummaryText.comparison(comparison).contains("No interval for stubby density"))
        #expect(Bootstrap.quantile([1, 2, .infinity], 0.5) == 2)
        #expect(Bootstrap.quantile([1, 2, .infinity], 0.75) == .infinity)
        #expect(SummaryMeasure.resampledPercentChange(before: 0, after: 0) == nil)
        #expect(SummaryMeasure.resampledPercentChange(before: 0, after: 0.1) == .infinity)
    }

    @Test func bootstrapDropsUndefinedReplicatesAndGivesUpWhenMany() {
        // Before has one stubby spine in one of 10 images: ~35 % of resamples miss it, so the change
        // of stubby density is infinite too often and gets no interval.
        var before = (0..<10).map { image("b\($0)", length: 10, thin: 10) }
        before[0] = image("b0", length: 10, thin: 9, stubby: 1)
        let after = (0..<10).map { image("a\($0)", length: 10, thin: 8, stubby: 2) }
        let comparison = GroupComparison(before: before, after: after)
        #expect(comparison[.stubbyPerMicron]?.changePercent != nil)
        #expect(comparison[.stubbyPerMicron]?.changePercentInterval == nil)
        #expect(comparison[.densityPerMicron]?.changePercentInterval != nil)
    }

    @Test func groupsOfFewerThanFourUnitsGiveNoIntervals() throws {
        // Resampling one image always returns it: between 1 and 1 image every replicate is the
        // observed change, an interval of zero width that claims a precision the data lack. With
        // three, no interval from resampling holds a 95 % level (see `minimumUnitsPerGroup`).
        func difference(_ b: [Double], _ a: [Double]) -> [Double?] { [a.reduce(0, +) - b.reduce(0, +)] }
        let one = Bootstrap().intervals(before: [1.0], after: [1.0, 2.0, 3.0, 4.0], statisticCount: 1, statistics: difference)
        #expect(one == [nil])
        let three = Bootstrap().intervals(before: [1.0, 1.5, 2], after: [1.0, 2.0, 3.0, 4.0], statisticCount: 1, statistics: difference)
        #expect(three == [nil])
        let four = Bootstrap().intervals(before: [1.0, 1.5, 2, 2.5], after: [1.0, 2.0, 3.0, 4.0], statisticCount: 1,
                                         statistics: difference)
        #expect(four[0] != nil)

        let comparison = GroupComparison(before: [image("b", length: 10, thin: 5)], after: [image("a", length: 10, thin: 8)])
        let density = try #require(comparison[.densityPerMicron])
        #expect(density.changePercent.map { abs($0 - 60) < 1e-9 } == true)
        #expect(density.changePercentInterval == nil)
        #expect(density.csvFields()[4] == "" && density.csvFields()[5] == "")
        #expect(SummaryText.comparison(comparison).contains("No confidence intervals"))
        let pairs = GroupComparison(before: (1...4).map { image("b\($0)", length: 10, thin: 4 + $0) },
                                    after: (1...4).map { image("a\($0)", length: 10, thin: 7 + $0) })
        #expect(pairs[.densityPerMicron]?.changePercentInterval != nil)
        #expect(!SummaryText.comparison(pairs).contains("No confidence intervals"))
    }

    @Test func studentTAndNormalMatchScipy() {
        // scipy.stats.t.ppf(p, df) and scipy.stats.norm.cdf.
        let cases: [(Int, Double, Double)] = [(1, 0.975, 12.706204736174694), (3, 0.975, 3.1824463052837078),
                                              (4, 0.975, 2.7764451051977934), (9, 0.975, 2.262157162798205),
                                              (29, 0.975, 2.045229642132703), (2, 0.9, 1.8856180831641272),
                                              (7, 0.995, 3.4994832973504924)]
        for (nu, p, t) in cases {
            #expect(abs(StudentT.quantile(p, degreesOfFreedom: nu) - t) < 1e-9 * t, "df \(nu), p \(p)")
            #expect(abs(StudentT.quantile(1 - p, degreesOfFreedom: nu) + t) < 1e-9 * t)
            #expect(abs(StudentT.cdf(t, degreesOfFreedom: nu) - p) < 1e-12)
        }
        #expect(abs(StudentT.normalCDF(-1) - 0.15865525393145707) < 1e-15)
        #expect(abs(StudentT.normalCDF(2.5) - 0.9937903346742238) < 1e-15)
        // The expanded interval's tails (Hesterberg 2015), from scipy with n units.
        for (n, tail) in [(4, 0.00011903073915322603), (5, 0.0009541005518824907), (10, 0.008550639024406366),
                          (30, 0.01875390027822054)] {
            #expect(abs(Bootstrap().expandedTail(units: n) - tail) < 1e-9 * tail, "\(n) units")
        }
    }

    /// With no true change, a 95 % interval should exclude zero in about 5 % of experiments; the
    /// plain percentile interval did so in about 11 % with 5 images per group.
    @Test func withNoChangeTheIntervalRarelyExcludesZero() {
        var generator = SplitMix64(seed: 11)
        func images(_ count: Int) -> [(spines: Double, length: Double)] {
            (0..<count).map { _ in
                let length = 50 + 100 * generator.nextUnitDouble()
                // Per-image density 1 +- 15 % (uniform, sd 15 %), rounded to whole spines.
                let density = 1 + 0.15 * 3.0.squareRoot() * (2 * generator.nextUnitDouble() - 1)
                return ((density * length).rounded(), length)
            }
        }
        func pooled(_ units: [(spines: Double, length: Double)]) -> Double {
            units.reduce(0) { $0 + $1.spines } / units.reduce(0) { $0 + $1.length }
        }
        let experiments = 300
        var excluded = 0, given = 0
        for k in 0..<experiments {
            // Fewer replicates in the tails than the default, to keep the test quick.
            let bootstrap = Bootstrap(resamples: 1000, seed: UInt64(k), minimumTailReplicates: 2)
            let interval = bootstrap.intervals(before: images(5), after: images(5), statisticCount: 1) { b, a in
                [100 * (pooled(a) / pooled(b) - 1)]
            }[0]
            guard let interval else { continue }
            given += 1
            if !interval.contains(0) { excluded += 1 }
        }
        #expect(given == experiments)
        // About 5 % (15 of 300); the plain interval gave 38.
        #expect((3...24).contains(excluded), "\(excluded) of \(experiments) excluded zero")
    }

    /// Small groups are enumerated: every pair of distinct resamples with its probability, so
    /// the interval does not depend on the seed. Reference: the same enumeration in Python
    /// (itertools.combinations_with_replacement), bounds where the weight beyond first reaches
    /// the expanded tail.
    @Test func smallGroupsAreEnumeratedExactly() throws {
        #expect(Bootstrap.exactPairs(before: 4, after: 4) == 1_225)
        #expect(Bootstrap.exactPairs(before: 5, after: 5) == 15_876)
        #expect(Bootstrap.exactPairs(before: 6, after: 6) == 213_444)
        #expect(Bootstrap.exactPairs(before: 4, after: 8) == 225_225)
        #expect(Bootstrap.exactPairs(before: 7, after: 7) == nil)
        let sets = Bootstrap.multisets(of: 4)
        #expect(sets.count == 35 && abs(sets.reduce(0) { $0 + $1.probability } - 1) < 1e-12)
        #expect(sets.allSatisfy { $0.counts.reduce(0, +) == 4 })
        func difference(_ b: [Double], _ a: [Double]) -> [Double?] { [a.reduce(0, +) / 4 - b.reduce(0, +) / 4] }
        let before = [1.0, 1.5, 2, 2.5], after = [1.0, 2, 3, 4]
        let first = try #require(Bootstrap(seed: 1).intervals(before: before, after: after, statisticCount: 1,
                                                              statistics: difference)[0])
        let second = Bootstrap(seed: 2).intervals(before: before, after: after, statisticCount: 1, statistics: difference)[0]
        #expect(first == second)
        #expect(abs(first.low + 1.25) < 1e-12 && abs(first.high - 2.75) < 1e-12, "\(first)")
        let comparison = GroupComparison(before: (1...4).map { image("b\($0)", length: 10, thin: 4 + $0) },
                                         after: (1...4).map { image("a\($0)", length: 10, thin: 7 + $0) })
        #expect(comparison.resamples == nil && comparison.method?.contains("exact over all 1225 pairs") == true)
    }

    @Test func smallGroupsTakeEnoughResamplesForTheirTails() {
        let bootstrap = Bootstrap()
        // 50 replicates beyond each bound: 50 / tail, rounded up (tails from scipy, above).
        #expect(bootstrap.resamples(forUnits: 4) == 420_060)
        #expect(bootstrap.resamples(forUnits: 10) == 5_848)
        #expect(bootstrap.resamples(forUnits: 30) == 2_667)
        #expect(bootstrap.resamples(forUnits: 1000) == 2_016)
        #expect(Bootstrap(resamples: 5000).resamples(forUnits: 1000) == 5_000)
        // Three units would need billions: the cap holds (and no interval is given anyway).
        #expect(bootstrap.resamples(forUnits: 3) == 500_000)
    }

    @Test func bootstrapEmptyGroupGivesNoIntervals() {
        let intervals = Bootstrap().intervals(before: [Double](), after: [1.0, 2.0], statisticCount: 2) { _, _ in [1, 2] }
        #expect(intervals == [nil, nil])
    }

    // MARK: - Pooled measures

    @Test func pooledMeasuresByHand() throws {
        // Before: 12 spines over 10 + 30 um (one image has no shaft but still counts its spines).
        let before = [
            image("b1", length: 10, mushroom: 2, thin: 4, stubby: 2, head: 0.6, spineLength: 1.2),
            image("b2", length: 30, mushroom: 1, thin: 2, stubby: 1, head: 0.4, spineLength: 0.8),
            image("b3", length: 0),
        ]
        let summary = SetSummary(images: before)
        #expect(summary[.images] == 3)
        #expect(summary[.spines] == 12)
        #expect(summary[.dendriteLengthMicrons] == 40)
        #expect(summary[.densityPerMicron] == 12.0 / 40)
        #expect(summary[.mushroomPerMicron] == 3.0 / 40)
        #expect(summary[.thinPerMicron] == 6.0 / 40)
        #expect(summary[.stubbyPerMicron] == 3.0 / 40)
        #expect(summary[.mushroomFraction] == 3.0 / 12)
        #expect(summary[.thinFraction] == 6.0 / 12)
        #expect(summary[.stubbyFraction] == 3.0 / 12)
        // Means over spines, not over images: (8 * 0.6 + 4 * 0.4) / 12.
        let expectedHead: Double = (8 * 0.6 + 4 * 0.4) / 12
        let expectedLength: Double = (8 * 1.2 + 4 * 0.8) / 12
        let head = try #require(summary[.headDiameterMeanMicrons])
        let length = try #require(summary[.spineLengthMeanMicrons])
        #expect(abs(head - expectedHead) < 1e-12)
        #expect(abs(length - expectedLength) < 1e-12)
        #expect(summary.csvRecords().first == ["density_per_um", "0.3"])
    }

    @Test func zeroLengthAndNoSpinesAreUndefinedNotNaN() throws {
        let summary = SetSummary(images: [image("x", length: 0)])
        #expect(summary[.densityPerMicron] == nil)
        #expect(summary[.mushroomFraction] == nil)
        #expect(summary[.headDiameterMeanMicrons] == nil)
        #expect(summary[.spines] == 0)
        #expect(summary.csvRecords().contains(["density_per_um", ""]))
        #expect(SetSummary(images: [])[.densityPerMicron] == nil)

        // Before has shaft but no stubby spines: the change is undefined, written as empty fields.
        let comparison = GroupComparison(before: [image("b", length: 10, thin: 5)],
                                         after: [image("a", length: 10, thin: 4, stubby: 1)])
        let stubby = try #require(comparison[.stubbyPerMicron])
        #expect(stubby.before == 0)
        #expect(stubby.after == 0.1)
        #expect(stubby.changePercent == nil)
        #expect(stubby.changePercentInterval == nil)
        let fields = stubby.csvFields()
        #expect(fields.count == GroupComparison.csvHeader.count)
        #expect(fields[3] == "" && fields[4] == "" && fields[5] == "")
        for record in comparison.csvRecords() {
            for field in record { #expect(!field.lowercased().contains("nan") && !field.contains("inf")) }
        }
    }

    @Test func perImageValuesFeedTheRankTest() throws {
        // Per-image densities before: 1.0, 2.0, 3.0 (plus a zero-length image, left out of the test);
        // after: 4.0, 5.0, 6.0. Exact two-sided p of [1,2,3] vs [4,5,6] is 0.1.
        let before = [image("b1", length: 10, thin: 10), image("b2", length: 10, thin: 20),
                      image("b3", length: 10, thin: 30), image("b4", length: 0, thin: 3)]
        let after = [image("a1", length: 10, thin: 40), image("a2", length: 10, thin: 50), image("a3", length: 10, thin: 60)]
        let comparison = GroupComparison(before: before, after: after)
        let density = try #require(comparison[.densityPerMicron])
        #expect(density.test?.firstCount == 3)
        #expect(abs(try #require(density.pValue) - 0.1) < 1e-12)
        #expect(density.before == 63.0 / 30)
        #expect(density.after == 5)
        // Descriptive rows carry values but no interval or test.
        let images = try #require(comparison[.images])
        #expect(images.before == 4 && images.after == 3)
        #expect(images.pValue == nil && images.changePercentInterval == nil)
        #expect(comparison.rows.map(\.measure) == SummaryMeasure.allCases)
    }

    // MARK: - Clusters

    @Test func clustersArePooledIntoUnits() throws {
        // Two animals before: m1 has 10 + 30 spines over 20 + 20 um (1.0/um), m2 has 2.0/um.
        let before = [image("m1_a", length: 20, thin: 10, cluster: "m1"), image("m2_a", length: 10, thin: 20, cluster: "m2"),
                      image("m1_b", length: 20, thin: 30, cluster: "m1")]
        let units = GroupComparison.units(of: before)
        #expect(units.count == 2)
        #expect(units[0].images == 2 && units[0].spines == 40 && units[0].dendriteLengthMicrons == 40)
        #expect(SummaryMeasure.densityPerMicron.value(of: units[1]) == 2)

        let after = [image("m3", length: 10, thin: 40, cluster: "m3"), image("m4", length: 10, thin: 50, cluster: "m4")]
        let comparison = GroupComparison(before: before, after: after)
        #expect(comparison.isClustered)
        #expect(comparison.beforeUnits == 2 && comparison.afterUnits == 2)
        // Per-cluster densities [1, 2] vs [4, 5]: exact p = 2/6.
        let density = try #require(comparison[.densityPerMicron])
        #expect(density.test?.firstCount == 2)
        #expect(abs(try #require(density.pValue) - 2.0 / 6) < 1e-12)
    }

    @Test func clusterKeyPatternUsesFirstCaptureOrWholeMatch() throws {
        let byAnimal = try ClusterKeyPattern("^(mouse[0-9]+)_")
        #expect(byAnimal.key(for: "mouse12_cell3.png") == "mouse12")
        #expect(byAnimal.key(for: "rat1_cell3.png") == nil)
        let byFolder = try ClusterKeyPattern("^[^/]+(?=/)")
        #expect(byFolder.key(for: "animalA/img1.png") == "animalA")
        let keyed = byAnimal.assigningKeys(to: [image("mouse1_a.png", length: 1), image("other.png", length: 1)])
        #expect(keyed.map(\.clusterKey) == ["mouse1", nil])
        #expect(throws: ClusterKeyPatternError.self) { try ClusterKeyPattern("(unclosed") }
    }

    @Test func imageMeasuresFromAnalysis() {
        let point = PixelPoint(x: 0, y: 0)
        func spine(_ id: Int, _ spineClass: SpineClass, head: Double, length: Double) -> Spine {
            Spine(id: id, dendriteID: 1, spineClass: spineClass, head: point, base: point, tip: point,
                  lengthMicrons: length, headDiameterMicrons: head, neckDiameterMicrons: 0.1, isAttached: true)
        }
        let analysis = ImageAnalysis(
            width: 10, height: 10, micronsPerPixel: 0.1,
            dendrites: [Dendrite(id: 1, centerline: [], lengthMicrons: 3, radiusMicrons: 0.5),
                        Dendrite(id: 2, centerline: [], lengthMicrons: 2, radiusMicrons: 0.5)],
            spines: [spine(1, .mushroom, head: 0.8, length: 1.5), spine(2, .thin, head: 0.3, length: 2.0),
                     spine(3, .thin, head: .nan, length: 1.0)])
        let measures = ImageMeasures(imageName: "x.png", analysis: analysis)
        #expect(measures.dendriteLengthMicrons == 5)
        #expect(measures.spineCount == 3)
        #expect(measures.count(of: .mushroom) == 1 && measures.count(of: .thin) == 2 && measures.count(of: .stubby) == 0)
        #expect(measures.headDiameterSpineCount == 2)
        #expect(abs(measures.headDiameterSumMicrons - 1.1) < 1e-12)
        #expect(measures.spineLengthSumMicrons == 4.5)
    }
}
