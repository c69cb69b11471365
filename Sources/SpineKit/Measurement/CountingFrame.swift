/// The part of the image, inset from its edges, inside which spines are counted and
/// shaft length is measured.
struct CountingFrame {
    let minX: Double
    let minY: Double
    let maxX: Double
    let maxY: Double

    /// The frame inset by `marginPixels` from the edges of the imaged area (which may lie
    /// inside the image, within padding).
    init(area: ImagedArea, marginPixels: Double) {
        let m = Swift.max(0, marginPixels)
        minX = Double(area.minX) + m - 0.5
        minY = Double(area.minY) + m - 0.5
        maxX = Double(area.maxX) + 0.5 - m
        maxY = Double(area.maxY) + 0.5 - m
    }

    func contains(_ p: PixelPoint) -> Bool {
        p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY
    }

    /// Arc length of the polyline's segments whose both ends lie inside the frame and are
    /// counted (`counts`, by point index), pixels.
    func lengthInside(_ points: [PixelPoint], counting counts: (Int) -> Bool = { _ in true }) -> Double {
        guard points.count > 1 else { return 0 }
        var total = 0.0
        for i in 1..<points.count where contains(points[i]) && contains(points[i - 1]) && counts(i) && counts(i - 1) {
            total += points[i].distance(to: points[i - 1])
        }
        return total
    }
}
