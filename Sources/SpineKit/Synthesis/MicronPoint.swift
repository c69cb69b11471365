import Foundation

/// A point or vector in the image plane, microns, with its origin at the centre of
/// pixel (0, 0), x right and y down.
public struct MicronPoint: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    public static func + (l: MicronPoint, r: MicronPoint) -> MicronPoint { MicronPoint(x: l.x + r.x, y: l.y + r.y) }
    public static func - (l: MicronPoint, r: MicronPoint) -> MicronPoint { MicronPoint(x: l.x - r.x, y: l.y - r.y) }
    public static func * (l: MicronPoint, s: Double) -> MicronPoint { MicronPoint(x: l.x * s, y: l.y * s) }

    public var length: Double { (x * x + y * y).squareRoot() }
    public func dot(_ other: MicronPoint) -> Double { x * other.x + y * other.y }
    /// This vector turned 90 degrees clockwise on screen (x right, y down).
    public var perpendicular: MicronPoint { MicronPoint(x: -y, y: x) }
    public var normalized: MicronPoint {
        let l = length
        return l > 0 ? MicronPoint(x: x / l, y: y / l) : MicronPoint(x: 1, y: 0)
    }
    public func distance(to other: MicronPoint) -> Double { (self - other).length }

    /// The same point in pixel units.
    public func pixels(micronsPerPixel: Double) -> PixelPoint {
        PixelPoint(x: x / micronsPerPixel, y: y / micronsPerPixel)
    }

    /// The unit vector at `radians` from the x axis (clockwise on screen, as y points down).
    public static func direction(_ radians: Double) -> MicronPoint {
        MicronPoint(x: cos(radians), y: sin(radians))
    }
}
