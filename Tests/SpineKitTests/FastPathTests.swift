import Foundation
import Testing
@testable import SpineKit

/// The fast routes of the operators give exactly what their plain definitions give: these
/// tests compare each against a direct (slow) statement of the same thing on seeded random
/// inputs, so a speed-up can never change a result.
@Suite("Operator fast paths")
struct FastPathTests {
    /// Blobs of several sizes plus salt: shapes with necks, holes and edges.
    private static func mask(width: Int, height: Int, seed: UInt64) -> BinaryMask {
        var rng = TestRNG(seed: seed)
        var m = BinaryMask(width: width, height: height, repeating: false)
        for _ in 0..<(width * height / 40 + 1) {
            let cx = rng.unit() * Double(width), cy = rng.unit() * Double(height), r = 0.5 + rng.unit() * 5
            for y in 0..<height {
                for x in 0..<width where (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy) <= r * r {
                    m[x: x, y: y] = true
                }
            }
        }
        for i in 0..<m.count where rng.unit() < 0.03 { m.pixels[i].toggle() }
        return m
    }

    /// Opening by the row-wise discs equals opening through distance transforms, the
    /// definition: keep pixels whose half-width passes the radius, grow them by the radius.
    @Test(arguments: [0.4, 1.0, 1.5, 2.2, 2.75, 3.0, 4.1, 5.5, 7.9], [UInt64(1), 2, 3])
    func openingByRowsMatchesDistanceTransforms(radius: Double, seed: UInt64) {
        let m = Self.mask(width: 61, height: 47, seed: seed)
        let r2 = Float(radius * radius)
        #expect(OpeningDisc(squaredRadius: r2) != nil)
        let eroded = m.distanceToBackground().mapped { $0 * $0 > r2 }
        let expected = eroded.distanceToForeground().squaredDistance.mapped { $0 <= r2 }
        #expect(m.opened(radius: radius) == expected)
    }

    /// The same on masks several 64-pixel words wide (the opening works on bits), with and
    /// without a partial last word, so that pixels shift across the words' edges.
    @Test(arguments: [1.0, 2.75, 4.1, 7.9], [128, 150, 200])
    func openingOfWideMasksMatchesDistanceTransforms(radius: Double, width: Int) {
        let r2 = Float(radius * radius)
        // Blobs, and the whole image foreground (every row's ends and word edges set).
        for m in [Self.mask(width: width, height: 37, seed: UInt64(width)), BinaryMask(width: width, height: 37, repeating: true)] {
            let eroded = m.distanceToBackground().mapped { $0 * $0 > r2 }
            let expected = eroded.distanceToForeground().squaredDistance.mapped { $0 <= r2 }
            #expect(m.opened(radius: radius) == expected)
        }
    }

    @Test func largeRadiiUseDistanceTransforms() {
        #expect(OpeningDisc(squaredRadius: 64) == nil)
        #expect(OpeningDisc(squaredRadius: .infinity) == nil)
        let m = Self.mask(width: 40, height: 40, seed: 9)
        // A disc wider than the blobs leaves nothing; the mask is not empty.
        #expect(m.foregroundCount > 0)
        #expect(m.opened(radius: 12).foregroundCount == 0)
    }

    /// The distance transform's squared distances are exact and its nearest feature is a
    /// nearest one (the column pass finds them by sweeps, not by parabolas).
    @Test(arguments: [UInt64(4), 5])
    func nearestFeatureIsANearestOne(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        let w = 23, h = 19
        let m = BinaryMask(width: w, height: h, pixels: (0..<(w * h)).map { _ in rng.unit() < 0.04 })
        let map = m.distanceToForeground()
        let features = m.pixels.indices.filter { m.pixels[$0] }
        for i in 0..<m.count {
            var best = -1, bestD = Int.max
            for f in features {
                let dx = f % w - i % w, dy = f / w - i / w
                let d = dx * dx + dy * dy
                if d < bestD { best = f; bestD = d }
            }
            #expect(map.squaredDistance.pixels[i] == (best < 0 ? .infinity : Float(bestD)))
            let n = Int(map.nearest.pixels[i])
            if best >= 0 {
                let dx = n % w - i % w, dy = n / w - i / w
                #expect(dx * dx + dy * dy == bestD, "pixel \(i) points at a feature that is not nearest")
            }
        }
    }

    /// Thin wandering lines, as centrelines are, plus a few lone pixels on a lattice: many
    /// pixels lie equally far from two or more features.
    private static func lines(width w: Int, height h: Int, seed: UInt64) -> BinaryMask {
        var rng = TestRNG(seed: seed)
        var m = BinaryMask(width: w, height: h, repeating: false)
        for _ in 0..<3 {
            var x = Double(rng.index(below: w)), y = Double(rng.index(below: h))
            var angle = rng.unit() * 2 * Double.pi
            for _ in 0..<(w + h) {
                angle += (rng.unit() - 0.5) * 0.4
                x += Foundation.cos(angle)
                y += Foundation.sin(angle)
                let xi = Int(x.rounded()), yi = Int(y.rounded())
                guard xi >= 0, yi >= 0, xi < w, yi < h else { break }
                m[x: xi, y: yi] = true
            }
        }
        for y in stride(from: 3, to: h, by: 24) {
            for x in stride(from: 5, to: w, by: 30) where rng.chance(0.5) { m[x: x, y: y] = true }
        }
        return m
    }

    /// Of the features nearest to a pixel the transform takes the leftmost, then the upper
    /// one: the rule `nearestWithinRuns` and `ShaftModel.nearestPoint(ofPixel:)` rely on to
    /// give the same pixel as the whole-image transform.
    @Test(arguments: [UInt64(1), 2, 3])
    func nearestFeatureTiesGoLeftThenUp(seed: UInt64) {
        let w = 157, h = 113
        let m = Self.lines(width: w, height: h, seed: seed)
        let map = m.distanceToForeground()
        let features = m.pixels.indices.filter { m.pixels[$0] }
        var mismatches = 0
        for i in 0..<m.count {
            var best = -1, bestKey = (Int.max, Int.max, Int.max)
            for f in features {
                let key = ((f % w - i % w) * (f % w - i % w) + (f / w - i / w) * (f / w - i / w), f % w, f / w)
                if key < bestKey { best = f; bestKey = key }
            }
            if Int(map.nearest.pixels[i]) != best { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// The shaft model's band holds every pixel within `margin` of a listed pixel and none
    /// beyond `margin + centreGap` of all of them, in runs that neither touch nor overlap,
    /// whatever the order of the lists (raster order here, path order in the model).
    @Test(arguments: [UInt64(1), 2, 3], [0, 3, 9, 20, 70])
    func bandHoldsTheDiscsAboutItsPixels(seed: UInt64, margin: Int) {
        let w = 157, h = 113
        let m = Self.lines(width: w, height: h, seed: seed)
        let listed = m.pixels.indices.filter { m.pixels[$0] }
        // Two lists, one of them reversed: centres are taken list by list.
        let half = listed.count / 2
        let band = ShaftModel.Band(width: w, height: h, around: [Array(listed[..<half]), listed[half...].reversed()],
                                   margin: margin)
        let near = margin * margin, far = (margin + ShaftModel.Band.centreGap) * (margin + ShaftModel.Band.centreGap)
        var missing = 0, extra = 0, j = 0
        for y in 0..<h {
            let runs = band.runs(ofRow: y)
            for (a, b) in zip(runs, runs.dropFirst()) { #expect(a.upperBound < b.lowerBound, "row \(y): runs touch") }
            for x in 0..<w {
                var nearest = Int.max
                for p in listed {
                    let dx = p % w - x, dy = p / w - y
                    nearest = Swift.min(nearest, dx * dx + dy * dy)
                }
                let index = band.index(x: x, y: y)
                if nearest <= near && index == nil { missing += 1 }
                if nearest > far && index != nil { extra += 1 }
                if let index {
                    #expect(index == j)
                    j += 1
                }
            }
        }
        #expect(j == band.pixelCount)
        #expect(missing == 0)
        #expect(extra == 0)
    }

    /// Over row runs that hold every pixel within Euclidean distance `margin` of a feature,
    /// each run pixel within `margin` of its nearest feature gets the whole-image transform's
    /// feature, and every other run pixel a feature no nearer than its nearest, or none.
    @Test(arguments: [UInt64(1), 2, 3], [3, 9, 20])
    func nearestWithinRunsMatchesTheWholeImage(seed: UInt64, margin: Int) {
        let w = 157, h = 113
        let m = Self.lines(width: w, height: h, seed: seed)
        let map = m.distanceToForeground()
        let band = ShaftModel.Band(width: w, height: h, around: [m.pixels.indices.filter { m.pixels[$0] }], margin: margin)
        // Each feature labelled with its own pixel index, as the whole-image transform reports it.
        let features = m.pixels.indices.filter { m.pixels[$0] }.map { (pixel: $0, label: Int32($0)) }
        let nearest = DistanceTransform.nearestWithinRuns(width: w, height: h, features: features,
                                                          runsOfRow: band.runs(ofRow:), count: band.pixelCount, r: margin)
        #expect(nearest.count == band.pixelCount)
        var wrong = 0
        band.forEachPixel { x, y, j in
            let i = y * w + x
            let truth = Int(map.nearest.pixels[i]), got = Int(nearest[j])
            let d2 = Int(map.squaredDistance.pixels[i])
            if d2 <= margin * margin {
                if got != truth { wrong += 1 }
            } else if got >= 0 {
                let dx = got % w - x, dy = got / w - y
                if dx * dx + dy * dy < d2 { wrong += 1 }
            }
        }
        #expect(wrong == 0)
    }

    /// A profile bin's order statistics by selection are, bit for bit, those `sortLowest`
    /// (a stable sort of the bin's lower values) puts at the same ranks: bins of every size
    /// from 1, with ties, +0 and -0 side by side, and NaN; the bin itself is left as it was
    /// unless the selection falls back to ordering it.
    @Test(arguments: [UInt64(51), 52, 53])
    func binSelectionMatchesSortingTheLowestValues(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        var scratch = [Float](repeating: .nan, count: 2 * 300)
        for trial in 0..<600 {
            let count = trial < 60 ? 1 + trial : 1 + Int(rng.unit() * 299)
            let style = trial % 4
            let values = (0..<count).map { _ -> Float in
                switch style {
                case 0: return Float(rng.unit() * 1000 - 200)                    // distinct
                case 1: return Float((rng.unit() * 12).rounded(.down)) + 1        // many ties
                case 2: return rng.unit() < 0.4 ? (rng.unit() < 0.5 ? 0 : -0.0) : Float(rng.unit() * 4 - 2).rounded()
                default: return rng.unit() < 0.02 ? .nan : Float(rng.unit() * 50)
                }
            }
            let ranks = (OrderStatistics.rank(0.3, count: count), OrderStatistics.rank(0.5, count: count),
                         OrderStatistics.rank(0.16, count: count))
            var reference = values
            reference.withUnsafeMutableBufferPointer { ShaftModel.sortLowest($0, count: ranks.1 + 1) }
            var bin = values
            let (q, median, low) = bin.withUnsafeMutableBufferPointer { v in
                scratch.withUnsafeMutableBufferPointer { ShaftModel.binOrderStatistics(v, ranks: ranks, scratch: $0.baseAddress!) }
            }
            #expect(q.bitPattern == reference[ranks.0].bitPattern, "trial \(trial): q")
            #expect(median.bitPattern == reference[ranks.1].bitPattern, "trial \(trial): median")
            #expect(low.bitPattern == reference[ranks.2].bitPattern, "trial \(trial): low")
            if style == 0 || style == 1 {
                #expect(bin.map(\.bitPattern) == values.map(\.bitPattern), "trial \(trial): the bin must be kept")
            }
        }
    }

    /// The comparator networks' order statistics, eight bins at a time, are bit for bit those
    /// `sortLowest` gives, or left to `binOrderStatistics` (nil) exactly when the bin holds a
    /// NaN or a zero at a wanted rank: bins of 1-128 values, distinct, with ties, with +0 and -0,
    /// with NaN and with infinities.
    @Test(arguments: [UInt64(61), 62, 63])
    func rankNetworksMatchSortingTheLowestValues(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        let settings = ShaftModel.Settings(segmentPixels: 12, reachPixels: 10, binPixels: 0.5, profileQuantile: 0.3,
                                           quantileOffsetSigmas: 0.5244, globalNoise: 1)
        for trial in 0..<150 {
            // Eight bins laid end to end, as a model gathers them.
            var values: [Float] = []
            var binStart = [0]
            for lane in 0..<8 {
                let count = trial < 64 ? Swift.max(1, trial + 1 - lane) : 1 + Int(rng.unit() * 128)
                let style = (trial + lane) % 5
                for _ in 0..<count {
                    switch style {
                    case 0: values.append(Float(rng.unit() * 1000 - 200))
                    case 1: values.append(Float((rng.unit() * 6).rounded(.down)) + 1)
                    case 2: values.append(rng.unit() < 0.4 ? (rng.unit() < 0.5 ? 0 : -0.0) : Float(rng.unit() * 4 - 2).rounded())
                    case 3: values.append(rng.unit() < 0.05 ? .nan : Float(rng.unit() * 50))
                    default: values.append(rng.unit() < 0.1 ? (rng.unit() < 0.5 ? .infinity : -.infinity) : Float(rng.unit() * 9))
                    }
                }
                binStart.append(values.count)
            }
            ShaftModel.RankNetwork.withBatches { batches in
                var batch = batches[batches.count - 1]
                for lane in 0..<8 { batch.keys[lane] = lane }
                batch.count = 8
                values.withUnsafeBufferPointer {
                    batch.resolve(values: $0.baseAddress!, binStart: binStart, settings: settings, mayHoldNaN: values.contains { $0.isNaN })
                }
                for lane in 0..<8 {
                    let bin = Array(values[binStart[lane]..<binStart[lane + 1]])
                    let ranks = ShaftModel.profileRanks(count: bin.count, settings: settings)
                    var reference = bin
                    reference.withUnsafeMutableBufferPointer { ShaftModel.sortLowest($0, count: ranks.median + 1) }
                    let expected = (reference[ranks.q], reference[ranks.median], reference[ranks.low])
                    let leftToSelection = bin.contains { $0.isNaN } || expected.0 == 0 || expected.1 == 0 || expected.2 == 0
                    if let found = batch.found[lane] {
                        #expect(!leftToSelection, "trial \(trial) lane \(lane)")
                        #expect(found.q.bitPattern == expected.0.bitPattern && found.median.bitPattern == expected.1.bitPattern
                                    && found.low.bitPattern == expected.2.bitPattern, "trial \(trial) lane \(lane)")
                    } else {
                        #expect(leftToSelection, "trial \(trial) lane \(lane)")
                    }
                }
            }
        }
        // Every pruned network orders the lower half of every arrangement of zeros and ones
        // (the 0-1 principle; sampled).
        for network in ShaftModel.RankNetwork.bySize {
            for _ in 0..<200 {
                var lanes = (0..<network.size).map { _ in SIMD8<Float>((0..<8).map { _ in rng.unit() < 0.5 ? 0 : 1 }) }
                let columns = (0..<8).map { lane in lanes.map { $0[lane] }.sorted() }
                lanes.withUnsafeMutableBufferPointer { network.apply(to: $0.baseAddress!) }
                for r in 0...OrderStatistics.rank(0.5, count: network.size) {
                    #expect((0..<8).allSatisfy { lanes[r][$0] == columns[$0][r] }, "size \(network.size) rank \(r)")
                }
            }
        }
    }

    /// The detector's radix order equals a stable sort on the same bytes: keys with many
    /// ties in the sorted bytes (their order kept), blob-like pixel indices, and keys whose
    /// lower bytes are positions (`brightestFirst`), at every length around the insertion cut.
    @Test(arguments: [UInt64(1), 2, 3])
    func radixOrderMatchesAStableSort(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        for trial in 0..<400 {
            let count = trial < 80 ? trial : Int(rng.unit() * 3000)
            let fromByte = [0, 4, 3, 7][trial % 4]
            let keys = (0..<count).map { k -> UInt64 in
                switch trial % 3 {
                case 0: return UInt64(rng.unit() * 16) << 56 | UInt64(rng.unit() * 65536) << 20 | UInt64(k)
                case 1: return UInt64(300_000 + Int(rng.unit() * 40) * 1024 + Int(rng.unit() * 30))
                default: return UInt64(UInt32(rng.unit() * Double(UInt32.max))) << 32 | UInt64(k)
                }
            }
            let shift = UInt64(8 * fromByte)
            let expected = keys.enumerated().sorted { a, b in
                a.element >> shift != b.element >> shift ? a.element >> shift < b.element >> shift : a.offset < b.offset
            }.map(\.element)
            var sorted = keys
            sorted.withUnsafeMutableBufferPointer { RadixOrder.sort($0, fromByte: fromByte) }
            #expect(sorted == expected, "trial \(trial): \(count) keys from byte \(fromByte)")
        }
    }

    @Test(arguments: [10, 255, 256, 1000, 5000])
    func radixSelectionMatchesSorting(count: Int) {
        var rng = TestRNG(seed: UInt64(count))
        // Ties, negatives, zero and a wide range of magnitudes.
        let values = (0..<count).map { _ -> Float in
            let v = Float((rng.unit() - 0.3) * 2000).rounded() / 8
            return rng.unit() < 0.1 ? v * 1e6 : v
        }
        let sorted = values.sorted()
        for q in [0.0, 0.16, 0.3, 0.5, 0.995, 1.0] {
            var copy = values
            #expect(OrderStatistics.quantile(&copy, q) == sorted[OrderStatistics.rank(q, count: count)])
            #expect(copy.sorted() == sorted, "selection must only reorder the values")
            #expect(values.withUnsafeBufferPointer { OrderStatistics.quantile(of: $0, q) }
                        == sorted[OrderStatistics.rank(q, count: count)])
        }
        var order = BucketedOrder(values)
        #expect((0..<count).map { order.value(atRank: $0) } == sorted)
        for level in [sorted[0], sorted[count / 2], sorted[count - 1], 0, -0.0, 0.125, -1e9, 1e9] as [Float] {
            #expect(order.countAtMost(level) == values.filter { $0 <= level }.count, "level \(level)")
        }
    }

    /// Selection from a sample's bracket finds the value of the rank that radix selection over
    /// all values finds (bit for bit, -0 and +0 apart), on runs of rows of a larger image, or
    /// gives up (nil) when the bracket misses; `selectKey` alone matches sorting the keys.
    @Test(arguments: [UInt64(21), 22, 23])
    func sampledSelectionMatchesRadixSelection(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        let width = 97, height = 41
        let pixels = (0..<(width * height)).map { _ -> Float in
            switch rng.index(below: 6) {
            case 0: return rng.chance(0.5) ? 0 : -0.0
            case 1: return Float(rng.index(below: 5))  // many ties
            default: return Float((rng.unit() - 0.2) * 3000).rounded() / 4
            }
        }
        var misses = 0
        pixels.withUnsafeBufferPointer { image in
            for (x0, y0, length, rows) in [(0, 0, width, height), (3, 5, 40, 30), (50, 1, 33, 9), (10, 20, 64, 4)] {
                var block: [Float] = []
                for y in y0..<(y0 + rows) { block += image[(y * width + x0)..<(y * width + x0 + length)] }
                for k in [0, 1, block.count / 3, block.count / 2, block.count - 2, block.count - 1] {
                    var copy = block
                    let expected = copy.withUnsafeMutableBufferPointer { OrderStatistics.radixSelect($0, rank: k) }
                    for (sampleCount, margin) in [(128, 18), (64, 0), (4096, 32), (1, 0)] {
                        var scratch = [UInt32](repeating: 0, count: block.count)
                        let found = scratch.withUnsafeMutableBufferPointer {
                            OrderStatistics.sampledSelect(image.baseAddress! + y0 * width + x0, rows: rows, length: length,
                                                          stride: width, rank: k, sampleCount: sampleCount,
                                                          margin: margin, scratch: $0)
                        }
                        if let found {
                            #expect(found.bitPattern == expected.bitPattern, "rank \(k) of \(block.count)")
                        } else {
                            misses += 1
                        }
                    }
                }
            }
        }
        #expect(misses > 0, "a margin of 0 should miss some ranks")
        var keys = pixels.map(OrderStatistics.sortKey)
        let sortedKeys = keys.sorted()
        for k in [0, 7, keys.count / 2, keys.count - 1] {
            var copy = keys
            #expect(copy.withUnsafeMutableBufferPointer { OrderStatistics.selectKey($0, rank: k) } == sortedKeys[k])
        }
        keys.removeAll()
    }

    /// Counting whole numbers finds the value of the rank that radix selection over all values
    /// finds, bit for bit, on runs of rows of a larger image (widths with and without a
    /// remainder of eight, and narrower than eight), or gives up (nil) when the rank lies
    /// outside the sample's bracket; any value that is not a whole number below 2^22 in
    /// magnitude (-0, a fraction, NaN, infinity, 2^22 itself) makes it give up.
    @Test(arguments: [UInt64(61), 62, 63])
    func wholeNumberSelectionMatchesRadixSelection(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        let width = 101, height = 47
        var pixels = (0..<(width * height)).map { _ -> Float in
            switch rng.index(below: 8) {
            case 0: return Float(rng.index(below: 4))  // many ties
            case 1: return Float(rng.index(below: 5000)) - 2500  // beyond the bins either side
            default: return Float(rng.index(below: 60) + 100)
            }
        }
        var copy = [Float](repeating: 0, count: width * height)
        var found = 0, misses = 0
        // The block copied row after row as the background copies it, then selected if whole.
        func select(_ image: UnsafeBufferPointer<Float>, _ x0: Int, _ y0: Int, _ length: Int, _ rows: Int,
                    rank k: Int, sampleCount: Int, margin: Int) -> Float? {
            copy.withUnsafeMutableBufferPointer { copy in
                var notWhole = SIMD8<Int32>()
                var minimum = SIMD8<Float>(repeating: .infinity)
                for y in y0..<(y0 + rows) {
                    OrderStatistics.copyWholeNumbers(image.baseAddress! + y * width + x0, count: length,
                                                     to: copy.baseAddress! + (y - y0) * length,
                                                     notWhole: &notWhole, minimum: &minimum)
                }
                var same = true
                for y in y0..<(y0 + rows) {
                    for x in 0..<length where copy[(y - y0) * length + x].bitPattern != image[y * width + x0 + x].bitPattern {
                        same = false
                    }
                }
                #expect(same, "the copy of the block at x \(x0), y \(y0)")
                guard notWhole == SIMD8() else { return nil }
                return OrderStatistics.wholeNumberSelect(UnsafeBufferPointer(rebasing: copy[0..<(rows * length)]), rank: k,
                                                         sampleCount: sampleCount, margin: margin)
            }
        }
        let blocks = [(0, 0, width, height), (3, 5, 63, 30), (50, 1, 33, 9), (10, 20, 64, 4), (7, 7, 5, 11)]
        pixels.withUnsafeBufferPointer { image in
            for (x0, y0, length, rows) in blocks {
                var block: [Float] = []
                for y in y0..<(y0 + rows) { block += image[(y * width + x0)..<(y * width + x0 + length)] }
                for k in [0, 1, block.count / 4, block.count * 3 / 10, block.count / 2, block.count - 1] {
                    var copy = block
                    let expected = copy.withUnsafeMutableBufferPointer { OrderStatistics.radixSelect($0, rank: k) }
                    for (sampleCount, margin) in [(128, 18), (64, 0), (1, 0)] {
                        if let value = select(image, x0, y0, length, rows, rank: k, sampleCount: sampleCount, margin: margin) {
                            #expect(value.bitPattern == expected.bitPattern, "rank \(k) of \(block.count)")
                            found += 1
                        } else {
                            misses += 1
                        }
                    }
                }
            }
        }
        #expect(found > 0 && misses > 0)
        // One value that is not a whole number below 2^22 (in the first lane, a row's last
        // value, mid-row) makes a block that is counted otherwise give up.
        let k = 63 * 30 * 3 / 10
        #expect(pixels.withUnsafeBufferPointer { select($0, 3, 5, 63, 30, rank: k, sampleCount: 128, margin: 18) } != nil)
        for odd: Float in [-0.0, 100.5, .nan, .infinity, -.infinity, 4_194_304] {
            for (x, y) in [(3, 5), (65, 5), (43, 15), (65, 34)] {
                let saved = pixels[y * width + x]
                pixels[y * width + x] = odd
                let value = pixels.withUnsafeBufferPointer { select($0, 3, 5, 63, 30, rank: k, sampleCount: 128, margin: 18) }
                #expect(value == nil, "\(odd) at x \(x), y \(y)")
                pixels[y * width + x] = saved
            }
        }
    }

    /// The background's copy of the blocks finds the image minimum `ImagedArea` would find
    /// (NaNs passed over; -0 and +0 compare equal), on blocks with and without a remainder of
    /// eight and narrower than eight, whole numbers or not.
    @Test(arguments: [UInt64(71), 72, 73])
    func backgroundFindsTheImageMinimum(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        for (width, height, blockSize) in [(101, 47, 63), (64, 40, 16), (37, 29, 5), (130, 20, 7)] {
            var pixels = (0..<(width * height)).map { _ in Float(rng.index(below: 500) + 200) }
            let odd: [Float] = [.nan, -0.0, 0.0, 150.5, -3, .nan]
            for value in odd where rng.index(below: 2) == 0 { pixels[rng.index(below: pixels.count)] = value }
            let image = GrayImage(width: width, height: height, pixels: pixels)
            let surface = BackgroundSurface(of: image, blockSize: blockSize, percentile: 0.3)
            let expected = pixels.withUnsafeBufferPointer { ImagedArea.minimum(of: $0) }
            #expect(surface.imageMinimum == expected, "\(width) x \(height), blocks of \(blockSize)")
        }
        let allNaN = GrayImage(width: 9, height: 9, pixels: [Float](repeating: .nan, count: 81))
        #expect(BackgroundSurface(of: allNaN, blockSize: 4, percentile: 0.3).imageMinimum == .infinity)
    }

    /// Thinning with the work list of border pixels gives the skeleton of Guo and Hall's rule
    /// applied to every foreground pixel in every sub-iteration.
    @Test(arguments: [UInt64(41), 42, 43, 44])
    func skeletonFromBorderWorkListMatchesFullPasses(seed: UInt64) {
        let m = Self.mask(width: 53, height: 37, seed: seed)
        var reference = m
        let w = m.width, h = m.height
        func at(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < w && y < h && reference[x: x, y: y] }
        var changed = true
        while changed {
            changed = false
            for pass in 0..<2 {
                let table = pass == 0 ? GuoHall.deletableFirst : GuoHall.deletableSecond
                var delete: [Int] = []
                for y in 0..<h {
                    for x in 0..<w where reference[x: x, y: y] {
                        let bits = GuoHall.neighbourhood(at(x, y - 1), at(x + 1, y - 1), at(x + 1, y), at(x + 1, y + 1),
                                                         at(x, y + 1), at(x - 1, y + 1), at(x - 1, y), at(x - 1, y - 1))
                        if table[bits] { delete.append(y * w + x) }
                    }
                }
                for i in delete { reference.pixels[i] = false }
                changed = changed || !delete.isEmpty
            }
        }
        #expect(m.skeletonized() == reference)
    }

    /// A group of more than 4096 values with the same top bits (sorted by counting) gives the
    /// ranks and counts of a sorted copy too.
    @Test func bucketedOrderSortsLargeGroups() {
        var rng = TestRNG(seed: 77)
        let values = (0..<20_000).map { _ in 100 + Float(Int(rng.unit() * 1024)) / 1024 }
        let sorted = values.sorted()
        var order = BucketedOrder(values)
        for r in stride(from: 0, to: values.count, by: 97) { #expect(order.value(atRank: r) == sorted[r]) }
        #expect(order.value(atRank: values.count - 1) == sorted[values.count - 1])
        for level in [sorted[5000], 100.5, 99, 101] as [Float] {
            #expect(order.countAtMost(level) == values.filter { $0 <= level }.count)
        }
    }

    /// Buckets gathered ahead around a few ranks, and the ones gathered when asked, give the
    /// ranks and counts of a sorted copy; the estimates from the counts alone stay within the
    /// bucket of the rank or level asked about.
    @Test func bucketedOrderGatheredAheadMatchesSortedCopy() {
        var rng = TestRNG(seed: 78)
        let values = (0..<30_000).map { _ in Float((rng.unit() + rng.unit() - 1) * 500) + (rng.unit() < 0.2 ? 3000 : 0) }
        let sorted = values.sorted()
        var order = BucketedOrder(values)
        order.gather(aroundRanks: [15_000, 7_000, -5, 40_000], margin: 300)
        for r in Swift.stride(from: 0, to: values.count, by: 13) {
            #expect(order.value(atRank: r) == sorted[r])
            let estimate = order.estimatedValue(atRank: r)
            #expect(OrderStatistics.sortKey(estimate) >> 16 == OrderStatistics.sortKey(sorted[r]) >> 16)
        }
        for level in [sorted[100], sorted[15_000], -0.0, 0, 2999.5, -1e9, 1e9] as [Float] {
            #expect(order.countAtMost(level) == values.filter { $0 <= level }.count, "level \(level)")
        }
        var values2 = values
        var taken = BucketedOrder(taking: &values2)
        #expect(values2.isEmpty)
        #expect(taken.value(atRank: 29_999) == sorted[29_999])
    }

    /// The noise estimate on one sorted copy equals the kappa-sigma loop as first written:
    /// select in a clipped copy each round.
    @Test(arguments: [UInt64(11), 12, 13])
    func noiseSigmaMatchesTheDirectLoop(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        let w = 48, h = 40
        let pixels = (0..<(w * h)).map { i -> Float in
            if i % w < 6 { return 0 }  // flat padding
            let noise = Float(Int((rng.unit() + rng.unit() + rng.unit() - 1.5) * 60))
            return 400 + noise + (rng.unit() < 0.15 ? 900 : 0)
        }
        let image = GrayImage(width: w, height: h, pixels: pixels)
        #expect(BackgroundEstimator.noiseSigma(of: image, excludingFlatRegionsOf: image)
                    == Self.directNoiseSigma(image))
    }

    private static func directNoiseSigma(_ image: GrayImage) -> Float {
        var values: [Float] = []
        for y in 0..<image.height {
            for x in 0..<image.width {
                let v = image[x: x, y: y]
                var flat = true
                for dy in -1...1 {
                    for dx in -1...1 {
                        let nx = Swift.min(image.width - 1, Swift.max(0, x + dx))
                        let ny = Swift.min(image.height - 1, Swift.max(0, y + dy))
                        if image[x: nx, y: ny] != v { flat = false }
                    }
                }
                if !flat { values.append(v) }
            }
        }
        var sigma: Float = 0
        for _ in 0..<10 {
            let sorted = values.sorted()
            let median = sorted[OrderStatistics.rank(0.5, count: sorted.count)]
            let below = values.filter { $0 <= median }.map { median - $0 }.sorted()
            let estimate = 1.4826 * below[OrderStatistics.rank(0.5, count: below.count)]
            if estimate == 0 && sigma > 0 { break }
            sigma = estimate
            let kept = values.filter { $0 <= median + 3 * sigma }
            guard kept.count < values.count, kept.count >= 16 else { break }
            values = kept
        }
        return sigma
    }

    /// Vertical passes done row by row equal the same pass on the transposed image.
    @Test(arguments: [(1, 9), (9, 1), (70, 33), (130, 7)], [BorderMode.replicate, .zero])
    func columnPassesMatchTransposedRowPasses(size: (Int, Int), border: BorderMode) {
        var rng = TestRNG(seed: UInt64(size.0 * 31 + size.1))
        let image = GrayImage(width: size.0, height: size.1,
                              pixels: (0..<(size.0 * size.1)).map { _ in Float(rng.unit() * 1000) })
        let kernel = GrayImage.gaussianKernel(sigma: 1.3)
        var columns = GrayImage(width: size.0, height: size.1, repeating: 0)
        GrayImage.convolveColumns(image, kernel: kernel, border: border, into: &columns)
        let t = image.transposed()
        var rows = GrayImage(width: t.width, height: t.height, repeating: 0)
        GrayImage.convolveRows(t, kernel: kernel, border: border, into: &rows)
        #expect(columns == rows.transposed())
        // The maximum filter is symmetric: filtering the transpose transposes the result.
        #expect(image.maximumFiltered(radius: 3) == t.maximumFiltered(radius: 3).transposed())
    }

    /// The flat fraction found by rolling row triples is the one `pixelNoise` counts pixel by
    /// pixel, on images with flat patches of several sizes, flat rows and flat columns.
    @Test(arguments: [(3, 3), (4, 9), (37, 23), (64, 50)], [UInt64(21), 22])
    func flatFractionMatchesPixelNoise(size: (Int, Int), seed: UInt64) {
        var rng = TestRNG(seed: seed)
        // Few levels, so that flat neighbourhoods happen by chance as well as in the patches.
        var image = GrayImage(width: size.0, height: size.1,
                              pixels: (0..<(size.0 * size.1)).map { _ in Float(Int(rng.unit() * 3)) })
        for _ in 0..<4 {
            let x0 = Int(rng.unit() * Double(size.0)), y0 = Int(rng.unit() * Double(size.1))
            let side = 1 + Int(rng.unit() * 12)
            for y in y0..<Swift.min(size.1, y0 + side) {
                for x in x0..<Swift.min(size.0, x0 + side) { image[x: x, y: y] = 7 }
            }
        }
        let expected = BackgroundEstimator.pixelNoise(of: image).flatFraction
        #expect(BackgroundEstimator.flatFraction(of: image) == expected)
        let constant = GrayImage(width: size.0, height: size.1, repeating: 5)
        #expect(BackgroundEstimator.flatFraction(of: constant) == 1)
    }

    /// The non-flat pixels found eight at a time are those a pixel-by-pixel test of the
    /// 3x3 neighbourhood (edges repeated) keeps, in raster order. Seed 33 draws from 1000
    /// levels instead of 2 (noisy data, where runs of eight with no pixel equal to its left
    /// neighbour skip the full test).
    @Test(arguments: [(3, 3), (4, 9), (10, 4), (37, 23), (64, 50)], [UInt64(31), 32, 33])
    func nonFlatPixelsMatchPixelByPixel(size: (Int, Int), seed: UInt64) {
        var rng = TestRNG(seed: seed)
        let (w, h) = size
        let levels = seed == 33 ? 1000.0 : 2
        var original = GrayImage(width: w, height: h, pixels: (0..<(w * h)).map { _ in Float(Int(rng.unit() * levels)) })
        for _ in 0..<4 {
            let x0 = Int(rng.unit() * Double(w)), y0 = Int(rng.unit() * Double(h))
            let side = 1 + Int(rng.unit() * 12)
            for y in y0..<Swift.min(h, y0 + side) {
                for x in x0..<Swift.min(w, x0 + side) { original[x: x, y: y] = 7 }
            }
        }
        // Values that differ from the original, so that the test sees which image is gathered.
        let image = GrayImage(width: w, height: h, pixels: (0..<(w * h)).map { Float($0) + 0.5 })
        var expected: [Float] = []
        for y in 0..<h {
            for x in 0..<w {
                let c = original[x: x, y: y]
                var flat = true
                for ny in [Swift.max(0, y - 1), y, Swift.min(h - 1, y + 1)] {
                    for nx in [Swift.max(0, x - 1), x, Swift.min(w - 1, x + 1)] where original[x: nx, y: ny] != c { flat = false }
                }
                if !flat { expected.append(image[x: x, y: y]) }
            }
        }
        var flatCount = -1
        #expect(BackgroundEstimator.nonFlatPixels(of: image, original: original, interiorFlatCount: &flatCount)
                    == expected)
        // The by-product is the count the flat fraction is made of.
        if w >= 3 && h >= 3 {
            #expect(Double(flatCount) / Double((w - 2) * (h - 2)) == BackgroundEstimator.flatFraction(of: original))
        }
    }
}
