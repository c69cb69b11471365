/// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, Theory of
/// Computing 8:415), linear in the number of pixels.
public struct DistanceMap: Sendable {
    /// Squared distance in pixels to the nearest feature pixel (infinite when there is none).
    public var squaredDistance: Raster<Float>
    /// Index (`y * width + x`) of the nearest feature pixel, or -1 when there is none.
    public var nearest: Raster<Int32>

    public func distance(x: Int, y: Int) -> Float { squaredDistance[x: x, y: y].squareRoot() }
}

extension Raster where Pixel == Bool {
    /// Distance from every pixel to the nearest `true` pixel, with that pixel's index.
    public func distanceToForeground() -> DistanceMap {
        pixels.withUnsafeBufferPointer { features in
            DistanceTransform.compute(width: width, height: height, features: features)
        }
    }

    /// Distance from every foreground pixel to the nearest background pixel (0 on background):
    /// the local half-width of the shape. Pixels outside the image count as background.
    public func distanceToBackground() -> Raster<Float> {
        // Pad by one so the image edge behaves as background.
        let pw = width + 2, ph = height + 2, w = width
        var features = [Bool](repeating: true, count: pw * ph)
        features.withUnsafeMutableBufferPointer { f in
            pixels.withUnsafeBufferPointer { m in
                for y in 0..<height {
                    let row = (y + 1) * pw + 1
                    for x in 0..<w { f[row + x] = !m[y * w + x] }
                }
            }
        }
        let map = features.withUnsafeBufferPointer { DistanceTransform.compute(width: pw, height: ph, features: $0) }
        var out = Raster<Float>(width: width, height: height, repeating: 0)
        map.squaredDistance.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<height {
                    let row = (y + 1) * pw + 1
                    for x in 0..<w { o[y * w + x] = d[row + x].squareRoot() }
                }
            }
        }
        return out
    }
}

enum DistanceTransform {
    /// The transform of a feature mask (`features[y * width + x]`).
    ///
    /// Columns first: with a binary input the 1D transform of a column is the squared
    /// distance to the nearest feature in that column, found by one downward and one upward
    /// sweep over whole rows (contiguous memory, where a column-by-column pass would touch a
    /// new cache line at every pixel). Where a pixel lies exactly halfway between two
    /// features the upper one is taken, as the lower-envelope construction does. Rows then
    /// take the general 1D transform of those squared distances.
    static func compute(width: Int, height: Int, features: UnsafeBufferPointer<Bool>) -> DistanceMap {
        let n = width * height
        precondition(features.count == n, "feature mask has \(features.count) pixels, expected \(n)")
        // The column pass writes every entry, so the arrays start uninitialised.
        var nearest: [Int32] = []
        let dist = [Float](unsafeUninitializedCapacity: n) { d, distCount in
            nearest = [Int32](unsafeUninitializedCapacity: n) { near, nearCount in
                if n > 0 {
                    columnPass(width: width, height: height, features: features, dist: d, nearest: near)
                    rowPass(width: width, height: height, dist: d, nearest: near)
                }
                nearCount = n
            }
            distCount = n
        }
        return DistanceMap(squaredDistance: Raster(width: width, height: height, pixels: dist),
                           nearest: Raster(width: width, height: height, pixels: nearest))
    }

    /// Nearest feature in each pixel's own column: its squared distance into `dist`, its
    /// index into `nearest` (infinite and -1 for a column without features).
    private static func columnPass(width w: Int, height h: Int, features: UnsafeBufferPointer<Bool>,
                                   dist: UnsafeMutableBufferPointer<Float>, nearest: UnsafeMutableBufferPointer<Int32>) {
        // Downwards: the row of the last feature above (or at) each pixel, kept in `nearest`.
        // Features are sparse, so a row's mask is tested eight bytes at a time and the row of
        // rows-above copied whole.
        var last = [Int32](repeating: -1, count: w)
        last.withUnsafeMutableBufferPointer { above in
            for y in 0..<h {
                let row = y * w
                markFeatures(of: features, row: row, width: w, y: Int32(y), into: above)
                (nearest.baseAddress! + row).update(from: above.baseAddress!, count: w)
            }
        }
        // Upwards: the first feature below (or at) each pixel, compared with the one above.
        var next = [Int32](repeating: -1, count: w)
        next.withUnsafeMutableBufferPointer { below in
            for y in stride(from: h - 1, through: 0, by: -1) {
                let row = y * w
                markFeatures(of: features, row: row, width: w, y: Int32(y), into: below)
                let y32 = Int32(y), w32 = Int32(w)
                for x in 0..<w {
                    let a = nearest[row + x], b = below[x]
                    let p = a >= 0 && (b < 0 || y32 - a <= b - y32) ? a : b
                    let dq = Float(y32 - p)
                    dist[row + x] = p < 0 ? .infinity : dq * dq + 0
                    nearest[row + x] = p < 0 ? -1 : p * w32 + Int32(x)
                }
            }
        }
    }

    /// Sets `rows[x] = y` for every feature pixel x of the row starting at `row`.
    @inline(__always)
    private static func markFeatures(of features: UnsafeBufferPointer<Bool>, row: Int, width w: Int, y: Int32,
                                     into rows: UnsafeMutableBufferPointer<Int32>) {
        let bytes = UnsafeRawPointer(features.baseAddress! + row)
        var x = 0
        while x + 8 <= w {
            if bytes.loadUnaligned(fromByteOffset: x, as: UInt64.self) != 0 {
                for i in x..<(x + 8) where features[row + i] { rows[i] = y }
            }
            x += 8
        }
        while x < w {
            if features[row + x] { rows[x] = y }
            x += 1
        }
    }

    /// Whether, in an image of this size, `compute` takes of the features nearest to a pixel
    /// exactly the leftmost, then the upper one (the rule `nearestWithinRuns` and searches
    /// for one pixel reproduce). Up to 2048 px a side the envelope's squared distances and
    /// their sums stay below 2^24, exact in `Float`, and a crossing point inside the row,
    /// rounded, never reaches or passes a column it does not lie on (it lies at least
    /// 1/4096 from one, and is rounded by less than 1/16384): ties at a column are found
    /// exactly and resolved leftward. Larger images keep the whole-image transform.
    static func tiesFollowTheRule(width: Int, height: Int) -> Bool {
        Swift.max(width, height) <= 2048
    }

    /// The nearest feature pixel of every pixel of a set of row runs, found among the
    /// features whose column crosses the pixel's own run: its `label` in `nearest[j]` for the
    /// `j`-th run pixel in raster order (runs of a row left to right, as `runsOfRow` lists
    /// them), -1 when no such column holds a feature. `features` lists the feature pixels
    /// (index `y * width + x`) in raster order, each once: a sparse set needs no mask, and
    /// the label (the caller's number for the pixel) no look-up by pixel afterwards.
    ///
    /// `compute` takes, of the features nearest to a pixel, the leftmost, then the upper one
    /// (see `tiesFollowTheRule`, with the same arithmetic here). A run pixel gets the same
    /// feature when its nearest features lie within the run's columns: when every pixel
    /// within Euclidean distance `r` of a feature is a run pixel, that holds for each run
    /// pixel within distance `r` of its nearest feature (each pixel on the row between the
    /// pixel and the column of one of those features is no farther from that feature than
    /// the pixel is, so within `r` of it). Farther pixels get a feature at least as far as
    /// their nearest, or none.
    ///
    /// Columns are swept over the whole height (a feature above or below the run counts), but
    /// only run pixels are stored and only runs take the row transform: for features along
    /// thin lines the runs near them are a fraction of the image. A feature more than `r`
    /// rows from a pixel of its column is left out of that pixel's row transform: it cannot
    /// be within `r` of any pixel of that row, so only pixels beyond `r` lose it (they get a
    /// farther feature, or none).
    static func nearestWithinRuns(width w: Int, height h: Int, features: [(pixel: Int, label: Int32)],
                                  runsOfRow: (Int) -> [Range<Int>], count: Int, r: Int) -> [Int32] {
        precondition(features.allSatisfy { $0.pixel >= 0 && $0.pixel < w * h }, "a feature lies outside the image")
        precondition(zip(features, features.dropFirst()).allSatisfy { $0.pixel < $1.pixel },
                     "features must be in raster order, each once")
        var dist = [Float](repeating: .infinity, count: count)
        var nearest = [Int32](repeating: -1, count: count)
        guard count > 0 else { return nearest }
        // The label of the feature above each run pixel, from the downward sweep.
        var labelAbove = [Int32](repeating: -1, count: count)
        nearest.withUnsafeMutableBufferPointer { nearest in
            dist.withUnsafeMutableBufferPointer { dist in
                // Downwards: the row (into `nearest`) and label of the last feature above (or
                // at) each run pixel.
                var lastRow = [Int32](repeating: -1, count: w), lastLabel = [Int32](repeating: -1, count: w)
                var j = 0, f = 0
                lastRow.withUnsafeMutableBufferPointer { aboveRow in
                    lastLabel.withUnsafeMutableBufferPointer { aboveLabel in
                        labelAbove.withUnsafeMutableBufferPointer { labelAbove in
                            for y in 0..<h {
                                while f < features.count && features[f].pixel < (y + 1) * w {
                                    aboveRow[features[f].pixel - y * w] = Int32(y)
                                    aboveLabel[features[f].pixel - y * w] = features[f].label
                                    f += 1
                                }
                                for run in runsOfRow(y) {
                                    (nearest.baseAddress! + j).update(from: aboveRow.baseAddress! + run.lowerBound,
                                                                      count: run.count)
                                    (labelAbove.baseAddress! + j).update(from: aboveLabel.baseAddress! + run.lowerBound,
                                                                         count: run.count)
                                    j += run.count
                                }
                            }
                        }
                    }
                }
                precondition(j == count, "runs hold \(j) pixels, expected \(count)")
                // Upwards: the first feature below (or at), compared with the one above as in
                // `columnPass`.
                var nextRow = [Int32](repeating: -1, count: w), nextLabel = [Int32](repeating: -1, count: w)
                f = features.count - 1
                nextRow.withUnsafeMutableBufferPointer { belowRow in
                    nextLabel.withUnsafeMutableBufferPointer { belowLabel in
                        labelAbove.withUnsafeBufferPointer { labelAbove in
                            let r32 = Int32(Swift.min(r, h))
                            for y in stride(from: h - 1, through: 0, by: -1) {
                                while f >= 0 && features[f].pixel >= y * w {
                                    belowRow[features[f].pixel - y * w] = Int32(y)
                                    belowLabel[features[f].pixel - y * w] = features[f].label
                                    f -= 1
                                }
                                let runs = runsOfRow(y)
                                for run in runs { j -= run.count }
                                var k = j
                                let y32 = Int32(y)
                                for run in runs {
                                    // Rows fit in Int32 many times over: wrapping arithmetic, no
                                    // overflow checks in the loop.
                                    for x in run {
                                        let a = nearest[k], b = belowRow[x]
                                        let useAbove = a >= 0 && (b < 0 || y32 &- a <= b &- y32)
                                        var p = useAbove ? a : b
                                        if p >= 0 && Swift.max(y32 &- p, p &- y32) > r32 { p = -1 }
                                        let dq = Float(y32 &- p)
                                        dist[k] = p < 0 ? .infinity : dq * dq + 0
                                        nearest[k] = p < 0 ? -1 : useAbove ? labelAbove[k] : belowLabel[x]
                                        k &+= 1
                                    }
                                }
                            }
                        }
                    }
                }
                // Rows: each run on its own, in its row's columns.
                Envelope.withScratch(width: w) { envelope in
                    for y in 0..<h {
                        for run in runsOfRow(y) {
                            transform1D(count: run.count, origin: run.lowerBound, d: dist.baseAddress! + j,
                                        dIndex: nearest.baseAddress! + j, envelope: envelope)
                            j += run.count
                        }
                    }
                }
            }
        }
        return nearest
    }

    /// The 1D transform along every row, in place.
    private static func rowPass(width w: Int, height h: Int, dist: UnsafeMutableBufferPointer<Float>,
                                nearest: UnsafeMutableBufferPointer<Int32>) {
        // The envelope keeps each parabola's root, value, value plus root squared and feature,
        // so a row is transformed where it lies, without a copy.
        Envelope.withScratch(width: w) { envelope in
            for y in 0..<h {
                transform1D(count: w, d: dist.baseAddress! + y * w, dIndex: nearest.baseAddress! + y * w,
                            envelope: envelope)
            }
        }
    }

    /// Scratch space for the lower envelope of one row: for parabola k, its root `v[k]`,
    /// its value `f[k]` there, `g[k] = f[k] + v[k]^2`, its feature `index[k]`, and where
    /// it starts to be lowest, `z[k]`.
    private struct Envelope {
        let v: UnsafeMutableBufferPointer<Int>
        let f: UnsafeMutableBufferPointer<Float>
        let g: UnsafeMutableBufferPointer<Float>
        let index: UnsafeMutableBufferPointer<Int32>
        let z: UnsafeMutableBufferPointer<Float>

        /// Runs `body` with scratch space for rows of up to `w` samples.
        static func withScratch(width w: Int, _ body: (Envelope) -> Void) {
            var v = [Int](repeating: 0, count: w)
            var f = [Float](repeating: 0, count: w)
            var g = [Float](repeating: 0, count: w)
            var index = [Int32](repeating: -1, count: w)
            var z = [Float](repeating: 0, count: w + 1)
            v.withUnsafeMutableBufferPointer { v in
                f.withUnsafeMutableBufferPointer { f in
                    g.withUnsafeMutableBufferPointer { g in
                        index.withUnsafeMutableBufferPointer { index in
                            z.withUnsafeMutableBufferPointer { z in
                                body(Envelope(v: v, f: f, g: g, index: index, z: z))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Lower envelope of parabolas rooted at (q, d[q]) for the finite samples of `d`, then
    /// the envelope written back over `d` and `dIndex`. A row without finite samples is
    /// left as it is (infinite, -1). `d[0]` lies at column `origin` of its row: the envelope
    /// is computed in the row's own columns, so that a run of a row (see
    /// `nearestWithinRuns`) is transformed with the same operands as the whole row.
    @inline(__always)
    private static func transform1D(count n: Int, origin: Int = 0, d: UnsafeMutablePointer<Float>,
                                    dIndex: UnsafeMutablePointer<Int32>, envelope e: Envelope) {
        // Wrapping integer arithmetic: columns and envelope indices are far from overflowing,
        // and the loops then carry no overflow checks.
        let v = e.v, vf = e.f, vg = e.g, vIndex = e.index, z = e.z
        var k = -1
        for column in 0..<n where d[column].isFinite {
            let q = origin &+ column
            let fq = d[column]
            let gq = fq + Float(q &* q)
            if k < 0 {
                k = 0
                v[0] = q
                vf[0] = fq
                vg[0] = gq
                vIndex[0] = dIndex[column]
                z[0] = -.infinity
                z[1] = .infinity
                continue
            }
            var s: Float
            repeat {
                s = (gq - vg[k]) / Float(2 &* (q &- v[k]))
                if s <= z[k] { k &-= 1 } else { break }
            } while k >= 0
            k &+= 1
            v[k] = q
            vf[k] = fq
            vg[k] = gq
            vIndex[k] = dIndex[column]
            z[k] = k == 0 ? -.infinity : s
            z[k &+ 1] = .infinity
        }
        guard k >= 0 else { return }
        var j = 0
        for column in 0..<n {
            let q = origin &+ column
            while z[j &+ 1] < Float(q) { j &+= 1 }
            let dq = Float(q &- v[j])
            d[column] = dq * dq + vf[j]
            dIndex[column] = vIndex[j]
        }
    }
}
