/// A process's width measured straight across it, from the image alone.
///
/// At each centreline point the smoothed image is sampled along the normal (bilinear, half
/// a pixel apart): from its peak within a pixel of the point out to where it falls to half
/// that peak on either side. The distance between the two crossings is the full width at
/// half maximum wherever the ridge lies relative to the point. The shaft model's radius,
/// pooled over bins of distance from a centreline traced on whole pixels, widens for a
/// process one or two pixels across: at 0.16 um/px it gave an axon of 0.15 um radius a
/// radius of 0.35 um, past the axon limit, where this measures 0.23-0.24 um (`EngineTests`).
enum CrossSection {
    /// Samples along a normal, pixels.
    static let stepPixels = 0.5

    /// The median half width at half maximum across `path`, pixels; nil when no point's
    /// profile falls to half its peak on both sides within `reachPixels`.
    ///
    /// - Parameters:
    ///   - tangentHalfWindow: the tangent at a point is taken between the points this many
    ///     entries before and after it.
    static func medianHalfWidth(along path: ShaftTracer.Path, in image: GrayImage,
                                tangentHalfWindow: Int, reachPixels: Double) -> Double? {
        let points = path.points, n = points.count
        guard n >= 2 else { return nil }
        var halfWidths: [Double] = []
        halfWidths.reserveCapacity(n)
        image.withUnsafeBufferPointer { pixels in
            for i in 0..<n {
                let a = points[Swift.max(0, i - tangentHalfWindow)], b = points[Swift.min(n - 1, i + tangentHalfWindow)]
                let length = a.distance(to: b)
                guard length > 0 else { continue }
                let nx = (a.y - b.y) / length, ny = (b.x - a.x) / length
                let c = points[i]
                @inline(__always) func value(at t: Double) -> Float {
                    image.bilinear(pixels, x: c.x + t * nx, y: c.y + t * ny)
                }
                var peak = -Float.infinity, peakOffset = 0.0
                for t in stride(from: -1.0, through: 1.0, by: stepPixels) {
                    let v = value(at: t)
                    if v > peak { (peak, peakOffset) = (v, t) }
                }
                guard peak > 0, peak.isFinite else { continue }
                /// Where the profile first falls to half the peak on the side `direction`
                /// (linear between samples), nil beyond `reachPixels`.
                func halfCrossing(_ direction: Double) -> Double? {
                    var previous = peak, t = peakOffset
                    while abs(t - peakOffset) < reachPixels {
                        let next = t + direction * stepPixels
                        let v = value(at: next)
                        if v <= peak / 2 {
                            return t + direction * stepPixels * Double((previous - peak / 2) / (previous - v))
                        }
                        previous = v
                        t = next
                    }
                    return nil
                }
                // A NaN sample on the way would make the crossing not a number.
                guard let low = halfCrossing(-1), let high = halfCrossing(1), (high - low).isFinite else { continue }
                halfWidths.append((high - low) / 2)
            }
        }
        guard !halfWidths.isEmpty else { return nil }
        halfWidths.sort()
        return halfWidths[halfWidths.count / 2]
    }
}
