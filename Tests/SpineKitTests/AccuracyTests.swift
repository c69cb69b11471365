import Foundation
import SpineKit
import Testing

/// Accuracy as a test: spinecount must keep finding, classifying and counting spines on
/// images whose spines are known exactly.
///
/// Each case renders a few small images with the project's own renderer
/// (`SyntheticDataset`, fixed seeds, so the images never change), analyses them with
/// `SpineAnalysis.analyze` at default parameters, and scores the result the way
/// `spinecount evaluate` does (`SpineEvaluator`): heads paired one to one within 0.8 um,
/// class accuracy on the pairs, and per-image spine density and shaft length against the
/// truth. A second test does the same on the independent reference set
/// `../shared/synthetic-dev`, made by another renderer, and a third scores detection on
/// real confocal crops with manual annotations (`../shared/realdata/smirnov-train`).
///
/// The floors sit a little below what the engine reached when they were set (the values
/// are printed as `accuracy[...]` lines). Raise them as the engine improves; never lower a
/// floor to make a test pass.
@Suite("Accuracy on images with known spines")
struct AccuracyTests {
    /// Largest head distance that counts as a match: `spinecount evaluate`'s default,
    /// about one mushroom head diameter (see `EvaluationOptions`).
    static let toleranceMicrons = EvaluationOptions.defaultToleranceMicrons

    // MARK: Rendered in memory

    @Test("Floors on rendered images", arguments: AccuracyCase.rendered)
    func renderedImages(_ accuracyCase: AccuracyCase) throws {
        let start = ContinuousClock.now
        let score = try Self.score(accuracyCase.settings, count: accuracyCase.imageCount, seed: accuracyCase.seed)
        print(score.line(name: accuracyCase.name, seconds: start.duration(to: .now)))
        print(score.imageLines(name: accuracyCase.name))
        score.expectFloors(accuracyCase.floors, name: accuracyCase.name)
    }

    /// In the low signal-to-noise preset (brightest structure 12-20 noise deviations above
    /// the background), searching for spines on the wider smoothing finds more of them at
    /// little cost in precision; F1 0.62 -> 0.70 on these images when written (fourth
    /// session), 0.405 -> 0.642 in the eighth.
    @Test("Noisy images are searched at the wider smoothing")
    func noisyImagesSearchedWide() throws {
        var fineOnly = AnalysisParameters()
        fineOnly.lowSNRThreshold = 0
        try Self.expectLowSNRGain(of: "the wider search", without: fineOnly, moreSpines: 10, f1Gain: 0.03)
    }

    /// In the same images, the lower head-contrast test of noise-limited images
    /// (`lowSNRHeadContrastSNR`) keeps faint heads the seed test found; at the time of writing
    /// 53 -> 60 matched spines (F1 0.592 -> 0.642), precision 1.000 -> 0.984.
    @Test("Noise-limited images take a lower head-contrast test")
    func noisyImagesLowerContrast() throws {
        var usual = AnalysisParameters()
        usual.lowSNRHeadContrastSNR = usual.headContrastSNR
        try Self.expectLowSNRGain(of: "the lower contrast test", without: usual, moreSpines: 5, f1Gain: 0)
    }

    /// Scores three low-SNR renders (seed 31) at default parameters and with `without`, which
    /// turns one step off, and expects the step to find at least `moreSpines` more drawn
    /// spines, to raise F1 by more than `f1Gain` and to keep precision at 0.9 or more.
    static func expectLowSNRGain(of step: String, without: AnalysisParameters, moreSpines: Int, f1Gain: Double) throws {
        let settings = SynthesisSettings.lowSNR.withPixelSize(0.08, widthPixels: AccuracyCase.sizePixels)
        let with = try score(settings, count: 3, seed: 31)
        let off = try score(settings, count: 3, seed: 31, parameters: without)
        print(with.line(name: "low SNR, with \(step)", seconds: .zero))
        print(off.line(name: "low SNR, without \(step)", seconds: .zero))
        let found = (with.result.detection.truePositives, off.result.detection.truePositives)
        #expect(found.0 >= found.1 + moreSpines, "\(found.0) drawn spines found with \(step), \(found.1) without")
        #expect(with.f1 > off.f1 + f1Gain, "F1 \(with.f1) with \(step), \(off.f1) without")
        #expect(with.result.detection.precision ?? 0 >= 0.9, "precision \(with.result.detection.precision ?? 0) with \(step)")
    }

    @Test("A noisy image is reported as searched at the wider smoothing")
    func noisyImageFlagged() throws {
        let settings = SynthesisSettings.lowSNR.withPixelSize(0.08, widthPixels: AccuracyCase.sizePixels)
        let item = try #require(SyntheticDataset.single(settings: settings, count: 1, seed: 31).first)
        let rendered = item.render()
        let image = rendered.pixels.mapped { Float($0) }
        #expect(SpineAnalysis.analyze(image, micronsPerPixel: rendered.micronsPerPixel).searchedAtWiderSmoothing)
        var fineOnly = AnalysisParameters()
        fineOnly.lowSNRThreshold = 0
        #expect(!SpineAnalysis.analyze(image, micronsPerPixel: rendered.micronsPerPixel, parameters: fineOnly)
            .searchedAtWiderSmoothing)
    }

    /// Renders `count` images and scores their analyses.
    static func score(_ settings: SynthesisSettings, count: Int, seed: UInt64,
                      parameters: AnalysisParameters = AnalysisParameters()) throws -> AccuracyScore {
        var truth = [TruthSpine]()
        var lengths = [TruthShaftLength]()
        var analyses = [(group: String, image: String, analysis: ImageAnalysis)]()
        for item in SyntheticDataset.single(settings: settings, count: count, seed: seed) {
            let rendered = item.render()
            truth += rendered.spines.map {
                TruthSpine(group: item.group, image: item.fileName, head: $0.head, className: $0.spineClass.rawValue)
            }
            lengths.append(TruthShaftLength(group: item.group, image: item.fileName,
                                            dendriteLengthMicrons: rendered.shaftLengthMicrons))
            let image = rendered.pixels.mapped { Float($0) }
            let analysis = SpineAnalysis.analyze(image, micronsPerPixel: rendered.micronsPerPixel, parameters: parameters)
            analyses.append((item.group, item.fileName, analysis))
        }
        return try AccuracyScore(truth: truth, lengths: lengths, analyses: analyses, toleranceMicrons: toleranceMicrons)
    }

    /// `../shared/<path>` beside the package root, where the shared test data lives.
    static func sharedData(_ path: String) -> URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // SpineKitTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .appendingPathComponent("../shared/\(path)").standardizedFileURL
    }

    // MARK: The reference set

    /// `../shared/synthetic-dev`: 6 images of 768 x 768 px (0.08 um/px) by a renderer that is
    /// not the project's, with `truth.csv` and `dendrites.csv`.
    enum ReferenceSet {
        static let root = AccuracyTests.sharedData("synthetic-dev")

        static let isAvailable = FileManager.default.fileExists(atPath: root.appendingPathComponent("truth.csv").path)

        /// Every image is analysed when this environment variable is set; otherwise one
        /// `before` and one `after` image, which keeps a debug `swift test` short.
        static let allImagesVariable = "SPINECOUNT_ACCURACY_ALL"
        static let analysesAllImages = ProcessInfo.processInfo.environment[allImagesVariable] != nil

        /// The images analysed by default: the second of each group, so that both groups'
        /// class mixes are scored.
        static let defaultImages: Set<String> = ["before/before_001.png", "after/after_001.png"]

        /// Measured at default parameters (engine of commit 1e60f31): two images F1 0.852,
        /// class accuracy 0.944, |density error| 15.8 %, |length error| 0.3 %; all six 0.825,
        /// 0.916, 14.5 %, 2.4 %. With spine material and the passing-process test (fifth
        /// session): two images 0.895, 0.947, 15.1 %, 0.3 %; all six 0.859, 0.944, 16.2 %,
        /// 2.4 %; F1 floors raised to 0.87 and 0.84 so that losing them fails.
        static let floors = analysesAllImages
            ? AccuracyFloors(minimumF1: 0.84, minimumClassAccuracy: 0.87,
                             maximumDensityErrorPercent: 18, maximumLengthErrorPercent: 10)
            : AccuracyFloors(minimumF1: 0.87, minimumClassAccuracy: 0.91,
                             maximumDensityErrorPercent: 17, maximumLengthErrorPercent: 3)

        /// Sizes of the matched spines against the set's exact ones (ninth session, stubby heads
        /// read across the spine): two images |length error| 0.165 um, |head error| 0.161 um,
        /// stubby heads at a median 0.65 of their size (0.54 before); all six 0.188, 0.156, 0.66.
        static let sizeFloors = analysesAllImages
            ? SizeFloors(maximumLengthErrorMicrons: 0.2, maximumHeadErrorMicrons: 0.17, minimumStubbyHeadRatio: 0.6)
            : SizeFloors(maximumLengthErrorMicrons: 0.18, maximumHeadErrorMicrons: 0.18, minimumStubbyHeadRatio: 0.6)

        static let missingNote: Comment = "reference set not found at ../shared/synthetic-dev (shared test data absent): skipped"

        /// One decoded image of the set.
        struct Image {
            var group: String
            var name: String
            var pixels: GrayImage
            var micronsPerPixel: Double
        }

        /// The truth, the true shaft lengths and the images analysed by default (every image
        /// with `allImagesVariable` set).
        static func load() throws -> (truth: [TruthSpine], lengths: [TruthShaftLength], images: [Image]) {
            let truthPath = root.appendingPathComponent("truth.csv").path
            let lengthsPath = root.appendingPathComponent("dendrites.csv").path
            let truth = try EvaluationCSV.truthSpines(csv: String(contentsOfFile: truthPath, encoding: .utf8),
                                                      file: truthPath)
            let lengths = try EvaluationCSV.shaftLengths(csv: String(contentsOfFile: lengthsPath, encoding: .utf8),
                                                         file: lengthsPath)
            var images: [Image] = []
            for group in ["before", "after"] {
                let folder = root.appendingPathComponent(group)
                let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                    .filter { $0.hasSuffix(".png") }.sorted()
                for name in names where analysesAllImages || defaultImages.contains("\(group)/\(name)") {
                    let decoded = try PNGCodec.read(path: folder.appendingPathComponent(name).path)
                    let micronsPerPixel = try #require(decoded.micronsPerPixel, "\(group)/\(name) has no pHYs pixel size")
                    images.append(Image(group: group, name: name, pixels: decoded.grayImage(), micronsPerPixel: micronsPerPixel))
                }
            }
            return (truth, lengths, images)
        }
    }

    @Test("Floors on the reference set ../shared/synthetic-dev",
          .enabled(if: ReferenceSet.isAvailable, ReferenceSet.missingNote))
    func referenceSet() throws {
        let start = ContinuousClock.now
        let set = try ReferenceSet.load()
        let analyses = set.images.map {
            (group: $0.group, image: $0.name, analysis: SpineAnalysis.analyze($0.pixels, micronsPerPixel: $0.micronsPerPixel))
        }
        let (truth, lengths) = (set.truth, set.lengths)
        #expect(analyses.count == (ReferenceSet.analysesAllImages ? 6 : 2), "reference set images analysed")

        // Only the analysed images are scored: the truth of the others would count as misses.
        let analysed = Set(analyses.map { "\($0.group)/\($0.image)" })
        let scoredTruth = truth.filter { analysed.contains("\($0.group ?? "")/\($0.image)") }
        let score = try AccuracyScore(truth: scoredTruth, lengths: lengths, analyses: analyses,
                                      toleranceMicrons: Self.toleranceMicrons)
        let scope = ReferenceSet.analysesAllImages ? "all images" : "2 of 6 images; set \(ReferenceSet.allImagesVariable)=1 for all"
        print(score.line(name: "synthetic-dev, \(scope)", seconds: start.duration(to: .now)))
        print(score.imageLines(name: "synthetic-dev"))
        score.expectFloors(ReferenceSet.floors, name: "synthetic-dev")
        try score.expectSizeFloors(ReferenceSet.sizeFloors, name: "synthetic-dev")
    }
}

extension AccuracyTests {
    /// Real confocal crops with manual spine centres, `../shared/realdata/smirnov-train`
    /// (Smirnov & Garrett 2018; 0.0651 um/px in pHYs), matched within 0.6 um as in
    /// Docs/METHOD.md section 9. Only detection is annotated.
    enum RealCrops {
        static let root = AccuracyTests.sharedData("realdata/smirnov-train")

        static let isAvailable = FileManager.default.fileExists(atPath: root.appendingPathComponent("truth.csv").path)

        static let toleranceMicrons = 0.6

        /// Every crop is analysed when `ReferenceSet.allImagesVariable` is set; otherwise
        /// every eighth by name (about 200 of 1653), which keeps a debug `swift test` short.
        static let stride = ReferenceSet.analysesAllImages ? 1 : 8

        /// Measured at default parameters (engine of the sixth session, with the head
        /// clearance, the 0.18 um opening and the 3 um maximum length): every eighth crop F1
        /// 0.798 (precision 0.780, recall 0.816), all 1652 annotated crops 0.795. Before the
        /// three: 0.772 and 0.773; with the clearance alone 0.785 and 0.781. Seventh session
        /// (widths measured across processes): 0.800 and 0.796. Eighth session (five noise
        /// deviations for near-surface heads, the swelling test): 0.807 and 0.801; floors
        /// raised by 0.005.
        static let minimumF1 = ReferenceSet.analysesAllImages ? 0.79 : 0.795

        static let missingNote: Comment = "real crops not found at ../shared/realdata/smirnov-train (shared test data absent): skipped"

        /// A crop without a pHYs pixel size: every Smirnov crop has one.
        struct MissingPixelSize: Error, CustomStringConvertible {
            let name: String
            var description: String { "\(name) has no pHYs pixel size" }
        }

        /// The crops scored with `parameters` at their pHYs pixel size.
        static func score(_ name: String, parameters: AnalysisParameters = AnalysisParameters()) throws -> (EvaluationResult, f1: Double) {
            try AccuracyTests.scoreRealImages(name, root: root, stride: stride, toleranceMicrons: toleranceMicrons,
                                              parameters: parameters) { name, decoded in
                guard let size = decoded.micronsPerPixel else { throw MissingPixelSize(name: name) }
                return size
            }
        }

        /// The crops at default parameters, analysed once for every test that reads them (200
        /// to 1652 crops, 11 to 90 s).
        static let atDefaults = Result { try score("smirnov-train") }
    }

    /// Real confocal images with manual spine boxes and types,
    /// `../shared/realdata/spinetypes-train` (background removed, 8-bit, no pixel size): the
    /// pixel size is assumed from the image's width as `Scripts/accuracy.sh` assumes it
    /// (0.07 um/px at 1024 px, 0.14 at 512), heads matched within 0.8 um.
    enum TypedSpines {
        static let root = AccuracyTests.sharedData("realdata/spinetypes-train")

        static let isAvailable = FileManager.default.fileExists(atPath: root.appendingPathComponent("truth.csv").path)

        static let toleranceMicrons = EvaluationOptions.defaultToleranceMicrons

        /// Every image when `ReferenceSet.allImagesVariable` is set; otherwise every eighth by
        /// name (25 of 200).
        static let stride = ReferenceSet.analysesAllImages ? 1 : 8

        static func micronsPerPixel(width: Int) -> Double { width >= 1024 ? 0.07 : 0.14 }

        /// Measured at default parameters (engine of the sixth session): every eighth image
        /// F1 0.899 (precision 0.836, recall 0.972), class accuracy 0.730 on 148 spines; all
        /// 200 images 0.873 and 0.710 (`Scripts/accuracy.sh`).
        static let floors = ReferenceSet.analysesAllImages
            ? (minimumF1: 0.86, minimumClassAccuracy: 0.69) : (minimumF1: 0.88, minimumClassAccuracy: 0.70)

        static let missingNote: Comment = "typed spines not found at ../shared/realdata/spinetypes-train (shared test data absent): skipped"
    }

    /// Every `stride`-th PNG of `root` by name, analysed at the pixel size `micronsPerPixel`
    /// gives it, scored against `root/truth.csv` (only the analysed images' truth counts),
    /// with a line for the test log; the result and its detection F1.
    static func scoreRealImages(_ name: String, root: URL, stride: Int, toleranceMicrons: Double,
                                parameters: AnalysisParameters = AnalysisParameters(),
                                micronsPerPixel: (String, DecodedImage) throws -> Double) throws -> (EvaluationResult, f1: Double) {
        let start = ContinuousClock.now
        let truthPath = root.appendingPathComponent("truth.csv").path
        let truth = try EvaluationCSV.truthSpines(csv: String(contentsOfFile: truthPath, encoding: .utf8), file: truthPath)
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".png") }.sorted()
        // Images without annotations are not scored (as by `spinecount evaluate`), so not analysed.
        let annotated = Set(truth.map(\.image))
        var analyses = [(group: String, image: String, analysis: ImageAnalysis)]()
        for name in Swift.stride(from: 0, to: names.count, by: stride).map({ names[$0] }) where annotated.contains(name) {
            let decoded = try PNGCodec.read(path: root.appendingPathComponent(name).path)
            let size = try micronsPerPixel(name, decoded)
            analyses.append(("set", name, SpineAnalysis.analyze(decoded.grayImage(), micronsPerPixel: size, parameters: parameters)))
        }
        let analysed = Set(analyses.map(\.image))
        let result = AccuracyScore.evaluate(truth: truth.filter { analysed.contains($0.image) }, lengths: [],
                                            analyses: analyses, toleranceMicrons: toleranceMicrons)
        print(realLine(name, result, images: analyses.count, since: start))
        return (result, try #require(result.detection.f1, "\(name): no spines found or annotated"))
    }

    /// One line for the test log: detection, and classes where annotated.
    static func realLine(_ name: String, _ result: EvaluationResult, images: Int, since start: ContinuousClock.Instant) -> String {
        let d = result.detection
        let f = { (value: Double?) in value.map { String(format: "%.3f", $0) } ?? "-" }
        return "accuracy[\(name), \(images) images]: F1 \(f(d.f1)) (precision \(f(d.precision)), recall \(f(d.recall)); "
            + "TP \(d.truePositives) FP \(d.falsePositives) FN \(d.falseNegatives)), class accuracy \(f(result.classAccuracy)) "
            + "in \(start.duration(to: .now).components.seconds) s"
    }

    @Test("Floor on real confocal crops ../shared/realdata/smirnov-train",
          .enabled(if: RealCrops.isAvailable, RealCrops.missingNote))
    func realConfocalCrops() throws {
        let (_, f1) = try RealCrops.atDefaults.get()
        #expect(f1 >= RealCrops.minimumF1, "smirnov-train: detection F1 \(f1) fell below \(RealCrops.minimumF1)")
    }

    /// On real crops most heads within half a micron of the shaft surface that stand only 4-5
    /// noise deviations above their ring are unannotated bumps of the shaft
    /// (`nearSurfaceContrastSNR`); at the time of writing, on every eighth crop, 173 -> 156
    /// unmatched and 645 -> 638 matched detections, F1 0.803 -> 0.807.
    @Test("Near-surface heads on real crops take five noise deviations",
          .enabled(if: RealCrops.isAvailable, RealCrops.missingNote))
    func nearSurfaceHeadsOnRealCrops() throws {
        var usual = AnalysisParameters()
        usual.nearSurfaceContrastSNR = usual.headContrastSNR
        let (stricter, stricterF1) = try RealCrops.atDefaults.get()
        let (plain, plainF1) = try RealCrops.score("smirnov-train, plain contrast test", parameters: usual)
        #expect(stricter.detection.falsePositives + 10 <= plain.detection.falsePositives,
                "\(stricter.detection.falsePositives) unmatched detections with the near-surface test, \(plain.detection.falsePositives) without")
        #expect(stricterF1 >= plainF1, "F1 \(stricterF1) with the near-surface test, \(plainF1) without")
    }

    @Test("Floors on real typed spines ../shared/realdata/spinetypes-train",
          .enabled(if: TypedSpines.isAvailable, TypedSpines.missingNote))
    func realTypedSpines() throws {
        let (result, f1) = try Self.scoreRealImages("spinetypes-train", root: TypedSpines.root, stride: TypedSpines.stride,
                                                    toleranceMicrons: TypedSpines.toleranceMicrons) { _, decoded in
            TypedSpines.micronsPerPixel(width: decoded.width)
        }
        let classAccuracy = try #require(result.classAccuracy, "no matched spine with an annotated class")
        let floors = TypedSpines.floors
        #expect(f1 >= floors.minimumF1, "spinetypes-train: detection F1 \(f1) fell below \(floors.minimumF1)")
        #expect(classAccuracy >= floors.minimumClassAccuracy,
                "spinetypes-train: class accuracy \(classAccuracy) fell below \(floors.minimumClassAccuracy)")
    }
}

// MARK: - Cases, floors and scores

/// What a set of images must at least reach.
struct AccuracyFloors: Sendable {
    /// Detection F1 over all images, heads within the tolerance.
    var minimumF1: Double
    /// Share of matched spines given their true class.
    var minimumClassAccuracy: Double
    /// Mean over images of |found density - true density| / true density, percent.
    var maximumDensityErrorPercent: Double
    /// Mean over images of |traced shaft length - true length| / true length, percent.
    var maximumLengthErrorPercent: Double
}

/// Floors on the sizes of matched spines, where the truth gives sizes.
struct SizeFloors: Sendable {
    /// Mean |reported - true| spine length over all matched spines, microns.
    var maximumLengthErrorMicrons: Double
    /// Mean |reported - true| head diameter over all matched spines, microns.
    var maximumHeadErrorMicrons: Double
    /// Median reported / true head diameter of matched stubby spines.
    var minimumStubbyHeadRatio: Double
}

/// A small fixed set of rendered images and the floors it must reach.
struct AccuracyCase: Sendable, CustomTestStringConvertible {
    var name: String
    var settings: SynthesisSettings
    var imageCount: Int
    var seed: UInt64
    var floors: AccuracyFloors

    var testDescription: String { name }

    /// 384 px keeps a debug build's test time to seconds while leaving room for 1-3
    /// dendrites (a 31 um field at 0.08 um/px).
    static let sizePixels = 384

    /// What each case measured at default parameters when its floors were set (engine of
    /// commit 1e60f31) is in its comment. A case is also a command line: the first one is
    /// `spinecount synth --output DIR --count 4 --seed 2024 --size 384`, then
    /// `spinecount analyze DIR` and `spinecount evaluate --truth DIR/truth.csv --lengths
    /// DIR/dendrites.csv`, which give the same numbers and overlays to look at.
    static let rendered: [AccuracyCase] = [
        // F1 0.857, class accuracy 0.823, |density error| 22.5 %, |length error| 10.3 %
        // (recall 0.78: faint thin spines are missed; one short dendrite's length is
        // overestimated). With unresolved necks (engine of 2026-11-27, third session): F1
        // 0.866, class accuracy 0.890 (0.822 without that rule); the class floor was raised
        // to 0.86 so that losing it fails. Fifth session: F1 0.868 (precision 0.993), class
        // accuracy 0.910; F1 floor raised to 0.85.
        AccuracyCase(
            name: "16-bit, 0.08 um/px",
            settings: SynthesisSettings.standard.withPixelSize(0.08, widthPixels: sizePixels),
            imageCount: 4, seed: 2024,
            floors: AccuracyFloors(minimumF1: 0.85, minimumClassAccuracy: 0.86,
                                   maximumDensityErrorPercent: 30, maximumLengthErrorPercent: 20)),
        // Eight images (two gave 113 spines, one spine moving class accuracy by 0.9 %). The
        // engine before the shaft-noise cap scored F1 0.679, class accuracy 0.793, |density
        // error| 47.3 %, |length error| 17.6 % here; floors keep the margins the two-image
        // floors had below that engine's scores. With the cap: F1 0.679, class accuracy
        // 0.796, |density error| 47.3 %, |length error| 15.6 %. With unresolved necks: F1
        // 0.676, class accuracy 0.867 (0.795 without that rule); class floor raised to 0.83.
        // With the wider search in noisy images (fourth session): F1 0.702, class accuracy
        // 0.856, |density error| 44.9 %, |length error| 15.4 %; F1 floor raised to 0.68 and
        // density ceiling lowered to 48 % so that losing it fails. Fifth session: F1 0.711,
        // class accuracy 0.900, |density error| 41.1 %; F1 floor raised to 0.69. Eighth
        // session, with the lower head-contrast test of noise-limited images: F1 0.738,
        // class accuracy 0.899, |density error| 37.3 %; F1 floor raised to 0.72 and density
        // ceiling lowered to 40 %. With five noise deviations for near-surface heads: 0.732,
        // 0.897, 38.0 %.
        AccuracyCase(
            name: "8-bit dim, 0.08 um/px",
            settings: dimEightBit,
            imageCount: 8, seed: 7,
            floors: AccuracyFloors(minimumF1: 0.72, minimumClassAccuracy: 0.83,
                                   maximumDensityErrorPercent: 40, maximumLengthErrorPercent: 22)),
        // F1 0.818, class accuracy 0.827, |density error| 21.3 %, |length error| 3.7 %.
        // With unresolved necks: F1 0.821, class accuracy 0.892 (0.831 without that rule);
        // class floor raised to 0.86. Fifth session: F1 0.852, class accuracy 0.877; F1 floor
        // raised to 0.82.
        AccuracyCase(
            name: "16-bit, 0.12 um/px",
            settings: SynthesisSettings.standard.withPixelSize(0.12, widthPixels: sizePixels),
            imageCount: 2, seed: 11,
            floors: AccuracyFloors(minimumF1: 0.82, minimumClassAccuracy: 0.86,
                                   maximumDensityErrorPercent: 31, maximumLengthErrorPercent: 9)),
    ]

    /// The 8-bit preset with a quarter of its light: shafts about 10 noise deviations above
    /// background and thin-spine heads a few counts, near the rounding limit of 8 bits.
    static var dimEightBit: SynthesisSettings {
        var settings = SynthesisSettings.eightBit.withPixelSize(0.08, widthPixels: sizePixels)
        settings.photonsPerMicron = 45...95
        return settings
    }
}

/// The numbers a set of analyses is held to, from `SpineEvaluator`.
struct AccuracyScore {
    var result: EvaluationResult
    var f1: Double
    var classAccuracy: Double
    var densityErrorPercent: Double
    var lengthErrorPercent: Double

    init(truth: [TruthSpine], lengths: [TruthShaftLength],
         analyses: [(group: String, image: String, analysis: ImageAnalysis)], toleranceMicrons: Double) throws {
        result = Self.evaluate(truth: truth, lengths: lengths, analyses: analyses, toleranceMicrons: toleranceMicrons)
        f1 = try #require(result.detection.f1, "no spines found or annotated")
        classAccuracy = try #require(result.classAccuracy, "no matched spines to classify")
        let density = try #require(result.density, "density was not evaluated")
        densityErrorPercent = try #require(density.meanAbsoluteErrorPercent, "no image has a density error")
        let lengthErrors = density.images.compactMap(\.lengthErrorPercent)
        try #require(!lengthErrors.isEmpty, "no image has a traced shaft length")
        lengthErrorPercent = lengthErrors.reduce(0) { $0 + abs($1) } / Double(lengthErrors.count)
    }

    /// The analyses as a report, scored as `spinecount evaluate` scores one.
    static func evaluate(truth: [TruthSpine], lengths: [TruthShaftLength],
                         analyses: [(group: String, image: String, analysis: ImageAnalysis)],
                         toleranceMicrons: Double) -> EvaluationResult {
        let images = analyses.map {
            ReportImage(group: $0.group, image: $0.image, status: "ok", micronsPerPixel: $0.analysis.micronsPerPixel,
                        dendriteLengthMicrons: $0.analysis.dendriteLengthMicrons, spineCount: $0.analysis.spines.count)
        }
        let spines = analyses.flatMap { entry in
            entry.analysis.spines.map {
                PredictedSpine(group: entry.group, image: entry.image, head: $0.head, spineClass: $0.spineClass,
                               sizes: SpineSizes(lengthMicrons: $0.lengthMicrons, headDiameterMicrons: $0.headDiameterMicrons,
                                                 neckDiameterMicrons: $0.neckDiameterMicrons))
            }
        }
        let result = SpineEvaluator.evaluate(truth: truth, report: SpineReport(images: images, spines: spines),
                                             shaftLengths: lengths,
                                             options: EvaluationOptions(toleranceMicrons: toleranceMicrons))
        #expect(result.imagesScored == analyses.count, "every analysed image is scored")
        return result
    }

    /// Expects the size errors within `floors` (the truth must give sizes), and logs them.
    func expectSizeFloors(_ floors: SizeFloors, name: String) throws {
        func row(_ measure: SizeMeasure, _ className: String?) throws -> SizeAgreement {
            try #require(result.sizes.first { $0.measure == measure && $0.className == className },
                         "\(name): no matched spine with a true and a reported \(measure.rawValue) (\(className ?? "all"))")
        }
        let length = try row(.length, nil), head = try row(.headDiameter, nil)
        let stubbyRatio = try #require(try row(.headDiameter, "stubby").medianRatio)
        print(String(format: "sizes[%@]: |length error| %.3f um, |head error| %.3f um, stubby head ratio %.2f",
                     name, length.meanAbsoluteErrorMicrons, head.meanAbsoluteErrorMicrons, stubbyRatio))
        #expect(length.meanAbsoluteErrorMicrons <= floors.maximumLengthErrorMicrons,
                "\(name): |length error| \(length.meanAbsoluteErrorMicrons) um above \(floors.maximumLengthErrorMicrons)")
        #expect(head.meanAbsoluteErrorMicrons <= floors.maximumHeadErrorMicrons,
                "\(name): |head error| \(head.meanAbsoluteErrorMicrons) um above \(floors.maximumHeadErrorMicrons)")
        #expect(stubbyRatio >= floors.minimumStubbyHeadRatio,
                "\(name): stubby heads at \(stubbyRatio) of their size, below \(floors.minimumStubbyHeadRatio)")
    }

    /// One line for the test log, so floors can be raised from measured values.
    func line(name: String, seconds: Duration) -> String {
        let d = result.detection
        let f = { (value: Double?) in value.map { String(format: "%.3f", $0) } ?? "-" }
        let elapsed = Double(seconds.components.seconds) + Double(seconds.components.attoseconds) * 1e-18
        return "accuracy[\(name)]: F1 \(f(f1)) (precision \(f(d.precision)), recall \(f(d.recall)); "
            + "TP \(d.truePositives) FP \(d.falsePositives) FN \(d.falseNegatives)), "
            + "class accuracy \(f(classAccuracy)), kappa \(f(result.cohensKappa)), "
            + String(format: "|density error| %.1f %%, |shaft length error| %.1f %%", densityErrorPercent,
                     lengthErrorPercent)
            + " over \(result.imagesScored) images in " + String(format: "%.1f s", elapsed)
    }

    /// One line per image: where a floor failed, this says which image and why.
    func imageLines(name: String) -> String {
        let f = { (value: Double?) in value.map { String(format: "%+.1f %%", $0) } ?? "-" }
        let scores = Dictionary(result.images.map { ("\($0.group ?? "")/\($0.image)", $0) }, uniquingKeysWith: { a, _ in a })
        return (result.density?.images ?? []).map { row in
            let key = "\(row.group ?? "")/\(row.image)"
            let detection = scores[key]?.detection
            return "accuracy[\(name)] \(key): truth \(row.truthSpines), found \(row.predictedSpines ?? 0), "
                + "F1 \(detection?.f1.map { String(format: "%.3f", $0) } ?? "-"), density error \(f(row.errorPercent)), "
                + "length \(String(format: "%.1f", row.trueLengthMicrons)) um traced as "
                + "\(row.predictedLengthMicrons.map { String(format: "%.1f", $0) } ?? "-") um (\(f(row.lengthErrorPercent)))"
        }.joined(separator: "\n")
    }

    func expectFloors(_ floors: AccuracyFloors, name: String) {
        #expect(f1 >= floors.minimumF1, "\(name): detection F1 \(f1) fell below \(floors.minimumF1)")
        #expect(classAccuracy >= floors.minimumClassAccuracy,
                "\(name): class accuracy \(classAccuracy) fell below \(floors.minimumClassAccuracy)")
        #expect(densityErrorPercent <= floors.maximumDensityErrorPercent,
                "\(name): |density error| \(densityErrorPercent) % rose above \(floors.maximumDensityErrorPercent) %")
        #expect(lengthErrorPercent <= floors.maximumLengthErrorPercent,
                "\(name): |shaft length error| \(lengthErrorPercent) % rose above \(floors.maximumLengthErrorPercent) %")
    }
}
