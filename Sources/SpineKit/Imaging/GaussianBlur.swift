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
        let kernel = Self.gaussianKernel(sigma: sigma)
        var horizontal = GrayImage(width: width, height: height, repeating: 0)
        Self.convolveRows(self, kernel: kernel, border: border, into: &horizontal)
        var vertical = GrayImage(width: width, height: height, repeating: 0)
        Self.convolveColumns(horizontal, kernel: kernel, border: border, into: &vertical)
        return vertical
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
        let lanes = 8
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                kernel.withUnsafeBufferPointer { k in
                    padded.withUnsafeMutableBufferPointer { p in
                        for y in 0..<h {
                            let row = y * w
                            let left: Float = border == .replicate ? src[row] : 0
                            let right: Float = border == .replicate ? src[row + w - 1] : 0
                            for i in 0..<radius {
                                p[i] = left
                                p[radius + w + i] = right
                            }
                            for x in 0..<w { p[radius + x] = src[row + x] }
                            let line = UnsafeRawPointer(p.baseAddress!)
                            let target = UnsafeMutableRawPointer(dst.baseAddress! + row)
                            var x = 0
                            while x + lanes <= w {
                                var sum = SIMD8<Float>(repeating: 0)
                                for j in 0..<k.count {
                                    let input = line.loadUnaligned(fromByteOffset: (x + j) * 4, as: SIMD8<Float>.self)
                                    sum += k[j] * input
                                }
                                target.storeBytes(of: sum, toByteOffset: x * 4, as: SIMD8<Float>.self)
                                x += lanes
                            }
                            while x < w {
                                var sum: Float = 0
                                for j in 0..<k.count { sum += k[j] * p[x + j] }
                                dst[row + x] = sum
                                x += 1
                            }
                        }
                    }
                }
            }
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
