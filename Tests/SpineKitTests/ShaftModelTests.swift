import Foundation
import Testing
@testable import SpineKit

@Suite("Shaft model")
struct ShaftModelTests {
    /// A horizontal shaft (Gaussian profile, peak 1000, sigma 4 px) along y = 40 of a
    /// 160 x 80 image with noise of deviation 10, and in its first stretch (x 5-42) heads
    /// (radius 3 px, height 600) 11 px from the centre line: a touching row of six above
    /// and one below, so that most pixels at that distance in the stretch are head.
    private func crowdedShaft() -> (GrayImage, [ShaftTracer.Path], heads: [PixelPoint]) {
        var rng = TestRNG(seed: 11)
        let w = 160, h = 80
        let heads = stride(from: 8.0, through: 38, by: 6).map { PixelPoint(x: $0, y: 29) } + [PixelPoint(x: 20, y: 51)]
        var image = GrayImage(width: w, height: h, repeating: 0)
        for y in 0..<h {
            for x in 0..<w {
                let d = Double(y) - 40
                var v = 1000 * exp(-d * d / 32)
                for c in heads where (Double(x) - c.x) * (Double(x) - c.x) + (Double(y) - c.y) * (Double(y) - c.y) <= 9 {
                    v += 600
                }
                image[x: x, y: y] = Float(v + 10 * rng.gaussian())
            }
        }
        let points = (5...155).map { PixelPoint(x: Double($0), y: 40) }
        let path = ShaftTracer.Path(pixels: points.map { Int($0.y) * w + Int($0.x) }, points: points,
                                    lengthPixels: ShaftTracer.arcLength(points))
        return (image, [path], heads)
    }

    private func model(_ image: GrayImage, _ paths: [ShaftTracer.Path], cap: Float) -> ShaftModel {
        ShaftModel.build(smoothed: image, paths: paths,
                         settings: .init(segmentPixels: 36, reachPixels: 30, binPixels: 0.5, profileQuantile: 0.3,
                                         quantileOffsetSigmas: 0.5244, globalNoise: 10, spreadCapFactor: cap))
    }

    /// The model's nearest centreline point of every pixel, read from the band or searched
    /// beyond it, is the one the whole-image transform gives: of equally near centreline
    /// pixels the leftmost, then the upper, and a pixel on two paths the later path's point.
    @Test func nearestPointMatchesTheWholeImageTransform() {
        let (image, paths, _) = crowdedShaft()
        let w = image.width
        // A second path crossing the first (sharing a pixel with it) and ending inside the image.
        let points = (20...70).map { PixelPoint(x: Double($0) + 0.3 * Foundation.sin(Double($0)), y: Double($0) - 5) }
        let crossing = ShaftTracer.Path(pixels: points.map { Int($0.y.rounded()) * w + Int($0.x.rounded()) },
                                        points: points, lengthPixels: ShaftTracer.arcLength(points))
        let model = ShaftModel.build(smoothed: image, paths: paths + [crossing],
                                     settings: .init(segmentPixels: 12, reachPixels: 6, binPixels: 0.5, profileQuantile: 0.3,
                                                     quantileOffsetSigmas: 0.5244, globalNoise: 10))
        var resolved = model
        resolved.resolveNearestEverywhere()
        let everywhere = resolved.nearestEverywhere ?? []
        #expect(everywhere.count == image.count)
        #expect(model.band.pixelCount < image.count)
        var wrong = 0
        for i in 0..<image.count where model.nearestPoint(ofPixel: i) != Int(everywhere[i]) { wrong += 1 }
        #expect(wrong == 0)
    }

    /// Heads crowding one distance bin of a stretch inflate its spread: uncapped, the
    /// heads sit under 4 "noise" deviations; with the shot-noise cap they stand out by far
    /// more, while a stretch without spines keeps exactly the spread it measured.
    @Test func crowdedHeadsDoNotRaiseTheNoiseFloor() {
        let (image, paths, heads) = crowdedShaft()
        let open = model(image, paths, cap: .infinity), capped = model(image, paths, cap: 2.5)
        for head in heads {
            let i = Int(head.y) * image.width + Int(head.x)
            #expect(open.residual.pixels[i] < 4 * open.noise.pixels[i],
                    "uncapped \(open.residual.pixels[i]) / \(open.noise.pixels[i])")
            #expect(capped.residual.pixels[i] > 6 * capped.noise.pixels[i],
                    "capped \(capped.residual.pixels[i]) / \(capped.noise.pixels[i])")
            // The cap never goes below the background noise.
            #expect(capped.noise.pixels[i] >= 10)
        }
        // In the stretches beside it (x 43-117; the last stretch also holds the oblique
        // pixels beyond the path's end) nothing was capped.
        for x in stride(from: 45, through: 115, by: 5) {
            for y in [28, 34, 40, 46, 52] {
                let i = y * image.width + x
                #expect(capped.noise.pixels[i] == open.noise.pixels[i], "x \(x) y \(y)")
            }
        }
    }

    /// The detector's tests taken during the model's last pass (`SpineDetector.Marks`) give
    /// the spines its own pass over the band gives: the same pixels and peaks, in order.
    @Test func marksTakenByTheModelMatchTheDetectorsPass() {
        let (image, paths, _) = crowdedShaft()
        let settings = ShaftModel.Settings(segmentPixels: 36, reachPixels: 30, binPixels: 0.5, profileQuantile: 0.3,
                                           quantileOffsetSigmas: 0.5244, globalNoise: 10, spreadCapFactor: 2.5)
        let detection = SpineDetector.Settings(seedSNR: 5, maskSNR: 2.5, seedFraction: 0.05, maskFraction: 0.02,
                                               prominenceSNR: 3, prominenceFraction: 0.2,
                                               innerRadiusFraction: 0.75, reachPixels: 25)
        var marks = SpineDetector.Marks(settings: detection)
        let marked = ShaftModel.build(smoothed: image, paths: paths, settings: settings, visitor: &marks)
        let plain = ShaftModel.build(smoothed: image, paths: paths, settings: settings)
        #expect(marked.residual == plain.residual && marked.noise == plain.noise)
        let a = SpineDetector.detect(model: marked, settings: detection, marks: marks)
        let b = SpineDetector.detect(model: plain, settings: detection)
        #expect(a.count >= 7)
        #expect(a.map(\.pixels) == b.map(\.pixels))
        #expect(a.map(\.peak) == b.map(\.peak))
    }

    /// A model built on a geometry shared with another image of the paths (a noisy image's
    /// wider smoothing, with its own noise) is the model built from scratch, bit for bit.
    @Test func sharedGeometryGivesTheSameModel() {
        let (image, paths, _) = crowdedShaft()
        let wider = image.gaussianBlurred(sigma: 1.5)
        let settings = ShaftModel.Settings(segmentPixels: 36, reachPixels: 30, binPixels: 0.5, profileQuantile: 0.3,
                                           quantileOffsetSigmas: 0.5244, globalNoise: 10, spreadCapFactor: 2.5)
        var widerSettings = settings
        widerSettings.globalNoise = 6
        let geometry = ShaftModel.Geometry(width: image.width, height: image.height, paths: paths, settings: settings)
        for (picture, s) in [(wider, widerSettings), (image, settings)] {
            let shared = ShaftModel.build(smoothed: picture, geometry: geometry, settings: s)
            let own = ShaftModel.build(smoothed: picture, paths: paths, settings: s)
            #expect(shared.residual == own.residual && shared.noise == own.noise)
            #expect(shared.segmentRadius == own.segmentRadius && shared.segmentPeak == own.segmentPeak)
            #expect(shared.segmentIntensityPerThickness == own.segmentIntensityPerThickness)
            #expect(shared.bandNearestPoint == own.bandNearestPoint && shared.pixelPoints == own.pixelPoints)
        }
        var otherReach = settings
        otherReach.reachPixels = 20
        #expect(!geometry.fits(width: image.width, height: image.height, settings: otherReach))
    }

    /// A model along some of an earlier model's paths (spine material removed), with the band,
    /// nearest points and levels carried over from the earlier one, is the model built from
    /// scratch, bit for bit: residual, noise, profiles, marks, and every pixel's nearest point.
    @Test func modelAfterAnEarlierOneIsTheModelFromScratch() {
        let (image, paths, _) = crowdedShaft()
        let w = image.width
        func path(_ points: [PixelPoint]) -> ShaftTracer.Path {
            ShaftTracer.Path(pixels: points.map { Int($0.y.rounded()) * w + Int($0.x.rounded()) }, points: points,
                             lengthPixels: ShaftTracer.arcLength(points))
        }
        // The row of heads above the shaft traced as a piece of its own, and a process crossing
        // the shaft (sharing a pixel with it) that ends inside the image.
        let piece = path((8...38).map { PixelPoint(x: Double($0), y: 29 + 0.2 * Foundation.sin(Double($0))) })
        let crossing = path((60...110).map { PixelPoint(x: Double($0) + 0.3 * Foundation.sin(Double($0)), y: Double($0) - 55) })
        let all = [paths[0], piece, crossing]
        let settings = ShaftModel.Settings(segmentPixels: 12, reachPixels: 14, binPixels: 0.5, profileQuantile: 0.3,
                                           quantileOffsetSigmas: 0.5244, globalNoise: 10, spreadCapFactor: 2.5)
        let detection = SpineDetector.Settings(seedSNR: 5, maskSNR: 2.5, seedFraction: 0.05, maskFraction: 0.02,
                                               prominenceSNR: 3, prominenceFraction: 0.2,
                                               innerRadiusFraction: 0.75, reachPixels: 12)
        let first = ShaftModel.build(smoothed: image, paths: all, settings: settings)
        for kept in [[0, 2], [0], [2], [1, 2], [0, 1, 2]] {
            let earlier = ShaftModel.Earlier(model: first, keptPaths: kept)
            let remaining = kept.map { all[$0] }
            let geometry = ShaftModel.Geometry(width: w, height: image.height, paths: remaining, settings: settings,
                                               earlier: earlier)
            #expect(geometry.earlierProfiles != nil, "kept \(kept)")
            var carriedMarks = SpineDetector.Marks(settings: detection), freshMarks = SpineDetector.Marks(settings: detection)
            let carried = ShaftModel.build(smoothed: image, geometry: geometry, settings: settings,
                                           reusingEarlierProfiles: true, visitor: &carriedMarks)
            let fresh = ShaftModel.build(smoothed: image, paths: remaining, settings: settings, visitor: &freshMarks)
            #expect(carried.residual == fresh.residual && carried.noise == fresh.noise, "kept \(kept)")
            #expect(carried.segmentRadius == fresh.segmentRadius && carried.segmentPeak == fresh.segmentPeak)
            #expect(carried.segmentIntensityPerThickness == fresh.segmentIntensityPerThickness)
            #expect(carried.measuredLevel == fresh.measuredLevel && carried.measuredSpread == fresh.measuredSpread)
            #expect(carriedMarks.weakPixels == freshMarks.weakPixels && carriedMarks.isStrong == freshMarks.isStrong)
            var wrong = 0
            for i in 0..<image.count where carried.nearestPoint(ofPixel: i) != fresh.nearestPoint(ofPixel: i) { wrong += 1 }
            #expect(wrong == 0, "kept \(kept)")
        }
        // Only the stretches beside the removed piece are measured again.
        let geometry = ShaftModel.Geometry(width: w, height: image.height, paths: [paths[0], crossing], settings: settings,
                                           earlier: ShaftModel.Earlier(model: first, keptPaths: [0, 2]))
        let segments = geometry.earlierProfiles?.segment ?? []
        #expect(segments.contains(-1) && segments.filter { $0 >= 0 }.count > segments.count / 2)
        // Another image size or other lengths: made afresh.
        var otherSegments = settings
        otherSegments.segmentPixels = 10
        #expect(ShaftModel.Geometry(width: w, height: image.height, paths: [paths[0]], settings: otherSegments,
                                    earlier: ShaftModel.Earlier(model: first, keptPaths: [0])).earlierProfiles == nil)
    }

    /// An image whose background was removed (most pixels one value) has no shot-noise
    /// floor, so the cap is not applied: the analysis is the same with and without it.
    @Test func backgroundRemovedImagesAreNotCapped() throws {
        let item = try #require(SyntheticDataset.single(settings: SynthesisSettings.standard.withPixelSize(0.08, widthPixels: 384),
                                                        count: 1, seed: 5).first)
        let rendered = item.render()
        var image = rendered.pixels.mapped { Float($0) }
        var sorted = image.pixels
        sorted.sort()
        let floor = sorted[Int(Double(sorted.count) * 0.93)]
        for i in 0..<image.count where image.pixels[i] < floor { image.pixels[i] = 0 }
        var capped = AnalysisParameters(), open = AnalysisParameters()
        capped.shaftSpreadCapFactor = 2.5
        open.shaftSpreadCapFactor = 1e9
        let a = SpineAnalysis.analyze(image, micronsPerPixel: rendered.micronsPerPixel, parameters: capped)
        let b = SpineAnalysis.analyze(image, micronsPerPixel: rendered.micronsPerPixel, parameters: open)
        #expect(!a.spines.isEmpty)
        #expect(a.spines.map(\.head) == b.spines.map(\.head))
        #expect(a.spines.map(\.lengthMicrons) == b.spines.map(\.lengthMicrons))
    }
}

@Suite("Wide-shaft distances")
struct WideDistanceTests {
    /// Searched at one pixel, the nearest wide-shaft centreline pixel, its path and its
    /// distance are those of the whole-image transform (a pixel on two paths belonging to
    /// the later one), at every pixel.
    @Test(arguments: [UInt64(3), 8])
    func searchMatchesTheWholeImageTransform(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        let w = 97, h = 71
        var centerline: [(pixel: Int, path: Int)] = []
        var mask = BinaryMask(width: w, height: h, repeating: false)
        var pathOfPixel = [Int](repeating: -1, count: w * h)
        for path in 0..<3 {
            // Wandering paths; the second starts on the first, so they share pixels.
            var x = path == 1 ? centerline[20].pixel % w : rng.index(below: w)
            var y = path == 1 ? centerline[20].pixel / w : rng.index(below: h)
            for _ in 0..<120 {
                x = Swift.min(w - 1, Swift.max(0, x + rng.index(below: 3) - 1))
                y = Swift.min(h - 1, Swift.max(0, y + rng.index(below: 3) - 1))
                centerline.append((y * w + x, path))
                mask.pixels[y * w + x] = true
                pathOfPixel[y * w + x] = path
            }
        }
        let map = mask.distanceToForeground()
        let wide = ShaftCensus.WideDistances(centerline: centerline, width: w, map: nil, radiusPixels: [1, 2, 3])
        var wrong = 0
        for i in 0..<(w * h) {
            guard let found = wide.nearest(i) else {
                wrong += 1
                continue
            }
            let c = Int(map.nearest.pixels[i])
            if found.path != pathOfPixel[c] || found.squaredDistance != map.squaredDistance.pixels[i]
                || wide.distance(i) != Double(map.squaredDistance.pixels[i]).squareRoot() {
                wrong += 1
            }
        }
        #expect(wrong == 0)
        #expect(ShaftCensus.WideDistances(centerline: [], width: w, map: nil, radiusPixels: []).nearest(5) == nil)
    }
}

@Suite("Blob splitting")
struct BlobSplittingTests {
    /// A pixel in the image's last column is not a neighbour of the first pixel of the next
    /// row: a blob at the right edge and one at the left edge a row below stay apart, so no
    /// prominence is measured across the wrap and neither steals the other's pixels.
    @Test func blobsDoNotWrapFromOneRowsEndToTheNext() {
        let w = 10, h = 4
        var residual = GrayImage(width: w, height: h, repeating: 0)
        residual[x: 0, y: 2] = 10   // peak at the left edge
        residual[x: 8, y: 1] = 9    // peak at the right edge, one row up
        residual[x: 9, y: 1] = 4    // its dimmer neighbour in the last column
        let noise = GrayImage(width: w, height: h, repeating: 1)
        let settings = SpineDetector.Settings(seedSNR: 4, maskSNR: 1.5, seedFraction: 0.08, maskFraction: 0.04,
                                              prominenceSNR: 3, prominenceFraction: 0.1,
                                              innerRadiusFraction: 0.75, reachPixels: 10)
        let right = [1 * w + 8, 1 * w + 9]
        let parts = SpineDetector.split(right + [2 * w + 0], residual: residual, noise: noise, width: w,
                                        settings: settings)
        // Read across the wrap, (9, 1) would join the left peak and split the right one off
        // as a second spine of the same blob.
        #expect(parts.count == 1)
        #expect(SpineDetector.split(right, residual: residual, noise: noise, width: w, settings: settings).count == 1)
    }
}
