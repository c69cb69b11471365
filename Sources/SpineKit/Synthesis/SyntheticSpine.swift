import Foundation

/// The shape of one synthetic spine before it is attached to a shaft.
///
/// Mushroom and thin spines are a neck (a tube, slightly wider where it leaves the
/// shaft) ending in an ellipsoidal head; stubby spines are one neckless round cone
/// rising from inside the shaft. All sizes are microns.
public struct SpineSpec: Sendable, Codable, Equatable {
    public var spineClass: SpineClass
    /// From the shaft surface to the far end of the spine, along its axis.
    public var lengthMicrons: Double
    /// Mushroom and thin: head width across the axis. Stubby: width at its outer end.
    public var headDiameterMicrons: Double
    /// Mushroom and thin: the narrowest neck width (next to the head). Stubby: width of
    /// its root sphere inside the shaft.
    public var neckDiameterMicrons: Double
    /// Head length along the axis over head width (mushroom and thin).
    public var headElongation: Double
    /// Neck width at the shaft over its narrowest width (mushroom and thin).
    public var neckFlare: Double
    /// Angle of the spine from the shaft normal, degrees, positive towards the shaft's
    /// increasing arc length.
    public var tiltDegrees: Double
    /// Total turn of the neck from base to head, degrees (mushroom and thin).
    public var bendDegrees: Double
    /// Relative fluorophore fill.
    public var brightness: Double

    public init(spineClass: SpineClass, lengthMicrons: Double, headDiameterMicrons: Double,
                neckDiameterMicrons: Double, headElongation: Double = 1, neckFlare: Double = 1,
                tiltDegrees: Double = 0, bendDegrees: Double = 0, brightness: Double = 1) {
        self.spineClass = spineClass
        self.lengthMicrons = lengthMicrons
        self.headDiameterMicrons = headDiameterMicrons
        self.neckDiameterMicrons = neckDiameterMicrons
        self.headElongation = headElongation
        self.neckFlare = neckFlare
        self.tiltDegrees = tiltDegrees
        self.bendDegrees = bendDegrees
        self.brightness = brightness
    }
}

/// Which side of a shaft a spine grows from, looking along increasing arc length.
public enum ShaftSide: Double, Sendable, Codable, CaseIterable {
    /// Clockwise from the tangent on screen (y points down).
    case right = 1
    case left = -1
}

/// A capsule in the image plane: every point within `radius` of segment a-b, microns.
struct FootprintCapsule: Sendable, Equatable {
    var a: MicronPoint
    var b: MicronPoint
    var radius: Double

    /// Smallest distance between the two capsules' outlines (negative when they overlap).
    func gap(to other: FootprintCapsule) -> Double {
        FootprintCapsule.segmentDistance(a, b, other.a, other.b) - radius - other.radius
    }

    static func pointSegmentDistance(_ p: MicronPoint, _ a: MicronPoint, _ b: MicronPoint) -> Double {
        let d = b - a
        let l2 = d.dot(d)
        let t = l2 > 0 ? Swift.min(Swift.max((p - a).dot(d) / l2, 0), 1) : 0
        return p.distance(to: a + d * t)
    }

    static func segmentDistance(_ a: MicronPoint, _ b: MicronPoint, _ c: MicronPoint, _ d: MicronPoint) -> Double {
        // Proper crossing: the distance is zero.
        func cross(_ o: MicronPoint, _ p: MicronPoint, _ q: MicronPoint) -> Double {
            (p.x - o.x) * (q.y - o.y) - (p.y - o.y) * (q.x - o.x)
        }
        let d1 = cross(c, d, a), d2 = cross(c, d, b), d3 = cross(a, b, c), d4 = cross(a, b, d)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
            return 0
        }
        return Swift.min(pointSegmentDistance(a, c, d), pointSegmentDistance(b, c, d),
                         pointSegmentDistance(c, a, b), pointSegmentDistance(d, a, b))
    }
}

/// One spine of a synthetic scene: its exact truth and the primitives that draw it.
///
/// Truth follows the `evaluate` contract: `base` is where the spine axis leaves the
/// shaft's outline in the image, `lengthMicrons` runs from there along the axis to
/// `tip`, `head` is the centre of the head (stubby: half-way from base to tip).
public struct SyntheticSpine: Sendable, Equatable {
    public var spec: SpineSpec
    /// Index of the carrying shaft in its scene's `shafts`.
    public var shaftIndex: Int
    public var spineClass: SpineClass { spec.spineClass }
    public var base: MicronPoint
    public var head: MicronPoint
    public var tip: MicronPoint
    public var lengthMicrons: Double
    /// Mushroom and thin: the head's width. Stubby: its widest width outside the shaft.
    public var headDiameterMicrons: Double
    /// Mushroom and thin: the narrowest neck width. Stubby: its width at the shaft surface.
    public var neckDiameterMicrons: Double
    /// What is drawn, in microns, before the shaft's brightness is applied.
    public var primitives: [ThicknessPrimitive]
    /// The outline in the plane, outward of the base, for overlap tests.
    var footprint: [FootprintCapsule]
    /// Head capsule and neck samples, to keep the spine off its own shaft.
    var clearanceProbes: [(point: MicronPoint, radius: Double)]

    public static func == (l: SyntheticSpine, r: SyntheticSpine) -> Bool {
        l.spec == r.spec && l.shaftIndex == r.shaftIndex && l.base == r.base && l.head == r.head
            && l.tip == r.tip && l.primitives == r.primitives
    }
}

extension SyntheticShaft {
    /// Grows a spine of shape `spec` from the centreline point at arc length `arcMicrons`
    /// towards `side`; `nil` when the shaft has no surface there.
    ///
    /// The axis starts on the centreline, tilted by `spec.tiltDegrees` from the normal;
    /// the base is found by bisection where the shaft's rendered thickness falls to zero
    /// along that axis, so it lies on the outline exactly as drawn.
    public func spine(_ spec: SpineSpec, atArcMicrons arcMicrons: Double, side: ShaftSide,
                      shaftIndex: Int = 0) -> SyntheticSpine? {
        let (center, tangent, radius) = frame(atArc: arcMicrons)
        let normal = tangent.perpendicular * side.rawValue
        let tilt = spec.tiltDegrees * .pi / 180
        let axis = (normal * cos(tilt) + tangent * sin(tilt)).normalized
        // The axis leaves the tube within radius / cos(60 degrees) of the centre line, and
        // no farther than 1.5 um along it at the tilts used; 3 um of shaft either side covers it.
        let window = segments(nearArc: arcMicrons, reach: 3)
        guard thickness(at: center, segments: window) > 0 else { return nil }
        var inside = 0.0, outside = 0.02
        while thickness(at: center + axis * outside, segments: window) > 0 {
            inside = outside
            outside += 0.02
            if outside > 2.5 { return nil }  // grazing: no clear exit within the window
        }
        // 30 halvings of 0.02 um: the base is exact to 1e-11 um.
        for _ in 0..<30 {
            let mid = 0.5 * (inside + outside)
            if thickness(at: center + axis * mid, segments: window) > 0 { inside = mid } else { outside = mid }
        }
        let base = center + axis * outside
        // How far the spine's root reaches back into the shaft, so the join is filled.
        let rootDepth = 0.5 * radius
        switch spec.spineClass {
        case .mushroom, .thin:
            return neckedSpine(spec, base: base, axis: axis, rootDepth: rootDepth, shaftIndex: shaftIndex)
        case .stubby:
            return stubbySpine(spec, base: base, axis: axis, rootDepth: rootDepth, shaftIndex: shaftIndex)
        }
    }

    private func neckedSpine(_ spec: SpineSpec, base: MicronPoint, axis: MicronPoint, rootDepth: Double,
                             shaftIndex: Int) -> SyntheticSpine? {
        let across = 0.5 * spec.headDiameterMicrons
        let along = across * spec.headElongation
        let neckArc = spec.lengthMicrons - along
        guard neckArc > 0, across > 0 else { return nil }
        let bend = spec.bendDegrees * .pi / 180
        let curvature = bend / neckArc
        let startAngle = atan2(axis.y, axis.x)
        func axisPoint(_ s: Double) -> MicronPoint {
            if Swift.abs(curvature) < 1e-9 { return base + axis * s }
            let angle = startAngle + curvature * s
            return base + MicronPoint(x: (sin(angle) - sin(startAngle)) / curvature,
                                      y: (cos(startAngle) - cos(angle)) / curvature)
        }
        let steps = Swift.max(2, Int((neckArc / 0.1).rounded(.up)))
        let points = (0...steps).map { axisPoint(neckArc * Double($0) / Double(steps)) }
        let neckRadius = 0.5 * spec.neckDiameterMicrons
        let rootRadius = neckRadius * Swift.max(spec.neckFlare, 1)
        func neckRadiusAt(_ k: Int) -> Double {
            rootRadius + (neckRadius - rootRadius) * Double(k) / Double(steps)
        }
        let head = points[steps]
        let headAxis = MicronPoint.direction(startAngle + bend)
        let tip = head + headAxis * along

        var primitives = [ThicknessPrimitive(.roundCone(a: base - axis * rootDepth, b: base,
                                                        radiusA: rootRadius, radiusB: rootRadius),
                                             weight: spec.brightness)]
        for k in 0..<steps {
            primitives.append(ThicknessPrimitive(.roundCone(a: points[k], b: points[k + 1],
                                                            radiusA: neckRadiusAt(k), radiusB: neckRadiusAt(k + 1)),
                                                 weight: spec.brightness))
        }
        primitives.append(ThicknessPrimitive(.ellipsoid(center: head, axis: headAxis, alongMicrons: along,
                                                        acrossMicrons: across, depthMicrons: across),
                                             weight: spec.brightness))

        let headHalfSpan = Swift.max(along - across, 0)
        var footprint = (0..<steps).map { FootprintCapsule(a: points[$0], b: points[$0 + 1], radius: rootRadius) }
        footprint.append(FootprintCapsule(a: head - headAxis * headHalfSpan, b: head + headAxis * headHalfSpan,
                                          radius: Swift.max(across, Swift.min(along, across))))
        var probes: [(point: MicronPoint, radius: Double)] = [
            (head - headAxis * headHalfSpan, across), (head, Swift.max(across, along)),
            (head + headAxis * headHalfSpan, across),
        ]
        for k in 0...steps where neckArc * Double(k) / Double(steps) >= 0.25 {
            probes.append((points[k], neckRadiusAt(k)))
        }
        return SyntheticSpine(spec: spec, shaftIndex: shaftIndex, base: base, head: head, tip: tip,
                              lengthMicrons: neckArc + along, headDiameterMicrons: 2 * across,
                              neckDiameterMicrons: 2 * neckRadius, primitives: primitives,
                              footprint: footprint, clearanceProbes: probes)
    }

    private func stubbySpine(_ spec: SpineSpec, base: MicronPoint, axis: MicronPoint, rootDepth: Double,
                             shaftIndex: Int) -> SyntheticSpine? {
        let length = spec.lengthMicrons
        let endRadius = 0.5 * spec.headDiameterMicrons
        let rootRadius = 0.5 * spec.neckDiameterMicrons
        guard length > 0, endRadius > 0 else { return nil }
        // The end sphere's centre sits `endRadius` short of the tip; the root sphere
        // `rootDepth` inside the shaft. Positions are along the axis from the base.
        let endOffset = length - endRadius
        let rootOffset = Swift.min(-rootDepth, endOffset - 0.05)
        let end = base + axis * endOffset
        let root = base + axis * rootOffset
        let primitives = [ThicknessPrimitive(.roundCone(a: root, b: end, radiusA: rootRadius, radiusB: endRadius),
                                             weight: spec.brightness)]
        // Outline width across the axis at axial position s: widest chord of the swept disks.
        func width(at s: Double) -> Double {
            var best = 0.0
            let samples = 400
            for k in 0...samples {
                let t = Double(k) / Double(samples)
                let centre = rootOffset + (endOffset - rootOffset) * t
                let r = rootRadius + (endRadius - rootRadius) * t
                let h = r * r - (s - centre) * (s - centre)
                if h > best { best = h }
            }
            return 2 * best.squareRoot()
        }
        let neckWidth = width(at: 0)
        var headWidth = neckWidth
        for k in 1...50 { headWidth = Swift.max(headWidth, width(at: length * Double(k) / 50)) }
        let footprint = [FootprintCapsule(a: base, b: end, radius: Swift.max(endRadius, 0.5 * neckWidth))]
        return SyntheticSpine(spec: spec, shaftIndex: shaftIndex, base: base, head: base + axis * (0.5 * length),
                              tip: base + axis * length, lengthMicrons: length, headDiameterMicrons: headWidth,
                              neckDiameterMicrons: neckWidth, primitives: primitives, footprint: footprint,
                              clearanceProbes: [])
    }
}
