/// How filters treat pixels beyond the image edge.
public enum BorderMode: Sendable {
    /// The edge pixel repeats outwards: no dark frame around the image.
    case replicate
    /// Outside is zero.
    case zero
}

extension Raster where Pixel == Float {
    /// A Gaussian-blurred copy, by separable convolution with a kernel truncated at 3 sigma.
    ///
    /// - Parameter sigma: standard deviation in pixels; 0 or less returns the image unchanged.
    public func gaussianBlurred(sigma: Double, border: BorderMode = .replicate) -> GrayImage {
        guard sigma > 0, !isEmpty else { return self }
        return Self.convolveSeparably(self, kernel: Self.gaussianKernel(sigma: sigma), border: border)
    }

    /// `convolveRows` then `convolveColumns`, the same sums in the same order, without the
    /// image-sized intermediate (see `convolveSeparably(width:height:kernel:border:inputRow:)`).
    static func convolveSeparably(_ source: GrayImage, kernel: [Float], border: BorderMode) -> GrayImage {
        let w = source.width
        return source.withUnsafeBufferPointer { src in
            convolveSeparably(width: w, height: source.height, kernel: kernel, border: border) { y, _ in
                src.baseAddress! + y * w
            }
        }
    }

    /// The separable convolution of a `width` x `height` image whose rows `inputRow` gives:
    /// called with a row index and a scratch row of `width` values, it returns the row (in
    /// the scratch or elsewhere), valid until its next call. Rows are asked for in
    /// increasing order, each once.
    ///
    /// Each row's horizontal pass (`convolveRow`) is made once, when the first output row
    /// needs it, into a ring of `kernel.count` rows (the rows one output row reads are
    /// consecutive, so they never share a slot), and each output pixel sums its column's
    /// weighted rows in a register, eight pixels side by side, in the order of
    /// `convolveColumns`: the values of `convolveRows` then `convolveColumns`.
    static func convolveSeparably(
        width w: Int, height h: Int, kernel: [Float], border: BorderMode,
        inputRow: (Int, UnsafeMutablePointer<Float>) -> UnsafePointer<Float>
    ) -> GrayImage {
        let taps = kernel.count, radius = taps / 2
        var ring = [Float](repeating: 0, count: taps * w)
        var ringRow = [Int](repeating: -1, count: taps)
        var padded = [Float](repeating: 0, count: w + 2 * radius)
        let zeros = [Float](repeating: 0, count: w)
        let pixels = [Float](unsafeUninitializedCapacity: w * h) { out, initialized in
            kernel.withUnsafeBufferPointer { k in
                ring.withUnsafeMutableBufferPointer { ringBuffer in
                    ringRow.withUnsafeMutableBufferPointer { slotRow in
                        padded.withUnsafeMutableBufferPointer { p in
                            zeros.withUnsafeBufferPointer { zero in
                                withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: taps) { rows in
                                    // The horizontal pass of input row i, made on first use.
                                    func horizontal(_ i: Int) -> UnsafePointer<Float> {
                                        let slot = i % taps
                                        let line = ringBuffer.baseAddress! + slot * w
                                        if slotRow[slot] != i {
                                            // The scratch row is the padded row's middle: a row
                                            // made there needs no copy into it.
                                            convolveRow(inputRow(i, p.baseAddress! + radius), width: w, kernel: k,
                                                        border: border, padded: p, into: line)
                                            slotRow[slot] = i
                                        }
                                        return UnsafePointer(line)
                                    }
                                    for y in 0..<h {
                                        for j in 0..<taps {
                                            let r = y + j - radius
                                            if r >= 0 && r < h {
                                                rows[j] = horizontal(r)
                                            } else if border == .replicate {
                                                rows[j] = horizontal(r < 0 ? 0 : h - 1)
                                            } else {
                                                rows[j] = zero.baseAddress!
                                            }
                                        }
                                        let target = out.baseAddress! + y * w
                                        // The common kernels' loops with their length known, so
                                        // that the compiler unrolls them (the same sums).
                                        switch taps {
                                        case 5: sumRows(UnsafePointer(rows.baseAddress!), taps: 5, kernel: k, width: w, into: target)
                                        case 7: sumRows(UnsafePointer(rows.baseAddress!), taps: 7, kernel: k, width: w, into: target)
                                        case 9: sumRows(UnsafePointer(rows.baseAddress!), taps: 9, kernel: k, width: w, into: target)
                                        case 11: sumRows(UnsafePointer(rows.baseAddress!), taps: 11, kernel: k, width: w, into: target)
                                        default: sumRows(UnsafePointer(rows.baseAddress!), taps: taps, kernel: k, width: w, into: target)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialized = w * h
        }
        return GrayImage(width: w, height: h, pixels: pixels)
    }

    /// One output row of the vertical pass: `target[x]` is the sum of `kernel[j] * rows[j][x]`
    /// accumulated in order of `j` from zero, eight pixels side by side.
    ///
    /// Thirty-two pixels (four vectors) per step: the compiler reloads and broadcasts each
    /// weight and reloads each row pointer once per step (the stores might alias them), so a
    /// step of four vectors pays that once for all four. Each lane's sum is the same.
    @inline(__always)
    private static func sumRows(_ rows: UnsafePointer<UnsafePointer<Float>>, taps: Int,
                                kernel k: UnsafeBufferPointer<Float>, width w: Int,
                                into target: UnsafeMutablePointer<Float>) {
        var x = 0
        while x + 32 <= w {
            var sum0 = SIMD8<Float>(repeating: 0), sum1 = sum0, sum2 = sum0, sum3 = sum0
            for j in 0..<taps {
                let weight = k[j], row = UnsafeRawPointer(rows[j] + x)
                sum0 += weight * row.loadUnaligned(as: SIMD8<Float>.self)
                sum1 += weight * row.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                sum2 += weight * row.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                sum3 += weight * row.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            }
            let out = UnsafeMutableRawPointer(target + x)
            out.storeBytes(of: sum0, as: SIMD8<Float>.self)
            out.storeBytes(of: sum1, toByteOffset: 32, as: SIMD8<Float>.self)
            out.storeBytes(of: sum2, toByteOffset: 64, as: SIMD8<Float>.self)
            out.storeBytes(of: sum3, toByteOffset: 96, as: SIMD8<Float>.self)
            x += 32
        }
        while x + 8 <= w {
            var sum = SIMD8<Float>(repeating: 0)
            for j in 0..<taps {
                sum += k[j] * UnsafeRawPointer(rows[j] + x).loadUnaligned(as: SIMD8<Float>.self)
            }
            UnsafeMutableRawPointer(target + x).storeBytes(of: sum, as: SIMD8<Float>.self)
            x += 8
        }
        while x < w {
            var sum: Float = 0
            for j in 0..<taps { sum += k[j] * rows[j][x] }
            target[x] = sum
            x += 1
        }
    }

    /// Normalised Gaussian weights for offsets -r...r, r = ceil(3 sigma).
    static func gaussianKernel(sigma: Double) -> [Float] {
        let radius = Swift.max(1, Int((3 * sigma).rounded(.up)))
        var weights = (-radius...radius).map { offset -> Double in
            let d = Double(offset)
            return _exp(-d * d / (2 * sigma * sigma))
        }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        return weights.map(Float.init)
    }

    /// Convolves every row with `kernel` (centred), treating pixels beyond the row's ends
    /// as `border` says.
    ///
    /// Each output pixel is the sum of `kernel[j] * input[x + j - r]` accumulated in order
    /// of `j` from zero. Eight neighbouring pixels are summed side by side in the lanes of a
    /// vector, each lane in that order, so the result is the same as pixel by pixel (the
    /// compiler did not vectorise the plain loops: it could not rule out that the sums and
    /// the padded row overlap).
    static func convolveRows(_ source: GrayImage, kernel: [Float], border: BorderMode, into out: inout GrayImage) {
        let w = source.width, h = source.height, radius = kernel.count / 2
        var padded = [Float](repeating: 0, count: w + 2 * radius)
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                kernel.withUnsafeBufferPointer { k in
                    padded.withUnsafeMutableBufferPointer { p in
                        for y in 0..<h {
                            convolveRow(src.baseAddress! + y * w, width: w, kernel: k, border: border, padded: p,
                                        into: dst.baseAddress! + y * w)
                        }
                    }
                }
            }
        }
    }

    /// One row of `convolveRows`: `width` values from `source` into `target`, through
    /// `padded` (`width + kernel.count - 1` values of scratch). `source` may already be the
    /// middle of `padded`.
    @inline(__always)
    static func convolveRow(_ source: UnsafePointer<Float>, width w: Int, kernel k: UnsafeBufferPointer<Float>,
                            border: BorderMode, padded p: UnsafeMutableBufferPointer<Float>,
                            into dst: UnsafeMutablePointer<Float>) {
        let radius = k.count / 2
        let left: Float = border == .replicate ? source[0] : 0
        let right: Float = border == .replicate ? source[w - 1] : 0
        for i in 0..<radius {
            p[i] = left
            p[radius + w + i] = right
        }
        if source != UnsafePointer(p.baseAddress! + radius) { (p.baseAddress! + radius).update(from: source, count: w) }
        // The common kernels' loops with their length known, so that the compiler unrolls
        // them (the same sums).
        switch k.count {
        case 5: sumAlong(UnsafePointer(p.baseAddress!), taps: 5, kernel: k, width: w, into: dst)
        case 7: sumAlong(UnsafePointer(p.baseAddress!), taps: 7, kernel: k, width: w, into: dst)
        case 9: sumAlong(UnsafePointer(p.baseAddress!), taps: 9, kernel: k, width: w, into: dst)
        case 11: sumAlong(UnsafePointer(p.baseAddress!), taps: 11, kernel: k, width: w, into: dst)
        default: sumAlong(UnsafePointer(p.baseAddress!), taps: k.count, kernel: k, width: w, into: dst)
        }
    }

    /// `dst[x]` is the sum of `kernel[j] * line[x + j]` accumulated in order of `j` from zero,
    /// eight pixels side by side in the lanes of a vector; thirty-two per step, as in `sumRows`.
    @inline(__always)
    private static func sumAlong(_ p: UnsafePointer<Float>, taps: Int, kernel k: UnsafeBufferPointer<Float>,
                                 width w: Int, into dst: UnsafeMutablePointer<Float>) {
        let line = UnsafeRawPointer(p), lanes = 8
        let target = UnsafeMutableRawPointer(dst)
        var x = 0
        while x + 4 * lanes <= w {
            var sum0 = SIMD8<Float>(repeating: 0), sum1 = sum0, sum2 = sum0, sum3 = sum0
            for j in 0..<taps {
                let weight = k[j], input = line + (x + j) * 4
                sum0 += weight * input.loadUnaligned(as: SIMD8<Float>.self)
                sum1 += weight * input.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                sum2 += weight * input.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                sum3 += weight * input.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            }
            let out = target + x * 4
            out.storeBytes(of: sum0, as: SIMD8<Float>.self)
            out.storeBytes(of: sum1, toByteOffset: 32, as: SIMD8<Float>.self)
            out.storeBytes(of: sum2, toByteOffset: 64, as: SIMD8<Float>.self)
            out.storeBytes(of: sum3, toByteOffset: 96, as: SIMD8<Float>.self)
            x += 4 * lanes
        }
        while x + lanes <= w {
            var sum = SIMD8<Float>(repeating: 0)
            for j in 0..<taps {
                let input = line.loadUnaligned(fromByteOffset: (x + j) * 4, as: SIMD8<Float>.self)
                sum += k[j] * input
            }
            target.storeBytes(of: sum, toByteOffset: x * 4, as: SIMD8<Float>.self)
            x += lanes
        }
        while x < w {
            var sum: Float = 0
            for j in 0..<taps { sum += k[j] * p[x + j] }
            dst[x] = sum
            x += 1
        }
    }

    /// Convolves every column with `kernel`, row by row: output row `y` accumulates the
    /// weighted input rows `y + j - r` in order of `j`, exactly the sums a transposed
    /// `convolveRows` would form, without transposing the image twice.
    static func convolveColumns(_ source: GrayImage, kernel: [Float], border: BorderMode, into out: inout GrayImage) {
        let w = source.width, h = source.height, radius = kernel.count / 2
        let zeros = [Float](repeating: 0, count: w)
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                kernel.withUnsafeBufferPointer { k in
                    zeros.withUnsafeBufferPointer { zero in
                        for y in 0..<h {
                            let sum = dst.baseAddress! + y * w
                            for x in 0..<w { sum[x] = 0 }
                            for j in 0..<k.count {
                                let weight = k[j]
                                let r = y + j - radius
                                let input: UnsafePointer<Float>
                                if r >= 0 && r < h {
                                    input = src.baseAddress! + r * w
                                } else if border == .replicate {
                                    input = src.baseAddress! + (r < 0 ? 0 : (h - 1) * w)
                                } else {
                                    input = zero.baseAddress!
                                }
                                for x in 0..<w { sum[x] += weight * input[x] }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Raster {
    /// The image mirrored about its main diagonal: `width` and `height` swap.
    public func transposed() -> Raster<Pixel> {
        guard !isEmpty else { return Raster(width: height, height: width, pixels: []) }
        let w = width, h = height
        // Tiles of 32 x 32 keep both the rows read and the rows written in cache.
        let tile = 32
        let out = [Pixel](unsafeUninitializedCapacity: count) { buffer, initialized in
            pixels.withUnsafeBufferPointer { src in
                for y0 in stride(from: 0, to: h, by: tile) {
                    let y1 = Swift.min(h, y0 + tile)
                    for x0 in stride(from: 0, to: w, by: tile) {
                        let x1 = Swift.min(w, x0 + tile)
                        for x in x0..<x1 {
                            for y in y0..<y1 { (buffer.baseAddress! + (x * h + y)).initialize(to: src[y * w + x]) }
                        }
                    }
                }
            }
            initialized = count
        }
        return Raster(width: height, height: width, pixels: out)
    }
}

import Foundation

@inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }
