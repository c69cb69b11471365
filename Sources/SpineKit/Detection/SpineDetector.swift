/// Finds spines as significant residual intensity beside the shafts, and splits spines that
/// touch at the dips between their heads.
struct SpineDetector {
    struct Settings {
        /// A spine must contain a pixel this many noise deviations above the shaft model.
        var seedSNR: Float
        /// Pixels this many deviations above the model join a spine they touch.
        var maskSNR: Float
        /// ... and the same as fractions of the local shaft peak.
        var seedFraction: Float
        var maskFraction: Float
        /// Two heads in one blob are two spines when each rises this many deviations
        /// above the saddle between them...
        var prominenceSNR: Float
        /// ...and by this fraction of its own height.
        var prominenceFraction: Float
        /// Spines are searched from this fraction of the local shaft radius outwards.
        var innerRadiusFraction: Double
        /// ...out to this far beyond the shaft surface, pixels.
        var reachPixels: Double
    }

    /// One detected spine: its pixels and its brightest pixel.
    struct Candidate {
        var pixels: [Int]
        var peak: Int
    }

    /// A pixel's two tests, given its residual `r`, noise `n`, distance to the centreline and
    /// its shaft segment's radius and peak: weak (joins a spine it touches) and strong (seeds
    /// one). A pixel must stand out both from the noise and from the shaft: a fraction of the
    /// local shaft's brightness keeps faint haze out where the noise is tiny (8-bit images
    /// with crushed blacks). Spines are searched only between `innerRadiusFraction` of the
    /// radius and `reachPixels` beyond it.
    @inline(__always)
    static func tests(residual r: Float, noise n: Float, distance d: Double, radius: Double, peak: Float,
                      settings: Settings) -> (weak: Bool, strong: Bool) {
        SegmentThresholds(radius: radius, peak: peak, settings: settings)
            .tests(residual: r, noise: n, distance: d, settings: settings)
    }

    /// The parts of `tests` that depend only on a shaft segment's radius and peak, worked out
    /// once per segment: the same products, so the same results, with fewer operations per
    /// pixel in the shaft model's residual pass (`Marks`).
    struct SegmentThresholds {
        /// The search's inner and outer distances from the centreline, pixels.
        let inner: Double, outer: Double
        /// The weak and strong tests' fractions of the segment's peak.
        let weakFloor: Float, strongFloor: Float

        init(radius: Double, peak: Float, settings: Settings) {
            inner = settings.innerRadiusFraction * radius
            outer = radius + settings.reachPixels
            weakFloor = settings.maskFraction * peak
            strongFloor = settings.seedFraction * peak
        }

        @inline(__always)
        func tests(residual r: Float, noise n: Float, distance d: Double, settings: Settings) -> (weak: Bool, strong: Bool) {
            let inReach = d >= inner && d <= outer
            return (inReach && r >= Swift.max(settings.maskSNR * n, weakFloor),
                    inReach && r >= Swift.max(settings.seedSNR * n, strongFloor))
        }
    }

    /// The weak pixels in raster order and which of them are also strong, marked as the shaft
    /// model sets each covered pixel's residual (`ShaftModel.build(...visitor:)`): when
    /// `visitsBandOnly` holds these are all the pixels that pass, and `detect` needs no pass
    /// of its own over the band.
    struct Marks: ShaftModel.PixelVisitor {
        let settings: Settings
        private(set) var weakPixels: [Int32] = []
        private(set) var isStrong: [Bool] = []
        /// Per segment of the model being built, its thresholds.
        private var thresholds: [SegmentThresholds] = []

        init(settings: Settings) { self.settings = settings }

        mutating func prepare(segmentRadius: UnsafeBufferPointer<Double>, segmentPeak: UnsafeBufferPointer<Float>) {
            thresholds = zip(segmentRadius, segmentPeak).map { SegmentThresholds(radius: $0, peak: $1, settings: settings) }
        }

        @inline(__always)
        mutating func visit(pixel i: Int, residual r: Float, noise n: Float, distance: Float, segment s: Int) {
            // Unlike `detect`, no early exit for a residual of 0 or less (which passes neither
            // test): the distance is already known, and the exit's branch would go either way
            // at random over the shaft's noise.
            let (weak, strong) = thresholds.withUnsafeBufferPointer {
                $0[s].tests(residual: r, noise: n, distance: Double(distance), settings: settings)
            }
            if weak {
                weakPixels.append(Int32(i))
                isStrong.append(strong)
            }
        }
    }

    /// The spines of `model`. `marks`, when given, are those the model's build took with
    /// `settings` (and `visitsBandOnly` must hold); otherwise the pixels are tested here.
    static func detect(model: ShaftModel, settings: Settings, marks: Marks? = nil) -> [Candidate] {
        let w = model.residual.width, h = model.residual.height
        // One byte a pixel: weak, and (for a weak pixel) strong (see `seededBlobs`).
        var marked = [UInt8](repeating: 0, count: w * h)
        // Outside the model's band the residual is 0 and the noise the global one, so with
        // positive noise thresholds no pixel there passes either test; only the band is visited.
        let bandOnly = visitsBandOnly(globalNoise: model.globalNoise, settings: settings)
        if let marks {
            precondition(bandOnly, "marks taken by the model cover only its band, but these thresholds reach beyond it")
            marked.withUnsafeMutableBufferPointer { marked in
                for (p, isStrong) in zip(marks.weakPixels, marks.isStrong) {
                    marked[Int(p)] = weakMark | (isStrong ? strongMark : 0)
                }
            }
            return candidates(weakPixels: marks.weakPixels, marked: &marked, model: model, settings: settings)
        }
        // The weak pixels in raster order (the test visits pixels in that order): the blobs
        // are grown from them below, without passes over the whole image.
        var weakPixels: [Int32] = []
        var everywhere: [Int32] = []
        if !bandOnly {
            var resolved = model  // a no-op when the pipeline has resolved it already
            resolved.resolveNearestEverywhere()
            everywhere = resolved.nearestEverywhere ?? []
        }
        model.bandNearestPoint.withUnsafeBufferPointer { bandNear in
            everywhere.withUnsafeBufferPointer { everywhere in
                model.smoothedPoints.withUnsafeBufferPointer { points in
                    model.segmentOfPoint.withUnsafeBufferPointer { segmentOf in
                        model.segmentRadius.withUnsafeBufferPointer { radius in
                            model.segmentPeak.withUnsafeBufferPointer { peak in
                                model.residual.withUnsafeBufferPointer { residual in
                                    model.noise.withUnsafeBufferPointer { noise in
                                        marked.withUnsafeMutableBufferPointer { marked in
                                            // `ShaftModel.shaft(atPixel:)` and `centerlineDistance(ofPixel:)`,
                                            // read straight from the model's arrays (`point`: the pixel's
                                            // nearest centreline point).
                                            func test(x: Int, y: Int, point: Int) {
                                                guard point >= 0 else { return }
                                                let i = y * w + x
                                                // A residual of 0 or less passes neither test while both
                                                // noise thresholds are positive: most band pixels (noise
                                                // below the model, and every pixel beyond its reach) stop
                                                // here, before their shaft is looked up.
                                                if residual[i] <= 0 && settings.maskSNR * noise[i] > 0
                                                    && settings.seedSNR * noise[i] > 0 { return }
                                                let s = Int(segmentOf[point])
                                                guard s >= 0 else { return }
                                                let d = Double(ShaftModel.distance(x: x, y: y, to: points[point]))
                                                let (isWeak, isStrong) = tests(residual: residual[i], noise: noise[i], distance: d,
                                                                               radius: radius[s], peak: peak[s], settings: settings)
                                                marked[i] = isWeak ? weakMark | (isStrong ? strongMark : 0) : 0
                                                if isWeak { weakPixels.append(Int32(i)) }
                                            }
                                            if bandOnly {
                                                // The band's nearest points are exact where the residual
                                                // can be above 0 (see `ShaftModel.bandNearestPoint`).
                                                model.band.forEachPixel { x, y, j in test(x: x, y: y, point: Int(bandNear[j])) }
                                            } else {
                                                for y in 0..<h {
                                                    for x in 0..<w { test(x: x, y: y, point: Int(everywhere[y * w + x])) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return candidates(weakPixels: weakPixels, marked: &marked, model: model, settings: settings)
    }

    /// The seeded blobs of the marked pixels, each split at its heads.
    private static func candidates(weakPixels: [Int32], marked: inout [UInt8],
                                   model: ShaftModel, settings: Settings) -> [Candidate] {
        var candidates: [Candidate] = []
        let w = model.residual.width, h = model.residual.height
        for pixels in seededBlobs(weakPixels, marked: &marked, width: w, height: h) {
            candidates.append(contentsOf: split(pixels, residual: model.residual, noise: model.noise,
                                                width: w, settings: settings))
        }
        return candidates
    }

    /// `seededBlobs`' marks: a weak pixel not yet taken into a blob, and a strong one.
    static let weakMark: UInt8 = 1, strongMark: UInt8 = 2

    /// The 8-connected components of the weak pixels that hold a pixel both weak and strong
    /// (hysteresis), in order of their first pixel in raster order, each with its pixels in
    /// raster order: the blobs and order that `weak.reconstructed(from: strong)`, `labeled`
    /// and `pixelLists` give, found by growing each blob from its first weak pixel instead
    /// of three passes over the whole image (the weak pixels are a small part of it).
    ///
    /// - Parameters:
    ///   - weakPixels: every weak pixel, in raster order.
    ///   - marked: per pixel of the `width` x `height` image, `weakMark` for a weak pixel,
    ///     with `strongMark` added for a strong one; a pixel's `weakMark` is cleared as it is
    ///     taken into a blob.
    static func seededBlobs(_ weakPixels: [Int32], marked: inout [UInt8], width w: Int, height h: Int) -> [[Int]] {
        precondition(marked.count == w * h, "marks for \(marked.count) pixels, the image has \(w * h)")
        var blobs: [[Int]] = []
        marked.withUnsafeMutableBufferPointer { marked in
            // Pixels to visit, as (y << 32) | x: neighbours are found from the coordinates,
            // with no division per pixel.
            var stack: [UInt64] = []
            // Passed to `take` rather than captured: a captured variable is checked for
            // exclusive access at run time on every push.
            @inline(__always) func take(_ n: Int, x: Int, y: Int, onto stack: inout [UInt64]) {
                if marked[n] & weakMark != 0 {
                    marked[n] &= ~weakMark
                    stack.append(UInt64(y) << 32 | UInt64(x))
                }
            }
            for first in weakPixels where marked[Int(first)] & weakMark != 0 {
                var pixels: [Int] = []
                var seeded = false
                marked[Int(first)] &= ~weakMark
                stack.append(UInt64(Int(first) / w) << 32 | UInt64(Int(first) % w))
                while let top = stack.popLast() {
                    let px = Int(top & 0xFFFF_FFFF), py = Int(top >> 32), p = py * w + px
                    pixels.append(p)
                    seeded = seeded || marked[p] & strongMark != 0
                    // The neighbours row by row, left to right, as the clamped loops below
                    // take them (the pixel itself is already taken).
                    if px > 0 && px < w - 1 && py > 0 && py < h - 1 {
                        take(p - w - 1, x: px - 1, y: py - 1, onto: &stack)
                        take(p - w, x: px, y: py - 1, onto: &stack)
                        take(p - w + 1, x: px + 1, y: py - 1, onto: &stack)
                        take(p - 1, x: px - 1, y: py, onto: &stack)
                        take(p + 1, x: px + 1, y: py, onto: &stack)
                        take(p + w - 1, x: px - 1, y: py + 1, onto: &stack)
                        take(p + w, x: px, y: py + 1, onto: &stack)
                        take(p + w + 1, x: px + 1, y: py + 1, onto: &stack)
                    } else {
                        for ny in Swift.max(0, py - 1)...Swift.min(h - 1, py + 1) {
                            for nx in Swift.max(0, px - 1)...Swift.min(w - 1, px + 1) { take(ny * w + nx, x: nx, y: ny, onto: &stack) }
                        }
                    }
                }
                if seeded {
                    // Pixel indices are not negative: in order as 64-bit unsigned keys.
                    pixels.withUnsafeMutableBufferPointer { pixels in
                        pixels.withMemoryRebound(to: UInt64.self) { RadixOrder.sort($0) }
                    }
                    blobs.append(pixels)
                }
            }
        }
        return blobs
    }

    /// `pixels` from the highest residual to the lowest, equal residuals in their order in
    /// `pixels` (what a stable sort by descending residual gives), sorted as integer keys:
    /// the residual's ordered bit pattern, inverted, above the pixel's position.
    static func brightestFirst(_ pixels: [Int], residual: GrayImage) -> [Int] {
        var keys = [UInt64](repeating: 0, count: pixels.count)
        residual.withUnsafeBufferPointer { r in
            for (k, p) in pixels.enumerated() {
                keys[k] = UInt64(~OrderStatistics.sortKey(r[p])) << 32 | UInt64(k)
            }
        }
        // The positions rise in the lower four bytes: sorting on the upper four is enough.
        keys.withUnsafeMutableBufferPointer { RadixOrder.sort($0, fromByte: 4) }
        return keys.map { pixels[Int($0 & 0xFFFF_FFFF)] }
    }

    /// Whether `detect` visits only the model's band: with positive noise thresholds no
    /// pixel outside it (residual 0, noise `globalNoise`) can pass. Otherwise it visits every
    /// pixel, and its blobs and their measurement read the model's nearest centreline point
    /// anywhere (`ShaftModel.resolveNearestEverywhere`).
    static func visitsBandOnly(globalNoise: Float, settings: Settings) -> Bool {
        settings.maskSNR * globalNoise > 0 && settings.seedSNR * globalNoise > 0
    }

    /// Splits one blob at its significant intensity peaks: pixels are visited from bright to
    /// dark and merged with union-find; when two regions meet, the lower one counts as a
    /// separate spine if its peak stands high enough above the meeting point (its prominence).
    /// Pixels then go to the nearest peak through the blob (multi-source breadth-first).
    static func split(_ pixels: [Int], residual: GrayImage, noise: GrayImage, width w: Int,
                      settings: Settings) -> [Candidate] {
        let order = brightestFirst(pixels, residual: residual)
        let n = order.count
        // The blob's positions in `order` on a bordered grid over its bounding box (neighbours at
        // fixed offsets, none beyond an edge), the offsets in the order in which roots are met.
        let box = BorderedBox(pixels, imageWidth: w)
        let offsets = box.neighbourOffsets
        @inline(__always) func slotOf(_ p: Int) -> Int { box.slot(of: p) }
        var position = [Int32](repeating: -1, count: box.slotCount)
        var slot = [Int](repeating: 0, count: n)
        for (k, p) in order.enumerated() {
            slot[k] = slotOf(p)
            position[slot[k]] = Int32(k)
        }
        // Union-find over positions in `order`. A region's highest pixel is its root's own
        // position: roots are only ever joined under the taller region's root. Positions are
        // taken in order, so those before `k` are the ones already processed.
        var parent = Array(0..<n)
        var significant: [Int] = []
        parent.withUnsafeMutableBufferPointer { parent in
            position.withUnsafeBufferPointer { position in
                slot.withUnsafeBufferPointer { slot in
                    offsets.withUnsafeBufferPointer { offsets in
                        residual.withUnsafeBufferPointer { residual in
                            noise.withUnsafeBufferPointer { noise in
                                @inline(__always) func find(_ a: Int) -> Int {
                                    var a = a
                                    while parent[a] != a {
                                        parent[a] = parent[parent[a]]
                                        a = parent[a]
                                    }
                                    return a
                                }
                                // The roots met by one pixel, in the order its neighbours are visited.
                                withUnsafeTemporaryAllocation(of: Int.self, capacity: 8) { roots in
                                    for k in 0..<n {
                                        let here = slot[k]
                                        var rootCount = 0
                                        for o in offsets {
                                            let q = Int(position[here + o])
                                            guard q >= 0, q < k else { continue }
                                            let r = find(q)
                                            if !roots[0..<rootCount].contains(r) {
                                                roots[rootCount] = r
                                                rootCount += 1
                                            }
                                        }
                                        guard rootCount > 0 else { continue }
                                        let p = order[k]
                                        let level = residual[p]
                                        // The first of the tallest roots met.
                                        var tallest = roots[0]
                                        for m in 1..<rootCount where residual[order[tallest]] < residual[order[roots[m]]] {
                                            tallest = roots[m]
                                        }
                                        for m in 0..<rootCount where roots[m] != tallest {
                                            let r = roots[m]
                                            let peakValue = residual[order[r]]
                                            let rise = peakValue - level
                                            let needed = Swift.max(settings.prominenceSNR * noise[p], settings.prominenceFraction * peakValue)
                                            if rise >= needed { significant.append(order[r]) }
                                            parent[r] = tallest
                                        }
                                        parent[k] = tallest
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        significant.append(order[0])
        if significant.count == 1 { return [Candidate(pixels: pixels, peak: order[0])] }

        // Geodesic nearest peak.
        var owner = [Int](repeating: -1, count: n)
        var queue: [Int] = []
        queue.reserveCapacity(n)
        for (s, peak) in significant.enumerated() {
            let k = Int(position[slotOf(peak)])
            owner[k] = s
            queue.append(k)
        }
        owner.withUnsafeMutableBufferPointer { owner in
            position.withUnsafeBufferPointer { position in
                var head = 0
                while head < queue.count {
                    let k = queue[head]
                    head += 1
                    let here = slot[k]
                    for o in offsets {
                        let q = Int(position[here + o])
                        guard q >= 0, owner[q] < 0 else { continue }
                        owner[q] = owner[k]
                        queue.append(q)
                    }
                }
            }
        }
        var groups = [[Int]](repeating: [], count: significant.count)
        for (k, p) in order.enumerated() where owner[k] >= 0 { groups[owner[k]].append(p) }
        return zip(groups, significant).compactMap { $0.isEmpty ? nil : Candidate(pixels: $0, peak: $1) }
    }
}
