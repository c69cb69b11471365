/// The intensity a dendrite shaft alone would produce, learnt from the image itself.
///
/// Every pixel near a centreline is assigned to its nearest centreline pixel, and so to a
/// stretch of shaft (`segmentMicrons` long) and a distance from the centreline. Within each
/// stretch, the intensities at equal distance are summarised by a low quantile: spines
/// cover only part of the shaft's flanks, so the quantile follows the shaft and not the
/// spines. Subtracting this radial profile leaves spines, heads and necks on a flat
/// background, with the noise level measured at the same place.
struct ShaftModel {
    /// Intensity minus the shaft profile (0 far from every shaft).
    var residual: GrayImage
    /// Local noise standard deviation of the smoothed image.
    var noise: GrayImage
    /// For each band pixel (in `band` order): the point (index into `smoothedPoints`) of its
    /// nearest centreline pixel, as found within the pixel's band run (-1 for none). Exact
    /// for every band pixel within `band.margin` of a centreline pixel, which holds every
    /// pixel the profiles are built from and every pixel the detector can mark; see
    /// `nearestPoint(ofPixel:)` for the others.
    var bandNearestPoint: [Int32]
    /// The nearest point of every pixel of the image, when a reader needs it beyond the band
    /// (see `resolveNearestEverywhere`) or the image is too large for the band's transform
    /// (`DistanceTransform.tiesFollowTheRule`); nil otherwise.
    var nearestEverywhere: [Int32]?
    /// Segment number of each centreline point (indexed as `smoothedPoints`).
    var segmentOfPoint: [Int32]
    /// Per segment: shaft radius in pixels and intensity per pixel of projected thickness.
    var segmentRadius: [Double]
    var segmentIntensityPerThickness: [Double]
    /// Per segment: the shaft's peak intensity on its centreline.
    var segmentPeak: [Float]
    /// Per segment: which dendrite (0-based path index).
    var segmentPath: [Int]

    /// Smoothed centreline position of each centreline point, one per pixel of each path.
    var smoothedPoints: [PixelPoint]
    /// The centreline pixel (index `y * width + x`) of each point.
    var pointPixel: [Int32]
    /// The points that stand for their pixel: a pixel on two paths takes the later one's
    /// point and segment, consistently.
    var pixelPoints: [Int32]
    /// For centreline pixels near either end of their path: the unit tangent pointing out
    /// of the path.
    var endTangent: [Int32: PixelPoint]
    /// The pixels that can lie within the model's reach of a centreline; outside it the
    /// residual is 0 and the noise `globalNoise`.
    var band: Band
    var globalNoise: Float
    /// Per key (segment * bins + distance bin): the level and spread its bin's values gave,
    /// before the spread cap and the borrowing of sparse bins, with the settings they were
    /// found with: a later model of the same image along some of these paths takes them for
    /// the stretches whose bins hold the same pixels (`Earlier`).
    var measuredLevel: [Float]
    var measuredSpread: [Float]
    var settings: Settings

    /// The point (index into `smoothedPoints`) of the centreline pixel nearest to pixel index
    /// `i`, -1 with no centreline: of equally near centreline pixels the leftmost, then the
    /// upper one, as the Euclidean distance transform (`distanceToForeground`) takes them.
    ///
    /// Read from the band where the band's value is provably that pixel's (within
    /// `band.margin` of it), otherwise searched among all centreline pixels: the measurer's
    /// heads and rings lie near spines, so the search is rare.
    func nearestPoint(ofPixel i: Int) -> Int {
        if let nearestEverywhere { return Int(nearestEverywhere[i]) }
        let w = band.width, x = i % w, y = i / w
        if let j = band.index(x: x, y: y) {
            let point = Int(bandNearestPoint[j])
            if point >= 0 {
                let c = Int(pointPixel[point]), dx = c % w - x, dy = c / w - y
                if dx * dx + dy * dy <= band.margin * band.margin { return point }
            }
        }
        return nearestPointBySearch(x: x, y: y)
    }

    /// `nearestPoint(ofPixel:)` by looking at every centreline pixel: the least squared
    /// distance, then the least column, then the least row.
    private func nearestPointBySearch(x: Int, y: Int) -> Int {
        let w = band.width
        var best = -1, bestKey = (Int.max, Int.max, Int.max)
        for point in pixelPoints {
            let c = Int(pointPixel[Int(point)]), cx = c % w, cy = c / w
            let key = ((cx - x) * (cx - x) + (cy - y) * (cy - y), cx, cy)
            if key < bestKey {
                bestKey = key
                best = Int(point)
            }
        }
        return best
    }

    /// Distance from pixel index `i` to the smoothed centreline point of its nearest
    /// centreline pixel, pixels (infinite with no centreline).
    ///
    /// Computed when asked rather than stored: it is read only near the shafts, and a
    /// stored image would cost a pass and 4 bytes over every pixel.
    func centerlineDistance(ofPixel i: Int) -> Float {
        let point = nearestPoint(ofPixel: i)
        guard point >= 0 else { return .infinity }
        let w = band.width
        return Self.distance(x: i % w, y: i / w, to: smoothedPoints[point])
    }

    /// Computes `nearestEverywhere`, for readers that visit pixels far from every shaft (the
    /// detector when its thresholds are not positive). The whole-image transform, as before
    /// the band.
    mutating func resolveNearestEverywhere() {
        guard nearestEverywhere == nil else { return }
        nearestEverywhere = Self.nearestPoints(width: band.width, height: band.height,
                                               pointPixel: pointPixel, pixelPoints: pixelPoints)
    }

    /// The point of the nearest centreline pixel of every pixel, by the whole-image transform.
    private static func nearestPoints(width w: Int, height h: Int, pointPixel: [Int32], pixelPoints: [Int32]) -> [Int32] {
        var isCenterline = BinaryMask(width: w, height: h, repeating: false)
        var pointOfPixel = [Int32](repeating: -1, count: w * h)
        for point in pixelPoints {
            let c = Int(pointPixel[Int(point)])
            isCenterline.pixels[c] = true
            pointOfPixel[c] = point
        }
        var nearest = isCenterline.distanceToForeground().nearest.pixels
        for i in nearest.indices where nearest[i] >= 0 { nearest[i] = pointOfPixel[Int(nearest[i])] }
        return nearest
    }

    /// `distance / binPixels`, the distance in bins, by a multiplication when `binPixels` is a
    /// power of two: its reciprocal is then exact, and the product and the quotient are the
    /// same real number, rounded alike. Other bin widths keep the division.
    struct BinScale {
        let binPixels: Float, reciprocal: Float, multiplies: Bool

        init(binPixels: Float) {
            self.binPixels = binPixels
            reciprocal = 1 / binPixels
            multiplies = binPixels.isNormal && binPixels.significandBitPattern == 0 && reciprocal.isNormal
        }

        @inline(__always)
        func bins(_ distance: Float) -> Float { multiplies ? distance * reciprocal : distance / binPixels }
    }

    @inline(__always)
    static func distance(x: Int, y: Int, to p: PixelPoint) -> Float {
        let dx = Double(x) - p.x, dy = Double(y) - p.y
        return Float((dx * dx + dy * dy).squareRoot())
    }

    /// Runs of pixels, row by row, that cover every pixel within some Euclidean distance of a
    /// set of centreline pixels: the union of discs about them, marked as bits of each row.
    /// Visiting the runs of each row left to right keeps raster order.
    ///
    /// A disc is marked about every few pixels of a list only (a centre), a little wider: each
    /// pixel lies within `centreGap` of a centre, so a disc of radius `margin + centreGap`
    /// about the centre covers its own disc of radius `margin`. The band is then a few pixels
    /// wider than the discs' union, which on the benchmark's images holds 74 % of the pixels
    /// of square 16-px tiles within the same Chebyshev distance (the band before).
    struct Band {
        /// How far a pixel may lie from the centre whose disc covers its own.
        static let centreGap = 4
        let width: Int, height: Int
        /// Every pixel within this Euclidean distance of a centreline pixel is in the band.
        let margin: Int
        /// For each row: its runs, left to right, none touching another.
        let spans: [[Range<Int>]]
        /// Band index (see `forEachPixel`) of the first band pixel of each row; one more
        /// entry holds the band's pixel count.
        private let rowStart: [Int]

        /// Marks the discs of radius `margin + centreGap` about the centres taken from each list
        /// of pixel indices in `pixels`: a pixel outside all of them is farther than `margin`
        /// from every pixel listed.
        init(width: Int, height: Int, around pixels: [[Int]], margin: Int) {
            precondition(margin >= 0, "a band needs a margin of 0 or more, not \(margin)")
            self.width = width
            self.height = height
            self.margin = margin
            let gap = Self.centreGap, radius = margin + gap
            // Half the width of the disc's row at each vertical offset -radius...radius (index
            // offset + radius): the largest k with k^2 + dy^2 <= radius^2.
            let halfWidth: [Int] = (-radius...radius).map { dy in
                var k = Int(Double(radius * radius - dy * dy).squareRoot())
                while k * k + dy * dy > radius * radius { k -= 1 }
                while (k + 1) * (k + 1) + dy * dy <= radius * radius { k += 1 }
                return k
            }
            let words = (width + 63) >> 6
            var bits = [UInt64](repeating: 0, count: words * height)
            bits.withUnsafeMutableBufferPointer { bits in
                halfWidth.withUnsafeBufferPointer { halfWidth in
                    /// Sets bits a...b of `row`.
                    @inline(__always) func mark(_ row: UnsafeMutablePointer<UInt64>, _ a: Int, _ b: Int) {
                        let wa = a &>> 6, wb = b &>> 6
                        let low = ~UInt64(0) &<< UInt64(a & 63), high = ~UInt64(0) &>> UInt64(63 &- (b & 63))
                        if wa == wb {
                            row[wa] |= low & high
                        } else {
                            row[wa] |= low
                            var w = wa &+ 1
                            while w < wb {
                                row[w] = ~0
                                w &+= 1
                            }
                            row[wb] |= high
                        }
                    }
                    for list in pixels {
                        var hasCentre = false, cx = 0, cy = 0
                        for p in list {
                            let x = p % width, y = p / width
                            if hasCentre && (x - cx) * (x - cx) + (y - cy) * (y - cy) <= gap * gap { continue }
                            (hasCentre, cx, cy) = (true, x, y)
                            let y0 = Swift.max(0, y - radius), y1 = Swift.min(height - 1, y + radius)
                            var row = bits.baseAddress! + y0 * words, t = y0 - y + radius
                            if x >= radius && x + radius < width {
                                // The disc lies within the image's columns: no clamping per row.
                                for _ in y0...y1 {
                                    let k = halfWidth[t]
                                    mark(row, x &- k, x &+ k)
                                    row += words
                                    t &+= 1
                                }
                            } else {
                                for _ in y0...y1 {
                                    let k = halfWidth[t]
                                    mark(row, Swift.max(0, x - k), Swift.min(width - 1, x + k))
                                    row += words
                                    t &+= 1
                                }
                            }
                        }
                    }
                }
            }
            // Each row's runs of set bits.
            var spans = [[Range<Int>]](repeating: [], count: height)
            var rowStart = [Int](repeating: 0, count: height + 1)
            bits.withUnsafeBufferPointer { bits in
                for y in 0..<height {
                    let row = bits.baseAddress! + y * words
                    var runs: [Range<Int>] = []
                    var start = -1
                    for w in 0..<words where row[w] != 0 || start >= 0 {
                        var word = row[w], x = w << 6
                        // Alternate between the next set bit (a run starts) and the next clear
                        // bit (it ends) within the word.
                        while x < (w + 1) << 6 {
                            if start < 0 {
                                guard word != 0 else { break }
                                let skip = word.trailingZeroBitCount
                                x += skip
                                word >>= UInt64(skip)
                                start = x
                            } else {
                                let ones = (~word).trailingZeroBitCount
                                x += ones
                                word = ones == 64 ? 0 : word >> UInt64(ones)
                                if x < (w + 1) << 6 {
                                    runs.append(start..<x)
                                    start = -1
                                }
                            }
                        }
                    }
                    if start >= 0 { runs.append(start..<Swift.min(width, words << 6)) }
                    rowStart[y + 1] = rowStart[y] + runs.reduce(0) { $0 + $1.count }
                    spans[y] = runs
                }
            }
            self.spans = spans
            self.rowStart = rowStart
        }

        /// The runs of row `y`.
        @inline(__always)
        func runs(ofRow y: Int) -> [Range<Int>] { spans[y] }

        /// Calls `body(x, y, j)` for every band pixel in raster order, `j` counting them from 0:
        /// the order in which per-band-pixel arrays are laid out.
        @inline(__always)
        func forEachPixel(_ body: (_ x: Int, _ y: Int, _ j: Int) -> Void) {
            var j = 0
            for y in 0..<height {
                for run in runs(ofRow: y) {
                    for x in run {
                        body(x, y, j)
                        j += 1
                    }
                }
            }
        }

        /// Calls `body(y, run, j)` for every run of every row, top to bottom and left to right,
        /// `j` being the band index of the run's first pixel: the order of `forEachPixel`, for
        /// passes that walk a run's pixels over buffers themselves.
        @inline(__always)
        func forEachRun(_ body: (_ y: Int, _ run: Range<Int>, _ j: Int) -> Void) {
            var j = 0
            for y in 0..<height {
                for run in runs(ofRow: y) {
                    body(y, run, j)
                    j &+= run.count
                }
            }
        }

        /// The band index of pixel (x, y), or nil outside the band.
        func index(x: Int, y: Int) -> Int? {
            var j = rowStart[y]
            for run in runs(ofRow: y) {
                if x < run.lowerBound { return nil }
                if x < run.upperBound { return j + x - run.lowerBound }
                j += run.count
            }
            return nil
        }

        /// How many pixels the runs of all rows hold.
        var pixelCount: Int { rowStart[height] }
    }

    /// Radius and intensity per thickness of the shaft stretch nearest to pixel index `i`.
    func shaft(atPixel i: Int) -> (segment: Int, radius: Double, peak: Float)? {
        let point = nearestPoint(ofPixel: i)
        guard point >= 0 else { return nil }
        let s = Int(segmentOfPoint[point])
        guard s >= 0 else { return nil }
        return (s, segmentRadius[s], segmentPeak[s])
    }

    /// Puts the `m` smallest values of `v` in ascending order in `v[0..<m]`, by straight
    /// insertion into that prefix (later values no smaller than its largest are passed
    /// over); the rest of `v` is left in no particular order, and equal values keep their
    /// order. The definition `binOrderStatistics` reproduces, and its route for bins where
    /// equal values could differ in their bits.
    static func sortLowest(_ v: UnsafeMutableBufferPointer<Float>, count m: Int) {
        precondition(m >= 1 && m <= v.count, "cannot order the \(m) smallest of \(v.count) values")
        @inline(__always) func insert(_ x: Float, below end: Int) {
            var j = end
            while j > 0 && v[j - 1] > x {
                v[j] = v[j - 1]
                j -= 1
            }
            v[j] = x
        }
        for i in 1..<m { insert(v[i], below: i) }
        for i in m..<v.count where v[i] < v[m - 1] {
            let x = v[i]
            v[i] = v[m - 1]
            insert(x, below: m - 1)
        }
    }

    /// The ranks of a profile bin of `count` values whose values give its level and spread:
    /// the profile quantile, the median and the 16th percentile.
    @inline(__always)
    static func profileRanks(count: Int, settings: Settings) -> (q: Int, median: Int, low: Int) {
        (OrderStatistics.rank(settings.profileQuantile, count: count), OrderStatistics.rank(0.5, count: count),
         OrderStatistics.rank(0.16, count: count))
    }

    struct Settings {
        var segmentPixels: Int
        var reachPixels: Double
        var binPixels: Double
        var profileQuantile: Double
        /// Standard-normal quantile of `profileQuantile`, negated (0.524 for 0.3).
        var quantileOffsetSigmas: Double
        var globalNoise: Float
        /// A bin's spread is at most this many times the noise expected at its brightness
        /// (see `build`).
        var spreadCapFactor: Float = .infinity
        /// A bin with fewer values than this fraction of each of its neighbours' is too sparse to
        /// stand for its stretch of shaft (see `build`). A quarter: on a shaft along the pixel
        /// grid such bins hold a handful of pixels against some 40 on either side, while the
        /// counts across a curved shaft change gradually.
        var sparseBinFraction: Float = 0.25

        /// Whether a bin's level and spread (before the cap) come out the same with `other`
        /// for the same values: their lengths and the order statistics' settings agree.
        func measuresBinsAlike(_ other: Settings) -> Bool {
            segmentPixels == other.segmentPixels && reachPixels == other.reachPixels && binPixels == other.binPixels
                && profileQuantile == other.profileQuantile && quantileOffsetSigmas == other.quantileOffsetSigmas
                && globalNoise.bitPattern == other.globalNoise.bitPattern
        }
    }

    /// Receives each pixel the model covers (a band pixel within the reach of a shaft
    /// segment), in raster order, as the last pass of `build` sets its residual and noise: a
    /// reader of exactly those values (the spine detector's thresholds) rides on that pass
    /// instead of visiting the band again.
    protocol PixelVisitor {
        /// Called once before the pixels, with every segment's radius and peak (the model's
        /// `segmentRadius` and `segmentPeak`), for what the visitor works out per segment.
        mutating func prepare(segmentRadius: UnsafeBufferPointer<Double>, segmentPeak: UnsafeBufferPointer<Float>)
        /// Pixel index `i`, its residual and noise, its distance to the smoothed point of its
        /// nearest centreline pixel (as `centerlineDistance(ofPixel:)`), and its segment `s`.
        mutating func visit(pixel i: Int, residual: Float, noise: Float, distance: Float, segment s: Int)
    }

    /// A visitor that does nothing.
    struct NoVisitor: PixelVisitor {
        func prepare(segmentRadius: UnsafeBufferPointer<Double>, segmentPeak: UnsafeBufferPointer<Float>) {}
        @inline(__always)
        func visit(pixel i: Int, residual: Float, noise: Float, distance: Float, segment s: Int) {}
    }

    static func build(smoothed: GrayImage, paths: [ShaftTracer.Path], settings: Settings) -> ShaftModel {
        var none = NoVisitor()
        return build(smoothed: smoothed, paths: paths, settings: settings, visitor: &none)
    }

    /// The model, with `visitor` called for every pixel it covers (see `PixelVisitor`).
    static func build<Visitor: PixelVisitor>(smoothed: GrayImage, paths: [ShaftTracer.Path], settings: Settings,
                                             visitor: inout Visitor) -> ShaftModel {
        build(smoothed: smoothed,
              geometry: Geometry(width: smoothed.width, height: smoothed.height, paths: paths, settings: settings),
              settings: settings, visitor: &visitor)
    }

    static func build(smoothed: GrayImage, geometry: Geometry, settings: Settings) -> ShaftModel {
        var none = NoVisitor()
        return build(smoothed: smoothed, geometry: geometry, settings: settings, visitor: &none)
    }

    /// What a model takes from its paths, the image size and the settings' lengths alone, not
    /// from the pixel values or the noise: the band, each band pixel's nearest point, segment,
    /// distance and bin, the smoothed points and end tangents. A noisy image models the same
    /// paths on two smoothings (`SpineAnalysis`), and pays for this once.
    struct Geometry {
        let width: Int, height: Int
        /// The settings it was made for (`Settings.segmentPixels`, `reachPixels`, `binPixels`).
        let segmentPixels: Int, reachPixels: Double, binPixels: Double
        /// As the model's fields of the same names.
        let segmentPath: [Int]
        let endTangent: [Int32: PixelPoint]
        let smoothedPoints: [PixelPoint]
        let segmentOfPoint: [Int32]
        let pointPixel: [Int32]
        let pixelPoints: [Int32]
        let band: Band
        let bandNearestPoint: [Int32]
        let nearestEverywhere: [Int32]?
        /// Distance bins per segment.
        let bins: Int
        /// Per key (segment * bins + distance bin): how many band pixels are sampled into it,
        /// and where its values start in the gathered array (one more entry: their total).
        let binCount: [Int]
        let binStart: [Int]
        /// Per band pixel: its key (-1: not sampled) and its distance to the smoothed point of
        /// its nearest centreline pixel (meaningful where the key is not -1).
        let bandKey: [Int32]
        let bandDistance: [Float]
        /// With a geometry carried over from an earlier model (`init(...earlier:)`): per segment,
        /// the earlier model's segment whose bins held the same pixels (-1: none), and that
        /// model's measured levels and spreads, for a model of the same image to take over.
        let earlierProfiles: (segment: [Int32], level: [Float], spread: [Float], settings: Settings)?

        /// Whether a model with `settings` on an image of this size may use this geometry.
        func fits(width: Int, height: Int, settings: Settings) -> Bool {
            width == self.width && height == self.height && settings.segmentPixels == segmentPixels
                && settings.reachPixels == reachPixels && settings.binPixels == binPixels
        }

        /// The geometry of `paths` on a `w` x `h` image. With `earlier`, the geometry of the same
        /// image along more paths, of which `paths` are the ones kept: its band and nearest
        /// points are carried over where the removed paths change nothing (`Earlier.carried`),
        /// with the same result as made afresh.
        init(width w: Int, height h: Int, paths: [ShaftTracer.Path], settings: Settings, earlier: Earlier? = nil) {
            var segmentPath: [Int] = []
            var endTangent: [Int32: PixelPoint] = [:]
            // Distances are measured to the smoothed centreline point of the nearest skeleton
            // pixel: the skeleton itself wanders by half a pixel, which would blur the profile.
            // A pixel on two paths takes the later one's point and segment, consistently.
            var smoothedPoint: [PixelPoint] = []
            var segmentOfPoint: [Int32] = []
            var pointPixel: [Int32] = []
            // How far a smoothed point lies from its pixel, so that the band below provably holds
            // every pixel within reach of a smoothed point.
            var largestOffset = 0.0
            for (p, path) in paths.enumerated() {
                let segments = Swift.max(1, Int((Double(path.pixels.count) / Double(settings.segmentPixels)).rounded()))
                let base = segmentPath.count
                for _ in 0..<segments { segmentPath.append(p) }
                let endZone = Swift.max(2, settings.segmentPixels / 4)
                for (k, pixel) in path.pixels.enumerated() {
                    if k < endZone || k >= path.pixels.count - endZone {
                        // Outward tangent over the last few points of the path.
                        let span = Swift.min(path.points.count - 1, endZone)
                        let (a, b) = k < endZone ? (path.points[span], path.points[0])
                            : (path.points[path.points.count - 1 - span], path.points[path.points.count - 1])
                        let dx = b.x - a.x, dy = b.y - a.y, n = (dx * dx + dy * dy).squareRoot()
                        if n > 0 { endTangent[Int32(pixel)] = PixelPoint(x: dx / n, y: dy / n) }
                    }
                    smoothedPoint.append(path.points[k])
                    pointPixel.append(Int32(pixel))
                    segmentOfPoint.append(Int32(base + Swift.min(segments - 1, k * segments / path.pixels.count)))
                    let dx = Double(pixel % w) - path.points[k].x, dy = Double(pixel / w) - path.points[k].y
                    largestOffset = Swift.max(largestOffset, (dx * dx + dy * dy).squareRoot())
                }
            }
            // The point of each centreline pixel (the last of its points), in raster order: the
            // pixel's points sorted together by (pixel, point), no image-sized index.
            let pixelPoints: [Int32] = {
                let keys = pointPixel.indices.map { UInt64(UInt32(pointPixel[$0])) << 32 | UInt64($0) }.sorted()
                return keys.indices.compactMap { n in
                    n + 1 < keys.count && keys[n + 1] >> 32 == keys[n] >> 32 ? nil : Int32(truncatingIfNeeded: keys[n])
                }
            }()
            // Beyond the reach no pixel is sampled or modelled, and the reach is a small part of
            // the image: the passes below visit only the band that can be within it (the margin
            // covers the offset of the smoothed points and the rounding of distances to Float).
            let margin = Int((settings.reachPixels + largestOffset).rounded(.up)) + 2
            let carried = earlier?.carried(width: w, height: h, settings: settings, margin: margin,
                                           segmentPath: segmentPath, segmentOfPoint: segmentOfPoint,
                                           pointPixel: pointPixel, pixelPoints: pixelPoints)
            let band = carried?.band ?? Band(width: w, height: h, around: paths.map(\.pixels), margin: margin)
            // The nearest centreline pixel of each band pixel, as its point. A pixel within reach
            // of its point is within the band's margin of its nearest centreline pixel, where the
            // transform over the band's runs is exact; a pixel beyond the margin gets a centreline
            // pixel at least as far, so it is beyond the reach either way. Neither the whole
            // image nor the squared distances are transformed or kept.
            var bandNearestPoint: [Int32]
            var nearestEverywhere: [Int32]?
            if let carried {
                bandNearestPoint = carried.bandNearestPoint
            } else if DistanceTransform.tiesFollowTheRule(width: w, height: h) {
                bandNearestPoint = DistanceTransform.nearestWithinRuns(
                    width: w, height: h, features: pixelPoints.map { (pixel: Int(pointPixel[Int($0)]), label: $0) },
                    runsOfRow: band.runs(ofRow:), count: band.pixelCount, r: band.margin)
            } else {
                // Too large for the band's transform to be shown equal to the whole image's:
                // the whole image is transformed and kept, and the band read from it.
                let everywhere = ShaftModel.nearestPoints(width: w, height: h, pointPixel: pointPixel, pixelPoints: pixelPoints)
                bandNearestPoint = [Int32](repeating: -1, count: band.pixelCount)
                band.forEachPixel { x, y, j in bandNearestPoint[j] = everywhere[y * w + x] }
                nearestEverywhere = everywhere
            }
            let segmentCount = segmentPath.count
            let bins = Swift.max(2, Int((settings.reachPixels / settings.binPixels).rounded(.up)) + 1)
            let reach = Float(settings.reachPixels), scale = BinScale(binPixels: Float(settings.binPixels))

            // Intensities per (segment, distance bin) are gathered into one array in raster
            // order (a count, here, then a fill by `build`): each bin's values are a contiguous
            // run, with no array per bin. Each band pixel's key (segment * bins + distance bin)
            // and distance (to the smoothed point of its nearest centreline pixel, when it has a
            // segment and lies within the reach) are found once, here, and kept for the fill and the
            // residual pass of every model on this geometry (key -1: not sampled).
            var binCount = [Int](repeating: 0, count: segmentCount * bins)
            var bandKey = [Int32](repeating: -1, count: band.pixelCount)
            var bandDistance = [Float](unsafeUninitializedCapacity: band.pixelCount) { _, count in count = band.pixelCount }
            bandNearestPoint.withUnsafeBufferPointer { near in
                smoothedPoint.withUnsafeBufferPointer { points in
                    segmentOfPoint.withUnsafeBufferPointer { segmentOf in
                        binCount.withUnsafeMutableBufferPointer { counts in
                            bandKey.withUnsafeMutableBufferPointer { keys in
                                bandDistance.withUnsafeMutableBufferPointer { distances in
                                    // `sample` over each run. A squared distance beyond
                                    // `farSquared` rounds to a distance beyond the reach: its
                                    // square root is not taken.
                                    let farSquared = (Double(reach) + 1) * (Double(reach) + 1)
                                    band.forEachRun { y, run, first in
                                        var j = first
                                        let rowY = Double(y)
                                        for x in run {
                                            let point = Int(near[j])
                                            j &+= 1
                                            guard point >= 0 else { continue }
                                            let s = Int(segmentOf[point])
                                            guard s >= 0 else { continue }
                                            let p = points[point]
                                            let dx = Double(x) - p.x, dy = rowY - p.y
                                            let squared = dx * dx + dy * dy
                                            guard squared <= farSquared else { continue }
                                            let d = Float(squared.squareRoot())
                                            guard d <= reach else { continue }
                                            let key = s &* bins &+ Swift.min(bins - 1, Int(scale.bins(d)))
                                            keys[j &- 1] = Int32(truncatingIfNeeded: key)
                                            distances[j &- 1] = d
                                            counts[key] &+= 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var binStart = [Int](repeating: 0, count: segmentCount * bins + 1)
            for k in 0..<binCount.count { binStart[k + 1] = binStart[k] + binCount[k] }
            self.width = w
            self.height = h
            self.segmentPixels = settings.segmentPixels
            self.reachPixels = settings.reachPixels
            self.binPixels = settings.binPixels
            self.segmentPath = segmentPath
            self.endTangent = endTangent
            self.smoothedPoints = smoothedPoint
            self.segmentOfPoint = segmentOfPoint
            self.pointPixel = pointPixel
            self.pixelPoints = pixelPoints
            self.band = band
            self.bandNearestPoint = bandNearestPoint
            self.nearestEverywhere = nearestEverywhere
            self.bins = bins
            self.binCount = binCount
            self.binStart = binStart
            self.bandKey = bandKey
            self.bandDistance = bandDistance
            self.earlierProfiles = carried.map { carried in
                (carried.earlierSegment, earlier!.measuredLevel, earlier!.measuredSpread, earlier!.settings)
            }
        }
    }

    /// The model of `smoothed` on a geometry made for its size and `settings`, with `visitor`
    /// called for every pixel it covers (see `PixelVisitor`).
    ///
    /// With `reusingEarlierProfiles`, `smoothed` is the image the earlier model of `geometry`
    /// (`Geometry.earlierProfiles`) was built on: the stretches whose bins hold the same pixels
    /// take that model's levels and spreads, found from the same values, instead of ordering
    /// their bins again.
    static func build<Visitor: PixelVisitor>(smoothed: GrayImage, geometry: Geometry, settings: Settings,
                                             reusingEarlierProfiles: Bool = false,
                                             visitor: inout Visitor) -> ShaftModel {
        let w = smoothed.width, h = smoothed.height
        precondition(geometry.fits(width: w, height: h, settings: settings), "the geometry was made for another image size or settings")
        let (band, bins, binCount, binStart) = (geometry.band, geometry.bins, geometry.binCount, geometry.binStart)
        let (bandKey, bandDistance) = (geometry.bandKey, geometry.bandDistance)
        let segmentCount = geometry.segmentPath.count
        let scale = BinScale(binPixels: Float(settings.binPixels))
        // The intensities of each bin, gathered (see `Geometry`): the gather writes every entry
        // (the counts are those of the keys it reads), so the array starts uninitialised.
        let gatheredCount = binStart[binCount.count]
        var values = [Float](unsafeUninitializedCapacity: gatheredCount) { _, count in count = gatheredCount }
        // Whether any gathered value is NaN (then each bin is checked for one before the networks).
        var gatheredNaN: UInt8 = 0
        do {
            var next = binStart
            next.withUnsafeMutableBufferPointer { next in
                values.withUnsafeMutableBufferPointer { values in
                    bandKey.withUnsafeBufferPointer { keys in
                        smoothed.withUnsafeBufferPointer { image in
                            band.forEachRun { y, run, first in
                                var j = first
                                let row = y &* w
                                for x in run {
                                    let key = Int(keys[j])
                                    j &+= 1
                                    guard key >= 0 else { continue }
                                    let value = image[row &+ x]
                                    values[next[key]] = value
                                    next[key] &+= 1
                                    gatheredNaN |= value.isNaN ? 1 : 0
                                }
                            }
                        }
                    }
                }
            }
        }
        var level = [Float](repeating: 0, count: segmentCount * bins)
        var spread = [Float](repeating: settings.globalNoise, count: segmentCount * bins)
        // Scratch for the selections, as large as the largest bin twice.
        var selectionScratch = [Float](repeating: 0, count: 2 * (binCount.max() ?? 0))
        let earlier = reusingEarlierProfiles ? geometry.earlierProfiles.flatMap { $0.settings.measuresBinsAlike(settings) ? $0 : nil } : nil
        values.withUnsafeMutableBufferPointer { all in
            selectionScratch.withUnsafeMutableBufferPointer { scratch in
                level.withUnsafeMutableBufferPointer { level in
                    spread.withUnsafeMutableBufferPointer { spread in
                        /// Sets bin `k`'s level and spread from its three order statistics.
                        @inline(__always) func setProfile(_ k: Int, _ statistics: (q: Float, median: Float, low: Float)) {
                            // q50 - q16 is one standard deviation for Gaussian noise, and spines only
                            // disturb the upper tail.
                            let sigma = Swift.max(settings.globalNoise, statistics.median - statistics.low)
                            spread[k] = sigma
                            // The low quantile sits below the mean of pure noise by a known number of
                            // deviations (0.524 for q = 0.3); adding it back leaves no offset in the residual.
                            level[k] = Swift.min(statistics.median, statistics.q + Float(settings.quantileOffsetSigmas) * sigma)
                        }
                        // Bins of up to 128 values (32-63 in most bins of the benchmark's images), eight
                        // at a time in a comparator network (`RankNetwork`); larger ones, and bins the
                        // network leaves, by one selection each, whose partitions take no branch on
                        // the values (`binOrderStatistics`). The network orders only the lower half:
                        // the three ranks must lie at or below the median.
                        let usesNetwork = settings.profileQuantile <= 0.5
                        /// Bin `k`'s order statistics by `binOrderStatistics`.
                        @inline(__always) func selected(_ k: Int) -> (q: Float, median: Float, low: Float) {
                            let v = UnsafeMutableBufferPointer(rebasing: all[binStart[k]..<binStart[k + 1]])
                            return Self.binOrderStatistics(v, ranks: Self.profileRanks(count: v.count, settings: settings),
                                                           scratch: scratch.baseAddress!)
                        }
                        RankNetwork.withBatches { batches in
                            /// Orders the bins waiting in batch `c` and sets their profiles.
                            @inline(__always) func resolve(_ c: Int) {
                                let batch = batches[c]
                                batch.resolve(values: UnsafePointer(all.baseAddress!), binStart: binStart, settings: settings,
                                              mayHoldNaN: gatheredNaN != 0)
                                for lane in 0..<batch.count { setProfile(batch.keys[lane], batch.found[lane] ?? selected(batch.keys[lane])) }
                                batches[c].count = 0
                            }
                            for s in 0..<segmentCount {
                                if let earlier, earlier.segment[s] >= 0 {
                                    // The earlier model's stretch held the same pixels: its bins' values,
                                    // and so their order statistics, are the same.
                                    let from = Int(earlier.segment[s]) * bins
                                    for b in 0..<bins {
                                        level[s * bins + b] = earlier.level[from + b]
                                        spread[s * bins + b] = earlier.spread[from + b]
                                    }
                                    continue
                                }
                                for k in s * bins..<(s + 1) * bins where binCount[k] >= 4 {
                                    guard usesNetwork && binCount[k] <= RankNetwork.largestSize else {
                                        setProfile(k, selected(k))
                                        continue
                                    }
                                    let c = (binCount[k] + 7) / 8 - 1
                                    batches[c].keys[batches[c].count] = k
                                    batches[c].count += 1
                                    if batches[c].count == RankNetwork.laneCount { resolve(c) }
                                }
                            }
                            for c in batches.indices { resolve(c) }
                        }
                    }
                }
            }
        }
        values = []
        let (measuredLevel, measuredSpread) = (level, spread)
        // A bin that also holds neighbouring spines or another shaft has a spread far above
        // its noise, which would hide the spines in it. Shot noise makes the variance grow
        // linearly with brightness, from the background's (the global noise) to the
        // shaft's, read on the centreline bins where spines rarely reach; a bin's spread is
        // capped at `spreadCapFactor` times what that line predicts at its level.
        for s in 0..<segmentCount where settings.spreadCapFactor.isFinite && binCount[s * bins] >= 4 {
            let g = settings.globalNoise
            let body = Swift.max(spread[s * bins], binCount[s * bins + 1] >= 4 ? spread[s * bins + 1] : 0)
            let excessVariance = Swift.max(0, body * body - g * g)
            let peak = Swift.max(level[s * bins], Float.leastNormalMagnitude)
            for b in 0..<bins where binCount[s * bins + b] >= 4 {
                let expected = (g * g + excessVariance * Swift.max(0, level[s * bins + b]) / peak).squareRoot()
                spread[s * bins + b] = Swift.max(g, Swift.min(spread[s * bins + b], settings.spreadCapFactor * expected))
            }
        }
        // Bins too sparse to trust borrow from their inner neighbour. A bin is sparse with
        // fewer than 4 values, or with fewer than `sparseBinFraction` of each neighbour's:
        // along a shaft that runs with the pixel grid, distances from the centreline are nearly
        // whole pixels, so every other 0.5 px bin gets only the few pixels whose nearest
        // centreline pixel lies off to the side, and where a spine's head sits those few are
        // the head. Its level was then the head's own brightness, and the model took the head
        // away.
        for s in 0..<segmentCount {
            for b in 1..<bins {
                let k = s * bins + b
                let neighbours = Swift.min(binCount[k - 1], b + 1 < bins ? binCount[k + 1] : 0)
                guard binCount[k] < 4 || Float(binCount[k]) < settings.sparseBinFraction * Float(neighbours) else { continue }
                level[k] = level[k - 1]
                spread[k] = spread[k - 1]
            }
        }
        // Radius and calibration from each profile. A cylinder of radius r seen in projection
        // has thickness 2 sqrt(r^2 - d^2): it falls to half its peak at d = r sqrt(3) / 2, so
        // r = HWHM / 0.866, and intensity per pixel of thickness is peak / (2 r). The half
        // maximum is used rather than the edge because it does not depend on the threshold.
        var radius = [Double](repeating: 1, count: segmentCount)
        var perThickness = [Double](repeating: 1, count: segmentCount)
        for s in 0..<segmentCount {
            let peak = Double(level[s * bins])
            guard peak > 0 else { continue }
            var halfWidth = Double(bins) * settings.binPixels
            for b in 1..<bins {
                let inner = Double(level[s * bins + b - 1]), outer = Double(level[s * bins + b])
                if outer <= peak / 2 {
                    let f = inner > outer ? (inner - peak / 2) / (inner - outer) : 0
                    // Bin b holds distances [b, b + 1) * binPixels; use bin centres.
                    halfWidth = (Double(b - 1) + 0.5 + f) * settings.binPixels
                    break
                }
            }
            let r = Swift.max(0.5, halfWidth / 0.866)
            radius[s] = r
            perThickness[s] = peak / (2 * r)
        }

        var residual = GrayImage(width: w, height: h, repeating: 0)
        var noise = GrayImage(width: w, height: h, repeating: settings.globalNoise)
        let segmentPeak = (0..<segmentCount).map { level[$0 * bins] }
        // The segment of each key, looked up rather than divided out per pixel.
        let segmentOfKey = (0..<(segmentCount * bins)).map { Int32($0 / bins) }
        radius.withUnsafeBufferPointer { radius in
            segmentPeak.withUnsafeBufferPointer { visitor.prepare(segmentRadius: radius, segmentPeak: $0) }
        }
        bandKey.withUnsafeBufferPointer { keys in
            bandDistance.withUnsafeBufferPointer { distances in
                level.withUnsafeBufferPointer { level in
                    spread.withUnsafeBufferPointer { spread in
                        smoothed.withUnsafeBufferPointer { image in
                            residual.withUnsafeMutableBufferPointer { residual in
                                noise.withUnsafeMutableBufferPointer { noise in
                                    segmentOfKey.withUnsafeBufferPointer { segmentOfKey in
                                        band.forEachRun { y, run, first in
                                            var j = first
                                            let row = y &* w
                                            for x in run {
                                                let key = Int(keys[j]), d = distances[j]
                                                j &+= 1
                                                guard key >= 0 else { continue }
                                                let s = Int(segmentOfKey[key]), i = row &+ x
                                                // Linear interpolation between bin centres. `position`
                                                // is at least -0.5, where truncation differs from
                                                // rounding down only below 0, and both are clamped to
                                                // bin 0 (truncation needs no call to `floorf`).
                                                let position = scale.bins(d) - 0.5
                                                let b0 = Swift.max(0, Swift.min(bins - 1, Int(position)))
                                                let b1 = Swift.min(bins - 1, b0 &+ 1)
                                                let f = Swift.max(0, Swift.min(1, position - Float(b0)))
                                                let k0 = s &* bins &+ b0, k1 = s &* bins &+ b1
                                                let model = level[k0] * (1 - f) + level[k1] * f
                                                let r = image[i] - model
                                                let n = spread[k0] * (1 - f) + spread[k1] * f
                                                residual[i] = r
                                                noise[i] = n
                                                visitor.visit(pixel: i, residual: r, noise: n, distance: d, segment: s)
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
        return ShaftModel(residual: residual, noise: noise,
                          bandNearestPoint: geometry.bandNearestPoint, nearestEverywhere: geometry.nearestEverywhere,
                          segmentOfPoint: geometry.segmentOfPoint,
                          segmentRadius: radius, segmentIntensityPerThickness: perThickness,
                          segmentPeak: segmentPeak,
                          segmentPath: geometry.segmentPath, smoothedPoints: geometry.smoothedPoints,
                          pointPixel: geometry.pointPixel, pixelPoints: geometry.pixelPoints,
                          endTangent: geometry.endTangent, band: band, globalNoise: settings.globalNoise,
                          measuredLevel: measuredLevel, measuredSpread: measuredSpread, settings: settings)
    }
}
