import Foundation
import Testing
import SpineKit

@Suite("Batch runner")
struct BatchRunnerTests {
    /// Four dendrite pictures, one file that is not a PNG and one PNG without pHYs.
    private func makeBatch(_ folder: TemporaryFolder) throws -> [BatchInput] {
        for seed in 1...4 {
            try folder.write(try TestImages.dendritePNG(seed: UInt64(seed)), to: "img\(seed).png")
        }
        try folder.write(Array("not a png at all".utf8), to: "broken.png")
        try folder.write(try TestImages.dendritePNG(seed: 9, micronsPerPixel: nil), to: "nophys.png")
        return try InputCollection.images(in: [folder.path], recursive: false).map {
            BatchInput(group: "set", image: $0.image, path: $0.path)
        }
    }

    private func fingerprint(_ records: [ImageRecord]) -> [String] {
        records.map { r in
            "\(r.input.image) \(r.status.text) \(r.width ?? -1) \(r.micronsPerPixel ?? -1) \(r.dendriteLengthMicrons) "
                + r.spines.map { "\($0.head.x),\($0.head.y),\($0.spineClass),\($0.headDiameterMicrons)" }
                .joined(separator: ";")
        }
    }

    @Test func resultsComeInInputOrderWhateverTheThreadCount() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let inputs = try makeBatch(folder)
        var configuration = BatchConfiguration(writesOverlays: false)
        configuration.threads = 1
        let single = BatchRunner(inputs: inputs, configuration: configuration, transaction: nil).run()
        configuration.threads = 3
        let events = EventLog()
        let parallel = BatchRunner(inputs: inputs, configuration: configuration, transaction: nil)
            .run { events.add($0) }
        #expect(single.map(\.input) == inputs)
        #expect(parallel.map(\.input) == inputs)
        #expect(fingerprint(single) == fingerprint(parallel))
        // One event per image, counting up to the total.
        #expect(events.completedCounts == Array(1...inputs.count))
        #expect(events.lastFailed == 2)
    }

    /// Records handed over in order arrive once each, in input order, with their spines;
    /// the batch then keeps only their counts, which are those of a plain run.
    @Test func recordsAreHandedOverInInputOrderThenReleased() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let inputs = try makeBatch(folder)
        let plain = BatchRunner(inputs: inputs, configuration: BatchConfiguration(threads: 1, writesOverlays: false),
                                transaction: nil).run()
        let handed = LockedList<ImageRecord>()
        let released = BatchRunner(inputs: inputs, configuration: BatchConfiguration(threads: 3, writesOverlays: false),
                                   transaction: nil).run(inOrder: { handed.append($0) })
        #expect(handed.items.map(\.input) == inputs)
        #expect(fingerprint(handed.items) == fingerprint(plain))
        #expect(plain.contains { !$0.spines.isEmpty })
        #expect(released.map(\.input) == inputs)
        #expect(released.allSatisfy { $0.spines.isEmpty && $0.spinesReleased })
        #expect(released.map(\.spineCount) == plain.map(\.spines.count))
        #expect(released.map { $0.measures() } == plain.map { $0.measures() })
        #expect(ReportTables.images(released).text == ReportTables.images(plain).text)
        #expect(ReportTables.dendrites(released).text == ReportTables.dendrites(plain).text)
    }

    @Test func failuresBecomeRecordsWithReasons() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let inputs = try makeBatch(folder)
        let records = BatchRunner(inputs: inputs, configuration: BatchConfiguration(threads: 2, writesOverlays: false),
                                  transaction: nil).run()
        let byName = Dictionary(uniqueKeysWithValues: records.map { ($0.input.image, $0) })
        let broken = try #require(byName["broken.png"])
        #expect(!broken.status.isOK && broken.width == nil)
        #expect(broken.fileBytes == 16 && broken.sha256?.count == 64)
        let noPixelSize = try #require(byName["nophys.png"])
        #expect(noPixelSize.status == .failed(BatchRunner.noPixelSizeReason))
        #expect(noPixelSize.width == 240 && noPixelSize.height == 120 && noPixelSize.bitDepth == 16)
        let good = try #require(byName["img1.png"])
        #expect(good.status == .ok && good.micronsPerPixel == 0.08 && good.pixelSizeSource == .pHYs)
        #expect(good.sha256 == SHA256.hexDigest(of: Array(try Data(contentsOf: URL(fileURLWithPath: good.input.path)))))

        // --pixel-size overrides pHYs and rescues the file without it.
        let overridden = BatchRunner.process(noPixelSize.input,
                                             configuration: BatchConfiguration(pixelSizeMicrons: 0.1))
        #expect(overridden.status == .ok && overridden.micronsPerPixel == 0.1 && overridden.pixelSizeSource == .option)

        // A pHYs pixel size outside the range analysed fails that image, naming both sources;
        // --pixel-size rescues it too.
        try folder.write(try TestImages.dendritePNG(micronsPerPixel: 1000), to: "coarse.png")
        let coarseInput = BatchInput(group: "set", image: "coarse.png", path: folder.path("coarse.png"))
        let coarse = BatchRunner.process(coarseInput, configuration: BatchConfiguration())
        guard case .failed(let reason) = coarse.status else {
            Issue.record("a 1000 µm pixel was analysed")
            return
        }
        #expect(reason.contains("pHYs") && reason.contains("--pixel-size") && reason.contains("1000"))
        #expect(BatchRunner.process(coarseInput, configuration: BatchConfiguration(pixelSizeMicrons: 0.08)).status == .ok)
    }

    @Test func memoryGuardRefusesLargeImages() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(try TestImages.dendritePNG(), to: "big.png")
        let record = BatchRunner.process(BatchInput(group: "set", image: "big.png", path: folder.path("big.png")),
                                         configuration: BatchConfiguration(pixelSizeMicrons: 0.1, maxPixels: 1000))
        #expect(!record.status.isOK)
        // Its row still says how large it is, and the pixel size it was given.
        #expect(record.width == 240 && record.height == 120 && record.bitDepth == 16)
        #expect(record.micronsPerPixel == 0.1 && record.pixelSizeSource == .option)
    }

    @Test func overlaysAreStagedUntilCommit() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let inputs = try makeBatch(folder)
        let output = folder.url.appendingPathComponent("report")
        try ReportTransaction.prepareDirectory(output)
        let transaction = ReportTransaction(directory: output)
        let records = BatchRunner(inputs: inputs, configuration: BatchConfiguration(threads: 2), transaction: transaction)
            .run()
        let written = records.compactMap(\.overlayPath)
        #expect(written.count == 4)
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(written[0]).path))
        try transaction.commit()
        for record in records where record.status.isOK {
            let overlay = try PNGCodec.read(path: output.appendingPathComponent(try #require(record.overlayPath)).path)
            #expect(overlay.width == record.width && overlay.height == record.height)
            #expect(overlay.colorModel == .rgb && overlay.bitDepth == 8)
        }
    }

    /// glibc accepts both allocator settings (it refuses an mmap threshold above half its
    /// heap size); elsewhere there is nothing to set.
    @Test func allocatorSettingsAreAccepted() {
        #if os(Linux) && canImport(Glibc)
        #expect(AllocatorTuning.keepFreedImagesForReuse())
        #else
        #expect(!AllocatorTuning.keepFreedImagesForReuse())
        #endif
    }
}

private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [BatchEvent] = []
    func add(_ event: BatchEvent) { lock.lock(); events.append(event); lock.unlock() }
    var completedCounts: [Int] { lock.lock(); defer { lock.unlock() }; return events.map(\.completed) }
    var lastFailed: Int? { lock.lock(); defer { lock.unlock() }; return events.last?.failed }
}

private final class LockedList<Item>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Item] = []
    func append(_ item: Item) { lock.lock(); stored.append(item); lock.unlock() }
    var items: [Item] { lock.lock(); defer { lock.unlock() }; return stored }
}
