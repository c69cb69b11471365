import Foundation

/// Progress of a batch: sent once per finished image, in the order images finish.
public struct BatchEvent: Sendable {
    /// Position of the image in the input list.
    public var index: Int
    public var record: ImageRecord
    /// Images finished so far, this one included, and how many failed.
    public var completed: Int
    public var failed: Int
    public var total: Int
    public var elapsedSeconds: Double
}

/// Analyses a list of images on a fixed number of worker threads.
///
/// Each worker takes the next image in input order, reads it, analyses it, stages its
/// overlay (see `ReportTransaction`) and keeps only the `ImageRecord`, so memory holds
/// at most `threads` images' pixels at a time. Results come back in input order and
/// do not depend on the number of threads, because each image is analysed on its own.
/// Plain threads rather than Swift tasks: the work is long, blocking and CPU-bound,
/// and `--threads` should mean exactly that many.
public final class BatchRunner: @unchecked Sendable {
    /// Stack size of the worker threads: generous, because image algorithms may recurse.
    public static let workerStackBytes = 64 << 20

    public let inputs: [BatchInput]
    public let configuration: BatchConfiguration
    /// Overlay path of each input, relative to the report folder.
    public let overlayPaths: [String]
    private let transaction: ReportTransaction?
    /// Keeps the images analysed at once within the memory the process may use.
    public let memoryBudget: MemoryBudget
    /// Images analysed at once: `--threads`, no more than there are images, and, under an
    /// address-space limit, no more than `MemoryBudget.maximumWorkers` (results do not depend
    /// on it).
    public let workerCount: Int

    private let lock = NSLock()
    private var nextIndex = 0
    private var completed = 0
    private var failed = 0
    private var results: [ImageRecord?]
    /// The first input not yet handed to the in-order handler of `run`.
    private var nextInOrder = 0
    private var cancelled = false

    /// A runner for `inputs`; overlays are staged in `transaction` when the
    /// configuration asks for them (no transaction, no overlays). Without a
    /// `memoryBudget`, the budget comes from this process's limits and the machine.
    public init(inputs: [BatchInput], configuration: BatchConfiguration, transaction: ReportTransaction?,
                memoryBudget: MemoryBudget? = nil) {
        self.inputs = inputs
        self.configuration = configuration
        self.transaction = transaction
        let requested = max(1, min(configuration.threads, inputs.count))
        workerCount = memoryBudget == nil ? min(requested, MemoryBudget.maximumWorkers() ?? requested) : requested
        self.memoryBudget = memoryBudget ?? MemoryBudget.forThisProcess(threads: workerCount)
        overlayPaths = Self.overlayPaths(for: inputs)
        results = Array(repeating: nil, count: inputs.count)
    }

    /// Analyses every image and returns one record per input, in input order. Blocks
    /// until all are done; `onEvent` is called on worker threads, one call at a time.
    /// `onStart` is called on the worker thread with an image's input index just before
    /// that image is read (so that a crash can be blamed on the right file).
    /// After `cancel`, or once an overlay could not be staged (`ImageRecord.overlayFailure`),
    /// images not yet started are skipped and left out of the result.
    ///
    /// With `inOrder`, each record is also handed to it once, in input order, as soon as it
    /// and every image before it are done (one call at a time, on worker threads), and its
    /// spines are then released (`ImageRecord.releaseSpines`): a caller that writes the
    /// spine rows there, as spinecount writes spines.csv, keeps the batch's memory flat
    /// however many images it has. A record waits for the images before it with its spines,
    /// so only as many are held as finish while an earlier, slower one is analysed.
    public func run(onEvent: @escaping @Sendable (BatchEvent) -> Void = { _ in },
                    onStart: @escaping @Sendable (Int) -> Void = { _ in },
                    inOrder: (@Sendable (ImageRecord) -> Void)? = nil) -> [ImageRecord] {
        let start = Date()
        let workers = workerCount
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                work(start: start, onStart: onStart, onEvent: onEvent, inOrder: inOrder)
                group.leave()
            }
            thread.stackSize = Self.workerStackBytes
            thread.start()
        }
        group.wait()
        return lock.withLock {
            // After `cancel`, the records beyond a skipped image have not been handed over yet.
            if let inOrder {
                for index in nextInOrder..<results.count where results[index] != nil {
                    inOrder(results[index]!)
                    results[index]!.releaseSpines()
                }
                nextInOrder = results.count
            }
            AllocatorTuning.releaseFreedMemory()
            return results.compactMap { $0 }
        }
    }

    /// Stops handing out images; those being analysed finish.
    public func cancel() {
        lock.withLock { cancelled = true }
    }

    private func work(start: Date, onStart: @Sendable (Int) -> Void, onEvent: @Sendable (BatchEvent) -> Void,
                      inOrder: (@Sendable (ImageRecord) -> Void)?) {
        while true {
            let index: Int? = lock.withLock {
                guard !cancelled, nextIndex < inputs.count else { return nil }
                defer { nextIndex += 1 }
                return nextIndex
            }
            guard let index else { return }
            onStart(index)
            let overlay = configuration.writesOverlays && transaction != nil ? overlayPaths[index] : nil
            let record = Self.process(inputs[index], configuration: configuration, overlayPath: overlay,
                                      transaction: transaction, memoryBudget: memoryBudget)
            // The event is sent under the lock so that progress lines never interleave.
            lock.withLock {
                results[index] = record
                // The report folder cannot take an overlay (a full disk): the run cannot leave a
                // whole report, so the images not yet started are not analysed for nothing.
                if record.overlayFailure != nil { cancelled = true }
                completed += 1
                if !record.status.isOK { failed += 1 }
                onEvent(BatchEvent(index: index, record: record, completed: completed, failed: failed,
                                   total: inputs.count, elapsedSeconds: Date().timeIntervalSince(start)))
                guard let inOrder else { return }
                while nextInOrder < results.count, results[nextInOrder] != nil {
                    inOrder(results[nextInOrder]!)
                    results[nextInOrder]!.releaseSpines()
                    nextInOrder += 1
                }
            }
        }
    }

    /// Reads, analyses and (with `overlayPath` and `transaction`) draws one image. Never
    /// throws: every failure becomes a `.failed` record whose reason says what went wrong.
    /// With a `memoryBudget`, waits until the image's estimated memory fits in it, and
    /// fails the image when it never could.
    public static func process(_ input: BatchInput, configuration: BatchConfiguration,
                               overlayPath: String? = nil, transaction: ReportTransaction? = nil,
                               memoryBudget: MemoryBudget? = nil) -> ImageRecord {
        let start = Date()
        var record = ImageRecord(input: input, status: .ok)
        var reservedBytes = 0
        var spines: [Spine] = []
        analyze(into: &record, spines: &spines, configuration: configuration, overlayPath: overlayPath,
                transaction: transaction, memoryBudget: memoryBudget, reservedBytes: &reservedBytes)
        if reservedBytes > 0 { memoryBudget?.release(reservedBytes) }
        // The spines were allocated among the analysis's images, and they outlive them until
        // their rows are written: a copy made now that the images are freed sits low in the heap
        // instead of splitting the space the next image's images would reuse.
        record.spines = spines.map { $0 }
        record.seconds = Date().timeIntervalSince(start)
        return record
    }

    /// Fills `record` and hands the spines back apart, for `process` to set once.
    private static func analyze(into record: inout ImageRecord, spines: inout [Spine], configuration: BatchConfiguration,
                                overlayPath: String?, transaction: ReportTransaction?,
                                memoryBudget: MemoryBudget?, reservedBytes: inout Int) {
        guard let gray = readGray(into: &record, configuration: configuration, memoryBudget: memoryBudget,
                                  reservedBytes: &reservedBytes) else { return }
        let micronsPerPixel = record.micronsPerPixel ?? 1
        let analysis = SpineAnalysis.analyze(gray, micronsPerPixel: micronsPerPixel,
                                             parameters: configuration.parameters)
        record.psfFWHMMicrons = analysis.psfFWHMMicrons
        record.dendrites = analysis.dendrites.map(DendriteRecord.init)
        spines = analysis.spines

        if let overlayPath, let transaction {
            let canvas = OverlayRenderer.render(gray, analysis: analysis, style: configuration.overlayStyle)
            do {
                let png = try PNGCodec.encodeRGB(width: canvas.width, height: canvas.height, rgb: canvas.rgb,
                                                 micronsPerPixel: micronsPerPixel)
                try transaction.stage(png, as: overlayPath)
                record.overlayPath = overlayPath
            } catch {
                record.overlayFailure = "\(error)"
            }
        }
    }

    /// Reads the file, records its digest, header and pixel size, and returns the channel
    /// to analyse; `nil` (with the record marked failed) when that is not possible. The
    /// file's bytes and decoded samples go out of scope here, so only the grey image stays
    /// in memory.
    ///
    /// The file is read once, by the codec, which refuses directories, devices and pipes
    /// before reading and sizes its buffer from `fstat`: the digest is taken from those
    /// bytes, so a FIFO or a link to `/dev/zero` named `*.png` cannot block or fill memory,
    /// and the digest always describes the bytes that were analysed.
    ///
    /// The header is checked before the pixels are decoded, and the image's memory is
    /// taken from `memoryBudget` (into `reservedBytes`, which the caller gives back).
    private static func readGray(into record: inout ImageRecord, configuration: BatchConfiguration,
                                 memoryBudget: MemoryBudget?, reservedBytes: inout Int) -> GrayImage? {
        let decoded: DecodedImage
        // The pixel size given for every image is known whether or not this one can be read.
        if let micronsPerPixel = configuration.pixelSizeMicrons {
            record.micronsPerPixel = micronsPerPixel
            record.pixelSizeSource = .option
        }
        var bytes: [UInt8] = []
        do {
            let path = record.input.path
            bytes = try PNGCodec.readFile(path: path)
            record.sha256 = SHA256.hexDigest(of: bytes)
            record.fileBytes = bytes.count
            if let memoryBudget {
                let header = try PNGCodec.header(of: bytes, name: path, maxPixels: configuration.maxPixels)
                let needed = MemoryBudget.estimatedBytes(of: header, fileBytes: bytes.count)
                guard memoryBudget.acquire(needed) else {
                    record.width = header.width
                    record.height = header.height
                    record.bitDepth = header.bitDepth
                    record.status = .failed(memoryBudget.refusal(neededBytes: needed, header: header))
                    return nil
                }
                reservedBytes = needed
            }
            decoded = try PNGCodec.decode(bytes, name: path, maxPixels: configuration.maxPixels)
        } catch {
            record.status = .failed(error.details.isEmpty ? error.description : error.details)
            // An image refused for its size still says how large it is.
            if error.kind == .tooLarge, let header = try? PNGCodec.header(of: bytes, name: record.input.path, maxPixels: .max) {
                record.width = header.width
                record.height = header.height
                record.bitDepth = header.bitDepth
            }
            return nil
        }
        record.width = decoded.width
        record.height = decoded.height
        record.bitDepth = decoded.bitDepth
        // A pixel size given for every image was set above; otherwise the file's own is needed.
        guard configuration.pixelSizeMicrons == nil else { return decoded.grayImage(channel: configuration.channel) }
        switch decoded.pixelSize {
        case .microns(let micronsPerPixel):
            let range = AnalysisParameters.micronsPerPixelRange
            guard range.contains(micronsPerPixel) else {
                record.status = .failed("the file's pHYs chunk gives \(micronsPerPixel) µm per pixel, outside the "
                                        + "\(range.lowerBound)-\(range.upperBound) µm spinecount analyses: give --pixel-size")
                return nil
            }
            record.micronsPerPixel = micronsPerPixel
            record.pixelSizeSource = .pHYs
        case .unusable(let why):
            record.status = .failed("no pixel size: \(why) and --pixel-size was not given")
            return nil
        case .absent:
            record.status = .failed(noPixelSizeReason)
            return nil
        }
        return decoded.grayImage(channel: configuration.channel)
    }

    /// The `status` reason of an image with no pixel size: names both sources.
    public static let noPixelSizeReason =
        "no pixel size: the file has no pHYs chunk and --pixel-size was not given"

    /// Where each input's overlay goes, relative to the report folder.
    ///
    /// `overlays/<image>` keeping the image's relative subfolders; when the inputs have
    /// more than one group (`compare`), `overlays/<group>/<image>`, because before and
    /// after images often share names. A name not ending in `.png` gets it appended,
    /// and a path already taken gets `-2`, `-3`, ... before the extension.
    public static func overlayPaths(for inputs: [BatchInput]) -> [String] {
        let groups = Set(inputs.map(\.group))
        var taken = Set<String>()
        return inputs.map { input in
            var name = input.image
            if !InputCollection.hasPNGExtension(name) { name += ".png" }
            let folder = groups.count > 1 ? "overlays/" + input.group + "/" : "overlays/"
            let stem = String(name.dropLast(4)), suffix = String(name.suffix(4))
            var candidate = folder + name
            var attempt = 2
            while !taken.insert(candidate.lowercased()).inserted {
                candidate = folder + stem + "-\(attempt)" + suffix
                attempt += 1
            }
            return candidate
        }
    }
}
