import ArgumentParser
import Foundation
import SpineKit

/// `spinecount evaluate --truth TRUTH.csv... --report DIR`: scores a report against annotations.
///
/// Reading the files happens here; the scoring is `SpineEvaluator` in SpineKit. Every problem with
/// the inputs (a missing file, a CSV without the needed columns) is bad usage: one line on
/// standard error and exit status 2 (`ValidationError`, which the root command maps to 2).
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a report against manual annotations.",
        discussion: """
            Truth CSV columns: image, head_x_px, head_y_px, and optionally class (mushroom, thin, \
            stubby; other labels are tallied, not scored) and group (before/after, to tell apart \
            images of the same name). A row with empty coordinates declares an image without spines. \
            Predicted and true heads are paired one to one (optimal assignment) when within \
            --tolerance-um. Annotated images missing from the report or failed in it count their \
            spines as missed; report images without annotations are ignored. \
            The per-image density error is against --lengths, a CSV with image, dendrite_length_um \
            (true shaft lengths); without it, against the traced length (the spine count's error).
            """
    )

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("Annotation CSV files (or folders holding truth.csv).", valueName: "TRUTH_PATH"))
    var truth: [String]

    @Option(help: ArgumentHelp("Report folder holding spines.csv and images.csv.", valueName: "DIR"))
    var report: String

    @Option(name: .customLong("tolerance-um"), parsing: .unconditional,
            help: ArgumentHelp("Largest head distance that still counts as a match.", valueName: "UM"))
    var toleranceMicrons: Double = EvaluationOptions.defaultToleranceMicrons

    @Option(name: .customLong("pixel-size"), parsing: .unconditional,
            help: ArgumentHelp("Microns per pixel for every image. Default: the report's pixel_size_um.",
                               valueName: "UM"))
    var pixelSizeMicrons: Double?

    @Option(help: ArgumentHelp("CSV of true shaft lengths (image, dendrite_length_um) for the density error.",
                               valueName: "FILE"))
    var lengths: String?

    @Flag(help: "Print the result as JSON instead of text.")
    var json = false

    @Flag(name: .customLong("per-image"), help: "Also list detection scores image by image.")
    var perImage = false

    func validate() throws {
        guard toleranceMicrons > 0, toleranceMicrons <= EvaluationOptions.maximumToleranceMicrons else {
            throw ValidationError("--tolerance-um must be above 0 and at most "
                                  + "\(Int(EvaluationOptions.maximumToleranceMicrons)) microns, got \(toleranceMicrons)")
        }
        if let pixelSizeMicrons, !(pixelSizeMicrons.isFinite && pixelSizeMicrons > 0) {
            throw ValidationError("--pixel-size must be a positive number of microns per pixel, got \(pixelSizeMicrons)")
        }
    }

    func run() throws {
        let inputs: (truth: [TruthSpine], report: SpineReport, lengths: [TruthShaftLength]?)
        do {
            inputs = try loadInputs()
        } catch let error as EvaluationInputError {
            throw ValidationError(error.description)
        }
        let result = SpineEvaluator.evaluate(
            truth: inputs.truth, report: inputs.report, shaftLengths: inputs.lengths,
            options: EvaluationOptions(toleranceMicrons: toleranceMicrons, micronsPerPixel: pixelSizeMicrons))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            let data = try encoder.encode(result)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(result.text(perImage: perImage), terminator: "")
        }
    }

    private func loadInputs() throws -> (truth: [TruthSpine], report: SpineReport, lengths: [TruthShaftLength]?) {
        var truthSpines = [TruthSpine]()
        // A file named twice would count its annotations twice.
        var seen = Set<String>()
        for path in truth {
            let file = Self.resolved(path, defaultFile: "truth.csv")
            guard seen.insert(InputCollection.identity(of: file)).inserted else {
                continue
            }
            truthSpines += try EvaluationCSV.truthSpines(csv: try Self.read(file, role: "truth file"), file: file)
        }
        if truthSpines.isEmpty {
            throw EvaluationInputError(file: truth.joined(separator: ", "), reason: "holds no annotated image")
        }

        let folder = Self.reportFolder(report)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EvaluationInputError(file: folder, reason: "is not a report folder (no such folder)")
        }
        let spinesFile = (folder as NSString).appendingPathComponent("spines.csv")
        let imagesFile = (folder as NSString).appendingPathComponent("images.csv")
        let spines = try EvaluationCSV.predictedSpines(csv: try Self.read(spinesFile, role: "report's spines.csv"),
                                                       file: spinesFile)
        let images = try EvaluationCSV.reportImages(csv: try Self.read(imagesFile, role: "report's images.csv"),
                                                    file: imagesFile)

        var shaftLengths: [TruthShaftLength]?
        if let lengths {
            shaftLengths = try EvaluationCSV.shaftLengths(csv: try Self.read(lengths, role: "lengths file"), file: lengths)
        }
        return (truthSpines, SpineReport(images: images, spines: spines), shaftLengths)
    }

    /// `path`, or `path/defaultFile` when `path` is a folder.
    private static func resolved(_ path: String, defaultFile: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return (path as NSString).appendingPathComponent(defaultFile)
        }
        return path
    }

    /// The report folder, also when given as the path of its spines.csv or images.csv.
    private static func reportFolder(_ path: String) -> String {
        let name = (path as NSString).lastPathComponent
        if name == "spines.csv" || name == "images.csv" {
            let parent = (path as NSString).deletingLastPathComponent
            return parent.isEmpty ? "." : parent
        }
        return path
    }

    private static func read(_ file: String, role: String) throws -> String {
        guard FileManager.default.fileExists(atPath: file) else {
            throw EvaluationInputError(file: file, reason: "\(role) not found")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw EvaluationInputError(file: file, reason: "\(role) could not be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EvaluationInputError(file: file, reason: "\(role) is not UTF-8 text")
        }
        return text
    }
}
