extension Raster where Pixel == Bool {
    /// A one-pixel-wide, 8-connected skeleton by Guo & Hall's parallel thinning (1989,
    /// Commun. ACM 32:359), which keeps the topology and leaves no 2x2 blocks.
    public func skeletonized() -> BinaryMask {
        guard !isEmpty else { return self }
        let w = width, h = height
        // One byte a pixel, inside a frame of background one pixel wide: every pixel has its
        // eight neighbours at fixed offsets, so none needs its coordinates (a division) or a
        // bounds test, and outside the image reads as background, as the rule has it.
        // Bit 0: foreground; bit 1: on sub-iteration 0's work list; bit 2: on sub-iteration 1's.
        let pw = w + 2, padded = pw * (h + 2)
        precondition(padded < Int(Int32.max), "\(w) x \(h) px is too large to thin")
        let fg: UInt8 = 1, listedBoth: UInt8 = 6
        // Only foreground pixels can change, and a pixel whose eight neighbours are all
        // foreground cannot (no neighbour component: C = 0 in both sub-iterations). A pixel
        // that a sub-iteration evaluates and keeps is kept by that sub-iteration again until
        // a neighbour is deleted (its neighbourhood, the rule's only input, is unchanged).
        // So each sub-iteration evaluates only its own work list: at the start, the
        // foreground pixels with a background neighbour (or on the edge); later, the
        // foreground neighbours of the pixels deleted since it last ran. Each pass deletes
        // exactly what evaluating every foreground pixel would.
        var state = [UInt8](repeating: 0, count: padded)
        var foreground = 0
        state.withUnsafeMutableBufferPointer { stateBuffer in
            let s = stateBuffer.baseAddress!
            pixels.withUnsafeBytes { source in
                for y in 0..<h {
                    UnsafeMutableRawPointer(s + (y + 1) * pw + 1).copyMemory(from: source.baseAddress! + y * w, byteCount: w)
                }
                // Bool is one byte, 0 or 1: a word's set bits are its foreground pixels.
                var i = 0
                while i + 8 <= count {
                    foreground += source.loadUnaligned(fromByteOffset: i, as: UInt64.self).nonzeroBitCount
                    i += 8
                }
                while i < count { foreground += Int(source[i]); i += 1 }
            }
            guard foreground > 0 else { return }
            // A pixel is on each list at most once, and deleted once: room for every
            // foreground pixel in each of the two lists and the deletions of a pass, and one
            // more place each, which the appends without a branch write before they count.
            let room = foreground + 1
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 3 * room) { buffer in
                let lists = (buffer.baseAddress!, buffer.baseAddress! + room)
                let deleted = buffer.baseAddress! + 2 * room
                var counts = (0, 0)
                // The eight neighbours' foreground bits, numbered as `GuoHall.neighbourhood` does.
                @inline(__always) func neighbourhood(_ i: Int) -> Int {
                    Int(s[i - pw] & fg) | Int(s[i - pw + 1] & fg) << 1 | Int(s[i + 1] & fg) << 2
                        | Int(s[i + pw + 1] & fg) << 3 | Int(s[i + pw] & fg) << 4 | Int(s[i + pw - 1] & fg) << 5
                        | Int(s[i - 1] & fg) << 6 | Int(s[i - pw - 1] & fg) << 7
                }
                // The border pixels, eight at a time: foreground and not all eight neighbours.
                for y in 0..<h {
                    let row = UnsafeRawPointer(s + (y + 1) * pw + 1)
                    var x = 0
                    while x < w {
                        let n = Swift.min(8, w - x)
                        func load(_ offset: Int) -> UInt64 {
                            n == 8 ? row.loadUnaligned(fromByteOffset: x + offset, as: UInt64.self)
                                : (0..<n).reduce(0) { $0 | UInt64(row.load(fromByteOffset: x + offset + $1, as: UInt8.self)) << (8 * $1) }
                        }
                        let centre = load(0)
                        if centre != 0 {
                            let full = load(-pw - 1) & load(-pw) & load(-pw + 1) & load(-1) & load(1)
                                & load(pw - 1) & load(pw) & load(pw + 1)
                            var border = centre & ~full & 0x0101_0101_0101_0101
                            while border != 0 {
                                let i = (y + 1) * pw + 1 + x + border.trailingZeroBitCount / 8
                                lists.0[counts.0] = Int32(i)
                                lists.1[counts.0] = Int32(i)
                                counts.0 += 1
                                s[i] |= listedBoth
                                border &= border - 1
                            }
                        }
                        x += n
                    }
                }
                counts.1 = counts.0
                let tables = (GuoHall.deletableFirst.map { UInt8($0 ? 1 : 0) },
                              GuoHall.deletableSecond.map { UInt8($0 ? 1 : 0) })
                var changed = true
                while changed {
                    changed = false
                    for pass in 0..<2 {
                        let list = pass == 0 ? lists.0 : lists.1
                        let listed: UInt8 = pass == 0 ? 2 : 4
                        let n = pass == 0 ? counts.0 : counts.1
                        // Evaluated on the image as the pass found it; deleted afterwards.
                        var found = 0
                        (pass == 0 ? tables.0 : tables.1).withUnsafeBufferPointer { deletable in
                            for k in 0..<n {
                                let i = Int(list[k])
                                let v = s[i]
                                s[i] = v & ~listed
                                deleted[found] = Int32(truncatingIfNeeded: i)
                                // Without a branch: a deleted pixel still listed has no bit 0.
                                found &+= Int(v & fg & deletable[neighbourhood(i)])
                            }
                        }
                        if pass == 0 { counts.0 = 0 } else { counts.1 = 0 }
                        guard found > 0 else { continue }
                        changed = true
                        for k in 0..<found { s[Int(deleted[k])] &= ~fg }
                        // Their foreground neighbours now have a background neighbour: each
                        // joins the lists it is not on.
                        @inline(__always) func touch(_ q: Int) {
                            let v = s[q]
                            let on = Int(v & fg)
                            lists.0[counts.0] = Int32(truncatingIfNeeded: q)
                            counts.0 &+= on & Int(~v >> 1 & 1)
                            lists.1[counts.1] = Int32(truncatingIfNeeded: q)
                            counts.1 &+= on & Int(~v >> 2 & 1)
                            s[q] = v | (v & fg) &* listedBoth
                        }
                        for k in 0..<found {
                            let i = Int(deleted[k])
                            touch(i - pw - 1)
                            touch(i - pw)
                            touch(i - pw + 1)
                            touch(i - 1)
                            touch(i + 1)
                            touch(i + pw - 1)
                            touch(i + pw)
                            touch(i + pw + 1)
                        }
                    }
                }
            }
        }
        // Bit 0 of each byte is the pixel: bytes of 0 and 1 are the Bools false and true.
        let out = [Bool](unsafeUninitializedCapacity: count) { out, initialized in
            state.withUnsafeBytes { s in
                let to = UnsafeMutableRawPointer(out.baseAddress!)
                for y in 0..<h {
                    let from = s.baseAddress! + (y + 1) * pw + 1, row = to + y * w
                    var x = 0
                    while x + 8 <= w {
                        row.storeBytes(of: from.loadUnaligned(fromByteOffset: x, as: UInt64.self) & 0x0101_0101_0101_0101,
                                       toByteOffset: x, as: UInt64.self)
                        x += 8
                    }
                    while x < w {
                        row.storeBytes(of: from.load(fromByteOffset: x, as: UInt8.self) & 1, toByteOffset: x, as: UInt8.self)
                        x += 1
                    }
                }
            }
            initialized = count
        }
        return BinaryMask(width: w, height: h, pixels: out)
    }
}

/// Guo & Hall's deletion rule for each of the 256 neighbourhoods of a foreground pixel, for
/// both sub-iterations: looked up instead of re-evaluated at every pixel of every pass.
enum GuoHall {
    /// The neighbourhood as 8 bits, P2 (north) in bit 0 and then clockwise: P3 north-east,
    /// P4 east, P5 south-east, P6 south, P7 south-west, P8 west, P9 north-west.
    @inline(__always)
    static func neighbourhood(_ p2: Bool, _ p3: Bool, _ p4: Bool, _ p5: Bool,
                              _ p6: Bool, _ p7: Bool, _ p8: Bool, _ p9: Bool) -> Int {
        (p2 ? 1 : 0) | (p3 ? 2 : 0) | (p4 ? 4 : 0) | (p5 ? 8 : 0)
            | (p6 ? 16 : 0) | (p7 ? 32 : 0) | (p8 ? 64 : 0) | (p9 ? 128 : 0)
    }

    static let deletableFirst = (0..<256).map { deletable($0, pass: 0) }
    static let deletableSecond = (0..<256).map { deletable($0, pass: 1) }

    /// Whether a foreground pixel with neighbourhood `bits` is removed in sub-iteration
    /// `pass`: exactly one 8-connected neighbour component (C = 1), N between 2 and 3, and
    /// the sub-iteration's directional condition false.
    static func deletable(_ bits: Int, pass: Int) -> Bool {
        func p(_ k: Int) -> Bool { bits & (1 << (k - 2)) != 0 }
        let p2 = p(2), p3 = p(3), p4 = p(4), p5 = p(5), p6 = p(6), p7 = p(7), p8 = p(8), p9 = p(9)
        let c = (!p2 && (p3 || p4) ? 1 : 0) + (!p4 && (p5 || p6) ? 1 : 0)
            + (!p6 && (p7 || p8) ? 1 : 0) + (!p8 && (p9 || p2) ? 1 : 0)
        guard c == 1 else { return false }
        let n1 = ((p9 || p2) ? 1 : 0) + ((p3 || p4) ? 1 : 0) + ((p5 || p6) ? 1 : 0) + ((p7 || p8) ? 1 : 0)
        let n2 = ((p2 || p3) ? 1 : 0) + ((p4 || p5) ? 1 : 0) + ((p6 || p7) ? 1 : 0) + ((p8 || p9) ? 1 : 0)
        let n = Swift.min(n1, n2)
        guard n >= 2 && n <= 3 else { return false }
        let m = pass == 0 ? ((p6 || p7 || !p9) && p8) : ((p2 || p3 || !p5) && p4)
        return !m
    }
}
