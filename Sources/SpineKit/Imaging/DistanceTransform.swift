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
        var last = [Int32](repeating: -1, count: w)
        last.withUnsafeMutableBufferPointer { above in
            for y in 0..<h {
                let row = y * w
                for x in 0..<w {
                    if features[row + x] { above[x] = Int32(y) }
                    nearest[row + x] = above[x]
                }
            }
        }
        // Upwards: the first feature below (or at) each pixel, compared with the one above.
        var next = [Int32](repeating: -1, count: w)
        next.withUnsafeMutableBufferPointer { below in
            for y in stride(from: h - 1, through: 0, by: -1) {
                let row = y * w
                for x in 0..<w {
                    if features[row + x] { below[x] = Int32(y) }
                    let a = Int(nearest[row + x]), b = Int(below[x])
                    let p = a >= 0 && (b < 0 || y - a <= b - y) ? a : b
                    if p < 0 {
                        dist[row + x] = .infinity
                        nearest[row + x] = -1
                    } else {
                        let dq = Float(y - p)
                        dist[row + x] = dq * dq + 0
                        nearest[row + x] = Int32(p * w + x)
                    }
                }
            }
        }
    }

    /// The 1D transform along every row, in place.
    private static func rowPass(width w: Int, height h: Int, dist: UnsafeMutableBufferPointer<Float>,
                                nearest: UnsafeMutableBufferPointer<Int32>) {
        var f = [Float](repeating: 0, count: w)
        var fIndex = [Int32](repeating: -1, count: w)
        var v = [Int](repeating: 0, count: w)
        var z = [Float](repeating: 0, count: w + 1)
        f.withUnsafeMutableBufferPointer { f in
            fIndex.withUnsafeMutableBufferPointer { fIndex in
                v.withUnsafeMutableBufferPointer { v in
                    z.withUnsafeMutableBufferPointer { z in
                        for y in 0..<h {
                            let row = y * w
                            // Rows with no feature in any column stay infinite.
                            var any = false
                            for x in 0..<w {
                                f[x] = dist[row + x]
                                fIndex[x] = nearest[row + x]
                                any = any || fIndex[x] >= 0
                            }
                            guard any else { continue }
                            transform1D(f, fIndex, count: w, d: dist.baseAddress! + row,
                                        dIndex: nearest.baseAddress! + row, v: v, z: z)
                        }
                    }
                }
            }
        }
    }

    /// Lower envelope of parabolas rooted at (q, f[q]) for the finite samples of `f`.
    @inline(__always)
    private static func transform1D(_ f: UnsafeMutableBufferPointer<Float>, _ fIndex: UnsafeMutableBufferPointer<Int32>,
                                    count n: Int, d: UnsafeMutablePointer<Float>, dIndex: UnsafeMutablePointer<Int32>,
                                    v: UnsafeMutableBufferPointer<Int>, z: UnsafeMutableBufferPointer<Float>) {
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
