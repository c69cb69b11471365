/// Turns a mask of dendrite shafts into centrelines, one per dendrite.
///
/// The mask is skeletonised; in each skeleton piece the longest path (found by two
/// breadth-first sweeps) becomes a dendrite, its pixels are removed, and what remains is
/// searched again, so side branches and crossing shafts become dendrites of their own when
/// they are long enough, and spurs left by spine bases are dropped.
public struct ShaftTracer: Sendable {
    /// A centreline shorter than this is not a dendrite, microns.
    public var minimumLengthMicrons: Double
    /// Half-window of the moving average that smooths the pixel path before its arc length
    /// is measured, microns: removes the 8-connected staircase, which alone overstates
    /// length by up to 8 % (Kulpa 1977).
    public var smoothingMicrons: Double

    public init(minimumLengthMicrons: Double, smoothingMicrons: Double) {
        self.minimumLengthMicrons = minimumLengthMicrons
        self.smoothingMicrons = smoothingMicrons
    }

    /// One traced centreline.
    public struct Path: Sendable {
        /// Skeleton pixel indices in order.
        public var pixels: [Int]
        /// Smoothed centreline, pixels.
        public var points: [PixelPoint]
        public var lengthPixels: Double
    }

    public func trace(_ shaftMask: BinaryMask, micronsPerPixel: Double) -> [Path] {
        var skeleton = shaftMask.skeletonized()
        let w = skeleton.width, h = skeleton.height
        let minimumPixels = minimumLengthMicrons / micronsPerPixel
        let halfWindow = Swift.max(1, Int((smoothingMicrons / micronsPerPixel).rounded()))
        var paths: [Path] = []
        var distance = [Int32](repeating: -1, count: skeleton.count)
        var parent = [Int32](repeating: -1, count: skeleton.count)
        var queue: [Int] = []

        func neighbours(_ i: Int) -> [Int] {
            let x = i % w, y = i / w
            var out: [Int] = []
            for dy in -1...1 {
                for dx in -1...1 where dx != 0 || dy != 0 {
                    let nx = x + dx, ny = y + dy
                    if nx >= 0, ny >= 0, nx < w, ny < h, skeleton.pixels[ny * w + nx] { out.append(ny * w + nx) }
                }
            }
            return out
        }
        /// Breadth-first sweep from `start`; returns the visited pixels, farthest last.
        func sweep(from start: Int) -> [Int] {
            queue.removeAll(keepingCapacity: true)
            queue.append(start)
            distance[start] = 0
            parent[start] = -1
            var head = 0
            while head < queue.count {
                let p = queue[head]
                head += 1
                for q in neighbours(p) where distance[q] < 0 {
                    distance[q] = distance[p] + 1
                    parent[q] = Int32(p)
                    queue.append(q)
                }
            }
            let visited = queue
            for p in visited { distance[p] = -1 }
            return visited
        }

        for start in 0..<skeleton.count where skeleton.pixels[start] {
            var pending = [start]
            while let seed = pending.popLast() {
                guard skeleton.pixels[seed] else { continue }
                let piece = sweep(from: seed)
                guard let a = piece.last, let b = sweep(from: a).last else { continue }
                var path: [Int] = []
                var p = b
                while p >= 0 {
                    path.append(p)
                    p = Int(parent[p])
                }
                let points = Self.smoothed(path.map { PixelPoint(x: Double($0 % w), y: Double($0 / w)) },
                                           halfWindow: halfWindow)
                let length = Self.arcLength(points)
                guard length >= minimumPixels else {
                    for q in piece { skeleton.pixels[q] = false }
                    continue
                }
                paths.append(Path(pixels: path, points: points, lengthPixels: length))
                for q in path { skeleton.pixels[q] = false }
                // Branches left beside the path are searched again as pieces of their own.
                pending.append(contentsOf: piece.filter { skeleton.pixels[$0] })
            }
        }
        return paths
    }

    /// Moving average of the path over +-halfWindow points, shrinking at the ends so the
    /// end points stay where they are.
    static func smoothed(_ points: [PixelPoint], halfWindow: Int) -> [PixelPoint] {
        guard points.count > 2 else { return points }
        var out: [PixelPoint] = []
        out.reserveCapacity(points.count)
        for i in points.indices {
            let k = Swift.min(halfWindow, i, points.count - 1 - i)
            var sx = 0.0, sy = 0.0
            for j in (i - k)...(i + k) {
                sx += points[j].x
                sy += points[j].y
            }
            let n = Double(2 * k + 1)
            out.append(PixelPoint(x: sx / n, y: sy / n))
        }
        return out
    }

    static func arcLength(_ points: [PixelPoint]) -> Double {
        guard points.count > 1 else { return 0 }
        var total = 0.0
        for i in 1..<points.count { total += points[i].distance(to: points[i - 1]) }
        return total
    }
}
