import ArgumentParser
import Foundation
import SpineKit

/// `spinecount synth --output DIR`: renders synthetic dendrite images with exact truth.
///
/// The rendering is `SpineSynthesizer` in SpineKit; this command only picks settings,
/// writes the PNGs (16- or 8-bit grey with pHYs) and the truth tables `truth.csv`
/// (one row per spine, the `evaluate` columns) and `dendrites.csv` (true shaft length
/// per image), plus `synth-settings.json` to reproduce the set.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Render synthetic dendrite images with known spines (ground truth for evaluate).",
        discussion: """
            Writes DIR/image_NNN.png, or with --before-after DIR/before/before_NNN.png and \
            DIR/after/after_NNN.png, plus DIR/truth.csv, DIR/dendrites.csv and \
            DIR/synth-settings.json. The same --seed always gives the same images. \
            Presets: standard (768 px, 0.08 um/px, 16-bit), low-snr, 8bit, small-pixels \
            (0.04 um/px), large-pixels (0.16 um/px), two-photon (512 px, 0.15 um/px, 8-bit, photon \
            counting, wide PSF).
            """
    )

    enum Preset: String, ExpressibleByArgument, CaseIterable {
        case standard
        case lowSNR = "low-snr"
        case eightBit = "8bit"
        case smallPixels = "small-pixels"
        case largePixels = "large-pixels"
        case twoPhoton = "two-photon"

        var settings: SynthesisSettings {
            switch self {
            case .standard: return .standard
            case .lowSNR: return .lowSNR
            case .eightBit: return .eightBit
            case .smallPixels: return .smallPixels
            case .largePixels: return .largePixels
            case .twoPhoton: return .twoPhoton
            }
        }
    }

    @Option(help: ArgumentHelp("Folder for the images and truth tables (created if missing).", valueName: "DIR"))
    var output: String

    @Option(parsing: .unconditional, help: ArgumentHelp("Images per group.", valueName: "N"))
    var count = 3

    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the whole set.", valueName: "S"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Acquisition style.", valueName: "NAME"))
    var preset: Preset = .standard

    @Option(name: .customLong("pixel-size"), parsing: .unconditional, help: ArgumentHelp("Microns per pixel (overrides the preset).", valueName: "UM"))
    var pixelSizeMicrons: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Image width and height in pixels (overrides the preset).", valueName: "PX"))
    var size: Int?

    @Option(name: .customLong("density"), parsing: .unconditional,
            help: ArgumentHelp("Spines per micron of shaft, fixed (default: the preset's range).", valueName: "PER_UM"))
    var densityPerMicron: Double?

    @Flag(name: .customLong("before-after"), help: "Render a before and an after group (a treatment effect).")
    var beforeAfter = false

    @Option(name: .customLong("density-change-pct"), parsing: .unconditional,
            help: ArgumentHelp("Spine density change from before to after, percent (default: 25).", valueName: "P"))
    var densityChangePercent: Double?

    @Option(name: .customLong("class-mix"), parsing: .unconditional,
            help: ArgumentHelp("Mushroom, thin and stubby proportions (of the before group).", valueName: "M,T,S"))
    var classMix: String?

    @Option(name: .customLong("after-class-mix"), parsing: .unconditional,
            help: ArgumentHelp("Mushroom, thin and stubby proportions of the after group.", valueName: "M,T,S"))
    var afterClassMix: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("--output DIR must name a folder") }
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be between 1 and 100000, got \(count)") }
        // Only pixel sizes the analysis accepts: a set it would refuse image by image is no use.
        let pixelSizes = AnalysisParameters.micronsPerPixelRange
        if let pixelSizeMicrons, !(pixelSizeMicrons.isFinite && pixelSizes.contains(pixelSizeMicrons)) {
            throw ValidationError("--pixel-size must be between \(pixelSizes.lowerBound) and \(pixelSizes.upperBound) "
                                  + "microns per pixel, got \(pixelSizeMicrons)")
        }
        if let size, !(16...16384).contains(size) {
            throw ValidationError("--size must be between 16 and 16384 pixels, got \(size)")
        }
        if let densityPerMicron, !(densityPerMicron.isFinite && densityPerMicron >= 0 && densityPerMicron <= 20) {
            throw ValidationError("--density must be between 0 and 20 spines per micron, got \(densityPerMicron)")
        }
        if let densityChangePercent {
            guard beforeAfter else { throw ValidationError("--density-change-pct needs --before-after") }
            // Beyond +1000 % even the presets' densities ask for more spines than a shaft can hold.
            guard densityChangePercent.isFinite, densityChangePercent > -100, densityChangePercent <= 1000 else {
                throw ValidationError("--density-change-pct must be above -100 and at most 1000, got \(densityChangePercent)")
            }
        }
        if afterClassMix != nil && !beforeAfter { throw ValidationError("--after-class-mix needs --before-after") }
        _ = try classMix.map { try Self.parseMix($0, option: "--class-mix") }
        _ = try afterClassMix.map { try Self.parseMix($0, option: "--after-class-mix") }
    }

    /// Three non-negative proportions, mushroom first, with a positive sum.
    static func parseMix(_ text: String, option: String) throws -> SpineClassMix {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let m = parts[0], let t = parts[1], let s = parts[2],
              [m, t, s].allSatisfy({ $0.isFinite && $0 >= 0 }), m + t + s > 0 else {
            throw ValidationError("\(option) must be three non-negative numbers M,T,S (mushroom, thin, stubby), got '\(text)'")
        }
        return SpineClassMix(mushroom: m, thin: t, stubby: s)
    }

    /// The settings after the preset and every override.
    func resolvedSettings() throws -> SynthesisSettings {
        var settings = preset.settings
        if let pixelSizeMicrons { settings.micronsPerPixel = pixelSizeMicrons }
        if let size {
            settings.widthPixels = size
            settings.heightPixels = size
        }
        if let densityPerMicron { settings.spineDensityPerMicron = densityPerMicron...densityPerMicron }
        if let classMix { settings.classMix = try Self.parseMix(classMix, option: "--class-mix") }
        return settings
    }

    func run() throws {
        let settings = try resolvedSettings()
        let folder = output
        let items: [SyntheticDataset.Item]
        var effect: TreatmentEffect?
        if beforeAfter {
            var chosen = TreatmentEffect.standard
            if let densityChangePercent { chosen.densityChangePercent = densityChangePercent }
            if let afterClassMix { chosen.afterClassMix = try Self.parseMix(afterClassMix, option: "--after-class-mix") }
            effect = chosen
            items = SyntheticDataset.beforeAfter(settings: settings, effect: chosen, count: count, seed: seed)
        } else {
            items = SyntheticDataset.single(settings: settings, count: count, seed: seed)
        }

        let fileManager = FileManager.default
        let groupFolders = beforeAfter ? ["before", "after"] : []
        do {
            try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for group in groupFolders {
                try fileManager.createDirectory(atPath: (folder as NSString).appendingPathComponent(group),
                                                withIntermediateDirectories: true)
            }
        } catch {
            throw UsageFailure("the output folder \(folder) cannot be created: \(error.localizedDescription)")
        }

        // Render in parallel; each result keeps its slot so the tables come out in order.
        let results = RenderResults(count: items.count)
        let quiet = self.quiet
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            let item = items[index]
            let image = item.render()
            let relative = beforeAfterPath(item)
            let path = (folder as NSString).appendingPathComponent(relative)
            let failure: String?
            do {
                let bytes = try PNGCodec.encodeGray(image.pixels, bitDepth: image.bitDepth,
                                                    micronsPerPixel: image.micronsPerPixel)
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                failure = nil
            } catch {
                failure = "\(path): cannot write the image: \(error)"
            }
            let truth = SyntheticDataset.truthRows(group: item.group, fileName: item.fileName, image: image)
            let dendrites = SyntheticDataset.dendritesRow(group: item.group, fileName: item.fileName, image: image)
            if !quiet && failure == nil {
                let length = String(format: "%.1f", image.shaftLengthMicrons)
                StandardError.write("\(relative): \(image.spines.count) spines on \(length) um of dendrite\n")
            }
            results.store(index: index, truth: truth, dendrites: dendrites, spines: image.spines.count,
                          failure: failure)
        }

        if let failure = results.failures.first {
            throw SynthWriteError(message: failure)
        }
        var truthText = SyntheticDataset.csvLine(SyntheticDataset.truthHeader)
        var dendritesText = SyntheticDataset.csvLine(SyntheticDataset.dendritesHeader)
        for index in items.indices {
            truthText += results.truth[index]
            dendritesText += results.dendrites[index]
        }
        let record = SynthRecord(seed: seed, count: count, preset: preset.rawValue, settings: settings,
                                 treatment: effect)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(Data(truthText.utf8), to: (folder as NSString).appendingPathComponent("truth.csv"))
        try write(Data(dendritesText.utf8), to: (folder as NSString).appendingPathComponent("dendrites.csv"))
        try write(try encoder.encode(record), to: (folder as NSString).appendingPathComponent("synth-settings.json"))
        if !quiet {
            let spines = results.spineCounts.reduce(0, +)
            print("wrote \(items.count) images with \(spines) spines to \(folder)")
        }
    }

    private func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SynthWriteError(message: "\(path): cannot write: \(error.localizedDescription)")
        }
    }
}

/// Where an item's PNG goes, relative to the output folder.
private func beforeAfterPath(_ item: SyntheticDataset.Item) -> String {
    item.group == "set" ? item.fileName : "\(item.group)/\(item.fileName)"
}

/// What `synth-settings.json` holds: enough to render the same set again.
private struct SynthRecord: Encodable {
    var seed: UInt64
    var count: Int
    var preset: String
    var settings: SynthesisSettings
    var treatment: TreatmentEffect?
}

/// A file that could not be written; the message names it.
struct SynthWriteError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Per-image results filled in from parallel renders.
private final class RenderResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var truth: [String]
    private(set) var dendrites: [String]
    private(set) var spineCounts: [Int]
    private(set) var failures: [String] = []

    init(count: Int) {
        truth = Array(repeating: "", count: count)
        dendrites = Array(repeating: "", count: count)
        spineCounts = Array(repeating: 0, count: count)
    }

    func store(index: Int, truth rows: String, dendrites row: String, spines: Int, failure: String?) {
        lock.lock()
        defer { lock.unlock() }
        truth[index] = rows
        dendrites[index] = row
        spineCounts[index] = spines
        if let failure { failures.append(failure) }
    }
}
