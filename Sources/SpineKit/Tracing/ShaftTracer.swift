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
    /// A side branch (cut from an accepted path at one end, free at the other) shorter
    /// than this is a protrusion, microns: a long-necked spine, not a dendrite.
    public var minimumBranchLengthMicrons: Double

    public init(minimumLengthMicrons: Double, smoothingMicrons: Double, minimumBranchLengthMicrons: Double = 0) {
        self.minimumLengthMicrons = minimumLengthMicrons
        self.smoothingMicrons = smoothingMicrons
        self.minimumBranchLengthMicrons = minimumBranchLengthMicrons
    }

    /// One traced centreline.
    public struct Path: Sendable {
        /// Pixel indices along the centreline in order (skeleton pixels, then the lengthened
        /// ends).
        public var pixels: [Int]
        /// The smoothed centreline, lengthened to the ends of the shape, one point per entry
        /// of `pixels`.
        public var points: [PixelPoint]
        public var lengthPixels: Double
    }

    /// Half the window, in points, over which the centreline is smoothed.
    func smoothingHalfWindow(micronsPerPixel: Double) -> Int {
        Swift.max(1, Int((smoothingMicrons / micronsPerPixel).rounded()))
    }

    public func trace(_ shaftMask: BinaryMask, micronsPerPixel: Double) -> [Path] {
        var skeleton = shaftMask.skeletonized()
        let w = skeleton.width, h = skeleton.height
        let minimumPixels = minimumLengthMicrons / micronsPerPixel
        let minimumBranchPixels = minimumBranchLengthMicrons / micronsPerPixel
        let halfWindow = smoothingHalfWindow(micronsPerPixel: micronsPerPixel)
        var paths: [Path] = []
        // Whether a sweep has reached each pixel (only that is asked; a byte, not a distance).
        var reached = [Bool](repeating: false, count: skeleton.count)
        // Written when a sweep reaches a pixel, before any read (a trivial type: left unfilled).
        var parent = [Int32](unsafeUninitializedCapacity: skeleton.count) { _, initialized in
            initialized = skeleton.count
        }
        var queue: [Int] = []
        // Pixels of accepted paths: an end next to one was cut from that path at a junction.
        var traced = [Bool](repeating: false, count: skeleton.count)


        func touchesTraced(_ i: Int) -> Bool {
            let x = i % w, y = i / w
            for ny in Swift.max(0, y - 1)...Swift.min(h - 1, y + 1) {
                for nx in Swift.max(0, x - 1)...Swift.min(w - 1, x + 1) where traced[ny * w + nx] { return true }
            }
            return false
        }
        /// Breadth-first sweep from `start`; returns the visited pixels, farthest last.
        func sweep(from start: Int) -> [Int] {
            queue.removeAll(keepingCapacity: true)
            queue.append(start)
            reached[start] = true
            parent[start] = -1
            var head = 0
            while head < queue.count {
                let p = queue[head]
                head += 1
                // The skeleton neighbours of p, row by row from the top left.
                let x = p % w, y = p / w
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                        let q = ny * w + nx
                        if skeleton.pixels[q] && !reached[q] {
                            reached[q] = true
                            parent[q] = Int32(p)
                            queue.append(q)
                        }
                    }
                }
            }
            let visited = queue
            for p in visited { reached[p] = false }
            return visited
        }

        var start = -1
        while start + 1 < skeleton.count {
            start += 1
            // Eight pixels off the skeleton (Bool is one byte, 0 or 1) are passed at once.
            if start + 8 <= skeleton.count,
               skeleton.pixels.withUnsafeBytes({ $0.loadUnaligned(fromByteOffset: start, as: UInt64.self) }) == 0 {
                start += 7
                continue
            }
            guard skeleton.pixels[start] else { continue }
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
                // Only free ends are lengthened: an end cut at a junction would grow across the
                // path it was cut from and count that shaft's width twice.
                let centerline = Self.extended(points, within: shaftMask,
                                               tangentSpan: 2 * halfWindow,
                                               growsStart: !touchesTraced(path[0]),
                                               growsEnd: !touchesTraced(path[path.count - 1]))
                let length = Self.arcLength(centerline)
                let isSideBranch = touchesTraced(path[0]) != touchesTraced(path[path.count - 1])
                guard length >= minimumPixels, !(isSideBranch && length < minimumBranchPixels) else {
                    for q in piece { skeleton.pixels[q] = false }
                    continue
                }
                // The lengthened ends join the path as pixels too, so the shaft model covers them.
                let head = centerline.prefix { $0 != points[0] }
                let tail = centerline.suffix(from: head.count + points.count)
                let pixelOf = { (p: PixelPoint) in Int(p.y.rounded()) * w + Int(p.x.rounded()) }
                paths.append(Path(pixels: head.map(pixelOf) + path + tail.map(pixelOf), points: centerline,
                                  lengthPixels: length))
                for q in path {
                    skeleton.pixels[q] = false
                    traced[q] = true
                }
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

    /// The path lengthened at both ends along its end tangent, by at most the shape's
    /// half-width there and only inside `mask`: thinning stops a skeleton about one radius
    /// short of the shape's end, and a shaft leaving the image would otherwise lose that
    /// much and leave its end looking like a protrusion.
    static func extended(_ points: [PixelPoint], within mask: BinaryMask,
                         tangentSpan: Int, growsStart: Bool = true, growsEnd: Bool = true) -> [PixelPoint] {
        guard points.count >= 2 else { return points }
        func grow(from end: PixelPoint, awayFrom inner: PixelPoint) -> [PixelPoint] {
            var dx = end.x - inner.x, dy = end.y - inner.y
            let norm = (dx * dx + dy * dy).squareRoot()
            guard norm > 0 else { return [] }
            dx /= norm
            dy /= norm
            var added: [PixelPoint] = []
            let ex = Swift.min(mask.width - 1, Swift.max(0, Int(end.x.rounded())))
            let ey = Swift.min(mask.height - 1, Swift.max(0, Int(end.y.rounded())))
            let limit = Double(Self.halfWidth(of: mask, x: ex, y: ey)) + 1
            var t = 1.0
            while t <= limit {
                let x = end.x + dx * t, y = end.y + dy * t
                let xi = Int(x.rounded()), yi = Int(y.rounded())
                guard mask.contains(x: xi, y: yi), mask[x: xi, y: yi] else { break }
                added.append(PixelPoint(x: x, y: y))
                t += 1
            }
            return added
        }
        let span = Swift.max(1, Swift.min(tangentSpan, points.count - 1))
        let head = growsStart ? grow(from: points[0], awayFrom: points[span]) : []
        let tail = growsEnd ? grow(from: points[points.count - 1], awayFrom: points[points.count - 1 - span]) : []
        return head.reversed() + points + tail
    }

    /// Distance from (x, y) to the nearest background pixel (outside the image counts),
    /// exactly as `distanceToBackground()` gives it there, by searching square rings
    /// outwards until no nearer pixel can exist.
    static func halfWidth(of mask: BinaryMask, x: Int, y: Int) -> Float {
        guard mask.contains(x: x, y: y), mask[x: x, y: y] else { return 0 }
        var best = Int.max
        var r = 1
        while r * r < best {
            for dy in -r...r {
                for dx in -r...r where Swift.max(abs(dx), abs(dy)) == r {
                    let nx = x + dx, ny = y + dy
                    let background = !mask.contains(x: nx, y: ny) || !mask[x: nx, y: ny]
                    if background { best = Swift.min(best, dx * dx + dy * dy) }
                }
            }
            r += 1
        }
        return Float(best).squareRoot()
    }

    static func arcLength(_ points: [PixelPoint]) -> Double {
        guard points.count > 1 else { return 0 }
        var total = 0.0
        for i in 1..<points.count { total += points[i].distance(to: points[i - 1]) }
        return total
    }
}
