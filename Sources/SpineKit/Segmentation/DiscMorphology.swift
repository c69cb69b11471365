/// The two discs of `opened(radius:)` as the half-widths of their rows, for radii small
/// enough that eroding and dilating row by row is cheaper than two distance transforms.
///
/// The distance-transform route keeps a pixel whose squared distance `d` to the background
/// passes `sqrt(d)^2 > r^2` (in single precision, as it computes it), which holds from some
/// smallest `d0` on: erosion removes every pixel with background (or the image edge) at a
/// squared distance below `d0`. It then grows the survivors over squared distances
/// `<= r^2`. Both discs are listed here exactly, so the row-wise route gives the same pixels.
struct OpeningDisc: Sendable, Equatable {
    /// Row `dy` (either sign) of the erosion disc spans `-erosion[|dy|]...erosion[|dy|]`.
    var erosion: [Int]
    /// Row `dy` of the dilation disc spans `-dilation[|dy|]...dilation[|dy|]`.
    var dilation: [Int]

    /// Discs wider than this (pixels) go through distance transforms, whose cost does not
    /// grow with the radius.
    static let largestRadius = 8

    /// `nil` when `r2` (the squared radius, as `opened` computes it) is too large.
    init?(squaredRadius r2: Float) {
        let limit = Float(Self.largestRadius * Self.largestRadius)
        guard r2 > 0, r2 < limit else { return nil }
        var d0 = 0
        while true {
            let halfWidth = Float(d0).squareRoot()
            if halfWidth * halfWidth > r2 { break }
            d0 += 1
        }
        erosion = []
        var dy = 0
        while dy * dy < d0 {
            var dx = 0
            while (dx + 1) * (dx + 1) + dy * dy < d0 { dx += 1 }
            erosion.append(dx)
            dy += 1
        }
        dilation = []
        dy = 0
        while Float(dy * dy) <= r2 {
            var dx = 0
            while Float((dx + 1) * (dx + 1) + dy * dy) <= r2 { dx += 1 }
            dilation.append(dx)
            dy += 1
        }
    }
}

extension Raster where Pixel == Bool {
    /// Erosion by a disc symmetric about both axes whose row `dy` spans
    /// `-halfWidths[|dy|]...halfWidths[|dy|]`; outside the image is background.
    ///
    /// A pixel stays when every row of the disc, laid over the image, is all foreground:
    /// each row is eroded by the segments of the half-widths used, then the rows are combined.
    func eroded(byRowHalfWidths halfWidths: [Int]) -> BinaryMask {
        var out = BinaryMask(width: width, height: height, repeating: false)
        let reach = halfWidths.count - 1
        guard reach >= 0, height > 2 * reach, !isEmpty else { return out }
        let segments = rowSegments(halfWidths: halfWidths, all: true)
        defer { Self.release(segments) }
        out.withUnsafeMutableBufferPointer { o in o.withMemoryRebound(to: UInt8.self) { bytes in
            let to = bytes.baseAddress!
            withUnsafeTemporaryAllocation(of: UnsafePointer<UInt8>.self, capacity: 2 * reach + 1) { rows in
                // Rows within `reach` of the top or bottom have disc rows outside.
                for y in reach..<(height - reach) {
                    for dy in -reach...reach {
                        rows[dy + reach] = UnsafePointer(segments[dy < 0 ? -dy : dy] + (y + dy) * width)
                    }
                    Self.combine(into: to + y * width, rows: UnsafeBufferPointer(rows), count: width, all: true)
                }
            }
        } }
        return out
    }

    /// Dilation by a disc symmetric about both axes whose row `dy` spans
    /// `-halfWidths[|dy|]...halfWidths[|dy|]`.
    ///
    /// A pixel is set when some row of the disc, laid over the image, holds a foreground
    /// pixel: each row is dilated by the segments of the half-widths used, then the rows are
    /// combined.
    func dilated(byRowHalfWidths halfWidths: [Int]) -> BinaryMask {
        var out = BinaryMask(width: width, height: height, repeating: false)
        let reach = halfWidths.count - 1
        guard reach >= 0, !isEmpty else { return out }
        let segments = rowSegments(halfWidths: halfWidths, all: false)
        defer { Self.release(segments) }
        let h = height
        out.withUnsafeMutableBufferPointer { o in o.withMemoryRebound(to: UInt8.self) { bytes in
            let to = bytes.baseAddress!
            withUnsafeTemporaryAllocation(of: UnsafePointer<UInt8>.self, capacity: 2 * reach + 1) { rows in
                for y in 0..<h {
                    var n = 0
                    for dy in Swift.max(-reach, -y)...Swift.min(reach, h - 1 - y) {
                        rows[n] = UnsafePointer(segments[dy < 0 ? -dy : dy] + (y + dy) * width)
                        n += 1
                    }
                    Self.combine(into: to + y * width, rows: UnsafeBufferPointer(rebasing: rows[0..<n]),
                                 count: width, all: false)
                }
            }
        } }
        return out
    }

    /// The mask eroded (`all`) or dilated row by row by the segment `-k...k`, as 0/1 bytes,
    /// for each `k` of `halfWidths` (in that order; equal ones share one image, and
    /// `Self.release` frees them); outside the row counts as background.
    private func rowSegments(halfWidths: [Int], all: Bool) -> [UnsafeMutablePointer<UInt8>] {
        var byHalfWidth: [Int: UnsafeMutablePointer<UInt8>] = [:]
        return halfWidths.map { k in
            if let done = byHalfWidth[k] { return done }
            let image = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
            withUnsafeBufferPointer { m in
                m.withMemoryRebound(to: UInt8.self) { from in
                    Self.segmentRuns(from.baseAddress!, into: image, width: width, height: height, halfWidth: k, all: all)
                }
            }
            byHalfWidth[k] = image
            return image
        }
    }

    private static func release(_ segments: [UnsafeMutablePointer<UInt8>]) {
        var freed = Set<UnsafeMutablePointer<UInt8>>()
        for image in segments where freed.insert(image).inserted { image.deallocate() }
    }

    /// `to[x] = from[x - k] op ... op from[x + k]` along each row (AND when `all`, else OR),
    /// outside the row 0: runs of 2, 4, 8 ... by doubling, then the segment as two
    /// overlapping runs, a word of eight pixels at a time.
    private static func segmentRuns(_ from: UnsafePointer<UInt8>, into to: UnsafeMutablePointer<UInt8>,
                                    width w: Int, height h: Int, halfWidth k: Int, all: Bool) {
        let size = 2 * k + 1, n = w + 2 * k
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * n)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: 2 * n)
        for y in 0..<h {
            let a = buffer, b = buffer + n
            // The doubling steps of the last row wrote over the padding.
            for i in 0..<k { a[i] = 0; a[k + w + i] = 0 }
            (a + k).update(from: from + y * w, count: w)
            var src = a, dst = b, run = 1, valid = n
            while 2 * run <= size {
                valid -= run
                combine(dst, src, src + run, count: valid, all: all)
                swap(&src, &dst)
                run *= 2
            }
            combine(to + y * w, src, src + (size - run), count: w, all: all)
        }
    }

    /// `to[j]` = the AND (`all`) or the OR of `rows[r][j]` over all rows, for `j < count`:
    /// sixteen bytes at a time, all rows combined in a register before the one store (the
    /// 0/1 bytes of a mask combine bit by bit).
    @inline(__always)
    private static func combine(into to: UnsafeMutablePointer<UInt8>, rows: UnsafeBufferPointer<UnsafePointer<UInt8>>,
                                count: Int, all: Bool) {
        let rt = UnsafeMutableRawPointer(to)
        @inline(__always) func load(_ r: Int, _ j: Int) -> SIMD2<UInt64> {
            UnsafeRawPointer(rows[r]).loadUnaligned(fromByteOffset: j, as: SIMD2<UInt64>.self)
        }
        var j = 0
        if all {
            while j + 16 <= count {
                var x = load(0, j)
                for r in 1..<rows.count { x &= load(r, j) }
                rt.storeBytes(of: x, toByteOffset: j, as: SIMD2<UInt64>.self)
                j += 16
            }
        } else {
            while j + 16 <= count {
                var x = load(0, j)
                for r in 1..<rows.count { x |= load(r, j) }
                rt.storeBytes(of: x, toByteOffset: j, as: SIMD2<UInt64>.self)
                j += 16
            }
        }
        while j < count {
            var x = rows[0][j]
            for r in 1..<rows.count { x = all ? x & rows[r][j] : x | rows[r][j] }
            to[j] = x
            j += 1
        }
    }

    /// `to[j] = a[j] & b[j]` (`all`) or `a[j] | b[j]` for `j < count`, sixteen bytes at a time,
    /// then eight (the 0/1 bytes of a mask combine bit by bit). `to` may be `a`.
    @inline(__always)
    private static func combine(_ to: UnsafeMutablePointer<UInt8>, _ a: UnsafePointer<UInt8>,
                                _ b: UnsafePointer<UInt8>, count: Int, all: Bool) {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), rt = UnsafeMutableRawPointer(to)
        var j = 0
        if all {
            while j + 16 <= count {
                let x = ra.loadUnaligned(fromByteOffset: j, as: SIMD2<UInt64>.self)
                    & rb.loadUnaligned(fromByteOffset: j, as: SIMD2<UInt64>.self)
                rt.storeBytes(of: x, toByteOffset: j, as: SIMD2<UInt64>.self)
                j += 16
            }
            while j + 8 <= count {
                let x = ra.loadUnaligned(fromByteOffset: j, as: UInt64.self) & rb.loadUnaligned(fromByteOffset: j, as: UInt64.self)
                rt.storeBytes(of: x, toByteOffset: j, as: UInt64.self)
                j += 8
            }
        } else {
            while j + 16 <= count {
                let x = ra.loadUnaligned(fromByteOffset: j, as: SIMD2<UInt64>.self)
                    | rb.loadUnaligned(fromByteOffset: j, as: SIMD2<UInt64>.self)
                rt.storeBytes(of: x, toByteOffset: j, as: SIMD2<UInt64>.self)
                j += 16
            }
            while j + 8 <= count {
                let x = ra.loadUnaligned(fromByteOffset: j, as: UInt64.self) | rb.loadUnaligned(fromByteOffset: j, as: UInt64.self)
                rt.storeBytes(of: x, toByteOffset: j, as: UInt64.self)
                j += 8
            }
        }
        while j < count {
            to[j] = all ? a[j] & b[j] : a[j] | b[j]
            j += 1
        }
    }
}
