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
        var parent: [Int32] = [0]
        func find(_ a: Int32) -> Int32 {
            var a = a
            while parent[Int(a)] != a {
                parent[Int(a)] = parent[Int(parent[Int(a)])]
                a = parent[Int(a)]
            }
            return a
        }
        func union(_ a: Int32, _ b: Int32) -> Int32 {
            let ra = find(a), rb = find(b)
            if ra == rb { return ra }
            if ra < rb { parent[Int(rb)] = ra; return ra }
            parent[Int(ra)] = rb
            return rb
        }
        let w = width
        pixels.withUnsafeBufferPointer { src in
            labels.withUnsafeMutableBufferPointer { lab in
                for y in 0..<height {
                    for x in 0..<w where src[y * w + x] {
                        var label: Int32 = 0
                        func consider(_ nx: Int, _ ny: Int) {
                            guard nx >= 0, nx < w, ny >= 0 else { return }
                            let l = lab[ny * w + nx]
                            guard l != 0 else { return }
                            label = label == 0 ? find(l) : union(label, l)
                        }
                        consider(x - 1, y)
                        consider(x, y - 1)
                        if connectivity == .eight {
                            consider(x - 1, y - 1)
                            consider(x + 1, y - 1)
                        }
                        if label == 0 {
                            label = Int32(parent.count)
                            parent.append(label)
                        }
                        lab[y * w + x] = label
                    }
                }
            }
        }
        // Second pass: roots become consecutive labels in order of first appearance.
        var final = [Int32](repeating: 0, count: parent.count)
        var next: Int32 = 0
        labels.withUnsafeMutableBufferPointer { lab in
            for i in 0..<lab.count where lab[i] != 0 {
                let root = Int(find(lab[i]))
                if final[root] == 0 {
                    next += 1
                    final[root] = next
                }
                lab[i] = final[root]
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
