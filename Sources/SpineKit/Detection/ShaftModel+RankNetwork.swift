extension ShaftModel {
    /// A comparator network that puts the lower half of up to `size` values (positions 0 up to
    /// the median's rank) in ascending order: Batcher's odd-even merge sort on 64 wires, or on
    /// 128 for more than 64 values (Knuth, TAOCP vol. 3, 5.3.4), keeping only the comparators
    /// among the first `size` wires and, of those, only the ones that the lower half's
    /// positions depend on.
    ///
    /// Fewer values than `size` are padded with +infinity: a comparator puts the smaller value
    /// on its lower wire, so +infinity never leaves the upper wires and the comparators that
    /// touch them change nothing. The network runs on eight profile bins at once, one in each
    /// lane of a `SIMD8<Float>` (`Batch`), with no branch on the values.
    struct RankNetwork {
        /// Bins of more values than this go to `binOrderStatistics`.
        static let largestSize = 128
        /// Bins ordered at once, one in each lane.
        static let laneCount = 8
        let size: Int
        /// The comparators in order, as pairs of positions (lower, upper): after each, the lower
        /// position holds the smaller of the two values.
        let pairs: [Int32]

        init(size n: Int) {
            precondition(n >= 1 && n <= Self.largestSize, "a network for \(n) values")
            var all: [(Int, Int)] = []
            // (Cut to 64 values or fewer, the network on 64 wires has fewer comparators.)
            let wires = n <= 64 ? 64 : 128
            var p = 1
            while p < wires {
                var k = p
                while k >= 1 {
                    var j = k % p
                    while j + k < wires {
                        for i in 0..<Swift.min(k, wires - j - k) where (i + j) / (2 * p) == (i + j + k) / (2 * p) {
                            all.append((i + j, i + j + k))
                        }
                        j += 2 * k
                    }
                    k /= 2
                }
                p *= 2
            }
            // Backwards from the positions read (up to the median's rank): a comparator is kept
            // when a later one, or the reading, needs one of its outputs; both its inputs are
            // then needed. (Each pair is appended upper first: reversing the list restores the
            // order of the comparators and of each pair.)
            var needed = [Bool](repeating: false, count: n)
            for r in 0...OrderStatistics.rank(0.5, count: n) { needed[r] = true }
            var kept: [Int32] = []
            for (a, b) in all.reversed() where b < n && (needed[a] || needed[b]) {
                kept += [Int32(b), Int32(a)]
                needed[a] = true
                needed[b] = true
            }
            size = n
            pairs = kept.reversed()
        }

        /// Networks for 8, 16, ... 128 values.
        static let bySize: [RankNetwork] = stride(from: 8, through: largestSize, by: 8).map { RankNetwork(size: $0) }

        /// Applies the network to `lanes[0..<size]`.
        @inline(__always)
        func apply(to lanes: UnsafeMutablePointer<SIMD8<Float>>) {
            pairs.withUnsafeBufferPointer { pairs in
                var c = 0
                while c < pairs.count {
                    let a = Int(pairs[c]), b = Int(pairs[c &+ 1])
                    let x = lanes[a], y = lanes[b]
                    // The smaller value of each lane to `a`: `x` where it is not greater.
                    let xIsGreater = x .> y
                    lanes[a] = x.replacing(with: y, where: xIsGreater)
                    lanes[b] = y.replacing(with: x, where: xIsGreater)
                    c &+= 2
                }
            }
        }

        /// Up to `laneCount` profile bins (keys into a model's gathered values) waiting for a
        /// network, and the three order statistics it found for each (`found` may be shared by
        /// several batches: it is read right after `resolve`).
        struct Batch {
            let keys: UnsafeMutablePointer<Int>
            var count = 0
            /// Per bin: its values at the ranks of `profileRanks`, or nil when the network's
            /// answer could differ from `binOrderStatistics`' (see `resolve`).
            let found: UnsafeMutablePointer<(q: Float, median: Float, low: Float)?>
            fileprivate let lanes: UnsafeMutablePointer<SIMD8<Float>>
            fileprivate let networks: [RankNetwork]

            /// Finds the order statistics of the waiting bins, each of 1...`largestSize` values
            /// at `values[binStart[k]..<binStart[k + 1]]`; the values are read, not reordered.
            /// Without `mayHoldNaN` none of them is NaN (the bins are not checked).
            ///
            /// The value at a rank is unique, and equal floats differ in their bits only as +0
            /// and -0; a NaN has no order. A bin holding a NaN, or with a zero at a wanted rank,
            /// is left to `binOrderStatistics` (nil), which finds the value its `sortLowest`
            /// route gives; any other bin gets the values that route gives.
            func resolve(values: UnsafePointer<Float>, binStart: [Int], settings: Settings, mayHoldNaN: Bool) {
                guard count > 0 else { return }
                var largest = 0
                for lane in 0..<count { largest = Swift.max(largest, binStart[keys[lane] + 1] - binStart[keys[lane]]) }
                let network = networks[(largest + 7) / 8 - 1]
                let laneValues = UnsafeMutableRawPointer(lanes).assumingMemoryBound(to: Float.self)
                let width = RankNetwork.laneCount
                // Each bin down its lane, padded with +infinity; lanes without a bin hold +infinity.
                for lane in 0..<width {
                    let from = lane < count ? binStart[keys[lane]] : 0
                    let n = lane < count ? binStart[keys[lane] + 1] - from : 0
                    for i in 0..<n { laneValues[width &* i &+ lane] = values[from &+ i] }
                    let nan = mayHoldNaN && (0..<n).contains { values[from &+ $0].isNaN }
                    for i in n..<network.size { laneValues[width &* i &+ lane] = .infinity }
                    if lane < count { found[lane] = nan ? nil : (0, 0, 0) }
                }
                network.apply(to: lanes)
                for lane in 0..<count where found[lane] != nil {
                    let ranks = ShaftModel.profileRanks(count: binStart[keys[lane] + 1] - binStart[keys[lane]], settings: settings)
                    let q = laneValues[width &* ranks.q &+ lane], median = laneValues[width &* ranks.median &+ lane]
                    let low = laneValues[width &* ranks.low &+ lane]
                    found[lane] = q == 0 || median == 0 || low == 0 ? nil : (q, median, low)
                }
            }
        }

        /// Runs `body` with an empty batch for each network (`bySize`): bins of 1-8 values wait
        /// in the first, 9-16 in the second and so on, so that each is ordered by the network of
        /// its size class, not one for the largest of eight bins of any sizes.
        static func withBatches<R>(_ body: (UnsafeMutableBufferPointer<Batch>) -> R) -> R {
            let classes = bySize.count
            return withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: largestSize) { lanes in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: classes * laneCount) { keys in
                    withUnsafeTemporaryAllocation(of: (q: Float, median: Float, low: Float)?.self, capacity: laneCount) { found in
                        withUnsafeTemporaryAllocation(of: Batch.self, capacity: classes) { batches in
                            for c in 0..<classes {
                                (batches.baseAddress! + c).initialize(to: Batch(keys: keys.baseAddress! + c * laneCount,
                                                                                found: found.baseAddress!,
                                                                                lanes: lanes.baseAddress!, networks: bySize))
                            }
                            defer { batches.baseAddress!.deinitialize(count: classes) }
                            return body(batches)
                        }
                    }
                }
            }
        }
    }
}
