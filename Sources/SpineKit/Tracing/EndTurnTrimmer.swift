import Foundation

/// Cuts a path's end where it turns sharply into a protrusion.
///
/// The longest path through a skeleton piece leaves the shaft near its end and runs up a
/// spine's neck into its head whenever the spine is longer than the shaft left beyond it.
/// Dendrites bend gently; a turn of more than `minimumTurnDegrees` within the last
/// `maximumSpurPixels` of a path, measured against the path's direction over the
/// `bodyPixels` before the turn, marks such a spine. Cutting the path at the sharpest such
/// turn lets the spine be found as a spine instead of being counted as shaft.
enum EndTurnTrimmer {
    static func trimmed(_ path: ShaftTracer.Path, maximumSpurPixels: Double, bodyPixels: Double,
                        minimumTurnDegrees: Double) -> ShaftTracer.Path {
        guard path.points.count >= 3, path.points.count == path.pixels.count else { return path }
        let turnCosine = cos(minimumTurnDegrees * .pi / 180)
        var points = path.points, pixels = path.pixels
        let dropEnd = spurCount(points, maximumSpurPixels: maximumSpurPixels, bodyPixels: bodyPixels,
                                turnCosine: turnCosine)
        points.removeLast(dropEnd)
        pixels.removeLast(dropEnd)
        let dropStart = spurCount(points.reversed(), maximumSpurPixels: maximumSpurPixels,
                                  bodyPixels: bodyPixels, turnCosine: turnCosine)
        points.removeFirst(dropStart)
        pixels.removeFirst(dropStart)
        guard dropEnd > 0 || dropStart > 0 else { return path }
        return ShaftTracer.Path(pixels: pixels, points: points, lengthPixels: ShaftTracer.arcLength(points))
    }

    /// How many points at the end of `points` form a spur: those beyond the sharpest turn
    /// within the last `maximumSpurPixels`, or 0 when no turn is sharp enough. A path too
    /// short to have a body before its spur is left alone.
    static func spurCount(_ points: [PixelPoint], maximumSpurPixels: Double, bodyPixels: Double,
                          turnCosine: Double) -> Int {
        guard points.count >= 3 else { return 0 }
        var arc = [Double](repeating: 0, count: points.count)
        for i in 1..<points.count { arc[i] = arc[i - 1] + points[i].distance(to: points[i - 1]) }
        let total = arc[points.count - 1]
        guard total > maximumSpurPixels + bodyPixels else { return 0 }
        let end = points[points.count - 1]
        var drop = 0, sharpest = turnCosine
        var k = points.count - 2
        var j = k
        while k > 0, total - arc[k] <= maximumSpurPixels {
            // A spur of under two pixels is the end's own wobble, not a neck.
            if total - arc[k] >= 2 {
                while j > 0, arc[k] - arc[j] < bodyPixels { j -= 1 }
                let bx = points[k].x - points[j].x, by = points[k].y - points[j].y
                let sx = end.x - points[k].x, sy = end.y - points[k].y
                let norms = ((bx * bx + by * by) * (sx * sx + sy * sy)).squareRoot()
                if norms > 0, (bx * sx + by * sy) / norms < sharpest {
                    sharpest = (bx * sx + by * sy) / norms
                    drop = points.count - 1 - k
                }
            }
            k -= 1
        }
        return drop
    }
}
