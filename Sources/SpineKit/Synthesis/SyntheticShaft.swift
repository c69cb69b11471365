import Foundation

/// One tubular process of a synthetic scene: a dendrite shaft or a spine-free axon.
///
/// The tube is the union of spheres centred on the centreline with the local radius,
/// rendered as round cones between consecutive centreline points, all in the focal
/// plane. Coordinates are microns with the origin at the centre of pixel (0, 0).
public struct SyntheticShaft: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Carries spines; its length counts towards the image's dendrite length.
        case dendrite
        /// A thin spine-free distractor; never counted.
        case axon
    }

    public var kind: Kind
    /// Centreline points, microns, in order.
    public let centerline: [MicronPoint]
    /// Tube radius at each centreline point, microns.
    public let radiiMicrons: [Double]
    /// Relative fluorophore fill of the whole shaft (its spines share it).
    public var brightness: Double
    /// Relative fill at each centreline point (1 everywhere for an even fill): uneven
    /// filling and beading along real shafts.
    public var fills: [Double]
    /// Extra pieces of the same cell (axonal boutons), rendered with the tube.
    public var attachments: [ThicknessPrimitive]
    /// Arc length from the first point to each point, microns.
    public let arcMicrons: [Double]

    public init(kind: Kind, centerline: [MicronPoint], radiiMicrons: [Double], brightness: Double = 1,
                fills: [Double]? = nil, attachments: [ThicknessPrimitive] = []) {
        precondition(centerline.count >= 2 && centerline.count == radiiMicrons.count,
                     "a shaft needs two or more points with one radius each, got \(centerline.count) and \(radiiMicrons.count)")
        self.kind = kind
        self.centerline = centerline
        self.radiiMicrons = radiiMicrons
        self.brightness = brightness
        self.fills = fills ?? Array(repeating: 1, count: centerline.count)
        precondition(self.fills.count == centerline.count, "one fill per centreline point")
        self.attachments = attachments
        var arc = [0.0]
        arc.reserveCapacity(centerline.count)
        for i in 1..<centerline.count {
            arc.append(arc[i - 1] + centerline[i].distance(to: centerline[i - 1]))
        }
        arcMicrons = arc
    }

    /// A straight tube of constant radius from `start` to `end`, sampled every 0.2 um.
    public static func straight(from start: MicronPoint, to end: MicronPoint, radiusMicrons: Double,
                                kind: Kind = .dendrite, brightness: Double = 1) -> SyntheticShaft {
        let steps = Swift.max(1, Int((start.distance(to: end) / 0.2).rounded(.up)))
        let points = (0...steps).map { i in start + (end - start) * (Double(i) / Double(steps)) }
        return SyntheticShaft(kind: kind, centerline: points,
                              radiiMicrons: Array(repeating: radiusMicrons, count: points.count),
                              brightness: brightness)
    }

    /// Total centreline length, microns.
    public var lengthMicrons: Double { arcMicrons.last ?? 0 }

    /// Index of the segment holding arc length `s` (clamped to the shaft).
    func segmentIndex(atArc s: Double) -> Int {
        var lo = 0, hi = arcMicrons.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if arcMicrons[mid] <= s { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// The centreline point, unit tangent and radius at arc length `s`, microns.
    public func frame(atArc s: Double) -> (point: MicronPoint, tangent: MicronPoint, radiusMicrons: Double) {
        let i = segmentIndex(atArc: s)
        let a = centerline[i], b = centerline[i + 1]
        let span = arcMicrons[i + 1] - arcMicrons[i]
        let t = span > 0 ? Swift.min(Swift.max((s - arcMicrons[i]) / span, 0), 1) : 0
        return (a + (b - a) * t, (b - a).normalized, radiiMicrons[i] + (radiiMicrons[i + 1] - radiiMicrons[i]) * t)
    }

    /// The round cone between centreline points `i` and `i + 1`.
    func segmentShape(_ i: Int) -> ThicknessPrimitive.Shape {
        .roundCone(a: centerline[i], b: centerline[i + 1], radiusA: radiiMicrons[i], radiusB: radiiMicrons[i + 1])
    }

    /// The tube's projected thickness at `point`, microns, looking only at segments
    /// `range` (all when `nil`).
    public func thickness(at point: MicronPoint, segments range: Range<Int>? = nil) -> Double {
        let r = range ?? 0..<(centerline.count - 1)
        var best = 0.0
        for i in r.clamped(to: 0..<(centerline.count - 1)) {
            let a = centerline[i], b = centerline[i + 1]
            let t = ThicknessPrimitive.roundConeThickness(
                px: point.x - a.x, py: point.y - a.y, dx: b.x - a.x, dy: b.y - a.y,
                radiusA: radiiMicrons[i], radiusB: radiiMicrons[i + 1])
            best = Swift.max(best, t)
        }
        return best
    }

    /// Distance from `point` to the tube's outline in the image plane, microns; negative
    /// inside. Exact for constant radius, first-order for a slowly changing one.
    public func signedDistance(to point: MicronPoint, segments range: Range<Int>? = nil) -> Double {
        let r = range ?? 0..<(centerline.count - 1)
        var best = Double.infinity
        for i in r.clamped(to: 0..<(centerline.count - 1)) {
            let a = centerline[i], d = centerline[i + 1] - a
            let lengthSquared = d.dot(d)
            let t = lengthSquared > 0 ? Swift.min(Swift.max((point - a).dot(d) / lengthSquared, 0), 1) : 0
            let radius = radiiMicrons[i] + (radiiMicrons[i + 1] - radiiMicrons[i]) * t
            best = Swift.min(best, point.distance(to: a + d * t) - radius)
        }
        return best
    }

    /// Segment indices within `reach` microns of arc length `s`.
    func segments(nearArc s: Double, reach: Double) -> Range<Int> {
        let lo = segmentIndex(atArc: s - reach)
        let hi = segmentIndex(atArc: s + reach)
        return lo..<(hi + 1)
    }

    /// Centreline length inside the rectangle `x`, `y` (microns), by clipping each segment.
    public func lengthMicrons(insideX x: ClosedRange<Double>, y: ClosedRange<Double>) -> Double {
        var total = 0.0
        for i in 0..<(centerline.count - 1) {
            total += SyntheticShaft.clippedLength(centerline[i], centerline[i + 1], x: x, y: y)
        }
        return total
    }

    /// Liang-Barsky clipping of segment a-b to a rectangle: the length inside it.
    static func clippedLength(_ a: MicronPoint, _ b: MicronPoint, x: ClosedRange<Double>,
                              y: ClosedRange<Double>) -> Double {
        let d = b - a
        var t0 = 0.0, t1 = 1.0
        let edges: [(Double, Double)] = [
            (-d.x, a.x - x.lowerBound), (d.x, x.upperBound - a.x),
            (-d.y, a.y - y.lowerBound), (d.y, y.upperBound - a.y),
        ]
        for (p, q) in edges {
            if p == 0 {
                if q < 0 { return 0 }
            } else {
                let r = q / p
                if p < 0 { t0 = Swift.max(t0, r) } else { t1 = Swift.min(t1, r) }
                if t0 > t1 { return 0 }
            }
        }
        return (t1 - t0) * d.length
    }

    /// The primitives that draw this tube and its attachments.
    func primitives() -> [ThicknessPrimitive] {
        var out = (0..<(centerline.count - 1)).map {
            ThicknessPrimitive(segmentShape($0), weight: brightness * 0.5 * (fills[$0] + fills[$0 + 1]))
        }
        out += attachments.map { ThicknessPrimitive($0.shape, weight: $0.weight * brightness) }
        return out
    }
}
