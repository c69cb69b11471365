import Foundation
import SpineKit

/// Renders a set of test images, then measures decoding, each analysis stage, the
/// end-to-end batch at each thread count and the memory of a long batch.
///
/// The images come from the project's own renderer (`SyntheticDataset`, settings
/// `.standard` at the requested size, 0.08 um/px, 16-bit), written as PNGs with pHYs
/// exactly as a user's files would be read; or from a folder of the user's PNGs.
///
/// Used from one thread at a time (the measurements run one after another), hence
/// `@unchecked Sendable`.
final class Benchmark: @unchecked Sendable {
    let options: BenchOptions
    /// Temporary folder for rendered images and reports.
    let folder: URL
    private(set) var imagePaths: [String] = []
    /// Pixels of each image, in the order of `imagePaths`.
    private(set) var pixelCounts: [Int] = []

    var meanMegapixelsPerImage: Double {
        pixelCounts.isEmpty ? 0 : Double(pixelCounts.reduce(0, +)) / Double(pixelCounts.count) / 1e6
    }
    var largestImagePixels: Int { pixelCounts.max() ?? 0 }
    /// Megapixels of a batch of `count` images cycling through the set.
    func megapixels(inBatchOf count: Int) -> Double {
        pixelCounts.isEmpty ? 0 : Double((0..<count).reduce(0) { $0 + pixelCounts[$1 % pixelCounts.count] }) / 1e6
    }

    init(options: BenchOptions) throws {
        self.options = options
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("spinecount-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("images"),
                                                withIntermediateDirectories: true)
    }

    func removeFiles() { try? FileManager.default.removeItem(at: folder) }

    /// Uses the PNGs directly in `source` instead of rendering (reading each once for its size).
    func useImages(in source: String) throws {
        let found: [(image: String, path: String)]
        do {
            found = try InputCollection.images(in: [source], recursive: false)
        } catch {
            throw BenchFailure("cannot use the images in \(source): \(error)")
        }
        guard !found.isEmpty else { throw BenchFailure("no PNG images in \(source)") }
        imagePaths = found.map(\.path)
        pixelCounts = try imagePaths.map { path in
            let decoded = try PNGCodec.read(path: path)
            return decoded.width * decoded.height
        }
    }

    // MARK: Machine

    static func machineDescription() -> String {
        let info = ProcessInfo.processInfo
        var cpu = "unknown CPU"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let memory = Double(info.physicalMemory) / 1_073_741_824
        return "\(info.activeProcessorCount) cores (\(cpu)), \(fixed(memory, 1)) GiB RAM, \(info.operatingSystemVersionString)"
    }

    // MARK: Rendering (not measured)

    /// Renders and writes the images on every core; returns the seconds it took.
    func render() throws -> Double {
        let start = ContinuousClock.now
        let settings = SynthesisSettings.standard.withPixelSize(0.08, widthPixels: options.sizePixels)
        let items = SyntheticDataset.single(settings: settings, count: options.images, seed: options.seed)
        let paths = items.map { folder.appendingPathComponent("images").appendingPathComponent($0.fileName).path }
        let failures = LockedBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: items.count) { k in
            let image = items[k].render()
            do {
                let png = try PNGCodec.encodeGray(image.pixels, bitDepth: 16, micronsPerPixel: image.micronsPerPixel)
                try Data(png).write(to: URL(fileURLWithPath: paths[k]))
            } catch {
                failures.mutate { $0.append("\(paths[k]): \(error)") }
            }
        }
        if let first = failures.value.first { throw BenchFailure("could not write a rendered image: \(first)") }
        imagePaths = paths
        pixelCounts = paths.map { _ in options.sizePixels * options.sizePixels }
        return secondsSince(start)
    }

    // MARK: Decoding

    /// Wall-clock and CPU seconds of one step.
    struct Cost {
        var wall = 0.0
        var cpu = 0.0
        static func + (a: Cost, b: Cost) -> Cost { Cost(wall: a.wall + b.wall, cpu: a.cpu + b.cpu) }
        func scaled(_ f: Double) -> Cost { Cost(wall: wall * f, cpu: cpu * f) }
        static func min(_ a: Cost, _ b: Cost) -> Cost { Cost(wall: Swift.min(a.wall, b.wall), cpu: Swift.min(a.cpu, b.cpu)) }
        static let infinite = Cost(wall: .infinity, cpu: .infinity)
    }

    /// Runs `body` and adds its wall-clock and thread CPU time to `cost`.
    func timed<R>(_ cost: inout Cost, _ body: () throws -> R) rethrows -> R {
        let cpu = threadCPUSeconds(), wall = ContinuousClock.now
        let result = try body()
        cost.wall += secondsSince(wall)
        cost.cpu += threadCPUSeconds() - cpu
        return result
    }

    struct DecodeFigures {
        var read: Cost      // PNGCodec.read per image (file read + libpng decode)
        var gray: Cost      // DecodedImage.grayImage per image
        var sha256: Cost    // SHA-256 of the file per image (run.json fingerprint)
        var fileBytes: Int
    }

    /// Best of three passes over all images, per image.
    func measureDecoding() throws -> DecodeFigures {
        var best = DecodeFigures(read: .infinite, gray: .infinite, sha256: .infinite, fileBytes: 0)
        for _ in 0..<3 {
            var read = Cost(), gray = Cost(), hash = Cost(), bytes = 0
            for path in imagePaths {
                let decoded = try timed(&read) { try PNGCodec.read(path: path) }
                _ = timed(&gray) { decoded.grayImage(channel: .max) }
                bytes += try timed(&hash) { try SHA256.hexDigest(ofFileAt: path) }.byteCount
            }
            let n = 1 / Double(imagePaths.count)
            best.read = .min(best.read, read.scaled(n))
            best.gray = .min(best.gray, gray.scaled(n))
            best.sha256 = .min(best.sha256, hash.scaled(n))
            best.fileBytes = bytes / imagePaths.count
        }
        return best
    }

    // MARK: Analysis stages

    struct StageFigures {
        /// Per image, the fastest of the repetitions of each stage (wall clock, as
        /// `ImageAnalysis.timings` measures it), in `StageTimings.stageOrder`.
        var stageSeconds: [(String, Double)]
        /// Per image, the fastest repetition of the whole analysis.
        var total: Cost
        var spines: Int
        var dendrites: Int
        /// Images searched at the wider smoothing (noisy ones: a second shaft model each).
        var noisyImages: Int
        var digest: String
        /// Whether every repetition gave the same results.
        var repeatable: Bool
    }

    /// Analyses every image `repetitions` times on this thread. The fastest repetition of
    /// each stage is kept: on a shared machine it is the least disturbed by other work.
    func measureStages(repetitions: Int) throws -> StageFigures {
        var sums: [String: Double] = [:]
        var total = Cost(), spines = 0, dendrites = 0, noisyImages = 0
        var digest = ResultDigest()
        var repeatable = true
        for path in imagePaths {
            let decoded = try PNGCodec.read(path: path)
            let image = decoded.grayImage(channel: .max)
            let micronsPerPixel = decoded.micronsPerPixel ?? 0.08
            var best: [String: Double] = [:]
            var bestTotal = Cost.infinite
            var first: ImageAnalysis?
            for _ in 0..<Swift.max(1, repetitions) {
                var cost = Cost()
                let analysis = timed(&cost) { SpineAnalysis.analyze(image, micronsPerPixel: micronsPerPixel) }
                bestTotal = .min(bestTotal, cost)
                for (stage, seconds) in analysis.timings.seconds { best[stage] = Swift.min(best[stage] ?? .infinity, seconds) }
                if let first {
                    var a = ResultDigest(), b = ResultDigest()
                    a.add(first)
                    b.add(analysis)
                    if a.finalize() != b.finalize() { repeatable = false }
                } else {
                    first = analysis
                }
            }
            guard let analysis = first else { continue }
            total = total + bestTotal
            for (stage, seconds) in best { sums[stage, default: 0] += seconds }
            spines += analysis.spines.count
            dendrites += analysis.dendrites.count
            if analysis.searchedAtWiderSmoothing { noisyImages += 1 }
            digest.add(analysis)
        }
        let n = Double(imagePaths.count)
        let known = StageTimings.stageOrder
        let others = sums.keys.filter { !known.contains($0) }.sorted()
        let stages = (known + others).map { ($0, (sums[$0] ?? 0) / n) }
        return StageFigures(stageSeconds: stages, total: total.scaled(1 / n), spines: spines, dendrites: dendrites,
                            noisyImages: noisyImages, digest: digest.finalize(), repeatable: repeatable)
    }

    /// The digest of the analysis results of every image (the `--digest` mode).
    func digestOnly() throws -> String { try measureStages(repetitions: 1).digest }

    // MARK: End to end

    struct BatchFigures {
        var threads: Int
        var images: Int
        var wallSeconds: Double
        var cpuSeconds: Double
        /// Sum over images of each image's own wall time, divided by the batch's wall time:
        /// how many images were in flight on average.
        var concurrency: Double
        var reportSeconds: Double
        var peakBytes: Int
        var failed: Int
        /// SHA-256 of spines.csv and images.csv, which must not depend on the thread count.
        var reportDigest: String
        var checkpoints: [(completed: Int, current: Int, peak: Int)]
        /// 1-minute load average when the batch ended: above the core count, other
        /// processes took CPU time from the batch and its wall-clock figures are pessimistic.
        var loadAverage: Double?
    }

    /// Runs `count` images (the rendered ones repeated, each under its own name) through
    /// `BatchRunner` with `threads` workers, overlays off, then writes the reports the way
    /// `spinecount analyze` does. Memory is sampled at `checkpoints` (images completed).
    func runBatch(threads: Int, count: Int, label: String, checkpoints: Set<Int> = []) throws -> BatchFigures {
        let inputs = (0..<count).map { k in
            BatchInput(group: "set", image: String(format: "r%04d_", k) + URL(fileURLWithPath: imagePaths[k % imagePaths.count]).lastPathComponent,
                       path: imagePaths[k % imagePaths.count])
        }
        let output = folder.appendingPathComponent("report-\(label)")
        try? FileManager.default.removeItem(at: output)
        try ReportTransaction.prepareDirectory(output)
        let configuration = BatchConfiguration(threads: threads, writesOverlays: false)
        let samples = LockedBox<[(completed: Int, current: Int, peak: Int)]>([])

        ResourceUsage.resetPeak()
        let cpuStart = ResourceUsage.cpuSeconds()
        let start = ContinuousClock.now
        let transaction = ReportTransaction(directory: output)
        let runner = BatchRunner(inputs: inputs, configuration: configuration, transaction: transaction)
        // Written as `spinecount` writes them: spines.csv while the batch runs, in input order.
        let spineTable = try SpineTableStream(transaction: transaction)
        let records = runner.run(onEvent: { event in
            if checkpoints.contains(event.completed) {
                let rss = ResourceUsage.residentBytes()
                samples.mutate { $0.append((event.completed, rss.current, rss.peak)) }
            }
        }, inOrder: spineTable.append)
        let reportStart = ContinuousClock.now
        let measures = records.filter(\.status.isOK).map { $0.measures() }
        try spineTable.finish()
        let imagesCSV = ReportTables.images(records).text
        try transaction.stage(text: imagesCSV, as: "images.csv")
        try transaction.stage(text: ReportTables.dendrites(records).text, as: "dendrites.csv")
        try transaction.stage(text: ReportTables.summary(SetSummary(images: measures)).text, as: "summary.csv")
        let parameters = RunManifest.Parameters(
            pixelSizeMicrons: nil, channel: .max, analysis: configuration.parameters, overlays: false,
            threads: threads, recursive: false, maxPixels: configuration.maxPixels, groupBy: nil,
            bootstrapSeed: nil, bootstrapResamples: nil, outputDirectory: output.path)
        let manifest = RunManifest(command: "analyze", commandLine: CommandLine.arguments,
                                   workingDirectory: FileManager.default.currentDirectoryPath,
                                   start: Date(), end: Date(), exitStatus: 0, parameters: parameters, records: records)
        try transaction.stage(text: try manifest.jsonText(), as: "run.json")
        try transaction.commit()
        let wall = secondsSince(start)
        let reportSeconds = secondsSince(reportStart)
        let cpu = ResourceUsage.cpuSeconds() - cpuStart
        let after = ResourceUsage.residentBytes()
        var points = samples.value.sorted { $0.completed < $1.completed }
        points.append((count + 1, after.current, after.peak))  // after the reports

        var digest = SHA256()
        digest.update(try Data(contentsOf: output.appendingPathComponent("spines.csv")))
        digest.update(imagesCSV.utf8)
        let perImage = records.reduce(0) { $0 + $1.seconds }
        return BatchFigures(threads: threads, images: count, wallSeconds: wall, cpuSeconds: cpu,
                            concurrency: perImage / Swift.max(1e-9, wall - reportSeconds), reportSeconds: reportSeconds,
                            peakBytes: after.peak, failed: records.filter { !$0.status.isOK }.count,
                            reportDigest: SHA256.hex(digest.finalize()), checkpoints: points,
                            loadAverage: currentLoadAverage())
    }
}

/// Runs `body` on a new thread with the batch runner's stack size and waits for it.
///
/// Single-thread measurements run there rather than on the main thread: glibc gives the main
/// thread its own heap, which returns freed images to the system and faults them back in,
/// so the same analysis costs more there than on a batch worker.
func onWorkerThread<R>(_ body: @escaping @Sendable () throws -> R) throws -> R {
    let result = LockedBox<Result<R, Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        let outcome = Result { try body() }
        result.mutate { $0 = outcome }
        done.signal()
    }
    thread.stackSize = BatchRunner.workerStackBytes
    thread.start()
    done.wait()
    guard let outcome = result.value else { throw BenchFailure("a measurement thread ended without a result") }
    return try outcome.get()
}

/// A value shared between threads behind a lock.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}

/// A benchmark step that could not run; the message names what and why.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
