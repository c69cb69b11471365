/// Estimates of the smooth background and of the noise, both robust to the bright neuron.
public enum BackgroundEstimator {
    /// A smooth background: the `percentile` of each `blockSize`-pixel block, median-filtered
    /// over 3x3 blocks and bilinearly interpolated between block centres.
    ///
    /// A low percentile stays on background as long as the neuron covers less than
    /// `1 - percentile` of a block (the "rolling ball" idea of Sternberg 1983, cheaper).
    public static func background(of image: GrayImage, blockSize: Int, percentile: Double) -> GrayImage {
        guard !image.isEmpty else { return image }
        let b = Swift.max(4, blockSize)
        let bw = (image.width + b - 1) / b, bh = (image.height + b - 1) / b
        var grid = [Float](repeating: 0, count: bw * bh)
        var buffer: [Float] = []
        buffer.reserveCapacity(b * b)
        image.withUnsafeBufferPointer { src in
            for by in 0..<bh {
                for bx in 0..<bw {
                    buffer.removeAll(keepingCapacity: true)
                    for y in (by * b)..<Swift.min(image.height, (by + 1) * b) {
                        let row = y * image.width
                        for x in (bx * b)..<Swift.min(image.width, (bx + 1) * b) { buffer.append(src[row + x]) }
                    }
                    grid[by * bw + bx] = OrderStatistics.quantile(&buffer, percentile)
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
        var out = GrayImage(width: image.width, height: image.height, repeating: 0)
        out.withUnsafeMutableBufferPointer { o in
            for y in 0..<image.height {
                let gy = (Double(y) + 0.5) / Double(b) - 0.5
                let y0 = Swift.max(0, Swift.min(bh - 1, Int(gy.rounded(.down))))
                let y1 = Swift.min(bh - 1, y0 + 1)
                let fy = Float(Swift.max(0, Swift.min(1, gy - Double(y0))))
                for x in 0..<image.width {
                    let gx = (Double(x) + 0.5) / Double(b) - 0.5
                    let x0 = Swift.max(0, Swift.min(bw - 1, Int(gx.rounded(.down))))
                    let x1 = Swift.min(bw - 1, x0 + 1)
                    let fx = Float(Swift.max(0, Swift.min(1, gx - Double(x0))))
                    let top = smoothed[y0 * bw + x0] * (1 - fx) + smoothed[y0 * bw + x1] * fx
                    let bottom = smoothed[y1 * bw + x0] * (1 - fx) + smoothed[y1 * bw + x1] * fx
                    o[y * image.width + x] = top * (1 - fy) + bottom * fy
                }
            }
        }
        return out
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
        values.reserveCapacity(image.count)
        if let original, original.width == image.width, original.height == image.height,
           original.width >= 3, original.height >= 3 {
            let w = original.width
            original.withUnsafeBufferPointer { o in
                for y in 0..<original.height {
                    for x in 0..<w {
                        let v = o[y * w + x]
                        var flat = true
                        for dy in -1...1 where flat {
                            let ny = Swift.min(original.height - 1, Swift.max(0, y + dy))
                            for dx in -1...1 {
                                let nx = Swift.min(w - 1, Swift.max(0, x + dx))
                                if o[ny * w + nx] != v { flat = false; break }
                            }
                        }
                        if !flat { values.append(image.pixels[y * w + x]) }
                    }
                }
            }
        }
        if values.count < 16 { values = image.pixels }
        // Bright signal lifts the median, and the spread below it with it (signal in 20 % of
        // the pixels overstates sigma by 20 %), so pixels more than 3 sigma above the median
        // are dropped and the estimate repeated until none is: the kappa-sigma clipping of
        // SExtractor's background (Bertin & Arnouts 1996, A&AS 117:393), upper side only.
        var sigma: Float = 0
        for _ in 0..<10 {
            var sorted = values
            let median = OrderStatistics.quantile(&sorted, 0.5)
            var below = values.compactMap { $0 <= median ? median - $0 : nil }
            let estimate = 1.4826 * OrderStatistics.quantile(&below, 0.5)
            // Ties in quantised data can leave no spread once the signal is clipped away.
            if estimate == 0 && sigma > 0 { break }
            sigma = estimate
            let kept = values.filter { $0 <= median + 3 * sigma }
            guard kept.count < values.count, kept.count >= 16 else { break }
            values = kept
        }
        return sigma
    }
}

/// Small order statistics used throughout the engine.
enum OrderStatistics {
    /// The `q` quantile (0...1) by selection; reorders `values`. Empty input gives 0.
    static func quantile(_ values: inout [Float], _ q: Double) -> Float {
        guard !values.isEmpty else { return 0 }
        let k = Swift.min(values.count - 1, Swift.max(0, Int((q * Double(values.count - 1)).rounded())))
        var lo = 0, hi = values.count - 1
        while lo < hi {
            let pivot = values[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { break }
        }
        return values[k]
    }

    static func median(_ values: [Float]) -> Float {
        var copy = values
        return quantile(&copy, 0.5)
    }
}

extension Raster where Pixel == Float {
    /// Maximum over a square window of side `2 * radius + 1` (separable, van Herk 1992 /
    /// Gil & Werman 1993: three comparisons per pixel whatever the radius).
    public func maximumFiltered(radius: Int) -> GrayImage {
        guard radius > 0, !isEmpty else { return self }
        var rows = self
        Self.maxRows(&rows, radius: radius)
        var cols = rows.transposed()
        Self.maxRows(&cols, radius: radius)
        return cols.transposed()
    }

    private static func maxRows(_ image: inout GrayImage, radius: Int) {
        let w = image.width, h = image.height, size = 2 * radius + 1
        let padded = w + 2 * radius
        let blocks = (padded + size - 1) / size
        let n = blocks * size
        var line = [Float](repeating: -.infinity, count: n)
        var g = line, hh = line
        image.withUnsafeMutableBufferPointer { px in
            for y in 0..<h {
                let row = y * w
                for i in 0..<n { line[i] = -.infinity }
                for x in 0..<w { line[x + radius] = px[row + x] }
                for start in stride(from: 0, to: n, by: size) {
                    g[start] = line[start]
                    for i in (start + 1)..<(start + size) { g[i] = Swift.max(g[i - 1], line[i]) }
                    hh[start + size - 1] = line[start + size - 1]
                    for i in stride(from: start + size - 2, through: start, by: -1) { hh[i] = Swift.max(hh[i + 1], line[i]) }
                }
                // Window for output x covers padded indices x ... x + 2r.
                for x in 0..<w { px[row + x] = Swift.max(hh[x], g[x + size - 1]) }
            }
        }
    }
}
