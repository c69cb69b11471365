import Foundation
import Testing
@testable import SpineKit

@Suite("Spine measurer")
struct MeasurerTests {
    /// A horizontal shaft (Gaussian profile, peak 1000, sigma 4 px) along y = 40 of a
    /// 160 x 80 image with noise of deviation 10, and bright streaks drawn on it, each a
    /// candidate from its first point to its last (the head).
    private func shaft(with streaks: [[PixelPoint]]) -> (ShaftModel, [SpineDetector.Candidate]) {
        var rng = TestRNG(seed: 5)
        let w = 160, h = 80
        var image = GrayImage(width: w, height: h, repeating: 0)
        var added = [Float](repeating: 0, count: w * h)
        for streak in streaks {
            for (k, a) in streak.enumerated() {
                // The far end is the head: a disc brighter than the neck leading to it.
                let radius = k == streak.count - 1 ? 2.0 : 1.0, height: Float = k == streak.count - 1 ? 900 : 500
                for y in 0..<h {
                    for x in 0..<w where (Double(x) - a.x) * (Double(x) - a.x) + (Double(y) - a.y) * (Double(y) - a.y) <= radius * radius {
                        added[y * w + x] = Swift.max(added[y * w + x], height)
                    }
                }
            }
        }
        for y in 0..<h {
            for x in 0..<w {
                let d = Double(y) - 40
                image[x: x, y: y] = Float(1000 * exp(-d * d / 32) + 10 * rng.gaussian()) + added[y * w + x]
            }
        }
        let points = (5...155).map { PixelPoint(x: Double($0), y: 40) }
        let path = ShaftTracer.Path(pixels: points.map { Int($0.y) * w + Int($0.x) }, points: points,
                                    lengthPixels: ShaftTracer.arcLength(points))
        let model = ShaftModel.build(smoothed: image, paths: [path],
                                     settings: .init(segmentPixels: 36, reachPixels: 30, binPixels: 0.5, profileQuantile: 0.3,
                                                     quantileOffsetSigmas: 0.5244, globalNoise: 10))
        // Each streak's candidate: its drawn pixels, peaking at the head.
        var owner = [Int](repeating: -1, count: w * h)
        for (s, streak) in streaks.enumerated() {
            for a in streak {
                for y in Int(a.y) - 2...Int(a.y) + 2 {
                    for x in Int(a.x) - 2...Int(a.x) + 2 where added[y * w + x] > 0 { owner[y * w + x] = s }
                }
            }
        }
        let candidates = streaks.enumerated().map { s, streak in
            SpineDetector.Candidate(pixels: owner.indices.filter { owner[$0] == s },
                                    peak: Int(streak.last!.y) * w + Int(streak.last!.x))
        }
        return (model, candidates)
    }

    private func measurer(_ model: ShaftModel, clearance: Double) -> SpineMeasurer {
        SpineMeasurer(model: model, settings: .init(blurSigmaPixels: 1.5, neckMarginPixels: 1.5, maximumHalfWidthPixels: 10,
                                                    headPeakFraction: 0.4, headWindowPixels: 2, coreFraction: 0.2,
                                                    endContinuationCosine: 1.1, headClearanceShaftRadii: clearance))
    }

    /// A bright streak running along inside the shaft from its centre line ends in a "head"
    /// far from where it starts but within the shaft's radius of the centre line beside it:
    /// measured from its base it would pass as a spine; measured from its own nearest
    /// centreline point it lies inside the shaft. A spine leaving the shaft is kept.
    @Test func aHeadInsideTheShaftIsNoSpine() throws {
        let inside = (0...8).map { PixelPoint(x: 60 + Double($0), y: 40 - 0.45 * Double($0)) }
        let outside = (0...6).map { PixelPoint(x: 110, y: 44 + 2 * Double($0)) }
        let (model, candidates) = shaft(with: [inside, outside])
        let radius = try #require(model.shaft(atPixel: 40 * 160 + 68)).radius
        #expect(radius > 4.2, "the streak's head should lie inside the shaft (radius \(radius) px)")

        let checked = measurer(model, clearance: 1), unchecked = measurer(model, clearance: 0)
        #expect(checked.measure(candidates[0], index: 0) == nil, "a head inside the shaft was measured as a spine")
        #expect(unchecked.measure(candidates[0], index: 0) != nil,
                "the streak is the case the clearance exists for: without it, it passes as a spine")
        let spine = try #require(checked.measure(candidates[1], index: 1))
        #expect(abs(spine.head.y - 56) < 1.5, "the spine leaving the shaft has its head at y \(spine.head.y), drawn at 56")
    }
}
