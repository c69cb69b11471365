extension BackgroundEstimator {
    /// Pixel noise measured where there is signal, for images whose background was removed
    /// (set to a constant) so that no background noise is left to measure.
    ///
    /// For every pixel whose 3x3 neighbourhood is not flat, the difference between the pixel
    /// and the mean of its four edge neighbours removes smooth structure and keeps the
    /// noise: for white noise its variance is 1.25 sigma^2 (Immerkaer 1996, CVIU 64:300, uses
    /// the same idea). Sigma is 1.4826 x the median absolute difference / sqrt(1.25).
    ///
    /// - Returns: the raw pixel sigma and the fraction of pixels in flat regions.
    public static func pixelNoise(of image: GrayImage) -> (sigma: Float, flatFraction: Double) {
        let w = image.width, h = image.height
        guard w >= 3, h >= 3 else { return (0, 0) }
        var differences: [Float] = []
        var flatCount = 0
        image.withUnsafeBufferPointer { p in
            for y in 1..<(h - 1) {
                for x in 1..<(w - 1) {
                    let i = y * w + x
                    let c = p[i]
                    var flat = true
                    for dy in -1...1 where flat {
                        for dx in -1...1 where p[i + dy * w + dx] != c {
                            flat = false
                            break
                        }
                    }
                    if flat {
                        flatCount += 1
                        continue
                    }
                    let d = c - (p[i - 1] + p[i + 1] + p[i - w] + p[i + w]) / 4
                    differences.append(abs(d))
                }
            }
        }
        let flatFraction = Double(flatCount) / Double((w - 2) * (h - 2))
        guard differences.count >= 16 else { return (0, flatFraction) }
        let mad = OrderStatistics.quantile(&differences, 0.5)
        return (1.4826 * mad / Float(1.25).squareRoot(), flatFraction)
    }

    /// The fraction of interior pixels whose 3x3 neighbourhood is one value: exactly the
    /// `flatFraction` of `pixelNoise(of:)`, without gathering and ranking the differences.
    ///
    /// The pipeline needs the fraction to choose between the two noise estimates, and
    /// ranking a million differences for an estimate it then discards cost as much as the
    /// rest of the background stage. Eight neighbouring pixels are tested at once
    /// (`flatLanes`).
    public static func flatFraction(of image: GrayImage) -> Double {
        let w = image.width, h = image.height
        guard w >= 3, h >= 3 else { return 0 }
        var flatCount = 0
        image.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            var lanes = SIMD8<Int32>(repeating: 0)
            for y in 1..<(h - 1) {
                let row = base + y * w
                var x = 1
                while x + 8 <= w - 1 {
                    lanes &-= unsafeBitCast(flatLanes(row, width: w, x: x), to: SIMD8<Int32>.self)
                    x += 8
                }
                while x < w - 1 {
                    if isFlat(row, width: w, x: x) { flatCount += 1 }
                    x += 1
                }
            }
            flatCount += Int(lanes.wrappedSum())
        }
        return Double(flatCount) / Double((w - 2) * (h - 2))
    }

    /// Whether all nine pixels around `row[x]` (rows above and below included, `width` apart)
    /// equal it. Equality of floats is transitive, so this is the same as "each row's three
    /// pixels equal its centre, and the three centres are equal".
    @inline(__always)
    static func isFlat(_ row: UnsafePointer<Float>, width w: Int, x: Int) -> Bool {
        let c = row[x]
        return row[x - 1] == c && row[x + 1] == c
            && row[x - w - 1] == c && row[x - w] == c && row[x - w + 1] == c
            && row[x + w - 1] == c && row[x + w] == c && row[x + w + 1] == c
    }

    /// `isFlat` for the eight pixels `row[x ..< x + 8]`: all lanes' bits set where flat.
    @inline(__always)
    static func flatLanes(_ row: UnsafePointer<Float>, width w: Int, x: Int) -> SIMDMask<SIMD8<Int32>> {
        let raw = UnsafeRawPointer(row)
        func load(_ offset: Int) -> SIMD8<Float> {
            raw.loadUnaligned(fromByteOffset: (x + offset) * 4, as: SIMD8<Float>.self)
        }
        let c = load(0)
        var flat = (load(-1) .== c) .& (load(1) .== c)
        flat .&= (load(-w - 1) .== c) .& (load(-w) .== c) .& (load(-w + 1) .== c)
        flat .&= (load(w - 1) .== c) .& (load(w) .== c) .& (load(w + 1) .== c)
        return flat
    }

    /// How much a Gaussian blur of `sigma` pixels scales the standard deviation of white
    /// noise: the sum of the squared weights of the separable kernel.
    public static func noiseGain(ofGaussianSigma sigma: Double) -> Float {
        guard sigma > 0 else { return 1 }
        let radius = Swift.max(1, Int((3 * sigma).rounded(.up)))
        var weights = (-radius...radius).map { d -> Double in _exp(-Double(d * d) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        return Float(weights.reduce(0) { $0 + $1 * $1 })
    }
}
