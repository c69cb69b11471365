/// Which neighbours count as touching.
public enum Connectivity: Sendable {
    /// Edge neighbours only.
    case four
    /// Edge and corner neighbours.
    case eight
}

extension Raster where Pixel == Bool {
    /// Connected foreground components labelled 1...n in raster order of their first pixel
    /// (two-pass union-find, Wu, Otoo & Suzuki 2009). Returns the labels and n.
    public func labeled(connectivity: Connectivity = .eight) -> (labels: LabelImage, count: Int) {
        var labels = LabelImage(width: width, height: height, repeating: 0)
        guard !isEmpty else { return (labels, 0) }
        // Provisional labels: one per foreground pixel whose earlier neighbours are all
        // background. Each such pixel but the first has a background pixel to its left (or
        // above, in column 0), and only column 0 can be claimed twice, so there are at most
        // (pixels + rows + 1) / 2 of them.
        // Entry l is written when label l is made, before any read: not filled first.
        var parent = [Int32](unsafeUninitializedCapacity: (count + height + 1) / 2 + 2) { _, initialized in
            initialized = (count + height + 1) / 2 + 2
        }
        var used = 1
        let w = width, eight = connectivity == .eight
        pixels.withUnsafeBufferPointer { src in
            labels.withUnsafeMutableBufferPointer { lab in
                parent.withUnsafeMutableBufferPointer { parent in
                    @inline(__always) func find(_ a: Int32) -> Int32 {
                        var a = a
                        while parent[Int(a)] != a {
                            parent[Int(a)] = parent[Int(parent[Int(a)])]
                            a = parent[Int(a)]
                        }
                        return a
                    }
                    // Joins the label so far with neighbour label `l` (0: none); the smaller
                    // root wins, as in a union by index.
                    @inline(__always) func join(_ label: Int32, _ l: Int32) -> Int32 {
                        guard l != 0 else { return label }
                        guard label != 0 else { return find(l) }
                        let ra = find(label), rb = find(l)
                        if ra == rb { return ra }
                        if ra < rb { parent[Int(rb)] = ra; return ra }
                        parent[Int(ra)] = rb
                        return rb
                    }
                    let bytes = UnsafeRawPointer(src.baseAddress!)
                    for y in 0..<height {
                        let row = y * w
                        var x = -1
                        while x + 1 < w {
                            x += 1
                            // Eight background pixels (Bool is one byte, 0 or 1) are passed at once.
                            if x + 8 <= w && bytes.loadUnaligned(fromByteOffset: row + x, as: UInt64.self) == 0 {
                                x += 7
                                continue
                            }
                            guard src[row + x] else { continue }
                            var label: Int32 = 0
                            if x > 0 { label = join(label, lab[row + x - 1]) }
                            if y > 0 {
                                let up = row - w + x
                                label = join(label, lab[up])
                                if eight {
                                    if x > 0 { label = join(label, lab[up - 1]) }
                                    if x + 1 < w { label = join(label, lab[up + 1]) }
                                }
                            }
                            if label == 0 {
                                label = Int32(used)
                                parent[used] = label
                                used += 1
                            }
                            lab[row + x] = label
                        }
                    }
                }
            }
        }
        // Second pass: roots become consecutive labels in order of first appearance.
        var final = [Int32](repeating: 0, count: used)
        var next: Int32 = 0
        labels.withUnsafeMutableBufferPointer { lab in
            parent.withUnsafeMutableBufferPointer { parent in
                final.withUnsafeMutableBufferPointer { final in
                    let words = UnsafeRawPointer(lab.baseAddress!)
                    var i = -1
                    while i + 1 < lab.count {
                        i += 1
                        // Four background labels (two 64-bit words of zeros) are passed at once.
                        if i + 4 <= lab.count && (words.loadUnaligned(fromByteOffset: 4 * i, as: UInt64.self)
                                                  | words.loadUnaligned(fromByteOffset: 4 * i + 8, as: UInt64.self)) == 0 {
                            i += 3
                            continue
                        }
                        guard lab[i] != 0 else { continue }
                        var root = lab[i]
                        while parent[Int(root)] != root { root = parent[Int(root)] }
                        if final[Int(root)] == 0 {
                            next += 1
                            final[Int(root)] = next
                        }
                        lab[i] = final[Int(root)]
                    }
                }
            }
        }
        return (labels, Int(next))
    }
}

extension Raster where Pixel == Int32 {
    /// Pixel indices of each label 1...count (index 0 of the result is unused and empty).
    public func pixelLists(count: Int) -> [[Int]] {
        var lists = [[Int]](repeating: [], count: count + 1)
        pixels.withUnsafeBufferPointer { lab in
            for i in 0..<lab.count where lab[i] > 0 && Int(lab[i]) <= count { lists[Int(lab[i])].append(i) }
        }
        return lists
    }
}
