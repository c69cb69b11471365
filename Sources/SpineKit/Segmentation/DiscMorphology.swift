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
    /// The opening by `disc`: erosion by its erosion disc, then dilation by its dilation disc
    /// (row `dy` of each spanning `-halfWidths[|dy|]...halfWidths[|dy|]`); outside the image
    /// is background.
    ///
    /// On the mask as bits, 64 pixels to a word: each row is eroded (dilated) by the segments
    /// of the half-widths used, as the AND (OR) of the row shifted by each offset, whole
    /// words at a time, and the disc's rows are then combined by AND (OR), one word of each
    /// row per output word. A set operation gives the same pixels however it is computed;
    /// bytes (a 0/1 byte a pixel, as before) took eight times the loads and stores.
    func opened(byDisc disc: OpeningDisc) -> BinaryMask {
        guard !isEmpty else { return self }
        let w = width, h = height, words = (w + 63) / 64
        let bits = BitRows.packed(self)
        let kept = bits.eroded(byRowHalfWidths: disc.erosion).dilated(byRowHalfWidths: disc.dilation)
        let pixels = [Bool](unsafeUninitializedCapacity: count) { out, initialized in
            out.withMemoryRebound(to: UInt8.self) { bytes in
                kept.words.withUnsafeBufferPointer { from in
                    for y in 0..<h { BitRows.unpack(from.baseAddress! + y * words, count: w, into: bytes.baseAddress! + y * w) }
                }
            }
            initialized = count
        }
        return BinaryMask(width: w, height: h, pixels: pixels)
    }
}

/// A binary mask as bits: row after row of `wordsPerRow` words, pixel x of a row in bit
/// `x % 64` of word `x / 64`; the bits beyond the last column are 0.
struct BitRows {
    let width: Int, height: Int, wordsPerRow: Int
    var words: [UInt64]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        wordsPerRow = (width + 63) / 64
        words = [UInt64](repeating: 0, count: wordsPerRow * height)
    }

    /// `mask` as bits: eight 0/1 bytes at a time gathered into one byte by a multiplication
    /// (byte i's bit lands on bit 56 + i, and no two partial products meet).
    static func packed(_ mask: BinaryMask) -> BitRows {
        var out = BitRows(width: mask.width, height: mask.height)
        let w = mask.width, words = out.wordsPerRow
        mask.withUnsafeBufferPointer { m in
            m.withMemoryRebound(to: UInt8.self) { bytes in
                out.words.withUnsafeMutableBufferPointer { to in
                    let from = UnsafeRawPointer(bytes.baseAddress!)
                    for y in 0..<mask.height {
                        let row = from + y * w, target = to.baseAddress! + y * words
                        var x = 0
                        while x + 64 <= w {
                            var word: UInt64 = 0
                            for byte in 0..<8 {
                                let eight = row.loadUnaligned(fromByteOffset: x + 8 * byte, as: UInt64.self)
                                word |= ((eight &* 0x0102_0408_1020_4080) >> 56) << UInt64(8 * byte)
                            }
                            target[x >> 6] = word
                            x += 64
                        }
                        while x < w {
                            target[x >> 6] |= UInt64(row.load(fromByteOffset: x, as: UInt8.self) & 1) << UInt64(x & 63)
                            x += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// The `count` pixels of the bit row at `from` as 0/1 bytes (the Bools false and true).
    @inline(__always)
    static func unpack(_ from: UnsafePointer<UInt64>, count: Int, into to: UnsafeMutablePointer<UInt8>) {
        let out = UnsafeMutableRawPointer(to)
        var x = 0
        spread.withUnsafeBufferPointer { spread in
            while x + 64 <= count {
                let word = from[x >> 6]
                for byte in 0..<8 {
                    out.storeBytes(of: spread[Int((word >> UInt64(8 * byte)) & 0xFF)], toByteOffset: x + 8 * byte, as: UInt64.self)
                }
                x += 64
            }
        }
        while x < count {
            to[x] = UInt8((from[x >> 6] >> UInt64(x & 63)) & 1)
            x += 1
        }
    }

    /// Each byte's eight bits as eight 0/1 bytes, bit i in byte i.
    private static let spread: [UInt64] = (0..<256).map { (b: Int) -> UInt64 in
        var bytes: UInt64 = 0
        for i in 0..<8 where b >> i & 1 != 0 { bytes |= UInt64(1) << UInt64(8 * i) }
        return bytes
    }

    /// Erosion by a disc symmetric about both axes whose row `dy` spans
    /// `-halfWidths[|dy|]...halfWidths[|dy|]`; outside the image is background, so rows
    /// within the disc's reach of the top or bottom are emptied.
    func eroded(byRowHalfWidths halfWidths: [Int]) -> BitRows {
        var out = BitRows(width: width, height: height)
        let reach = halfWidths.count - 1
        guard reach >= 0, height > 2 * reach else { return out }
        let segments = rowSegments(halfWidths: halfWidths, all: true)
        defer { Self.release(segments) }
        let words = wordsPerRow
        out.words.withUnsafeMutableBufferPointer { to in
            withUnsafeTemporaryAllocation(of: UnsafePointer<UInt64>.self, capacity: 2 * reach + 1) { rows in
                for y in reach..<(height - reach) {
                    for dy in -reach...reach { rows[dy + reach] = UnsafePointer(segments[dy < 0 ? -dy : dy] + (y + dy) * words) }
                    let target = to.baseAddress! + y * words
                    for j in 0..<words {
                        var x = rows[0][j]
                        for r in 1..<rows.count { x &= rows[r][j] }
                        target[j] = x
                    }
                }
            }
        }
        return out
    }

    /// Dilation by a disc symmetric about both axes whose row `dy` spans
    /// `-halfWidths[|dy|]...halfWidths[|dy|]`.
    func dilated(byRowHalfWidths halfWidths: [Int]) -> BitRows {
        var out = BitRows(width: width, height: height)
        let reach = halfWidths.count - 1
        guard reach >= 0 else { return out }
        let segments = rowSegments(halfWidths: halfWidths, all: false)
        defer { Self.release(segments) }
        let words = wordsPerRow, h = height
        out.words.withUnsafeMutableBufferPointer { to in
            withUnsafeTemporaryAllocation(of: UnsafePointer<UInt64>.self, capacity: 2 * reach + 1) { rows in
                for y in 0..<h {
                    var n = 0
                    for dy in Swift.max(-reach, -y)...Swift.min(reach, h - 1 - y) {
                        rows[n] = UnsafePointer(segments[dy < 0 ? -dy : dy] + (y + dy) * words)
                        n += 1
                    }
                    let target = to.baseAddress! + y * words
                    for j in 0..<words {
                        var x = rows[0][j]
                        for r in 1..<n { x |= rows[r][j] }
                        target[j] = x
                    }
                }
            }
        }
        return out
    }

    /// The rows eroded (`all`) or dilated one by one by the segment `-k...k`, for each `k`
    /// of `halfWidths` (in that order; equal ones share one image, and `Self.release` frees
    /// them); outside the row counts as background. Bit x of the result is the AND (OR) of
    /// bits x - k ... x + k: the row shifted by each offset, each word taking the bits it
    /// needs from its neighbours.
    private func rowSegments(halfWidths: [Int], all: Bool) -> [UnsafeMutablePointer<UInt64>] {
        var byHalfWidth: [Int: UnsafeMutablePointer<UInt64>] = [:]
        let words = wordsPerRow
        // Bits beyond the last column stay 0 (a dilation would shift pixels into them).
        let lastMask = width % 64 == 0 ? ~UInt64(0) : (UInt64(1) << UInt64(width % 64)) - 1
        return halfWidths.map { k in
            if let done = byHalfWidth[k] { return done }
            precondition(k >= 0 && k < 64, "a disc row of half-width \(k) does not fit a word's neighbours")
            let image = UnsafeMutablePointer<UInt64>.allocate(capacity: words * height)
            self.words.withUnsafeBufferPointer { from in
                for y in 0..<height {
                    let row = from.baseAddress! + y * words, target = image + y * words
                    if all {
                        Self.segments(row, into: target, words: words, halfWidth: UInt64(k)) { $0 & $1 }
                    } else {
                        Self.segments(row, into: target, words: words, halfWidth: UInt64(k)) { $0 | $1 }
                    }
                    target[words - 1] &= lastMask
                }
            }
            byHalfWidth[k] = image
            return image
        }
    }

    /// One row of `rowSegments`: `combine` over the row shifted by `-k...k`, a word at a time,
    /// the neighbouring words carried along (0 beyond the row's ends).
    @inline(__always)
    private static func segments(_ row: UnsafePointer<UInt64>, into target: UnsafeMutablePointer<UInt64>, words: Int,
                                 halfWidth k: UInt64, _ combine: (UInt64, UInt64) -> UInt64) {
        var before: UInt64 = 0, here = row[0]
        for j in 0..<words {
            let after = j + 1 < words ? row[j + 1] : 0
            var x = here
            var s: UInt64 = 1
            while s <= k {
                // Pixel x + s (from the right) and pixel x - s (from the left); 0 < s < 64, so
                // the shifts need no test for 64 or more.
                x = combine(combine(x, here &>> s | after &<< (64 - s)), here &<< s | before &>> (64 - s))
                s += 1
            }
            target[j] = x
            (before, here) = (here, after)
        }
    }

    private static func release(_ segments: [UnsafeMutablePointer<UInt64>]) {
        var freed = Set<UnsafeMutablePointer<UInt64>>()
        for image in segments where freed.insert(image).inserted { image.deallocate() }
    }
}
