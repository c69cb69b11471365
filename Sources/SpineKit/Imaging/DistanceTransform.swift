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
        DistanceTransform.compute(width: width, height: height) { self.pixels[$0] }
    }

    /// Distance from every foreground pixel to the nearest background pixel (0 on background):
    /// the local half-width of the shape. Pixels outside the image count as background.
    public func distanceToBackground() -> Raster<Float> {
        // Pad by one so the image edge behaves as background.
        let pw = width + 2, ph = height + 2
        let map = DistanceTransform.compute(width: pw, height: ph) { index in
            let x = index % pw - 1, y = index / pw - 1
            if x < 0 || y < 0 || x >= self.width || y >= self.height { return true }
            return !self.pixels[y * self.width + x]
        }
        var out = Raster<Float>(width: width, height: height, repeating: 0)
        map.squaredDistance.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<height {
                    for x in 0..<width { o[y * width + x] = d[(y + 1) * pw + x + 1].squareRoot() }
                }
            }
        }
        return out
    }
}

enum DistanceTransform {
    static func compute(width: Int, height: Int, isFeature: (Int) -> Bool) -> DistanceMap {
        let n = width * height
        var dist = [Float](repeating: .infinity, count: n)
        var nearest = [Int32](repeating: -1, count: n)
        guard n > 0 else {
            return DistanceMap(squaredDistance: Raster(width: width, height: height, pixels: dist),
                               nearest: Raster(width: width, height: height, pixels: nearest))
        }
        // Pass 1, columns: 1D transform of the feature indicator.
        var f = [Float](repeating: 0, count: Swift.max(width, height))
        var fIndex = [Int32](repeating: -1, count: Swift.max(width, height))
        var d = f, dIndex = fIndex
        var v = [Int](repeating: 0, count: Swift.max(width, height))
        var z = [Float](repeating: 0, count: Swift.max(width, height) + 1)
        for x in 0..<width {
            for y in 0..<height {
                let i = y * width + x
                if isFeature(i) { f[y] = 0; fIndex[y] = Int32(i) } else { f[y] = .infinity; fIndex[y] = -1 }
            }
            transform1D(f, fIndex, count: height, &d, &dIndex, &v, &z)
            for y in 0..<height {
                dist[y * width + x] = d[y]
                nearest[y * width + x] = dIndex[y]
            }
        }
        // Pass 2, rows.
        for y in 0..<height {
            for x in 0..<width {
                f[x] = dist[y * width + x]
                fIndex[x] = nearest[y * width + x]
            }
            transform1D(f, fIndex, count: width, &d, &dIndex, &v, &z)
            for x in 0..<width {
                dist[y * width + x] = d[x]
                nearest[y * width + x] = dIndex[x]
            }
        }
        return DistanceMap(squaredDistance: Raster(width: width, height: height, pixels: dist),
                           nearest: Raster(width: width, height: height, pixels: nearest))
    }

    /// Lower envelope of parabolas rooted at (q, f[q]) for the finite samples of `f`.
    private static func transform1D(_ f: [Float], _ fIndex: [Int32], count n: Int,
                                    _ d: inout [Float], _ dIndex: inout [Int32],
                                    _ v: inout [Int], _ z: inout [Float]) {
        var k = -1
        for q in 0..<n where f[q].isFinite {
            if k < 0 {
                k = 0
                v[0] = q
                z[0] = -.infinity
                z[1] = .infinity
                continue
            }
            var s: Float
            repeat {
                let p = v[k]
                s = ((f[q] + Float(q * q)) - (f[p] + Float(p * p))) / Float(2 * (q - p))
                if s <= z[k] { k -= 1 } else { break }
            } while k >= 0
            k += 1
            v[k] = q
            z[k] = k == 0 ? -.infinity : s
            z[k + 1] = .infinity
        }
        if k < 0 {
            for q in 0..<n { d[q] = .infinity; dIndex[q] = -1 }
            return
        }
        var j = 0
        for q in 0..<n {
            while z[j + 1] < Float(q) { j += 1 }
            let p = v[j]
            let dq = Float(q - p)
            d[q] = dq * dq + f[p]
            dIndex[q] = fIndex[p]
        }
    }
}
