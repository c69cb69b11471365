/// Estimates of the smooth background and of the noise, both robust to the bright neuron.
public enum BackgroundEstimator {
    /// A smooth background: the `percentile` of each `blockSize`-pixel block, median-filtered
    /// over 3x3 blocks and bilinearly interpolated between block centres.
    ///
    /// A low percentile stays on background as long as the neuron covers less than
    /// `1 - percentile` of a block (the "rolling ball" idea of Sternberg 1983, cheaper).
    public static func background(of image: GrayImage, blockSize: Int, percentile: Double) -> GrayImage {
        guard !image.isEmpty else { return image }
        var surface = BackgroundSurface(of: image, blockSize: blockSize, percentile: percentile)
        let w = image.width
        let pixels = [Float](unsafeUninitializedCapacity: image.count) { out, initialized in
            for y in 0..<image.height { surface.row(y, into: out.baseAddress! + y * w) }
            initialized = image.count
        }
        return GrayImage(width: w, height: image.height, pixels: pixels)
    }

    /// `(image - background(of: image, ...)).gaussianBlurred(sigma:)`, the same values,
    /// without the background and the flattened image in memory (8 bytes a pixel): each
    /// row of the background is made, and subtracted from the image's, when the blur first
    /// reads it. `minimum` is set to the image's smallest value (`ImagedArea.minimum(of:)`),
    /// found as the background reads every pixel.
    static func flattenedAndBlurred(_ image: GrayImage, blockSize: Int, percentile: Double,
                                    sigma: Double, minimum: inout Float) -> GrayImage {
        guard !image.isEmpty else { return image }
        var surface = BackgroundSurface(of: image, blockSize: blockSize, percentile: percentile)
        minimum = surface.imageMinimum
        let w = image.width
        guard sigma > 0 else {
            // gaussianBlurred returns its input unchanged: the flattened image itself.
            var flat = image
            flat.withUnsafeMutableBufferPointer { f in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: w) { b in
                    for y in 0..<image.height {
                        surface.row(y, into: b.baseAddress!)
                        for x in 0..<w { f[y * w + x] -= b[x] }
                    }
                }
            }
            return flat
        }
        return image.withUnsafeBufferPointer { src in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: w) { b in
                GrayImage.convolveSeparably(width: w, height: image.height,
                                            kernel: GrayImage.gaussianKernel(sigma: sigma), border: .replicate) { y, row in
                    surface.row(y, into: b.baseAddress!)
                    let pixels = src.baseAddress! + y * w
                    for x in 0..<w { row[x] = pixels[x] - b[x] }
                    return UnsafePointer(row)
                }
            }
        }
    }

    /// Standard deviation of the background noise from the lower half of the intensity
    /// distribution: 1.4826 x the median distance below the median. Signal only adds
    /// intensity, so as long as most pixels are background the lower half is pure noise.
    ///
    /// Pixels in flat regions of `original` (all nine of a 3x3 neighbourhood equal: zero
    /// padding, saturation, clipped blacks) carry no noise and are left out.
    public static func noiseSigma(of image: GrayImage, excludingFlatRegionsOf original: GrayImage? = nil) -> Float {
        guard image.count > 1 else { return 0 }
        var values: [Float] = []
        if let original, original.width == image.width, original.height == image.height,
           original.width >= 3, original.height >= 3 {
            var flatCount = 0
            values = nonFlatPixels(of: image, original: original, interiorFlatCount: &flatCount)
        }
        return noiseSigma(of: image, nonFlatPixels: &values)
    }

    /// `noiseSigma(of:excludingFlatRegionsOf:)` from the non-flat pixels already gathered
    /// (`nonFlatPixels`); all of `image` when fewer than 16. `values` is emptied once ranked,
    /// so that a million of them are not held twice.
    static func noiseSigma(of image: GrayImage, nonFlatPixels values: inout [Float]) -> Float {
        guard image.count > 1 else { return 0 }
        if values.count < 16 { values = image.pixels }
        // Bright signal lifts the median, and the spread below it with it (signal in 20 % of
        // the pixels overstates sigma by 20 %), so pixels more than 3 sigma above the median
        // are dropped and the estimate repeated until none is: the kappa-sigma clipping of
        // SExtractor's background (Bertin & Arnouts 1996, A&AS 117:393), upper side only.
        //
        // Every set of values in the loop is "all values up to some level", so one ordering
        // serves all rounds: the first `count` values in ascending order are the values kept,
        // the median is one of them, and the median distance below the median is the median
        // minus the value that many places below it (subtraction from the median reverses the
        // order). The numbers are exactly those of selecting in a clipped copy each round; the
        // ordering is only completed where the loop looks (see `BucketedOrder`): the loop is
        // first played on the bucket counts alone, which tells near which ranks it will ask,
        // and the buckets there are gathered in one pass before the loop is run exactly.
        var order = BucketedOrder(taking: &values)
        var asked: [Int]? = []
        _ = clippedSigma(&order, estimating: &asked)
        order.gather(aroundRanks: asked!, margin: order.count / 1024 + 16)
        asked = nil
        return clippedSigma(&order, estimating: &asked)
    }

    /// The kappa-sigma loop of `noiseSigma(of:nonFlatPixels:)` over `order`; with `asked`
    /// not nil, on the order's estimates from its counts instead, and the ranks it asks
    /// about and the counts it estimates are appended to `asked`.
    private static func clippedSigma(_ order: inout BucketedOrder, estimating asked: inout [Int]?) -> Float {
        func value(atRank r: Int) -> Float {
            guard asked != nil else { return order.value(atRank: r) }
            asked!.append(r)
            return order.estimatedValue(atRank: r)
        }
        func countAtMost(_ level: Float) -> Int {
            guard asked != nil else { return order.countAtMost(level) }
            let n = order.estimatedCountAtMost(level)
            asked!.append(n)
            return n
        }
        var count = order.count
        var sigma: Float = 0
        for _ in 0..<10 {
            let median = value(atRank: OrderStatistics.rank(0.5, count: count))
            let below = Swift.min(count, countAtMost(median))
            // (`below` is at least 1, the median itself, unless a NaN came in.)
            let estimate: Float = below > 0
                ? 1.4826 * (median - value(atRank: below - 1 - OrderStatistics.rank(0.5, count: below))) : 0
            // Ties in quantised data can leave no spread once the signal is clipped away.
            if estimate == 0 && sigma > 0 { break }
            sigma = estimate
            let kept = Swift.min(count, countAtMost(median + 3 * sigma))
            guard kept < count, kept >= 16 else { break }
            count = kept
        }
        return sigma
    }

    /// The pixels of `image` where `original` is not flat (its 3x3 neighbourhood, edges
    /// repeated, holds more than one value), in raster order; `interiorFlatCount` is set to
    /// the number of flat pixels off the edges, the count `flatFraction(of: original)` is
    /// made of, so that the pipeline tests each pixel once for both.
    ///
    /// Interior pixels are tested eight at a time (`flatLanes`); the edge rows and columns,
    /// whose neighbourhoods repeat the edge, one at a time.
    static func nonFlatPixels(of image: GrayImage, original: GrayImage, interiorFlatCount: inout Int) -> [Float] {
        let w = original.width, h = original.height
        var flatCount = 0
        var flatLaneCounts = SIMD8<Int32>(repeating: 0)
        defer { interiorFlatCount = flatCount + Int(flatLaneCounts.wrappedSum()) }
        return [Float](unsafeUninitializedCapacity: image.count) { out, found in
            var n = 0
            original.withUnsafeBufferPointer { o in
                image.withUnsafeBufferPointer { v in
                    let to = out.baseAddress!
                    for y in 0..<h {
                        let row = y * w
                        let up = Swift.max(0, y - 1) * w, down = Swift.min(h - 1, y + 1) * w
                        // Edges repeated: the clamped neighbours of (x, y).
                        func flat(_ x: Int) -> Bool {
                            let c = o[row + x], l = Swift.max(0, x - 1), r = Swift.min(w - 1, x + 1)
                            return o[row + l] == c && o[row + r] == c
                                && o[up + l] == c && o[up + x] == c && o[up + r] == c
                                && o[down + l] == c && o[down + x] == c && o[down + r] == c
                        }
                        var x = 0
                        if y > 0 && y < h - 1 {
                            let centre = o.baseAddress! + row
                            if !flat(0) { to[n] = v[row]; n += 1 }
                            x = 1
                            let raw = UnsafeRawPointer(centre)
                            while x + 8 <= w - 1 {
                                // A flat pixel equals its left and upper neighbours: when none of
                                // the eight does both (noisy data), none is flat, and the full test
                                // is skipped. (The left neighbour alone is often equal in integer
                                // samples with a few counts of noise, and sent runs of eight to the
                                // full test at random: twice the cycles on the benchmark's images.)
                                let here = raw.loadUnaligned(fromByteOffset: 4 * x, as: SIMD8<Float>.self)
                                let left = raw.loadUnaligned(fromByteOffset: 4 * (x - 1), as: SIMD8<Float>.self)
                                let above = raw.loadUnaligned(fromByteOffset: 4 * (x - w), as: SIMD8<Float>.self)
                                if !any((here .== left) .& (here .== above)) {
                                    UnsafeMutableRawPointer(to + n).storeBytes(
                                        of: UnsafeRawPointer(v.baseAddress! + row + x).loadUnaligned(as: SIMD8<Float>.self),
                                        as: SIMD8<Float>.self)
                                    n += 8
                                    x += 8
                                    continue
                                }
                                let lanes = flatLanes(centre, width: w, x: x)
                                flatLaneCounts &-= unsafeBitCast(lanes, to: SIMD8<Int32>.self)
                                if !any(lanes) {
                                    UnsafeMutableRawPointer(to + n).storeBytes(
                                        of: UnsafeRawPointer(v.baseAddress! + row + x).loadUnaligned(as: SIMD8<Float>.self),
                                        as: SIMD8<Float>.self)
                                    n += 8
                                } else if !all(lanes) {
                                    for k in 0..<8 where !lanes[k] { to[n] = v[row + x + k]; n += 1 }
                                }
                                x += 8
                            }
                        }
                        let interior = y > 0 && y < h - 1
                        while x < w {
                            if !flat(x) {
                                to[n] = v[row + x]
                                n += 1
                            } else if interior && x > 0 && x < w - 1 {
                                flatCount += 1
                            }
                            x += 1
                        }
                    }
                }
            }
            found = n
        }
    }
}

/// The smooth background of `BackgroundEstimator.background(of:blockSize:percentile:)`,
/// made a row at a time: the block percentiles, their 3x3 median and the horizontal
/// interpolation weights are found at once; each row is a blend of two horizontally
/// interpolated rows of block values, which are found once per pair of block rows.
struct BackgroundSurface {
    let width: Int
    /// Blocks across and down, and the side of a block in pixels.
    let blocksAcross: Int, blocksDown: Int, blockSize: Int
    /// The median-filtered block percentiles, row by row.
    private let blocks: [Float]
    /// For each column: the block columns to its left and right, and the right one's weight.
    private let left: [Int], right: [Int], weight: [Float]
    /// The horizontally interpolated rows of block rows `rowsOf.0` and `rowsOf.1`.
    private var top: [Float], bottom: [Float]
    private var rowsOf = (-1, -1)
    /// The image's smallest value, as `ImagedArea.minimum(of:)` finds it (NaNs passed over;
    /// of -0 and +0 either), taken while the blocks are copied: the image is read once
    /// here, instead of once more, from memory, when the spines are counted.
    let imageMinimum: Float

    init(of image: GrayImage, blockSize: Int, percentile: Double) {
        precondition(!image.isEmpty, "a background needs pixels")
        let b = Swift.max(4, blockSize)
        let bw = (image.width + b - 1) / b, bh = (image.height + b - 1) / b
        var grid = [Float](repeating: 0, count: bw * bh)
        var buffer: [Float] = []
        buffer.reserveCapacity(b * b)
        // Scratch of the sampled selection: it gathers at most all of a block's keys.
        var scratch = [UInt32](repeating: 0, count: b * b)
        // One row of blocks, copied while its rows are read in order: block bx's values, row
        // after row, from `bx * b * b`; and whether they are all whole numbers.
        var copies = [Float](repeating: 0, count: bw * b * b)
        var notWhole = [SIMD8<Int32>](repeating: SIMD8(), count: bw)
        var minimumLanes = SIMD8<Float>(repeating: .infinity)
        image.withUnsafeBufferPointer { src in
            copies.withUnsafeMutableBufferPointer { copies in
                for by in 0..<bh {
                    let y0 = by * b, y1 = Swift.min(image.height, (by + 1) * b)
                    // Read row by row, not block by block: each image row is one run of memory
                    // (a block's 63 short runs, 4 KB apart, were fetched at the speed of misses).
                    for bx in 0..<bw { notWhole[bx] = SIMD8() }
                    for y in y0..<y1 {
                        for bx in 0..<bw {
                            let x0 = bx * b, length = Swift.min(image.width, x0 + b) - x0
                            OrderStatistics.copyWholeNumbers(src.baseAddress! + y * image.width + x0, count: length,
                                                             to: copies.baseAddress! + bx * b * b + (y - y0) * length,
                                                             notWhole: &notWhole[bx], minimum: &minimumLanes)
                        }
                    }
                    for bx in 0..<bw {
                        let x0 = bx * b, x1 = Swift.min(image.width, (bx + 1) * b)
                        let count = (x1 - x0) * (y1 - y0)
                        // Large blocks: the value of the same rank in the same order as the radix
                        // selection below would find (see `sampledSelect`), without copying the
                        // block and ranking all of it; counted, when the pixels are whole numbers.
                        let first = src.baseAddress! + y0 * image.width + x0
                        let k = OrderStatistics.rank(percentile, count: count)
                        if count >= OrderStatistics.radixSelectionMinimumCount,
                           let value = (notWhole[bx] == SIMD8() ? OrderStatistics.wholeNumberSelect(
                                UnsafeBufferPointer(start: copies.baseAddress! + bx * b * b, count: count),
                                rank: k, sampleCount: 128, margin: 18) : nil)
                            ?? scratch.withUnsafeMutableBufferPointer({ out in
                                OrderStatistics.sampledSelect(first, rows: y1 - y0, length: x1 - x0, stride: image.width,
                                                              rank: k, sampleCount: 128, margin: 18, scratch: out)
                            }) {
                            grid[by * bw + bx] = value
                            continue
                        }
                        buffer.removeAll(keepingCapacity: true)
                        for y in y0..<y1 {
                            let row = y * image.width
                            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: src[(row + x0)..<(row + x1)]))
                        }
                        grid[by * bw + bx] = OrderStatistics.quantile(&buffer, percentile)
                    }
                }
            }
        }
        // A 3x3 median over blocks removes blocks filled by a dendrite.
        var smoothed = grid
        var window: [Float] = []
        for by in 0..<bh {
            for bx in 0..<bw {
                window.removeAll(keepingCapacity: true)
                for ny in Swift.max(0, by - 1)...Swift.min(bh - 1, by + 1) {
                    for nx in Swift.max(0, bx - 1)...Swift.min(bw - 1, bx + 1) { window.append(grid[ny * bw + nx]) }
                }
                smoothed[by * bw + bx] = OrderStatistics.quantile(&window, 0.5)
            }
        }
        // The horizontal interpolation weights are the same on every row: found once.
        let w = image.width
        var left = [Int](repeating: 0, count: w), right = left
        var weight = [Float](repeating: 0, count: w)
        for x in 0..<w {
            let gx = (Double(x) + 0.5) / Double(b) - 0.5
            left[x] = Swift.max(0, Swift.min(bw - 1, Int(gx.rounded(.down))))
            right[x] = Swift.min(bw - 1, left[x] + 1)
            weight[x] = Float(Swift.max(0, Swift.min(1, gx - Double(left[x]))))
        }
        var minimum = Float.infinity
        for lane in 0..<8 where minimumLanes[lane] < minimum { minimum = minimumLanes[lane] }
        imageMinimum = minimum
        self.width = w
        self.blocksAcross = bw
        self.blocksDown = bh
        self.blockSize = b
        self.blocks = smoothed
        self.left = left
        self.right = right
        self.weight = weight
        top = [Float](repeating: 0, count: w)
        bottom = top
    }

    /// Writes background row `y` (`width` values) to `out`: rows may come in any order, the
    /// values depend only on `y`.
    mutating func row(_ y: Int, into out: UnsafeMutablePointer<Float>) {
        let b = blockSize, bw = blocksAcross, bh = blocksDown, w = width
        let gy = (Double(y) + 0.5) / Double(b) - 0.5
        let y0 = Swift.max(0, Swift.min(bh - 1, Int(gy.rounded(.down))))
        let y1 = Swift.min(bh - 1, y0 + 1)
        let fy = Float(Swift.max(0, Swift.min(1, gy - Double(y0))))
        if rowsOf != (y0, y1) {
            rowsOf = (y0, y1)
            blocks.withUnsafeBufferPointer { s in
                left.withUnsafeBufferPointer { x0 in
                    right.withUnsafeBufferPointer { x1 in
                        weight.withUnsafeBufferPointer { fx in
                            top.withUnsafeMutableBufferPointer { t in
                                bottom.withUnsafeMutableBufferPointer { u in
                                    let upper = s.baseAddress! + y0 * bw, lower = s.baseAddress! + y1 * bw
                                    for x in 0..<w {
                                        t[x] = upper[x0[x]] * (1 - fx[x]) + upper[x1[x]] * fx[x]
                                        u[x] = lower[x0[x]] * (1 - fx[x]) + lower[x1[x]] * fx[x]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        top.withUnsafeBufferPointer { t in
            bottom.withUnsafeBufferPointer { u in
                for x in 0..<w { out[x] = t[x] * (1 - fy) + u[x] * fy }
            }
        }
    }
}

/// The ascending order of a fixed set of finite values, answered as a sorted copy would
/// answer it, but sorted only where asked.
///
/// The values are grouped by the top 16 bits of their ordered bit patterns
/// (`OrderStatistics.sortKey`), the buckets, in ascending order. One counting pass sizes the
/// 65536 buckets, which tells in which bucket any rank lies; only the keys of the buckets a
/// question lands in are gathered (one pass over the values picks out the keys of any set
/// of buckets) and sorted. The noise estimate asks for a handful of ranks and counts around
/// the median: it first plays its clipping loop on the counts alone (`rankEstimates`) and
/// has the buckets around those ranks gathered in one pass (`gather(aroundRanks:)`); a
/// question outside them costs one more pass, never a different answer.
struct BucketedOrder {
    private static let bucketCount = 1 << 16
    /// The values, in their own order.
    private let values: [Float]
    /// Bucket b holds the ranks `start[b]..<start[b + 1]`.
    private var start: [Int]
    /// Where bucket b's keys begin in `keys`, or -1 when they are not gathered.
    private var place: [Int32]
    /// Gathered buckets' ordered bit patterns, bucket after bucket (each in ascending order
    /// once `sorted` says so).
    private var keys: [UInt32] = []
    private var sorted: [Bool]

    var count: Int { values.count }

    /// Takes `values` over (the caller's array is left empty, so that a million values are
    /// not held twice). Keys are made eight at a time (`OrderStatistics.sortKeys`); the
    /// counts are `Int32` (an image holds fewer than 2^31 pixels), so the table of 65536 is
    /// half as large in cache.
    init(taking values: inout [Float]) {
        let n = values.count
        precondition(n < Int(Int32.max), "\(n) values are too many to order")
        self.values = values
        values = []
        var start = [Int](repeating: 0, count: Self.bucketCount + 1)
        // Two tables, the even lanes counted in one and the odd in the other: neighbouring
        // pixels often fall in one bucket, and each increment of a count waits for the last.
        var counts = [Int32](repeating: 0, count: 2 * Self.bucketCount)
        self.values.withUnsafeBufferPointer { v in
            counts.withUnsafeMutableBufferPointer { c in
                var i = 0
                if n >= 8 {
                    let bits = UnsafeRawPointer(v.baseAddress!)
                    let second = SIMD8<UInt32>(0, 1, 0, 1, 0, 1, 0, 1) &<< 16
                    while i + 8 <= n {
                        let slots = (OrderStatistics.sortKeys(bits.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<UInt32>.self)) &>> 16) | second
                        for lane in 0..<8 { c[Int(slots[lane])] &+= 1 }
                        i += 8
                    }
                }
                while i < n {
                    c[Int(OrderStatistics.sortKey(v[i]) >> 16)] &+= 1
                    i += 1
                }
                start.withUnsafeMutableBufferPointer { first in
                    var total = 0
                    for b in 0..<Self.bucketCount {
                        total += Int(c[b]) + Int(c[b + Self.bucketCount])
                        first[b + 1] = total
                    }
                }
            }
        }
        self.start = start
        place = [Int32](repeating: -1, count: Self.bucketCount)
        sorted = [Bool](repeating: false, count: Self.bucketCount)
    }

    init(_ values: [Float]) {
        var copy = values
        self.init(taking: &copy)
    }

    /// The bucket that holds rank `r`: the last one starting at or before it.
    private func bucket(ofRank r: Int) -> Int {
        var lo = 0, hi = Self.bucketCount
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if start[mid] <= r { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// The value of rank `r` (0-based) in ascending order, as `sortKey` orders (-0 before +0).
    mutating func value(atRank r: Int) -> Float {
        precondition(r >= 0 && r < values.count, "rank \(r) outside 0..<\(values.count)")
        let b = bucket(ofRank: r)
        if place[b] < 0 { gather(buckets: [b]) }
        sortBucket(b)
        return Self.value(ofKey: keys[Int(place[b]) + r - start[b]])
    }

    /// How many values are at most `level` (IEEE comparison: -0 and +0 are equal).
    mutating func countAtMost(_ level: Float) -> Int {
        // Every value below +0 in key order is also <= -0. Keys of the buckets before the
        // level's are all below it, those of the buckets after all above.
        let limit = OrderStatistics.sortKey(level == 0 ? 0 : level)
        let b = Int(limit >> 16)
        let lower = start[b], size = start[b + 1] - lower
        guard size > 0 else { return lower }
        if place[b] < 0 { gather(buckets: [b]) }
        let first = Int(place[b])
        var n = lower
        for k in first..<(first + size) where keys[k] <= limit { n += 1 }
        return n
    }

    /// An estimate of `value(atRank:)` from the counts alone: the keys taken as spread evenly
    /// over their bucket.
    func estimatedValue(atRank r: Int) -> Float {
        let b = bucket(ofRank: r)
        let size = start[b + 1] - start[b]
        let fraction = (Double(r - start[b]) + 0.5) / Double(size)
        return Self.value(ofKey: UInt32(b) << 16 | UInt32(Swift.min(65535, Int(fraction * 65536))))
    }

    /// An estimate of `countAtMost(_:)` from the counts alone, as `estimatedValue`.
    func estimatedCountAtMost(_ level: Float) -> Int {
        let limit = OrderStatistics.sortKey(level == 0 ? 0 : level)
        let b = Int(limit >> 16)
        let size = start[b + 1] - start[b]
        return start[b] + Int(Double(size) * Double(limit & 0xFFFF) / 65536)
    }

    /// Gathers, in one pass, the buckets that hold ranks within `margin` of any of `ranks`
    /// (ranks outside `0..<count` are clamped).
    mutating func gather(aroundRanks ranks: [Int], margin: Int) {
        guard !values.isEmpty else { return }
        var wanted: [Int] = []
        for r in ranks {
            let first = bucket(ofRank: Swift.max(0, Swift.min(values.count - 1, r - margin)))
            let last = bucket(ofRank: Swift.max(0, Swift.min(values.count - 1, r + margin)))
            for b in first...last where place[b] < 0 && start[b + 1] > start[b] { wanted.append(b) }
        }
        gather(buckets: wanted)
    }

    /// Gathers the keys of `buckets` (not gathered yet; repeats allowed) after those already
    /// gathered, in one pass over the values.
    private mutating func gather(buckets: [Int]) {
        var total = keys.count
        var next = [Int32](repeating: -1, count: Self.bucketCount)
        for b in buckets where place[b] < 0 {
            place[b] = Int32(truncatingIfNeeded: total)
            next[b] = Int32(truncatingIfNeeded: total)
            total += start[b + 1] - start[b]
        }
        guard total > keys.count else { return }
        keys.reserveCapacity(total)
        let first = keys.count
        keys.append(contentsOf: repeatElement(0, count: total - first))
        let n = values.count
        keys.withUnsafeMutableBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                next.withUnsafeMutableBufferPointer { next in
                    let to = k.baseAddress!
                    @inline(__always) func take(_ key: UInt32) {
                        let b = Int(key >> 16), p = next[b]
                        if p >= 0 {
                            to[Int(p)] = key
                            next[b] = p &+ 1
                        }
                    }
                    var i = 0
                    if n >= 8 {
                        let bits = UnsafeRawPointer(v.baseAddress!)
                        while i + 8 <= n {
                            let keys = OrderStatistics.sortKeys(bits.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<UInt32>.self))
                            for lane in 0..<8 { take(keys[lane]) }
                            i += 8
                        }
                    }
                    while i < n {
                        take(OrderStatistics.sortKey(v[i]))
                        i += 1
                    }
                }
            }
        }
    }

    /// Keys in one bucket differ only in their low 16 bits: a counting sort on those for a
    /// large bucket, an ordinary sort for a small one.
    private mutating func sortBucket(_ b: Int) {
        guard !sorted[b] else { return }
        sorted[b] = true
        let lower = Int(place[b]), upper = lower + start[b + 1] - start[b]
        keys.withUnsafeMutableBufferPointer { all in
            var slice = UnsafeMutableBufferPointer(rebasing: all[lower..<upper])
            guard slice.count > 4096 else {
                slice.sort()
                return
            }
            var counts = [Int](repeating: 0, count: 1 << 16)
            for key in slice { counts[Int(key & 0xFFFF)] += 1 }
            var k = 0
            let high = UInt32(b) << 16
            for low in 0..<(1 << 16) where counts[low] > 0 {
                for _ in 0..<counts[low] {
                    slice[k] = high | UInt32(low)
                    k += 1
                }
            }
        }
    }

    /// The value whose ordered bit pattern is `key` (the inverse of `sortKey`).
    private static func value(ofKey key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }
}

/// Small order statistics used throughout the engine.
enum OrderStatistics {
    /// The position of the `q` quantile (0...1) among `count` sorted values: the nearest
    /// rank, `round(q (count - 1))`, clamped to the values.
    @inline(__always)
    static func rank(_ q: Double, count: Int) -> Int {
        Swift.min(count - 1, Swift.max(0, Int((q * Double(count - 1)).rounded())))
    }

    /// Arrays at least this long are searched by radix selection, shorter ones by
    /// partitioning (which needs no histograms).
    static let radixSelectionMinimumCount = 256

    /// The `q` quantile (0...1) by selection; reorders `values`. Empty input gives 0.
    ///
    /// The value is the one at rank `rank(q, count:)` in ascending order, however it is
    /// found: the order statistic of a multiset does not depend on the method.
    static func quantile(_ values: inout [Float], _ q: Double) -> Float {
        values.withUnsafeMutableBufferPointer { quantile($0, q) }
    }

    /// The `q` quantile of the values in `v`, as `quantile(_:_:)` finds it; reorders them.
    /// For runs of a larger array, which need no copy of their own.
    static func quantile(_ v: UnsafeMutableBufferPointer<Float>, _ q: Double) -> Float {
        guard !v.isEmpty else { return 0 }
        let k = rank(q, count: v.count)
        if v.count >= radixSelectionMinimumCount { return radixSelect(v, rank: k) }
        do {
            var lo = 0, hi = v.count - 1
            while lo < hi {
                let pivot = v[(lo + hi) / 2]
                var i = lo, j = hi
                while i <= j {
                    while v[i] < pivot { i += 1 }
                    while v[j] > pivot { j -= 1 }
                    if i <= j {
                        v.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if k <= j { hi = j } else if k >= i { lo = i } else { break }
            }
            return v[k]
        }
    }

    /// The `q` quantile of `values` exactly as `quantile(_:_:)` finds it, without copying or
    /// reordering them: one pass counts the values by the top 16 bits of their ordered bit
    /// patterns (`sortKey`), a second gathers the group that holds the rank, and the
    /// selection runs in that group alone. For an image, where a copy of every pixel would
    /// otherwise be made and reordered three times.
    static func quantile(of values: UnsafeBufferPointer<Float>, _ q: Double) -> Float {
        guard values.count >= radixSelectionMinimumCount else {
            var copy = Array(values)
            return quantile(&copy, q)
        }
        // First from a sample, gathering at most a 16th of the values (and a chunk more, see
        // `sampledSelect`); a miss, or more ties than that in the bracket, falls through.
        let capacity = values.count / 16
        let sampled = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: capacity + sampledSelectChunk) {
            sampledSelect(values.baseAddress!, rows: 1, length: values.count, stride: values.count,
                          rank: rank(q, count: values.count), sampleCount: 4096, margin: 32,
                          scratch: $0, capacity: capacity)
        }
        if let sampled { return sampled }
        var k = rank(q, count: values.count)
        var counts = [Int](repeating: 0, count: 1 << 16)
        let group: UInt32 = counts.withUnsafeMutableBufferPointer { c in
            for v in values { c[Int(sortKey(v) >> 16)] += 1 }
            var g = 0
            while k >= c[g] {
                k -= c[g]
                g += 1
            }
            return UInt32(g)
        }
        var members: [Float] = []
        members.reserveCapacity(counts[Int(group)])
        for v in values where sortKey(v) >> 16 == group { members.append(v) }
        // Within the group the order is the keys' order, as radix selection over all values
        // has it.
        return members.withUnsafeMutableBufferPointer { radixSelect($0, rank: k) }
    }

    /// Values are gathered by `sampledSelect` in runs of at most this many, so a scratch buffer
    /// needs this much room beyond the values it may keep.
    static let sampledSelectChunk = 4096

    /// The value of rank `k` (0-based) in `sortKey` order among `rows` runs of `length` values,
    /// `stride` apart from `base`: the value `radixSelect` finds over the same values, found by
    /// sampling first (Floyd and Rivest 1975, CACM 18:165).
    ///
    /// Two order statistics of `sampleCount` evenly spread values, `margin` places either side
    /// of rank k's place among them, bound a bracket of keys. One pass then counts the values
    /// below the bracket and gathers the keys inside it into `scratch`, and rank k is selected
    /// among those alone (`selectKey`). The result depends only on the values and k: the
    /// sample decides the cost, never the answer. Returns nil when rank k falls outside the
    /// bracket (an unlucky sample) or the bracket holds more than `capacity` values (many
    /// ties); the caller then ranks all values. `scratch` holds `capacity` keys and, unless
    /// `capacity` is the number of values, `sampledSelectChunk` more.
    static func sampledSelect(_ base: UnsafePointer<Float>, rows: Int, length: Int, stride: Int,
                              rank k: Int, sampleCount: Int, margin: Int,
                              scratch: UnsafeMutableBufferPointer<UInt32>, capacity: Int? = nil) -> Float? {
        let n = rows * length
        let capacity = capacity ?? n
        guard n > 0, k >= 0, k < n, sampleCount > 0 else { return nil }
        let m = Swift.min(sampleCount, n)
        let place = Int((Double(k) + 0.5) * Double(m) / Double(n))
        let lower = place - margin, upper = place + margin
        func sampleKey(rank r: Int) -> UInt32 {
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: m) { sample in
                for i in 0..<m {
                    let p = (2 * i + 1) * n / (2 * m)
                    sample[i] = sortKey(base[p / length * stride + p % length])
                }
                return selectKey(sample, rank: r)
            }
        }
        let low = lower < 0 ? 0 : sampleKey(rank: lower)
        let high = upper >= m ? UInt32.max : sampleKey(rank: upper)
        let span = high &- low
        let lowLanes = SIMD8<UInt32>(repeating: low), spanLanes = SIMD8<UInt32>(repeating: span)
        // At most a 16th of the values expected inside.
        let narrow = 32 * margin <= m
        var below = 0, inside = 0
        let out = scratch.baseAddress!
        for r in 0..<rows {
            let row = base + r * stride
            var x = 0
            while x < length {
                let end = Swift.min(length, x + sampledSelectChunk)
                // Branch-free (a value near the bracket's edges is in or out at random): every
                // key is written and kept only if inside; the comparisons are borrows of 64-bit
                // differences.
                var p = row + x
                let stop = row + end
                // A narrow bracket: eight at a time first, lanes counted below the bracket and
                // the keys stored only when a lane is inside (most runs of eight hold none), in
                // lane order, as the loop below would store them.
                var belowLanes = SIMD8<UInt32>()
                while narrow && stop - p >= 8 {
                    let keys = sortKeys(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt32>.self))
                    belowLanes &+= SIMD8<UInt32>().replacing(with: 1, where: keys .< lowLanes)
                    let isInside = keys &- lowLanes .<= spanLanes
                    if any(isInside) {
                        for lane in 0..<8 {
                            out[inside] = keys[lane]
                            inside &+= isInside[lane] ? 1 : 0
                        }
                    }
                    p += 8
                }
                below &+= Int(belowLanes.wrappedSum())
                while p < stop {
                    let key = sortKey(p.pointee)
                    below &+= Int(truncatingIfNeeded: (UInt64(key) &- UInt64(low)) >> 63)
                    out[inside] = key
                    inside &+= 1 &- Int(truncatingIfNeeded: (UInt64(span) &- UInt64(key &- low)) >> 63)
                    p += 1
                }
                if inside > capacity { return nil }
                x = end
            }
        }
        guard below <= k, k < below + inside else { return nil }
        let key = selectKey(UnsafeMutableBufferPointer(start: out, count: inside), rank: k - below)
        return Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }

    /// Copies `count` values from `source` to `target`, eight at a time, and sets bits of
    /// `notWhole` for any that is not a whole number of magnitude below 2^22, bit for bit
    /// (-0, NaN and infinities are not): among whole numbers, numeric order is `sortKey`
    /// order and equal values have equal bits, which `wholeNumberSelect` needs. Each lane of
    /// `minimum` keeps the smallest of the values it met (NaNs passed over, as in
    /// `ImagedArea.minimum(of:)`). The caller tests `notWhole` once for many runs: tested
    /// here, lane by lane through memory, it cost a quarter of the copy.
    @inline(__always)
    static func copyWholeNumbers(_ source: UnsafePointer<Float>, count: Int, to target: UnsafeMutablePointer<Float>,
                                 notWhole: inout SIMD8<Int32>, minimum: inout SIMD8<Float>) {
        // (v + 1.5 * 2^23) is exact for a whole v of magnitude below 2^22, has the exponent of
        // 2^23 and so v in its low bits; taken away again it gives v back only if v was whole.
        let magic: Float = 12_582_912
        let limit: UInt32 = 0x4A80_0000  // the bits of 2^22
        var x = 0
        if count >= 8 {
            let magicLanes = SIMD8<Float>(repeating: magic)
            let signLanes = SIMD8<Int32>(repeating: 0x7FFF_FFFF), largestLanes = SIMD8<Int32>(repeating: Int32(limit) - 1)
            while x < count {
                // The last values, when fewer than eight are left, are read from the last eight
                // (and copied again to the same places; runs are often 8k - 1 long).
                let start = Swift.min(x, count - 8)
                let bits = UnsafeRawPointer(source + start).loadUnaligned(as: SIMD8<Int32>.self)
                let v = unsafeBitCast(bits, to: SIMD8<Float>.self)
                UnsafeMutableRawPointer(target + start).storeBytes(of: v, as: SIMD8<Float>.self)
                // (Values read twice at a run's end change no minimum.)
                minimum.replace(with: v, where: v .< minimum)
                // Set bits where a lane was not the same float after the round trip, or was too large.
                let back = unsafeBitCast((v + magicLanes) - magicLanes, to: SIMD8<Int32>.self)
                notWhole |= (back ^ bits) | ((largestLanes &- (bits & signLanes)) &>> 31)
                x = start + 8
            }
            return
        }
        while x < count {
            let v = source[x]
            target[x] = v
            if v < minimum[0] { minimum[0] = v }
            if !(((v + magic) - magic).bitPattern == v.bitPattern && v.bitPattern & 0x7FFF_FFFF < limit) { notWhole[0] |= 1 }
            x += 1
        }
    }

    /// `sampledSelect` for whole numbers, as images of integer samples hold (8- and 16-bit
    /// PNGs): the value of rank k (0-based) in `sortKey` order among `values` (a block copied
    /// row after row), found by counting instead of gathering and selecting. Every value must
    /// be a whole number of magnitude below 2^22 (`copyWholeNumbers` tells).
    ///
    /// `sampledSelect`'s sample and margin (the same values: a block's value `p` in raster
    /// order is `values[p]`) give a bracket of whole numbers, `low...high`. Rank k holds the
    /// least whole number t with more than k values at most t, which bisection over the
    /// bracket finds, each step one count over the values (a copy, in cache; no branch on the
    /// values): about six counts for the 40-60 whole numbers of a 16-bit image's bracket,
    /// where counting every value into a histogram cost a store that waited for the last at
    /// every value. Returns nil, and the caller selects another way, when rank k lies outside
    /// the bracket.
    static func wholeNumberSelect(_ values: UnsafeBufferPointer<Float>, rank k: Int, sampleCount: Int,
                                  margin: Int) -> Float? {
        let n = values.count
        guard n > 0, k >= 0, k < n, sampleCount > 0 else { return nil }
        let m = Swift.min(sampleCount, n)
        let place = Int((Double(k) + 0.5) * Double(m) / Double(n))
        let lower = place - margin, upper = Swift.min(m - 1, place + margin)
        guard lower >= 0 else { return nil }
        let (low, high) = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * m) { sample -> (Int32, Int32) in
            for i in 0..<m { sample[i] = sortKey(values[(2 * i + 1) * n / (2 * m)]) }
            // `selectKey` reorders the keys it ranks: the upper end from a copy.
            let second = UnsafeMutableBufferPointer(rebasing: sample[m...])
            _ = second.update(fromContentsOf: sample[..<m])
            let ends = (selectKey(UnsafeMutableBufferPointer(rebasing: sample[..<m]), rank: lower), selectKey(second, rank: upper))
            func value(ofKey key: UInt32) -> Int32 {
                Int32(Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key))
            }
            return (value(ofKey: ends.0), value(ofKey: ends.1))
        }
        /// How many values are at most `t`: a comparison's mask (all ones, -1, where a value is
        /// greater) taken away from the counts, sixteen values a step.
        func countAtMost(_ t: Int32) -> Int {
            let tLanes = SIMD8<Float>(repeating: Float(t))
            var counts = SIMD8<Int32>(), moreCounts = SIMD8<Int32>()
            let raw = UnsafeRawPointer(values.baseAddress!)
            var i = 0
            while i + 16 <= n {
                let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                let u = raw.loadUnaligned(fromByteOffset: 4 * i + 32, as: SIMD8<Float>.self)
                counts &-= unsafeBitCast(v .> tLanes, to: SIMD8<Int32>.self)
                moreCounts &-= unsafeBitCast(u .> tLanes, to: SIMD8<Int32>.self)
                i += 16
            }
            var above = Int((counts &+ moreCounts).wrappedSum())
            while i < n {
                above &+= values[i] > Float(t) ? 1 : 0
                i += 1
            }
            return n - above
        }
        // Bisection, with `a - 1` holding at most k values and `b` more than k once either end
        // has moved; an end that never moved (the answer at an end of the bracket) is counted
        // at the close, and rank k outside the bracket gives nil.
        var a = low, b = high, aCounted = false, bCounted = false
        while a < b {
            let t = a + (b - a) / 2
            if countAtMost(t) > k {
                b = t
                bCounted = true
            } else {
                a = t + 1
                aCounted = true
            }
        }
        guard bCounted || countAtMost(a) > k, aCounted || countAtMost(a - 1) <= k else { return nil }
        return Float(a)
    }

    /// The key of rank `k` (0-based, ascending) among `keys`, which are overwritten: radix
    /// selection on the bits where the keys still differ, eight at a time from the highest,
    /// keeping only the keys whose digit holds rank k. Keys that agree on all their top bits
    /// (nearby values; the low mantissa bits of integer-valued samples) cost no passes.
    static func selectKey(_ keys: UnsafeMutableBufferPointer<UInt32>, rank k: Int) -> UInt32 {
        precondition(k >= 0 && k < keys.count, "rank \(k) outside 0..<\(keys.count)")
        let v = keys.baseAddress!
        var count = keys.count, k = k
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 256) { c in
            while true {
                var differing: UInt32 = 0
                for i in 0..<count { differing |= v[i] ^ v[0] }
                if differing == 0 { return v[0] }
                let shift = UInt32(Swift.max(0, (32 - differing.leadingZeroBitCount) - 8))
                for d in 0..<256 { c[d] = 0 }
                for i in 0..<count { c[Int((v[i] >> shift) & 0xFF)] += 1 }
                var digit: UInt32 = 0
                while k >= Int(c[Int(digit)]) {
                    k -= Int(c[Int(digit)])
                    digit += 1
                }
                var j = 0
                for i in 0..<count {
                    let key = v[i]
                    v[j] = key
                    // 1 when the digits are equal (their XOR minus 1 borrows), without a branch.
                    j &+= Int(truncatingIfNeeded: ((((key >> shift) & 0xFF) ^ digit) &- 1) >> 31)
                }
                count = j
            }
        }
    }

    /// The value of rank `k` (0-based, ascending) by most-significant-digit radix selection
    /// on the values' ordered bit patterns (see `sortKey`): three passes of 11, 11 and 10
    /// bits, each keeping only the values whose digit holds rank `k`. Values are swapped,
    /// never overwritten, so the array keeps the same values in another order. Cost is
    /// linear and free of the mispredicted branches of partitioning.
    static func radixSelect(_ v: UnsafeMutableBufferPointer<Float>, rank k: Int) -> Float {
        var count = v.count, k = k
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2048) { c in
            for pass in 0..<3 {
                let shift = UInt32(pass == 0 ? 21 : pass == 1 ? 10 : 0)
                let mask: UInt32 = pass == 2 ? 0x3FF : 0x7FF
                for d in 0...Int(mask) { c[d] = 0 }
                for i in 0..<count { c[Int((sortKey(v[i]) >> shift) & mask)] += 1 }
                var digit = 0
                while k >= Int(c[digit]) {
                    k -= Int(c[digit])
                    digit += 1
                }
                // The values of that digit move to the front.
                var j = 0
                for i in 0..<count where Int((sortKey(v[i]) >> shift) & mask) == digit {
                    v.swapAt(i, j)
                    j += 1
                }
                count = j
            }
            // Every value left has the same bit pattern.
            return v[k]
        }
    }

    /// `sortKey` of eight values given as their bit patterns.
    @inline(__always)
    static func sortKeys(_ bits: SIMD8<UInt32>) -> SIMD8<UInt32> {
        // All ones for negatives (arithmetic shift of the sign), then the sign bit set for all.
        let negative = SIMD8<UInt32>(truncatingIfNeeded: SIMD8<Int32>(truncatingIfNeeded: bits) &>> 31)
        return bits ^ (negative | 0x8000_0000)
    }

    /// The bit pattern of `value` with the sign bit of positives and every bit of negatives
    /// flipped: unsigned order of the patterns is the numeric order of the values.
    @inline(__always)
    static func sortKey(_ value: Float) -> UInt32 {
        let bits = value.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    static func median(_ values: [Float]) -> Float {
        var copy = values
        return quantile(&copy, 0.5)
    }
}

extension Raster where Pixel == Float {
    /// Maximum over a square window of side `2 * radius + 1` (separable; each pass takes the
    /// maximum over runs of 2, 4, 8 ... values by doubling, then over the window from two
    /// overlapping runs, as whole-line vector operations).
    ///
    /// A maximum is exact whatever the order its values are compared in, so this gives the
    /// same values as van Herk's (1992) three-comparison recurrence, which is serial along a
    /// line; `log2(2 * radius + 1) + 1` vectorised passes are cheaper for the radii used here.
    public func maximumFiltered(radius: Int) -> GrayImage {
        guard radius > 0, !isEmpty else { return self }
        // The row pass writes every pixel of the result: no copy of the image first.
        let pixels = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            withUnsafeBufferPointer { Self.maxRows(of: $0.baseAddress!, into: out.baseAddress!,
                                                   width: width, height: height, radius: radius) }
            initialized = count
        }
        var out = GrayImage(width: width, height: height, pixels: pixels)
        Self.maxColumns(&out, radius: radius)
        return out
    }

    /// `to[j] = max(a[j], b[j])` for `j < count`, eight lanes at a time (the plain loop is not
    /// vectorised by the compiler). `to` may be `a`.
    @inline(__always)
    private static func maxLanes(_ to: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                                 _ b: UnsafePointer<Float>, count: Int) {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), rt = UnsafeMutableRawPointer(to)
        var j = 0
        while j + 8 <= count {
            let x = ra.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            let y = rb.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            rt.storeBytes(of: x.replacing(with: y, where: x .< y), toByteOffset: j * 4, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count {
            to[j] = Swift.max(a[j], b[j])
            j += 1
        }
    }

    /// Sliding maximum over `size` consecutive padded lines (or values) of `stride` floats
    /// each, in `a` (padded input, overwritten) with `b` as scratch, both `lines * stride`
    /// long; the maxima for the first `outLines` windows are written to `out`, `stride` apart.
    ///
    /// After the doubling steps, `a[i]` holds the maximum of lines `i ..< i + run`; a window of
    /// `size` is the union of the runs starting at `i` and at `i + size - run`.
    @inline(__always)
    private static func slidingMax(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
                                   lines: Int, stride: Int, size: Int,
                                   outLines: Int, out: (Int) -> UnsafeMutablePointer<Float>, width: Int) {
        var src = a, dst = b, run = 1, valid = lines
        while 2 * run <= size {
            valid -= run
            maxLanes(dst, src, src + run * stride, count: valid * stride)
            swap(&src, &dst)
            run *= 2
        }
        let offset = (size - run) * stride
        for i in 0..<outLines {
            let s = src + i * stride
            maxLanes(out(i), s, s + offset, count: width)
        }
    }

    /// Down the columns, on strips of up to 64 columns: each padded row of a strip is one
    /// line of the sliding maximum.
    private static func maxColumns(_ image: inout GrayImage, radius: Int) {
        let w = image.width, h = image.height, size = 2 * radius + 1
        let lines = h + 2 * radius
        let strip = Swift.min(64, w)
        var buffers = [Float](repeating: -.infinity, count: 2 * lines * strip)
        image.withUnsafeMutableBufferPointer { px in
            buffers.withUnsafeMutableBufferPointer { buffer in
                let a = buffer.baseAddress!, b = a + lines * strip, base = px.baseAddress!
                for c0 in Swift.stride(from: 0, to: w, by: strip) {
                    let cw = Swift.min(strip, w - c0)
                    // The doubling steps of the last strip wrote over the padding rows.
                    for i in 0..<(radius * strip) { a[i] = -.infinity; a[(radius + h) * strip + i] = -.infinity }
                    for y in 0..<h {
                        (a + (y + radius) * strip).update(from: base + y * w + c0, count: cw)
                    }
                    slidingMax(a, b, lines: lines, stride: strip, size: size,
                               outLines: h, out: { base + $0 * w + c0 }, width: cw)
                }
            }
        }
    }

    /// Along the rows of `source` into `target` (`width` x `height` each), one padded row at
    /// a time.
    private static func maxRows(of source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
                                width w: Int, height h: Int, radius: Int) {
        let size = 2 * radius + 1
        let lines = w + 2 * radius
        var buffers = [Float](repeating: -.infinity, count: 2 * lines)
        buffers.withUnsafeMutableBufferPointer { buffer in
            let a = buffer.baseAddress!, b = a + lines
            for y in 0..<h {
                let row = target + y * w
                // The doubling steps of the last row wrote over the padding.
                for i in 0..<radius { a[i] = -.infinity; a[radius + w + i] = -.infinity }
                (a + radius).update(from: source + y * w, count: w)
                slidingMax(a, b, lines: lines, stride: 1, size: size, outLines: 1, out: { _ in row }, width: w)
            }
        }
    }
}
