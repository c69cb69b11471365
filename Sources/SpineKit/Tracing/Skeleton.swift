extension Raster where Pixel == Bool {
    /// A one-pixel-wide, 8-connected skeleton by Guo & Hall's parallel thinning (1989,
    /// Commun. ACM 32:359), which keeps the topology and leaves no 2x2 blocks.
    public func skeletonized() -> BinaryMask {
        var image = self
        guard !isEmpty else { return image }
        let w = width, h = height
        // Only foreground pixels can change, and a pixel whose eight neighbours are all
        // foreground cannot (no neighbour component: C = 0 in both sub-iterations). So the
        // work list starts with the foreground pixels that have a background neighbour (or lie
        // on the edge), and a pixel joins it when a neighbour is deleted: every foreground
        // pixel left out has a full neighbourhood, and the passes delete exactly what
        // evaluating every foreground pixel would.
        var candidates: [Int] = []
        var listed = [Bool](repeating: false, count: count)
        pixels.withUnsafeBufferPointer { m in
            let bytes = UnsafeRawPointer(m.baseAddress!)
            var i = 0
            while i < count {
                // Eight background pixels (Bool is one byte, 0 or 1) are skipped at once.
                if i + 8 <= count && bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 {
                    i += 8
                    continue
                }
                if m[i] {
                    let x = i % w, y = i / w
                    let full = x > 0 && y > 0 && x < w - 1 && y < h - 1
                        && m[i - w - 1] && m[i - w] && m[i - w + 1] && m[i - 1] && m[i + 1]
                        && m[i + w - 1] && m[i + w] && m[i + w + 1]
                    if !full {
                        candidates.append(i)
                        listed[i] = true
                    }
                }
                i += 1
            }
        }
        var toDelete: [Int] = []
        var changed = true
        while changed {
            changed = false
            for pass in 0..<2 {
                toDelete.removeAll(keepingCapacity: true)
                let table = pass == 0 ? GuoHall.deletableFirst : GuoHall.deletableSecond
                image.withUnsafeBufferPointer { m in
                    table.withUnsafeBufferPointer { deletable in
                        for i in candidates where m[i] {
                            let x = i % w, y = i / w
                            let neighbours: Int
                            if x > 0, y > 0, x < w - 1, y < h - 1 {
                                neighbours = GuoHall.neighbourhood(
                                    m[i - w], m[i - w + 1], m[i + 1], m[i + w + 1],
                                    m[i + w], m[i + w - 1], m[i - 1], m[i - w - 1])
                            } else {
                                @inline(__always) func at(_ x: Int, _ y: Int) -> Bool {
                                    x >= 0 && y >= 0 && x < w && y < h && m[y * w + x]
                                }
                                neighbours = GuoHall.neighbourhood(
                                    at(x, y - 1), at(x + 1, y - 1), at(x + 1, y), at(x + 1, y + 1),
                                    at(x, y + 1), at(x - 1, y + 1), at(x - 1, y), at(x - 1, y - 1))
                            }
                            if deletable[neighbours] { toDelete.append(i) }
                        }
                    }
                }
                if !toDelete.isEmpty {
                    changed = true
                    image.withUnsafeMutableBufferPointer { m in
                        for i in toDelete { m[i] = false }
                        // Their foreground neighbours now have a background neighbour.
                        listed.withUnsafeMutableBufferPointer { inList in
                            for i in toDelete {
                                let x = i % w, y = i / w
                                for ny in Swift.max(0, y - 1)...Swift.min(h - 1, y + 1) {
                                    for nx in Swift.max(0, x - 1)...Swift.min(w - 1, x + 1) {
                                        let n = ny * w + nx
                                        if m[n] && !inList[n] {
                                            inList[n] = true
                                            candidates.append(n)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            image.withUnsafeBufferPointer { m in
                candidates.removeAll { !m[$0] }
            }
        }
        return image
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
