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
        // Columns are rows of the transpose; transposing keeps the inner loop contiguous.
        let transposed = horizontal.transposed()
        var vertical = GrayImage(width: transposed.width, height: transposed.height, repeating: 0)
        Self.convolveRows(transposed, kernel: kernel, border: border, into: &vertical)
        return vertical.transposed()
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

    static func convolveRows(_ source: GrayImage, kernel: [Float], border: BorderMode, into out: inout GrayImage) {
        let w = source.width, h = source.height, radius = kernel.count / 2
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                kernel.withUnsafeBufferPointer { k in
                    var padded = [Float](repeating: 0, count: w + 2 * radius)
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
                            for x in 0..<w {
                                var sum: Float = 0
                                for j in 0..<k.count { sum += k[j] * p[x + j] }
                                dst[row + x] = sum
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
        var out = [Pixel]()
        out.reserveCapacity(count)
        pixels.withUnsafeBufferPointer { src in
            for x in 0..<width {
                for y in 0..<height { out.append(src[y * width + x]) }
            }
        }
        return Raster(width: height, height: width, pixels: out)
    }
}

import Foundation

@inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }
