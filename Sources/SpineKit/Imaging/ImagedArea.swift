/// The rectangle of an image that holds image data, inside the dark padding that cropping
/// can leave along its edges.
///
/// Crops cut from a larger image are often padded to a common size with a constant dark
/// value (every side of most Smirnov & Garrett 2018 crops carries 1-10 such rows). Padding
/// is not imaged area: a spine head against it is cut like a head at the image edge, so
/// the counting frame is inset from the padding's inner edge rather than from the array's.
///
/// A strip of rows (or columns) along an edge is padding when each of its rows is dark,
/// its mean no more than `darkLevel` above the image's minimum, and the first row inside
/// steps up abruptly: its mean absolute difference from the last dark row exceeds both
/// `darkLevel` and `stepRatio` times its difference from the next row inward. The optics
/// blur every imaged edge over several pixels, so a one-row step much larger than the step
/// after it is a cut, not a structure; a dark margin of real background that brightens
/// gradually is imaged area and stays in.
public struct ImagedArea: Sendable, Equatable {
    /// First and last imaged column and row, inclusive.
    public var minX: Int
    public var minY: Int
    public var maxX: Int
    public var maxY: Int

    public init(minX: Int, minY: Int, maxX: Int, maxY: Int) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// The whole image.
    public init(width: Int, height: Int) {
        self.init(minX: 0, minY: 0, maxX: width - 1, maxY: height - 1)
    }

    /// The imaged rectangle of `image`: the whole image less the padding strips found along
    /// its four edges, each at most `maximumFraction` of the image's extent. `minimum` is
    /// the image's smallest value (`minimum(of:)`) when the caller has found it already;
    /// otherwise it is found here.
    public init(of image: GrayImage, darkLevel: Float, stepRatio: Float, maximumFraction: Double = 1.0 / 3,
                minimum knownMinimum: Float? = nil) {
        self.init(width: image.width, height: image.height)
        let w = image.width, h = image.height
        guard w >= 3, h >= 3, darkLevel > 0 else { return }
        // Only the few lines nearest each edge are ever examined, so their sums are taken when
        // asked (in the same order a whole-image pass would add them); the minimum needs all.
        let minimum = knownMinimum ?? image.withUnsafeBufferPointer { Self.minimum(of: $0) }
        func rowSum(_ y: Int) -> Double {
            image.withUnsafeBufferPointer { p in
                var s = 0.0
                for x in 0..<w { s += Double(p[y * w + x]) }
                return s
            }
        }
        func columnSum(_ x: Int) -> Double {
            image.withUnsafeBufferPointer { p in
                var s = 0.0
                for y in 0..<h { s += Double(p[y * w + x]) }
                return s
            }
        }
        let dark = Double(minimum) + Double(darkLevel)
        // Mean absolute difference between two rows (or two columns) of the image.
        func rowStep(_ a: Int, _ b: Int) -> Double {
            image.withUnsafeBufferPointer { p in
                var s = 0.0
                for x in 0..<w { s += Double(abs(p[a * w + x] - p[b * w + x])) }
                return s / Double(w)
            }
        }
        func columnStep(_ a: Int, _ b: Int) -> Double {
            image.withUnsafeBufferPointer { p in
                var s = 0.0
                for y in 0..<h { s += Double(abs(p[y * w + a] - p[y * w + b])) }
                return s / Double(h)
            }
        }
        // The number of padding lines from one edge: `line(k)` is the k-th from that edge.
        func padding(count: Int, lineLength: Int, sum: (Int) -> Double, line: (Int) -> Int,
                     step: (Int, Int) -> Double) -> Int {
            let limit = Int(Double(count) * maximumFraction)
            var k = 0
            while k < limit, sum(line(k)) / Double(lineLength) <= dark { k += 1 }
            guard k > 0, k < limit, k + 1 < count else { return 0 }
            let cut = step(line(k - 1), line(k))
            let next = step(line(k), line(k + 1))
            return cut > Double(darkLevel) && cut > Double(stepRatio) * next ? k : 0
        }
        minY = padding(count: h, lineLength: w, sum: rowSum, line: { $0 }, step: rowStep)
        maxY = h - 1 - padding(count: h, lineLength: w, sum: rowSum, line: { h - 1 - $0 }, step: rowStep)
        minX = padding(count: w, lineLength: h, sum: columnSum, line: { $0 }, step: columnStep)
        maxX = w - 1 - padding(count: w, lineLength: h, sum: columnSum, line: { w - 1 - $0 }, step: columnStep)
    }

    /// The smallest of `values` (NaNs passed over; +infinity when there is none), in eight
    /// lanes side by side and then across them: one chain of comparisons through a million
    /// pixels waited on each comparison in turn. Of a -0 and a +0 either may come back, which
    /// no caller can tell apart: the minimum is only added to a positive level.
    static func minimum(of values: UnsafeBufferPointer<Float>) -> Float {
        var lanes = SIMD8<Float>(repeating: .infinity)
        var i = 0
        if values.count >= 8 {
            let raw = UnsafeRawPointer(values.baseAddress!)
            while i + 8 <= values.count {
                let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                lanes.replace(with: v, where: v .< lanes)
                i += 8
            }
        }
        var result = Float.infinity
        for lane in 0..<8 where lanes[lane] < result { result = lanes[lane] }
        while i < values.count {
            if values[i] < result { result = values[i] }
            i += 1
        }
        return result
    }
}
