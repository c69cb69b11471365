/// How an overlay is drawn.
public struct OverlayStyle: Sendable, Equatable {
    /// Intensity percentiles mapped to black and white. 0.5 % and 99.8 % ignore hot
    /// pixels and an empty background, as ImageJ's "Auto" contrast does with its
    /// saturated-pixel fraction.
    public var lowPercentile: Double = 0.5
    public var highPercentile: Double = 99.8
    /// The smallest head ring drawn, pixels, so that tiny heads stay visible.
    public var minimumHeadRadiusPixels: Double = 3
    /// Draw the legend when the image is at least three legend boxes wide and tall.
    public var showsLegend = true

    public init() {}
}

/// Draws what spinecount found over the analysed image: the picture a scientist
/// checks by eye before trusting the numbers.
///
/// The image is contrast-stretched between robust percentiles and shown in grey.
/// Each shaft centreline is a bluish-green line; each spine has a line from its
/// base to its head and a ring around the head, in its class colour (orange
/// mushroom, sky-blue thin, purple stubby; `OverlayPalette`). A detached head
/// (`isAttached == false`) has a dashed ring and a dashed line. Each shaft carries
/// its number (`dendrite_id` in spines.csv and dendrites.csv) beside the middle of its
/// centreline. A legend sits in the corner with the fewest marks. Pure: returns pixels,
/// writes no file.
public enum OverlayRenderer {
    /// The annotated picture, the same size as `image`.
    public static func render(_ image: GrayImage, analysis: ImageAnalysis,
                              style: OverlayStyle = OverlayStyle()) -> OverlayCanvas {
        let gray = stretchedGray(image, lowPercentile: style.lowPercentile, highPercentile: style.highPercentile)
        var canvas = OverlayCanvas(width: image.width, height: image.height, gray: gray)
        let thickness = strokeThickness(width: image.width, height: image.height)

        for dendrite in analysis.dendrites {
            let points = dendrite.centerline
            if points.count == 1 {
                canvas.stamp(x: Int(points[0].x.rounded()), y: Int(points[0].y.rounded()),
                             size: thickness, OverlayPalette.dendrite)
            }
            for (a, b) in zip(points, points.dropFirst()) {
                canvas.line(from: a, to: b, thickness: thickness, OverlayPalette.dendrite)
            }
        }
        let micronsPerPixel = analysis.micronsPerPixel
        for spine in analysis.spines {
            let color = OverlayPalette.color(for: spine.spineClass)
            let dash: (on: Int, off: Int)? = spine.isAttached ? nil : (on: 2 * thickness, off: 2 * thickness)
            canvas.line(from: spine.base, to: spine.head, thickness: thickness, dash: dash, color)
            var radius = style.minimumHeadRadiusPixels
            if micronsPerPixel > 0, spine.headDiameterMicrons.isFinite {
                // Just outside the head's edge, so the ring does not hide the head.
                radius = max(radius, spine.headDiameterMicrons / micronsPerPixel / 2 + 1.5)
            }
            canvas.ring(center: spine.head, radius: radius, thickness: thickness,
                        dashed: !spine.isAttached, color)
        }
        drawDendriteNumbers(on: &canvas, analysis: analysis)
        if style.showsLegend {
            drawLegend(on: &canvas, avoiding: analysis)
        }
        return canvas
    }

    /// Scale of the legend: one font cell a pixel up to 1399 pixels on the short side, so
    /// that it stays readable when a large image is shown scaled.
    static func textScale(width: Int, height: Int) -> Int { max(1, min(width, height) / 700) }

    /// Scale of the dendrite numbers: twice the legend's from 350 pixels on the short side;
    /// a 5 x 7 pixel number is lost among the spine marks.
    static func numberScale(width: Int, height: Int) -> Int { max(1, min(width, height) / 350) }

    /// The top-left corner of dendrite `dendrite`'s number: beside the middle point of its
    /// centreline, across the line from it by the shaft's radius and a few pixels, inside
    /// the picture; nil for a dendrite without a centreline or whose middle is not a point
    /// (not finite).
    static func numberOrigin(of dendrite: Dendrite, micronsPerPixel: Double, textWidth: Int, textHeight: Int,
                             canvasWidth: Int, canvasHeight: Int, scale: Int) -> (x: Int, y: Int)? {
        let points = dendrite.centerline
        guard !points.isEmpty else { return nil }
        let middle = points.count / 2
        let a = points[max(0, middle - 3)], b = points[min(points.count - 1, middle + 3)]
        var nx = -(b.y - a.y), ny = b.x - a.x
        let norm = (nx * nx + ny * ny).squareRoot()
        if norm > 0, norm.isFinite { nx /= norm; ny /= norm } else { (nx, ny) = (0, -1) }
        let radius = micronsPerPixel > 0 && dendrite.radiusMicrons.isFinite ? dendrite.radiusMicrons / micronsPerPixel : 0
        // Far enough across that the box, whatever its side, clears the shaft.
        let reach = radius + Double(4 * scale) + 0.5 * Double(max(textWidth, textHeight))
        let cx = points[middle].x + nx * reach - Double(textWidth) / 2
        let cy = points[middle].y + ny * reach - Double(textHeight) / 2
        guard cx.isFinite, cy.isFinite else { return nil }
        // Clamped as doubles: a point far outside must not overflow the conversion.
        let x = min(max(0, cx.rounded()), Double(max(0, canvasWidth - textWidth)))
        let y = min(max(0, cy.rounded()), Double(max(0, canvasHeight - textHeight)))
        return (Int(x), Int(y))
    }

    private static func drawDendriteNumbers(on canvas: inout OverlayCanvas, analysis: ImageAnalysis) {
        let scale = numberScale(width: canvas.width, height: canvas.height)
        for dendrite in analysis.dendrites {
            let label = String(dendrite.id)
            let width = OverlayFont.width(of: label) * scale, height = OverlayFont.glyphHeight * scale
            guard let origin = numberOrigin(of: dendrite, micronsPerPixel: analysis.micronsPerPixel, textWidth: width,
                                            textHeight: height, canvasWidth: canvas.width,
                                            canvasHeight: canvas.height, scale: scale) else { continue }
            canvas.darkenRectangle(x: origin.x - scale, y: origin.y - scale, width: width + 2 * scale,
                                   height: height + 2 * scale, factor: 0.2)
            canvas.text(label, x: origin.x, y: origin.y, scale: scale, OverlayPalette.dendrite)
        }
    }

    /// Stroke width in pixels: 1 up to 1199 pixels on the short side, then growing,
    /// so marks stay visible when a large image is viewed scaled down.
    static func strokeThickness(width: Int, height: Int) -> Int {
        max(1, min(width, height) / 600)
    }

    /// `image` mapped to 0...255, `lowPercentile` and below black, `highPercentile`
    /// and above white, linear between. A flat image becomes mid grey.
    public static func stretchedGray(_ image: GrayImage, lowPercentile: Double,
                                     highPercentile: Double) -> [UInt8] {
        let count = image.count
        guard count > 0 else { return [] }
        let (low, high) = percentileBounds(image, low: lowPercentile, high: highPercentile)
        var out = [UInt8](repeating: 128, count: count)
        guard let low, let high, high > low else { return out }
        let scale = 255 / (high - low)
        image.withUnsafeBufferPointer { pixels in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<count {
                    let v = Double(pixels[i])
                    guard v.isFinite else { o[i] = 0; continue }
                    o[i] = UInt8(min(255, max(0, ((v - low) * scale).rounded())))
                }
            }
        }
        return out
    }

    /// The intensities at two percentiles. A 4096-bin histogram between the image's
    /// extremes finds the bin holding each percentile, and a second 4096-bin histogram
    /// inside that bin refines it, so one hot pixel stretching the range costs no
    /// precision; O(n) time and no copy of the image.
    static func percentileBounds(_ image: GrayImage, low: Double, high: Double) -> (Double?, Double?) {
        var minimum = Double.infinity, maximum = -Double.infinity, finite = 0
        image.withUnsafeBufferPointer { pixels in
            for p in pixels where p.isFinite {
                let v = Double(p)
                minimum = min(minimum, v)
                maximum = max(maximum, v)
                finite += 1
            }
        }
        guard finite > 0 else { return (nil, nil) }
        guard maximum > minimum else { return (minimum, maximum) }
        func rank(_ percentile: Double) -> Int {
            min(finite, max(1, Int((percentile / 100 * Double(finite)).rounded(.up))))
        }
        return (value(ofRank: rank(low), in: image, minimum: minimum, maximum: maximum, upperEdge: false),
                value(ofRank: rank(high), in: image, minimum: minimum, maximum: maximum, upperEdge: true))
    }

    /// The `rank`-th smallest finite value (1-based), to within 1/4096^2 of the range:
    /// the lower or upper edge of the finest bin holding it.
    private static func value(ofRank rank: Int, in image: GrayImage, minimum: Double, maximum: Double,
                              upperEdge: Bool) -> Double {
        let bins = 4096
        let coarseWidth = (maximum - minimum) / Double(bins)
        func coarseBin(_ v: Double) -> Int { min(bins - 1, max(0, Int((v - minimum) / coarseWidth))) }
        func binHolding(rank: Int, from histogram: [Int]) -> (bin: Int, below: Int) {
            var cumulative = 0
            for (bin, n) in histogram.enumerated() {
                if cumulative + n >= rank { return (bin, cumulative) }
                cumulative += n
            }
            return (bins - 1, cumulative)
        }
        var coarse = [Int](repeating: 0, count: bins)
        image.withUnsafeBufferPointer { pixels in
            for p in pixels where p.isFinite { coarse[coarseBin(Double(p))] += 1 }
        }
        let (bin, below) = binHolding(rank: rank, from: coarse)
        let binStart = minimum + Double(bin) * coarseWidth
        let fineWidth = coarseWidth / Double(bins)
        var fine = [Int](repeating: 0, count: bins)
        image.withUnsafeBufferPointer { pixels in
            for p in pixels where p.isFinite && coarseBin(Double(p)) == bin {
                fine[min(bins - 1, max(0, Int((Double(p) - binStart) / fineWidth)))] += 1
            }
        }
        let (fineBin, _) = binHolding(rank: rank - below, from: fine)
        let edge = binStart + Double(fineBin + (upperEdge ? 1 : 0)) * fineWidth
        return min(maximum, edge)
    }

    private struct LegendEntry {
        enum Mark { case ring(dashed: Bool), line }
        var label: String
        var color: OverlayColor
        var mark: Mark
    }

    private static let legendEntries: [LegendEntry] = [
        LegendEntry(label: "MUSHROOM", color: OverlayPalette.mushroom, mark: .ring(dashed: false)),
        LegendEntry(label: "THIN", color: OverlayPalette.thin, mark: .ring(dashed: false)),
        LegendEntry(label: "STUBBY", color: OverlayPalette.stubby, mark: .ring(dashed: false)),
        LegendEntry(label: "DENDRITE", color: OverlayPalette.dendrite, mark: .line),
        LegendEntry(label: "DETACHED", color: OverlayPalette.legendText, mark: .ring(dashed: true)),
    ]

    /// The legend box's size at `scale`: padding, a swatch column and the longest label.
    static func legendSize(scale: Int) -> (width: Int, height: Int) {
        let padding = 3 * scale, swatch = 10 * scale, rowHeight = 11 * scale
        let labelWidth = legendEntries.map { OverlayFont.width(of: $0.label) }.max() ?? 0
        return (2 * padding + swatch + labelWidth * scale,
                2 * padding + legendEntries.count * rowHeight - 4 * scale)
    }

    private static func drawLegend(on canvas: inout OverlayCanvas, avoiding analysis: ImageAnalysis) {
        let scale = textScale(width: canvas.width, height: canvas.height)
        let size = legendSize(scale: scale)
        guard canvas.width >= 3 * size.width, canvas.height >= 3 * size.height else { return }
        // Put the legend where it hides the fewest marks.
        let margin = 2 * scale
        let corners = [(margin, margin), (canvas.width - size.width - margin, margin),
                       (margin, canvas.height - size.height - margin),
                       (canvas.width - size.width - margin, canvas.height - size.height - margin)]
        var marks = analysis.spines.flatMap { [$0.head, $0.base] }
        for dendrite in analysis.dendrites { marks += dendrite.centerline }
        func hidden(_ corner: (Int, Int)) -> Int {
            marks.reduce(0) { count, p in
                let inside = p.x >= Double(corner.0) && p.x < Double(corner.0 + size.width)
                    && p.y >= Double(corner.1) && p.y < Double(corner.1 + size.height)
                return count + (inside ? 1 : 0)
            }
        }
        var best = corners[0]
        var fewest = hidden(best)
        for corner in corners.dropFirst() {
            let n = hidden(corner)
            if n < fewest { best = corner; fewest = n }
        }
        let (x0, y0) = best
        canvas.darkenRectangle(x: x0, y: y0, width: size.width, height: size.height, factor: 0.2)
        let padding = 3 * scale, rowHeight = 11 * scale
        for (row, entry) in legendEntries.enumerated() {
            let top = y0 + padding + row * rowHeight
            let middle = Double(top) + 3.0 * Double(scale)
            let swatchCenter = PixelPoint(x: Double(x0 + padding) + 3.5 * Double(scale), y: middle)
            switch entry.mark {
            case .ring(let dashed):
                canvas.ring(center: swatchCenter, radius: 3 * Double(scale), thickness: scale,
                            dashed: dashed, entry.color)
            case .line:
                canvas.line(from: PixelPoint(x: swatchCenter.x - 3 * Double(scale), y: middle),
                            to: PixelPoint(x: swatchCenter.x + 3 * Double(scale), y: middle),
                            thickness: scale, entry.color)
            }
            canvas.text(entry.label, x: x0 + padding + 10 * scale, y: top, scale: scale, OverlayPalette.legendText)
        }
    }
}
