import Foundation
import Testing
@testable import SpineKit

// The imaged area inside crop padding, and the counting frame inset from it.

/// A blurred bright bar crossing a noisy background of 10 grey levels: what a crop of a
/// dendrite looks like before any padding.
private func barImage(width: Int = 80, height: Int = 60, seed: UInt64 = 3) -> GrayImage {
    var rng = TestRNG(seed: seed)
    var image = GrayImage(width: width, height: height, repeating: 0)
    for y in 0..<height {
        for x in 0..<width {
            // Distance from the line x = 0.8 y + 20, Gaussian profile of sigma 3 px.
            let d = (Double(x) - 0.8 * Double(y) - 20) / (1 + 0.64).squareRoot()
            let v = 10 + 150 * Foundation.exp(-d * d / 18) + rng.gaussian()
            image[x: x, y: y] = Float(v)
        }
    }
    return image
}

/// Sets the given rows and columns to padding: zero with the small ringing a JPEG leaves.
private func padded(_ image: GrayImage, rows: [Int], columns: [Int], seed: UInt64 = 5) -> GrayImage {
    var rng = TestRNG(seed: seed)
    var out = image
    for y in 0..<image.height {
        for x in 0..<image.width where rows.contains(y) || columns.contains(x) {
            out[x: x, y: y] = Float(rng.index(below: 3))
        }
    }
    return out
}

@Suite struct ImagedAreaTests {
    /// The minimum in eight lanes is the minimum of one pass (NaNs passed over), for every
    /// length around a multiple of eight.
    @Test func laneMinimumMatchesOnePass() {
        var rng = TestRNG(seed: 17)
        for n in [0, 1, 7, 8, 9, 23, 64, 1001] {
            var values = (0..<n).map { _ in Float(rng.unit() * 1000 - 200) }
            if n > 3 { values[n / 2] = .nan }
            let expected = values.reduce(Float.infinity) { Swift.min($0, $1) }
            #expect(values.withUnsafeBufferPointer { ImagedArea.minimum(of: $0) } == expected, "\(n) values")
        }
    }

    @Test func paddingStripsAreCutOffOnEachSide() {
        let image = padded(barImage(), rows: [0, 1, 2, 3, 57, 58, 59], columns: [0, 1, 2, 3, 4, 5, 78, 79])
        let area = ImagedArea(of: image, darkLevel: 3, stepRatio: 2)
        #expect(area == ImagedArea(minX: 6, minY: 4, maxX: 77, maxY: 56))
    }

    @Test func anUnpaddedImageIsImagedEverywhere() {
        let image = barImage()
        #expect(ImagedArea(of: image, darkLevel: 3, stepRatio: 2) == ImagedArea(width: 80, height: 60))
    }

    @Test func aDarkMarginThatBrightensGraduallyIsImagedArea() {
        // Real background rising smoothly from black at the top edge, as blurred optics give
        // it: the first rows are dark, but no row-to-row step is a cut.
        var image = GrayImage(width: 50, height: 40, repeating: 0)
        for y in 0..<40 {
            let v = 100 * (1 - Foundation.exp(-Double(y * y) / 36))
            for x in 0..<50 { image[x: x, y: y] = Float(v) }
        }
        #expect(ImagedArea(of: image, darkLevel: 5, stepRatio: 2).minY == 0)
    }

    @Test func paddingCoveringMostOfAnEdgeIsNotTakenForPadding() {
        // A dark strip wider than a third of the image is content (background), not padding.
        let rows = Array(0..<25)
        let image = padded(barImage(), rows: rows, columns: [])
        #expect(ImagedArea(of: image, darkLevel: 3, stepRatio: 2).minY == 0)
    }

    @Test func theCountingFrameIsInsetFromThePaddingsInnerEdge() {
        let area = ImagedArea(minX: 6, minY: 4, maxX: 77, maxY: 56)
        let frame = CountingFrame(area: area, marginPixels: 5)
        #expect(!frame.contains(PixelPoint(x: 40, y: 8)))
        #expect(frame.contains(PixelPoint(x: 40, y: 9)))
        #expect(!frame.contains(PixelPoint(x: 10, y: 30)))
        #expect(frame.contains(PixelPoint(x: 11, y: 30)))
        #expect(frame.contains(PixelPoint(x: 72, y: 51)))
        #expect(!frame.contains(PixelPoint(x: 73, y: 52)))
        // Shaft length is measured over the same frame.
        let shaft = [PixelPoint(x: 40, y: 0), PixelPoint(x: 40, y: 30), PixelPoint(x: 40, y: 59)]
        #expect(frame.lengthInside(shaft) == 0)
        let inside = [PixelPoint(x: 40, y: 10), PixelPoint(x: 40, y: 30), PixelPoint(x: 40, y: 50)]
        #expect(frame.lengthInside(inside) == 40)
    }
}
