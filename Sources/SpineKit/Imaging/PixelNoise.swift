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
    /// rest of the background stage. Three rows of "the pixel equals both side neighbours"
    /// are kept rolling, so the nine comparisons are made once per row, not per pixel.
    public static func flatFraction(of image: GrayImage) -> Double {
        let w = image.width, h = image.height
        guard w >= 3, h >= 3 else { return 0 }
        var flatCount = 0
        var rows = [Bool](repeating: false, count: 3 * w)
        image.withUnsafeBufferPointer { p in
            rows.withUnsafeMutableBufferPointer { r in
                // Row y's triples live in slot y % 3.
                func fill(_ y: Int) {
                    let row = y * w, slot = (y % 3) * w
                    for x in 1..<(w - 1) {
                        let c = p[row + x]
                        r[slot + x] = p[row + x - 1] == c && p[row + x + 1] == c
                    }
                }
                fill(0)
                fill(1)
                for y in 1..<(h - 1) {
                    fill(y + 1)
                    let row = y * w
                    let up = ((y - 1) % 3) * w, mid = (y % 3) * w, down = ((y + 1) % 3) * w
                    for x in 1..<(w - 1) {
                        let c = p[row + x]
                        if r[mid + x] && r[up + x] && r[down + x] && p[row - w + x] == c && p[row + w + x] == c {
                            flatCount += 1
                        }
                    }
                }
            }
        }
        return Double(flatCount) / Double((w - 2) * (h - 2))
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
