import Foundation
import Testing
@testable import SpineKit

/// The synthetic renderer is the project's ground truth, so its geometry, optics and
/// truth tables are checked against closed-form expectations here.
@Suite("Synthesis")
struct SynthesisTests {
    /// A small, fast image: 192 px at 0.08 um/px (15 um), one dendrite, fixed density.
    static func smallSettings(density: Double = 1.0, size: Int = 192) -> SynthesisSettings {
        var s = SynthesisSettings.standard
        s.widthPixels = size
        s.heightPixels = size
        s.dendritesPerImage = 1...1
        s.axonsPerImage = 0...0
        s.spineDensityPerMicron = density...density
        return s
    }

    /// Optics with no background, offset or noise, so counts = photons x thickness.
    static func exactOptics(micronsPerPixel: Double, psfSigmaMicrons: Double, bitDepth: Int = 16,
                            supersampling: Int = 8) -> SynthesisOptics {
        SynthesisOptics(micronsPerPixel: micronsPerPixel, bitDepth: bitDepth, psfSigmaMicrons: psfSigmaMicrons,
                        photonsPerMicron: 1000, photonNoise: false, supersampling: supersampling)
    }

    /// A horizontal straight shaft across a `size`-pixel scene at height `yPixels`.
    static func horizontalShaftScene(size: Int, micronsPerPixel p: Double, yPixels: Double,
                                     radiusMicrons: Double) -> SyntheticScene {
        let shaft = SyntheticShaft.straight(from: MicronPoint(x: -3, y: yPixels * p),
                                            to: MicronPoint(x: Double(size) * p + 3, y: yPixels * p),
                                            radiusMicrons: radiusMicrons)
        return SyntheticScene(widthPixels: size, heightPixels: size, micronsPerPixel: p, shafts: [shaft])
    }

    /// Sum, mean and variance (pixels²) of column `x` of `image`, weighted by its values.
    static func columnMoments(_ image: GrayImage, x: Int) -> (sum: Double, mean: Double, variance: Double) {
        var sum = 0.0, first = 0.0, second = 0.0
        for y in 0..<image.height {
            let v = Double(image[x: x, y: y])
            sum += v
            first += v * Double(y)
            second += v * Double(y) * Double(y)
        }
        let mean = first / sum
        return (sum, mean, second / sum - mean * mean)
    }

    // MARK: Determinism

    @Test func sameSeedGivesTheSameImageAndTruth() {
        let settings = Self.smallSettings(size: 128)
        let a = SpineSynthesizer.render(settings: settings, seed: 42)
        let b = SpineSynthesizer.render(settings: settings, seed: 42)
        #expect(a.pixels == b.pixels)
        #expect(a.spines == b.spines)
        #expect(a.shaftLengthMicrons == b.shaftLengthMicrons)
        let c = SpineSynthesizer.render(settings: settings, seed: 43)
        #expect(c.pixels != a.pixels)
    }

    @Test func sameSeedGivesTheSameBeforeAfterSets() {
        let settings = Self.smallSettings(size: 96)
        let first = SyntheticDataset.beforeAfter(settings: settings, count: 2, seed: 9)
        let second = SyntheticDataset.beforeAfter(settings: settings, count: 2, seed: 9)
        #expect(first == second)
        #expect(first.map(\.fileName) == ["before_000.png", "before_001.png", "after_000.png", "after_001.png"])
        #expect(Set(first.map(\.seed)).count == 4)
        #expect(first[0].render().spines == second[0].render().spines)
    }

    // MARK: Geometry and truth

    /// Every shaft gets round(density x its length) spines when there is room, and the
    /// spines seen on the image match density x the shaft length seen, within three
    /// Poisson standard deviations (where a shaft crosses the border is random).
    @Test func spineCountFollowsDensityTimesLength() {
        let sparse = SpineSynthesizer.scene(settings: Self.smallSettings(density: 0.5, size: 256), seed: 1).scene
        let asked = sparse.shafts.reduce(0) { $0 + Int((0.5 * $1.lengthMicrons).rounded()) }
        #expect(sparse.spines.count == asked)
        for density in [1.0, 1.5] {
            var spines = 0, length = 0.0
            for seed in 1...12 as ClosedRange<UInt64> {
                let scene = SpineSynthesizer.scene(settings: Self.smallSettings(density: density, size: 384),
                                                   seed: seed).scene
                spines += scene.visibleSpines.count
                length += scene.dendriteLengthMicrons
            }
            let expected = density * length
            #expect(length > 250, "twelve 30 um fields should hold over 250 um of dendrite, got \(length)")
            #expect(abs(Double(spines) - expected) <= 3 * expected.squareRoot(),
                    "density \(density): \(spines) spines on \(length) um, expected about \(expected)")
        }
    }

    @Test func headCentroidIsAtTheStatedHeadPixel() throws {
        let p = 0.08
        var scene = Self.horizontalShaftScene(size: 96, micronsPerPixel: p, yPixels: 30.37, radiusMicrons: 0.4)
        let spec = SpineSpec(spineClass: .mushroom, lengthMicrons: 1.7, headDiameterMicrons: 0.8,
                             neckDiameterMicrons: 0.12, tiltDegrees: 17, bendDegrees: 10)
        let spine = try #require(scene.shafts[0].spine(spec, atArcMicrons: 6.123, side: .right))
        let withoutSpine = SpineSynthesizer.projectedThickness(scene: scene, supersampling: 8)
        scene.spines = [spine]
        let withSpine = SpineSynthesizer.projectedThickness(scene: scene, supersampling: 8)
        let optics = Self.exactOptics(micronsPerPixel: p, psfSigmaMicrons: 0.1)
        let rendered = SpineSynthesizer.render(scene: scene, optics: optics, seed: 1)
        let truth = try #require(rendered.spines.first)
        #expect(rendered.spines.count == 1)
        // Not on a pixel centre, so a half-pixel convention error cannot hide.
        #expect(abs(truth.head.x - truth.head.x.rounded()) > 0.05 || abs(truth.head.y - truth.head.y.rounded()) > 0.05)

        // The spine alone (its part outside the shaft), weighted, around the stated head.
        let windowPixels = (0.4 + 0.1) / p + 1
        var sum = 0.0, sx = 0.0, sy = 0.0
        for y in 0..<96 {
            for x in 0..<96 {
                let dx = Double(x) - truth.head.x, dy = Double(y) - truth.head.y
                guard dx * dx + dy * dy <= windowPixels * windowPixels else { continue }
                let v = Double(withSpine[x: x, y: y] - withoutSpine[x: x, y: y])
                sum += v
                sx += v * Double(x)
                sy += v * Double(y)
            }
        }
        #expect(abs(sx / sum - truth.head.x) < 0.1, "centroid x \(sx / sum) vs head \(truth.head.x)")
        #expect(abs(sy / sum - truth.head.y) < 0.1, "centroid y \(sy / sum) vs head \(truth.head.y)")

        // The same through the PSF, on the final counts.
        let blurred = SpineSynthesizer.expectedCounts(scene: scene, optics: optics, seed: 1)
        scene.spines = []
        let blurredShaft = SpineSynthesizer.expectedCounts(scene: scene, optics: optics, seed: 1)
        sum = 0; sx = 0; sy = 0
        let blurWindow = windowPixels + 0.3 / p
        for y in 0..<96 {
            for x in 0..<96 {
                let dx = Double(x) - truth.head.x, dy = Double(y) - truth.head.y
                guard dx * dx + dy * dy <= blurWindow * blurWindow else { continue }
                let v = Double(blurred[x: x, y: y] - blurredShaft[x: x, y: y])
                sum += v
                sx += v * Double(x)
                sy += v * Double(y)
            }
        }
        #expect(abs(sx / sum - truth.head.x) < 0.25, "blurred centroid x \(sx / sum) vs head \(truth.head.x)")
        #expect(abs(sy / sum - truth.head.y) < 0.25, "blurred centroid y \(sy / sum) vs head \(truth.head.y)")
    }

    @Test func baseLiesOnTheShaftOutlineAndLengthRunsAlongTheSpine() throws {
        let scene = SpineSynthesizer.scene(settings: Self.smallSettings(density: 1.5, size: 192), seed: 5).scene
        #expect(!scene.spines.isEmpty)
        for spine in scene.spines {
            let shaft = scene.shafts[spine.shaftIndex]
            #expect(shaft.thickness(at: spine.base) < 1e-3, "base should be on the outline")
            let inward = spine.base + (spine.base - spine.tip).normalized * 0.02
            #expect(shaft.thickness(at: inward) > 0, "a step back from the base should be inside the shaft")
            let chord = spine.tip.distance(to: spine.base)
            #expect(chord <= spine.lengthMicrons + 1e-9)
            if spine.spec.bendDegrees == 0 { #expect(abs(chord - spine.lengthMicrons) < 1e-9) }
            #expect(chord > 0.9 * spine.lengthMicrons, "25 degrees of bend shortens the chord by under 10 %")
        }
    }

    @Test func spineSizesStayInsideTheClassRanges() {
        let settings = Self.smallSettings(density: 1.5, size: 256)
        let m = settings.morphology
        var seen = Set<SpineClass>()
        for seed in 1...4 as ClosedRange<UInt64> {
            for spine in SpineSynthesizer.scene(settings: settings, seed: seed).scene.spines {
                seen.insert(spine.spineClass)
                let tolerance = 1e-6
                switch spine.spineClass {
                case .mushroom:
                    #expect(m.mushroomLengthMicrons.contains(spine.lengthMicrons))
                    #expect(m.mushroomHeadDiameterMicrons.contains(spine.headDiameterMicrons))
                    #expect(m.mushroomNeckDiameterMicrons.contains(spine.neckDiameterMicrons))
                case .thin:
                    #expect(m.thinLengthMicrons.contains(spine.lengthMicrons))
                    #expect(m.thinHeadDiameterMicrons.contains(spine.headDiameterMicrons))
                    #expect(m.thinNeckDiameterMicrons.contains(spine.neckDiameterMicrons))
                case .stubby:
                    #expect(m.stubbyLengthMicrons.contains(spine.lengthMicrons))
                    #expect(spine.headDiameterMicrons <= m.stubbyWidthMicrons.upperBound + tolerance)
                    #expect(spine.neckDiameterMicrons <= spine.headDiameterMicrons + tolerance)
                    #expect(spine.lengthMicrons <= spine.spec.headDiameterMicrons + tolerance,
                            "stubby spines are no longer than wide")
                }
                #expect(spine.headDiameterMicrons > spine.neckDiameterMicrons || spine.spineClass == .stubby)
            }
        }
        #expect(seen == Set(SpineClass.allCases))
    }

    /// Every spine's drawn pixels, sampled every 0.04 um, belong to no other spine and no
    /// other shaft: an independent check of the placement's overlap rejection.
    @Test func spinesOverlapNeitherEachOtherNorForeignShafts() {
        var settings = Self.smallSettings(density: 2.0, size: 160)
        settings.dendritesPerImage = 2...2
        settings.axonsPerImage = 1...1
        let scene = SpineSynthesizer.scene(settings: settings, seed: 11).scene
        #expect(scene.spines.count > 20)
        let step = 0.04
        var owner: [Int64: Int] = [:]
        for (index, spine) in scene.spines.enumerated() {
            let ownShaft = scene.shafts[spine.shaftIndex]
            let boxes = spine.primitives.map(\.bounds)
            let minX = boxes.map(\.minX).min()!, maxX = boxes.map(\.maxX).max()!
            let minY = boxes.map(\.minY).min()!, maxY = boxes.map(\.maxY).max()!
            var gy = (minY / step).rounded(.down)
            while gy * step <= maxY {
                var gx = (minX / step).rounded(.down)
                while gx * step <= maxX {
                    let point = MicronPoint(x: gx * step, y: gy * step)
                    if spine.primitives.contains(where: { $0.thickness(x: point.x, y: point.y) > 0 })
                        && ownShaft.thickness(at: point) == 0 {
                        let key = Int64(gx) * 1_000_003 + Int64(gy)
                        if let other = owner[key], other != index {
                            Issue.record("spines \(other) and \(index) overlap at \(point)")
                            return
                        }
                        owner[key] = index
                        for (shaftIndex, shaft) in scene.shafts.enumerated() where shaftIndex != spine.shaftIndex {
                            if shaft.thickness(at: point) > 0 {
                                Issue.record("spine \(index) overlaps shaft \(shaftIndex) at \(point)")
                                return
                            }
                        }
                    }
                    gx += 1
                }
                gy += 1
            }
        }
    }

    // MARK: Optics

    /// Unblurred, a tube's cross-section integrates to pi r², its profile has variance
    /// r²/4 (plus p²/12 from the pixel area) and a full width at half maximum of r sqrt(3).
    @Test func straightTubeHasTheRightProfile() {
        let p = 0.08, r = 0.5, yCentre = 32.37
        let scene = Self.horizontalShaftScene(size: 64, micronsPerPixel: p, yPixels: yCentre, radiusMicrons: r)
        let thickness = SpineSynthesizer.projectedThickness(scene: scene, supersampling: 8)
        let (sum, mean, variance) = Self.columnMoments(thickness, x: 30)
        #expect(abs(sum * p - Double.pi * r * r) < 0.005 * Double.pi * r * r, "cross-section \(sum * p)")
        #expect(abs(mean - yCentre) < 0.01, "centre \(mean) vs \(yCentre)")
        let expectedVariance = (r * r / 4 + p * p / 12) / (p * p)
        #expect(abs(variance - expectedVariance) < 0.02 * expectedVariance, "variance \(variance) vs \(expectedVariance)")
        // Half-maximum crossings by linear interpolation.
        let column = (0..<64).map { Double(thickness[x: 30, y: $0]) }
        let half = 0.5 * column.max()!
        var crossings: [Double] = []
        for y in 0..<63 where (column[y] - half) * (column[y + 1] - half) < 0 {
            crossings.append(Double(y) + (half - column[y]) / (column[y + 1] - column[y]))
        }
        #expect(crossings.count == 2)
        if crossings.count == 2 {
            let fwhm = (crossings[1] - crossings[0]) * p
            #expect(abs(fwhm - r * 3.0.squareRoot()) < 0.5 * p, "FWHM \(fwhm) um vs \(r * 3.0.squareRoot())")
        }
        // The peak is the diameter (pixel averaging lowers it a little).
        #expect(abs(column.max()! - 2 * r) < 0.02)
    }

    /// Through the PSF the profile's variance grows by sigma² and its integral stays. A
    /// 0.06 um tube (a thin neck) measures the PSF itself; it spans 12 subsamples.
    @Test(arguments: [(0.5, 0.15), (0.06, 0.12), (0.06, 0.2)])
    func psfSigmaIsHonoured(radiusMicrons r: Double, sigmaMicrons: Double) {
        let p = 0.08
        let scene = Self.horizontalShaftScene(size: 64, micronsPerPixel: p, yPixels: 31.8, radiusMicrons: r)
        let optics = Self.exactOptics(micronsPerPixel: p, psfSigmaMicrons: sigmaMicrons)
        let image = SpineSynthesizer.expectedCounts(scene: scene, optics: optics, seed: 3)
        let (sum, mean, variance) = Self.columnMoments(image, x: 20)
        #expect(abs(sum * p / optics.photonsPerMicron - Double.pi * r * r) < 0.01 * Double.pi * r * r)
        // Pixel areas are integrated before the discrete blur, which pulls lines narrower
        // than about two pixels slightly towards pixel centres (0.06 px here).
        #expect(abs(mean - 31.8) < (r < 0.1 ? 0.08 : 0.01))
        let measuredSigma = (variance * p * p - r * r / 4 - p * p / 12).squareRoot()
        #expect(abs(measuredSigma - sigmaMicrons) < 0.03 * sigmaMicrons,
                "measured PSF sigma \(measuredSigma) um vs \(sigmaMicrons)")
    }

    @Test func pixelSizeAndPSFReachTheRenderedImage() {
        var settings = Self.smallSettings(size: 64).withPixelSize(0.13)
        settings.psfSigmaMicrons = 0.17...0.17
        let image = SpineSynthesizer.render(settings: settings, seed: 2)
        #expect(image.micronsPerPixel == 0.13)
        #expect(image.psfSigmaMicrons == 0.17)
        #expect(image.pixels.width == 64 && image.pixels.height == 64)
        #expect(SynthesisSettings.largePixels.micronsPerPixel == 0.16)
        #expect(SynthesisSettings.smallPixels.micronsPerPixel == 0.04)
        #expect(SynthesisSettings.standard.widthPixels == 768 && SynthesisSettings.standard.micronsPerPixel == 0.08)
    }

    /// The two-photon preset is meant to look like the in-vivo examples of
    /// `shared/realdata/twophoton-examples`: a dark 8-bit field near 47 counts on which single
    /// photons (12 counts each) stand out as isolated bright pixels.
    @Test func twoPhotonPresetCountsSinglePhotonsOnADarkField() {
        var settings = SynthesisSettings.twoPhoton
        settings.widthPixels = 256
        settings.heightPixels = 256
        let image = SpineSynthesizer.render(settings: settings, seed: 3)
        #expect(image.bitDepth == 8 && image.micronsPerPixel == 0.15)
        #expect((0.2...0.28).contains(image.psfSigmaMicrons))
        let pixels = image.pixels
        let sorted = pixels.pixels.sorted()
        let median = sorted[sorted.count / 2]
        #expect((40...60).contains(median), "background median \(median)")
        // Pixels above all eight neighbours by three photons: photon shot noise at well under
        // one photon per pixel, not Gaussian noise of the same deviation.
        var isolated = 0
        for y in 1..<(pixels.height - 1) {
            for x in 1..<(pixels.width - 1) {
                var highest = 0
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        highest = max(highest, Int(pixels[x: x + dx, y: y + dy]))
                    }
                }
                if Int(pixels[x: x, y: y]) - highest >= 36 { isolated += 1 }
            }
        }
        // 473 of 262144 pixels in the preset's first image of seed 101; Gaussian noise of the
        // same deviation (13.6 counts) gives a few.
        #expect(isolated >= pixels.pixels.count / 1000, "\(isolated) isolated bright pixels")
    }

    @Test(arguments: [8, 16])
    func countsStayInsideTheBitDepth(bitDepth: Int) {
        var settings = bitDepth == 8 ? SynthesisSettings.eightBit : SynthesisSettings.standard
        settings.widthPixels = 96
        settings.heightPixels = 96
        settings.dendritesPerImage = 2...2
        // Bright enough that crossings clip.
        settings.photonsPerMicron = bitDepth == 8 ? 2000...2000 : 40000...40000
        let image = SpineSynthesizer.render(settings: settings, seed: 4)
        #expect(image.bitDepth == bitDepth)
        let limit = UInt16(bitDepth == 8 ? 255 : 65535)
        #expect(image.pixels.pixels.max()! == limit, "bright shafts should clip at \(limit)")
        #expect(image.pixels.pixels.allSatisfy { $0 <= limit })
        #expect(image.pixels.pixels.min()! < limit / 4, "background stays low")
    }

    @Test func poissonNoiseHasPoissonMoments() {
        var rng = SynthesisRNG(seed: 77)
        for mean in [0.7, 4.0, 30.0, 900.0] {
            let n = 20_000
            let samples = (0..<n).map { _ in rng.poisson(mean: mean) }
            let m = samples.reduce(0, +) / Double(n)
            let v = samples.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
            #expect(abs(m - mean) < 4 * (mean / Double(n)).squareRoot(), "mean \(m) for \(mean)")
            #expect(abs(v / mean - 1) < 0.05, "variance \(v) for \(mean)")
            #expect(samples.allSatisfy { $0 >= 0 && $0 == $0.rounded() })
        }
    }

    // MARK: Groups and tables

    @Test func afterGroupHasTheTreatmentEffect() {
        let settings = Self.smallSettings(density: 1.0, size: 384)
        let effect = TreatmentEffect(densityChangePercent: 50,
                                     afterClassMix: SpineClassMix(mushroom: 0.7, thin: 0.2, stubby: 0.1))
        let items = SyntheticDataset.beforeAfter(settings: settings, effect: effect, count: 10, seed: 21)
        var spines: [String: Int] = [:], mushrooms: [String: Int] = [:], length: [String: Double] = [:]
        for item in items {
            let scene = item.scene()
            spines[item.group, default: 0] += scene.visibleSpines.count
            mushrooms[item.group, default: 0] += scene.visibleSpines.filter { $0.spineClass == .mushroom }.count
            length[item.group, default: 0] += scene.dendriteLengthMicrons
        }
        let before = Double(spines["before"]!) / length["before"]!
        let after = Double(spines["after"]!) / length["after"]!
        // About 350 spines a group: the ratio's standard deviation is about 0.08.
        #expect(abs(after / before - 1.5) < 0.2, "density before \(before), after \(after)")
        let mushroomBefore = Double(mushrooms["before"]!) / Double(spines["before"]!)
        let mushroomAfter = Double(mushrooms["after"]!) / Double(spines["after"]!)
        #expect(mushroomAfter > mushroomBefore + 0.2, "mushroom share \(mushroomBefore) -> \(mushroomAfter)")
    }

    @Test func truthTablesHaveTheContractColumns() throws {
        let image = SpineSynthesizer.render(settings: Self.smallSettings(size: 128), seed: 8)
        let rows = SyntheticDataset.truthRows(group: "before", fileName: "before_000.png", image: image)
        let lines = rows.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == image.spines.count)
        #expect(Array(SyntheticDataset.truthHeader.prefix(12)) == [
            "group", "image", "head_x_px", "head_y_px", "class", "base_x_px", "base_y_px", "tip_x_px", "tip_y_px",
            "length_um", "head_diameter_um", "neck_diameter_um"])
        let first = try #require(lines.first).split(separator: ",").map(String.init)
        #expect(first.count == SyntheticDataset.truthHeader.count)
        #expect(first[0] == "before" && first[1] == "before_000.png")
        #expect(SpineClass(rawValue: first[4]) != nil)
        let truth = try #require(image.spines.first)
        #expect(abs(try #require(Double(first[2])) - truth.head.x) < 0.001)

        let dendrites = SyntheticDataset.dendritesRow(group: "before", fileName: "before_000.png", image: image)
        let fields = dendrites.dropLast(2).split(separator: ",").map(String.init)
        #expect(Array(SyntheticDataset.dendritesHeader.prefix(5)) == ["group", "image", "pixel_size_um",
                                                                      "dendrite_length_um", "spines"])
        #expect(fields.count == SyntheticDataset.dendritesHeader.count)
        #expect(fields[2] == "0.0800" && Int(fields[4]) == image.spines.count)
        #expect(abs(try #require(Double(fields[3])) - image.shaftLengthMicrons) < 0.001)

        #expect(SyntheticDataset.csvLine(["a,b", "say \"hi\"", "x\r\ny", "plain"])
                == "\"a,b\",\"say \"\"hi\"\"\",\"x\r\ny\",plain\r\n")
    }

    @Test func settingsRoundTripThroughJSON() throws {
        for settings in [SynthesisSettings.standard, .lowSNR, .eightBit, .smallPixels, .largePixels, .twoPhoton] {
            let data = try JSONEncoder().encode(settings)
            #expect(try JSONDecoder().decode(SynthesisSettings.self, from: data) == settings)
        }
    }
}
