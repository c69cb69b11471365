import Foundation

/// `run.json`: what was run, on which files, with which parameters, so that a result
/// can be traced and repeated.
///
/// Keys are snake_case. Parameters are the ones actually used, defaults filled in;
/// each input carries its size, SHA-256 and the pixel size used for it (from
/// `--pixel-size` or the file's pHYs chunk).
public struct RunManifest: Sendable, Codable {
    public struct Parameters: Sendable, Codable {
        /// `--pixel-size`; `nil` means each image's pHYs chunk was used.
        public var pixelSizeMicrons: Double?
        public var channel: ChannelSelection
        /// Every analysis setting, classification rules included.
        public var analysis: AnalysisParameters
        public var overlays: Bool
        public var threads: Int
        public var recursive: Bool
        public var maxPixels: Int
        /// `--group-by`, the cluster-key pattern for the statistics.
        public var groupBy: String?
        /// Bootstrap settings of the comparison; `nil` for `analyze`. `bootstrapMethod` says how
        /// the intervals were made (nil when no group had enough units for one);
        /// `bootstrapResamples` is the number of replicates drawn when they were sampled (nil
        /// when the small groups were enumerated exactly).
        public var bootstrapSeed: UInt64?
        public var bootstrapResamples: Int?
        public var bootstrapMethod: String?
        public var outputDirectory: String

        public init(pixelSizeMicrons: Double?, channel: ChannelSelection, analysis: AnalysisParameters,
                    overlays: Bool, threads: Int, recursive: Bool, maxPixels: Int, groupBy: String?,
                    bootstrapSeed: UInt64?, bootstrapResamples: Int?, bootstrapMethod: String? = nil,
                    outputDirectory: String) {
            self.pixelSizeMicrons = pixelSizeMicrons
            self.channel = channel
            self.analysis = analysis
            self.overlays = overlays
            self.threads = threads
            self.recursive = recursive
            self.maxPixels = maxPixels
            self.groupBy = groupBy
            self.bootstrapSeed = bootstrapSeed
            self.bootstrapResamples = bootstrapResamples
            self.bootstrapMethod = bootstrapMethod
            self.outputDirectory = outputDirectory
        }
    }

    public struct Input: Sendable, Codable {
        public var group: String
        public var image: String
        public var path: String
        public var bytes: Int?
        public var sha256: String?
        public var status: String
        public var widthPx: Int?
        public var heightPx: Int?
        public var bitDepth: Int?
        public var pixelSizeMicrons: Double?
        public var pixelSizeSource: PixelSizeSource?
        public var psfFwhmMicrons: Double?
        public var overlay: String?
        public var seconds: Double

        public init(_ record: ImageRecord) {
            group = record.input.group
            image = record.input.image
            path = record.input.path
            bytes = record.fileBytes
            sha256 = record.sha256
            status = record.status.text
            widthPx = record.width
            heightPx = record.height
            bitDepth = record.bitDepth
            pixelSizeMicrons = record.micronsPerPixel
            pixelSizeSource = record.pixelSizeSource
            psfFwhmMicrons = record.psfFWHMMicrons.flatMap { $0.isFinite ? $0 : nil }
            overlay = record.overlayPath
            seconds = record.seconds
        }
    }

    public var tool = "spinecount"
    public var version = SpinecountVersion.current
    /// `compare` or `analyze`.
    public var command: String
    /// The arguments exactly as given, program name first.
    public var commandLine: [String]
    public var workingDirectory: String
    /// ISO 8601, UTC.
    public var startTime: String
    public var endTime: String
    public var exitStatus: Int
    public var imagesTotal: Int
    public var imagesOK: Int
    public var imagesFailed: Int
    public var parameters: Parameters
    public var inputs: [Input]
    /// Overlays of an earlier run that this run deletes after its commit (paths relative to
    /// the report folder): listed so that a run stopped before deleting them leaves them to
    /// the next one.
    public var staleOverlays: [String] = []

    public init(command: String, commandLine: [String], workingDirectory: String, start: Date, end: Date,
                exitStatus: Int, parameters: Parameters, records: [ImageRecord]) {
        self.command = command
        self.commandLine = commandLine
        self.workingDirectory = workingDirectory
        startTime = Self.timestamp(start)
        endTime = Self.timestamp(end)
        self.exitStatus = exitStatus
        imagesTotal = records.count
        imagesOK = records.filter(\.status.isOK).count
        imagesFailed = records.count - imagesOK
        self.parameters = parameters
        inputs = records.map(Input.init)
    }

    /// The overlays (paths relative to the report folder) that the spinecount run.json in
    /// `folder` lists as its inputs' or as stale ones it was to delete; empty when there is
    /// none, or it is not spinecount's.
    public static func overlays(listedIn folder: URL) -> Set<String> {
        guard InputCollection.isReport(folder: folder.path),
              let data = try? Data(contentsOf: folder.appendingPathComponent("run.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        let inputs = (object["inputs"] as? [[String: Any]] ?? []).compactMap { $0["overlay"] as? String }
        return Set(inputs + (object["stale_overlays"] as? [String] ?? []))
    }

    /// Pretty-printed JSON with sorted keys, so that two runs diff cleanly.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // A non-finite number would make the encoder throw; none should reach it.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// `2025-01-31T14:05:09.123Z`.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
