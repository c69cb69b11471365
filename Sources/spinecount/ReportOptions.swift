import ArgumentParser
import Foundation
import SpineKit

extension ChannelSelection: ExpressibleByArgument {}
extension SpineClassifier.Scheme: ExpressibleByArgument {}

/// Options shared by `compare` and `analyze`: where reports go, how images are read,
/// the classification thresholds and how the batch runs.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder for the reports; created if missing.", valueName: "DIR"))
    var output = "spinecount-report"

    @Option(name: .customLong("pixel-size"), parsing: .unconditional,
            help: ArgumentHelp("Microns per pixel. Default: each PNG's pHYs chunk.", valueName: "UM"))
    var pixelSizeMicrons: Double?

    @Option(help: ArgumentHelp("Channel analysed in colour PNGs.", valueName: "max|red|green|blue|luminance"))
    var channel: ChannelSelection = .max

    @Option(help: ArgumentHelp("Classification rules (Rodriguez et al. 2008 or Harris et al. 1992).",
                               valueName: "neuronstudio|harris"))
    var rules: SpineClassifier.Scheme = .neuronstudio

    @Option(name: .customLong("neck-ratio"), parsing: .unconditional,
            help: ArgumentHelp("Head/neck diameter ratio from which a spine has a neck (NeuronStudio: 1.1).",
                               valueName: "RATIO"))
    var neckRatio: Double?

    @Option(name: .customLong("thin-ratio"), parsing: .unconditional,
            help: ArgumentHelp("Length/head ratio threshold between thin and stubby (NeuronStudio: 2.5, Harris: 1.0).",
                               valueName: "RATIO"))
    var thinRatio: Double?

    @Option(name: .customLong("mushroom-head-um"), parsing: .unconditional,
            help: ArgumentHelp("Head diameter from which a necked spine is mushroom (NeuronStudio: 0.35, Harris: 0.6).",
                               valueName: "UM"))
    var mushroomHeadMicrons: Double?

    @Option(name: .customLong("psf-fwhm-um"), parsing: .unconditional,
            help: ArgumentHelp("Optical blur (PSF full width at half maximum) of the microscope. "
                               + "Default: read from each image's narrowest necks (psf_fwhm_um in images.csv), "
                               + "or \(ReportNumber.fixed(AnalysisParameters().defaultPSFFWHMMicrons, places: 2)) "
                               + "when it has fewer than \(AnalysisParameters().minimumNecksForBlurEstimate) necks. "
                               + "It changes detection as well as sizes; the estimate served better than the true PSF "
                               + "on rendered images (README).",
                               valueName: "UM"))
    var psfFWHMMicrons: Double?

    @Option(name: .customLong("edge-margin-um"), parsing: .unconditional,
            help: ArgumentHelp("Heads closer than this to the edge of the imaged area are not counted, and "
                               + "shaft there is not measured (an unbiased counting frame; dark padding around "
                               + "a crop is left out by itself). Default: "
                               + "\(ReportNumber.fixed(AnalysisParameters().borderExclusionMicrons, places: 1)).",
                               valueName: "UM"))
    var edgeMarginMicrons: Double?

    @Flag(inversion: .prefixedNo, help: "Write annotated PNGs to DIR/overlays/.")
    var overlays = true

    @Option(parsing: .unconditional, help: ArgumentHelp("Images analysed in parallel. Default: all cores.", valueName: "N"))
    var threads: Int?

    @Flag(help: "Hide progress (failing images are still named on standard error).")
    var quiet = false

    @Flag(help: "Search folders recursively.")
    var recursive = false

    @Option(name: .customLong("max-pixels"), parsing: .unconditional,
            help: ArgumentHelp("Refuse images with more pixels than this (memory guard).", valueName: "N"))
    var maxPixels = PNGCodec.defaultMaxPixels

    @Option(name: .customLong("group-by"),
            help: ArgumentHelp("Regular expression whose first capture group (or whole match) in the image name "
                               + "is the unit of replication (animal, cell) for the statistics.",
                               valueName: "REGEX"))
    var groupBy: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the bootstrap. Default: a fixed seed, so reruns give the same intervals.", valueName: "N"))
    var seed: UInt64?

    func validate() throws {
        if output.isEmpty { throw ValidationError("--output needs a folder name") }
        try Self.require(pixelSizeMicrons, in: AnalysisParameters.micronsPerPixelRange, "--pixel-size")
        try Self.requirePositive(neckRatio, "--neck-ratio")
        try Self.requirePositive(thinRatio, "--thin-ratio")
        try Self.requirePositive(mushroomHeadMicrons, "--mushroom-head-um")
        try Self.require(psfFWHMMicrons, in: AnalysisParameters.psfFWHMRangeMicrons, "--psf-fwhm-um")
        if let edgeMarginMicrons, !(edgeMarginMicrons.isFinite && edgeMarginMicrons >= 0) {
            throw ValidationError("--edge-margin-um must be zero or a positive number, got \(edgeMarginMicrons)")
        }
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads)")
        }
        if maxPixels < 1 {
            throw ValidationError("--max-pixels must be at least 1, got \(maxPixels)")
        }
        if let groupBy {
            do {
                _ = try ClusterKeyPattern(groupBy)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    private static func require(_ value: Double?, in range: ClosedRange<Double>, _ name: String) throws {
        guard let value else { return }
        guard range.contains(value) else {
            throw ValidationError("\(name) must be between \(range.lowerBound) and \(range.upperBound) microns, got \(value)")
        }
    }

    private static func requirePositive(_ value: Double?, _ name: String) throws {
        guard let value else { return }
        guard value.isFinite, value > 0 else {
            throw ValidationError("\(name) must be a positive number, got \(value)")
        }
    }

    /// The thresholds: the chosen scheme's defaults with any single overrides.
    var classificationRules: SpineClassifier.Rules {
        var rules = SpineClassifier.Rules.defaults(for: rules)
        if let neckRatio { rules.neckRatio = neckRatio }
        if let thinRatio { rules.thinRatio = thinRatio }
        if let mushroomHeadMicrons { rules.mushroomHeadMicrons = mushroomHeadMicrons }
        return rules
    }

    var analysisParameters: AnalysisParameters {
        var parameters = AnalysisParameters()
        parameters.rules = classificationRules
        parameters.psfFWHMMicrons = psfFWHMMicrons
        if let edgeMarginMicrons { parameters.borderExclusionMicrons = edgeMarginMicrons }
        return parameters
    }

    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    var batchConfiguration: BatchConfiguration {
        BatchConfiguration(pixelSizeMicrons: pixelSizeMicrons, channel: channel, parameters: analysisParameters,
                           maxPixels: maxPixels, threads: threadCount, writesOverlays: overlays)
    }
}
