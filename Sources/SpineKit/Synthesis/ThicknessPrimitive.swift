import Foundation

/// One convex piece of fluorescent tissue, evaluated as its projected thickness.
///
/// Every piece is centred on the focal plane z = 0 and symmetric in z, so the vertical
/// chord through any point of the image is an interval centred on z = 0. The chord
/// through a union of such pieces is therefore the longest of the single chords: an
/// object made of overlapping pieces (a shaft of many segments, a neck entering a head)
/// is rendered exactly by taking the maximum of the pieces' thicknesses, never their
/// sum. Coordinates and thicknesses are in microns.
public struct ThicknessPrimitive: Sendable, Equatable {
    public enum Shape: Sendable, Equatable {
        /// The union of spheres whose centres run from `a` to `b` with radii growing
        /// linearly from `radiusA` to `radiusB` (a capsule when the radii are equal, a
        /// sphere when `a == b`). A tube at distance d from its axis is 2 sqrt(r² - d²) thick.
        case roundCone(a: MicronPoint, b: MicronPoint, radiusA: Double, radiusB: Double)
        /// An ellipsoid centred at `center` whose first semi-axis `alongMicrons` points
        /// along the unit vector `axis` in the image plane, the second `acrossMicrons`
        /// across it in the plane, and the third `depthMicrons` along the optical axis.
        case ellipsoid(center: MicronPoint, axis: MicronPoint,
                       alongMicrons: Double, acrossMicrons: Double, depthMicrons: Double)
    }

    public var shape: Shape
    /// Relative fluorophore concentration: the rendered value is weight x thickness.
    public var weight: Double

    public init(_ shape: Shape, weight: Double = 1) {
        self.shape = shape
        self.weight = weight
    }

    /// The axis-aligned box outside which the thickness is zero, microns.
    public var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        switch shape {
        case let .roundCone(a, b, ra, rb):
            return (Swift.min(a.x - ra, b.x - rb), Swift.min(a.y - ra, b.y - rb),
                    Swift.max(a.x + ra, b.x + rb), Swift.max(a.y + ra, b.y + rb))
        case let .ellipsoid(c, u, along, across, _):
            // Half-widths of a rotated ellipse's bounding box.
            let hx = ((along * u.x) * (along * u.x) + (across * u.y) * (across * u.y)).squareRoot()
            let hy = ((along * u.y) * (along * u.y) + (across * u.x) * (across * u.x)).squareRoot()
            return (c.x - hx, c.y - hy, c.x + hx, c.y + hy)
        }
    }

    /// The same piece with every surface moved inwards by `micrometres` (`nil` when
    /// nothing is left): the inside of a membrane shell of that thickness.
    public func shrunk(by micrometres: Double) -> ThicknessPrimitive? {
        switch shape {
        case let .roundCone(a, b, ra, rb):
            let inA = ra - micrometres, inB = rb - micrometres
            if inA <= 0 && inB <= 0 { return nil }
            return ThicknessPrimitive(.roundCone(a: a, b: b, radiusA: Swift.max(inA, 0), radiusB: Swift.max(inB, 0)),
                                      weight: weight)
        case let .ellipsoid(c, u, along, across, depth):
            let a = along - micrometres, b = across - micrometres, d = depth - micrometres
            if a <= 0 || b <= 0 || d <= 0 { return nil }
            return ThicknessPrimitive(.ellipsoid(center: c, axis: u, alongMicrons: a, acrossMicrons: b, depthMicrons: d),
                                      weight: weight)
        }
    }

    /// Projected thickness in microns at the image-plane point (x, y), before `weight`.
    @inlinable
    public func thickness(x: Double, y: Double) -> Double {
        switch shape {
        case let .roundCone(a, b, ra, rb):
            return ThicknessPrimitive.roundConeThickness(
                px: x - a.x, py: y - a.y, dx: b.x - a.x, dy: b.y - a.y, radiusA: ra, radiusB: rb)
        case let .ellipsoid(c, u, along, across, depth):
            let rx = x - c.x, ry = y - c.y
            let p = (rx * u.x + ry * u.y) / along
            let q = (ry * u.x - rx * u.y) / across
            let g = 1 - p * p - q * q
            return g > 0 ? 2 * depth * g.squareRoot() : 0
        }
    }

    /// Chord through a round cone at offset (px, py) from its first centre, whose axis is
    /// (dx, dy): 2 sqrt(max over t of r(t)² - |p - t d|²), the maximum being at the
    /// stationary point of that concave quadratic, clamped to the segment.
    @inlinable
    static func roundConeThickness(px: Double, py: Double, dx: Double, dy: Double,
                                   radiusA: Double, radiusB: Double) -> Double {
        let dr = radiusB - radiusA
        let axisSquared = dx * dx + dy * dy
        let denominator = axisSquared - dr * dr
        var t: Double
        if denominator > 1e-12 {
            t = (px * dx + py * dy + radiusA * dr) / denominator
            t = t < 0 ? 0 : (t > 1 ? 1 : t)
        } else {
            // One end sphere swallows the other: the larger one decides.
            t = dr > 0 ? 1 : 0
        }
        let r = radiusA + dr * t
        let qx = px - t * dx, qy = py - t * dy
        let f = r * r - (qx * qx + qy * qy)
        return f > 0 ? 2 * f.squareRoot() : 0
    }
}
