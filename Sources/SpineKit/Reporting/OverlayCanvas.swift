import Foundation

/// An 8-bit RGB picture with the few drawing operations overlays need.
///
/// Every operation clips to the picture, so marks near the border or outside it
/// (a spine head on the edge) never write out of bounds.
public struct OverlayCanvas: Sendable {
    public let width: Int
    public let height: Int
    /// Three bytes per pixel, row order.
    public private(set) var rgb: [UInt8]

    /// A canvas whose three channels all equal `gray` (one byte per pixel, row order).
    public init(width: Int, height: Int, gray: [UInt8]) {
        precondition(gray.count == width * height, "gray has \(gray.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        var rgb = [UInt8](repeating: 0, count: 3 * gray.count)
        rgb.withUnsafeMutableBufferPointer { out in
            gray.withUnsafeBufferPointer { g in
                for i in 0..<g.count {
                    out[3 * i] = g[i]
                    out[3 * i + 1] = g[i]
                    out[3 * i + 2] = g[i]
                }
            }
        }
        self.rgb = rgb
    }

    public func color(x: Int, y: Int) -> OverlayColor? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = 3 * (y * width + x)
        return OverlayColor(red: rgb[i], green: rgb[i + 1], blue: rgb[i + 2])
    }

    public mutating func plot(x: Int, y: Int, _ color: OverlayColor) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 3 * (y * width + x)
        rgb[i] = color.red
        rgb[i + 1] = color.green
        rgb[i + 2] = color.blue
    }

    /// A square of side `size` centred on (x, y): the pen for thick strokes.
    public mutating func stamp(x: Int, y: Int, size: Int, _ color: OverlayColor) {
        let low = -(size - 1) / 2
        for dy in low..<(low + size) {
            for dx in low..<(low + size) { plot(x: x + dx, y: y + dy, color) }
        }
    }

    /// Scales the colours inside the rectangle by `factor` (0 black, 1 unchanged), so
    /// that light text stays legible over any image.
    public mutating func darkenRectangle(x: Int, y: Int, width w: Int, height h: Int, factor: Double) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for i in (3 * (yy * width + x0))..<(3 * (yy * width + x1)) {
                rgb[i] = UInt8((Double(rgb[i]) * factor).rounded())
            }
        }
    }

    public mutating func fillRectangle(x: Int, y: Int, width w: Int, height h: Int, _ color: OverlayColor) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 { plot(x: xx, y: yy, color) }
        }
    }

    /// A straight line between two sub-pixel points (Bresenham between the rounded
    /// ends). With `dash` set, the line alternates `dash.on` drawn and `dash.off`
    /// skipped pixels.
    public mutating func line(from a: PixelPoint, to b: PixelPoint, thickness: Int = 1,
                              dash: (on: Int, off: Int)? = nil, _ color: OverlayColor) {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
        // Points far outside the picture would make Bresenham walk for ever.
        let limit = Double(4 * max(width, height) + 16)
        guard abs(a.x) < limit, abs(a.y) < limit, abs(b.x) < limit, abs(b.y) < limit else { return }
        var x = Int(a.x.rounded()), y = Int(a.y.rounded())
        let x1 = Int(b.x.rounded()), y1 = Int(b.y.rounded())
        let dx = abs(x1 - x), dy = -abs(y1 - y)
        let sx = x < x1 ? 1 : -1, sy = y < y1 ? 1 : -1
        var error = dx + dy
        var step = 0
        while true {
            if let dash {
                if step % (dash.on + dash.off) < dash.on { stamp(x: x, y: y, size: thickness, color) }
            } else {
                stamp(x: x, y: y, size: thickness, color)
            }
            step += 1
            if x == x1 && y == y1 { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }

    /// A circle of `radius` pixels around `center`; `dashed` draws every other
    /// eighth of it, which marks a hollow, detached head.
    public mutating func ring(center: PixelPoint, radius: Double, thickness: Int = 1, dashed: Bool = false,
                              _ color: OverlayColor) {
        guard center.x.isFinite, center.y.isFinite, radius.isFinite, radius > 0,
              radius < Double(2 * max(width, height)) else { return }
        // Two samples per pixel of circumference leave no gaps.
        let samples = max(16, Int((4 * Double.pi * radius).rounded(.up)))
        for k in 0..<samples {
            if dashed && (8 * k / samples) % 2 == 1 { continue }
            let angle = 2 * Double.pi * Double(k) / Double(samples)
            let x = Int((center.x + radius * cos(angle)).rounded())
            let y = Int((center.y + radius * sin(angle)).rounded())
            stamp(x: x, y: y, size: thickness, color)
        }
    }

    /// `text` in the 5 x 7 legend font with its top-left corner at (x, y), each
    /// font cell drawn as `scale` x `scale` pixels.
    public mutating func text(_ text: String, x: Int, y: Int, scale: Int = 1, _ color: OverlayColor) {
        var left = x
        for character in text {
            for row in 0..<OverlayFont.glyphHeight {
                for column in 0..<OverlayFont.glyphWidth where OverlayFont.isLit(character, x: column, y: row) {
                    fillRectangle(x: left + column * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            left += (OverlayFont.glyphWidth + OverlayFont.spacing) * scale
        }
    }
}
