extension Raster where Pixel == Bool {
    /// A one-pixel-wide, 8-connected skeleton by Guo & Hall's parallel thinning (1989,
    /// Commun. ACM 32:359), which keeps the topology and leaves no 2x2 blocks.
    public func skeletonized() -> BinaryMask {
        var image = self
        guard !isEmpty else { return image }
        let w = width, h = height
        // Only foreground pixels can change; keep them in a shrinking work list.
        var candidates: [Int] = []
        for i in 0..<count where pixels[i] { candidates.append(i) }
        var toDelete: [Int] = []
        var changed = true
        while changed {
            changed = false
            for pass in 0..<2 {
                toDelete.removeAll(keepingCapacity: true)
                image.withUnsafeBufferPointer { m in
                    @inline(__always) func at(_ x: Int, _ y: Int) -> Bool {
                        x >= 0 && y >= 0 && x < w && y < h && m[y * w + x]
                    }
                    for i in candidates where m[i] {
                        let x = i % w, y = i / w
                        let p2 = at(x, y - 1), p3 = at(x + 1, y - 1), p4 = at(x + 1, y)
                        let p5 = at(x + 1, y + 1), p6 = at(x, y + 1), p7 = at(x - 1, y + 1)
                        let p8 = at(x - 1, y), p9 = at(x - 1, y - 1)
                        let c = (!p2 && (p3 || p4) ? 1 : 0) + (!p4 && (p5 || p6) ? 1 : 0)
                            + (!p6 && (p7 || p8) ? 1 : 0) + (!p8 && (p9 || p2) ? 1 : 0)
                        guard c == 1 else { continue }
                        let n1 = ((p9 || p2) ? 1 : 0) + ((p3 || p4) ? 1 : 0) + ((p5 || p6) ? 1 : 0) + ((p7 || p8) ? 1 : 0)
                        let n2 = ((p2 || p3) ? 1 : 0) + ((p4 || p5) ? 1 : 0) + ((p6 || p7) ? 1 : 0) + ((p8 || p9) ? 1 : 0)
                        let n = Swift.min(n1, n2)
                        guard n >= 2 && n <= 3 else { continue }
                        let m3 = pass == 0 ? ((p6 || p7 || !p9) && p8) : ((p2 || p3 || !p5) && p4)
                        if !m3 { toDelete.append(i) }
                    }
                }
                if !toDelete.isEmpty {
                    changed = true
                    for i in toDelete { image.pixels[i] = false }
                }
            }
            candidates.removeAll { !image.pixels[$0] }
        }
        return image
    }
}
