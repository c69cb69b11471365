import Foundation
import Testing
import CSV
@testable import SpineKit

/// RFC 4180 text read back by CSV.swift, independently of our writer.
private func parseCSV(_ text: String) -> [[String]] {
    guard let reader = try? CSVReader(string: text, hasHeaderRow: false) else { return [] }
    return Array(reader)
}

private func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("spinecount-reporting-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private func leftoverTemporaryFiles(in folder: URL) -> [String] {
    let all = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? []
    return all.filter { $0.contains(ReportTransaction.temporaryMarker) }
}

@Suite("CSV writing")
struct CSVWriterTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", ""),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("cr\r\nlf", "\"cr\r\nlf\""),
        ("  spaced  ", "  spaced  "),
        ("µm ünïcode", "µm ünïcode"),
    ])
    func escapingFollowsRFC4180(field: String, expected: String) {
        #expect(CSVWriter.escaped(field) == expected)
    }

    @Test func recordsEndInCRLFAndRoundTrip() {
        var csv = CSVWriter(header: ["image", "value"])
        let awkward = ["cell 1, \"left\".png", "new\nline.png", "semi;colon.png", "plain.png", ""]
        for (i, name) in awkward.enumerated() { csv.appendRow([name, String(i)]) }
        #expect(csv.text.hasPrefix("image,value\r\n"))
        #expect(csv.text.hasSuffix("\r\n"))
        #expect(csv.rowCount == awkward.count)
        let parsed = parseCSV(csv.text)
        #expect(parsed.count == awkward.count + 1)
        #expect(parsed.dropFirst().map { $0[0] } == awkward)
        #expect(parsed.allSatisfy { $0.count == 2 })
        #expect(csv.utf8Bytes == Array(csv.text.utf8))
    }
}

@Suite("Report number formatting")
struct ReportNumberTests {
    @Test(arguments: [
        (1.23456, 3, "1.235"),
        (1.0, 3, "1.000"),
        (0.0, 2, "0.00"),
        (-0.0, 2, "0.00"),
        (-0.0004, 3, "0.000"),
        (-1.5, 1, "-1.5"),
        (2.5, 0, "3"),
        (123456.789, 2, "123456.79"),
        (0.0651, 6, "0.065100"),
        (1e20, 2, "100000000000000000000.00"),
        (9.999, 2, "10.00"),
    ])
    func fixedDecimals(value: Double, places: Int, expected: String) {
        #expect(ReportNumber.fixed(value, places: places) == expected)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func undefinedValuesAreEmpty(value: Double) {
        #expect(ReportNumber.fixed(value, places: 3).isEmpty)
        #expect(ReportNumber.pValue(value).isEmpty)
        #expect(ReportNumber.fixed(nil, places: 3).isEmpty)
    }

    @Test func pValuesKeepFourSignificantDigits() {
        #expect(ReportNumber.pValue(0.5) == "0.5000")
        #expect(ReportNumber.pValue(1) == "1.0000")
        #expect(ReportNumber.pValue(0.01234) == "0.01234")
        #expect(ReportNumber.pValue(0) == "0")
        #expect(ReportNumber.pValue(1.234e-7) == "1.234e-07")
        // The form follows the value as rounded to four digits.
        #expect(ReportNumber.pValue(0.099996) == "0.1000")
        #expect(ReportNumber.pValue(0.1) == "0.1000")
        #expect(ReportNumber.pValue(0.00099996) == "0.001000")
        #expect(ReportNumber.pValue(9.9996e-5) == "0.0001000")
        #expect(ReportNumber.pValue(0.0001) == "0.0001000")
        #expect(Double(ReportNumber.pValue(3.3e-12)) == 3.3e-12)
    }

    /// Whatever the value, the text reads back within half a unit of the last place,
    /// uses `.` and never a locale's comma or an exponent.
    @Test func randomValuesReadBackWithinRounding() throws {
        var generator = TestRNG(seed: 7)
        for _ in 0..<2000 {
            let magnitude = pow(10, Double.random(in: -6...9, using: &generator))
            let value = Double.random(in: -1...1, using: &generator) * magnitude
            let places = Int.random(in: 0...6, using: &generator)
            let text = ReportNumber.fixed(value, places: places)
            #expect(!text.contains(",") && !text.contains("e") && !text.contains("n"))
            let back = try #require(Double(text))
            #expect(abs(back - value) <= 0.5 * pow(10, -Double(places)) + abs(value) * 1e-12,
                    "\(value) with \(places) places printed as \(text)")
        }
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    /// FIPS 180-4 examples and the NIST long-message vector.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ("The quick brown fox jumps over the lazy dog",
         "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
    ])
    func knownVectors(message: String, digest: String) {
        #expect(SHA256.hexDigest(of: Array(message.utf8)) == digest)
    }

    @Test func oneMillionLetters() {
        var hasher = SHA256()
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { block.withUnsafeBytes { hasher.update($0) } }
        #expect(SHA256.hex(hasher.finalize())
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding the message in pieces of any size, across block boundaries, gives the same digest.
    @Test func piecewiseUpdatesMatchWholeMessage() {
        var generator = TestRNG(seed: 42)
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let whole = SHA256.hexDigest(of: message)
            var hasher = SHA256()
            var offset = 0
            while offset < length {
                let size = min(length - offset, Int.random(in: 1...70, using: &generator))
                message[offset..<(offset + size)].withUnsafeBytes { hasher.update($0) }
                offset += size
            }
            #expect(SHA256.hex(hasher.finalize()) == whole, "length \(length)")
        }
    }

    @Test func fileDigestMatchesMemoryDigest() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Just over the 1 MiB read size, so that the file is hashed in two pieces.
        let bytes = (0..<((1 << 20) + 17)).map { i in UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }
        let file = folder.appendingPathComponent("data.bin")
        try Data(bytes).write(to: file)
        let (digest, count) = try SHA256.hexDigest(ofFileAt: file.path)
        #expect(count == bytes.count)
        #expect(digest == SHA256.hexDigest(of: bytes))
        #expect(throws: (any Error).self) { try SHA256.hexDigest(ofFileAt: folder.appendingPathComponent("none").path) }
    }
}

@Suite("Atomic report writing")
struct ReportTransactionTests {
    private func writeOldReport(in folder: URL) throws {
        try "old spines\n".write(to: folder.appendingPathComponent("spines.csv"), atomically: false, encoding: .utf8)
        try "old images\n".write(to: folder.appendingPathComponent("images.csv"), atomically: false, encoding: .utf8)
    }

    private func contents(_ folder: URL, _ name: String) -> String? {
        try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func commitReplacesEveryFileTogether() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeOldReport(in: folder)
        let transaction = ReportTransaction(directory: folder)
        try transaction.stage(text: "new spines\n", as: "spines.csv")
        try transaction.stage(text: "new images\n", as: "images.csv")
        try transaction.stage([1, 2, 3], as: "overlays/sub/a.png")
        // Nothing visible changes before the commit.
        #expect(contents(folder, "spines.csv") == "old spines\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("overlays/sub/a.png").path))
        #expect(transaction.stagedPaths == ["spines.csv", "images.csv", "overlays/sub/a.png"])
        try transaction.commit()
        #expect(transaction.state == .committed)
        #expect(contents(folder, "spines.csv") == "new spines\n")
        #expect(contents(folder, "images.csv") == "new images\n")
        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent("overlays/sub/a.png").path)
                == Data([1, 2, 3]))
        #expect(leftoverTemporaryFiles(in: folder).isEmpty)
    }

    /// `kill -9` leaves a run's temporary files behind; the next run that commits into the
    /// folder deletes those of processes of this machine that no longer exist, and keeps those of
    /// a running process, of another machine and any file it did not write.
    @Test func aCommitClearsTheLeftoversOfKilledRuns() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        let marker = ReportTransaction.temporaryMarker
        let dead = ".spines.csv" + marker + ReportTransaction.ownerTag(processID: exited.processIdentifier) + "-abc-0"
        let deadOverlay = ".a.png" + marker + ReportTransaction.ownerTag(processID: exited.processIdentifier) + "-abc-3"
        let alive = ".images.csv" + marker + ReportTransaction.ownerTag(processID: getppid()) + "-abc-1"
        let elsewhere = ".images.csv" + marker + "zzzzzzz" + "p\(exited.processIdentifier)-abc-2"
        let foreign = "notes" + marker + "mine.txt"
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("overlays"), withIntermediateDirectories: true)
        for name in [dead, alive, elsewhere, foreign] {
            try Data([1]).write(to: folder.appendingPathComponent(name))
        }
        try Data([1]).write(to: folder.appendingPathComponent("overlays/" + deadOverlay))
        let transaction = ReportTransaction(directory: folder)
        try transaction.stage(text: "new spines\n", as: "spines.csv")
        try transaction.stage([1], as: "overlays/b.png")
        try transaction.commit()
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(!left.contains(dead))
        #expect(left.isSuperset(of: [alive, elsewhere, foreign, "spines.csv", "overlays"]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("overlays").path) == ["b.png"])
    }

    /// Only what an earlier run listed as its overlays goes: never an input, a file of the
    /// user's that lies among them, anything a listed path could reach outside `overlays/`
    /// or through a link, or what this run wrote.
    @Test func earlierOverlaysGoAfterTheCommitButNothingElse() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("overlays/before/deep"), withIntermediateDirectories: true)
        for name in ["overlays/before/deep/old.png", "overlays/input.png", "overlays/mine.png", "overlays/new.png",
                     "notes.png", "overlays/notes.txt"] {
            try Data([1]).write(to: folder.appendingPathComponent(name))
        }
        let outside = folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + "-outside")
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data([1]).write(to: outside.appendingPathComponent("x.png"))
        defer { try? fm.removeItem(at: outside) }
        try fm.createSymbolicLink(at: folder.appendingPathComponent("overlays/ext"), withDestinationURL: outside)
        // Through a link to the folder, as `--output` may name it.
        let link = folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + "-link")
        try fm.createSymbolicLink(at: link, withDestinationURL: folder)
        defer { try? fm.removeItem(at: link) }
        let transaction = ReportTransaction(directory: link)
        try transaction.stage([2], as: "overlays/new.png")
        let written = Set(transaction.stagedPaths)
        let earlier: Set<String> = ["overlays/before/deep/old.png", "overlays/input.png", "overlays/new.png",
                                    "../" + outside.lastPathComponent + "/x.png", "overlays/gone.png", "notes.png",
                                    "overlays/notes.txt", "overlays/ext/x.png", "overlays//new.png", "overlays/./mine.png"]
        let protected: Set<String> = [folder.appendingPathComponent("overlays/input.png").path]
        let stale = transaction.staleOverlays(earlier, keeping: written, protected: protected)
        #expect(stale == ["overlays/before/deep/old.png"])
        try transaction.commit()
        transaction.removeStaleOverlays(stale + ["overlays//new.png"], written: written, protected: protected)
        #expect(Set(try fm.contentsOfDirectory(atPath: folder.appendingPathComponent("overlays").path))
                == ["input.png", "mine.png", "new.png", "notes.txt", "ext"])
        #expect(fm.contents(atPath: folder.appendingPathComponent("overlays/new.png").path) == Data([2]))
        #expect(fm.fileExists(atPath: outside.appendingPathComponent("x.png").path))
        #expect(fm.fileExists(atPath: folder.appendingPathComponent("notes.png").path))
    }

    /// A run stopped between its commit and the deletion of stale overlays leaves them listed
    /// in its run.json, so that the next run deletes them; another tool's run.json lists none.
    @Test func staleOverlaysAreListedForTheNextRun() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = #"{"tool" : "spinecount", "inputs" : [{"overlay" : "overlays/a.png"}, {"status" : "x"}],"#
            + #" "stale_overlays" : ["overlays/b.png"]}"#
        try Data(manifest.utf8).write(to: folder.appendingPathComponent("run.json"))
        #expect(RunManifest.overlays(listedIn: folder) == ["overlays/a.png", "overlays/b.png"])
        try Data(#"{"tool" : "other", "inputs" : [{"overlay" : "overlays/a.png"}]}"#.utf8)
            .write(to: folder.appendingPathComponent("run.json"))
        #expect(RunManifest.overlays(listedIn: folder).isEmpty)
    }

    /// A failure part-way (a file that cannot be staged) followed by `abort` leaves the
    /// previous report exactly as it was and no temporary files.
    @Test func failureMidwayLeavesOldFiles() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeOldReport(in: folder)
        try "a file where a folder should be".write(to: folder.appendingPathComponent("blocked"),
                                                    atomically: false, encoding: .utf8)
        let transaction = ReportTransaction(directory: folder)
        try transaction.stage(text: "new spines\n", as: "spines.csv")
        try transaction.stage([1], as: "overlays/new/a.png")
        #expect(throws: ReportWriteError.self) { try transaction.stage(text: "x", as: "blocked/images.csv") }
        transaction.abort()
        #expect(transaction.state == .aborted)
        #expect(contents(folder, "spines.csv") == "old spines\n")
        #expect(contents(folder, "images.csv") == "old images\n")
        #expect(leftoverTemporaryFiles(in: folder).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                == ["blocked", "images.csv", "spines.csv"])
        // An aborted transaction refuses more work, as after a signal.
        #expect(throws: ReportWriteError.self) { try transaction.stage(text: "late", as: "summary.csv") }
        #expect(throws: ReportWriteError.self) { try transaction.commit() }
        #expect(contents(folder, "summary.csv") == nil)
    }

    /// A rename that fails during commit (a folder now sits at a report's name) throws
    /// and leaves no temporary files behind.
    /// A final name that is a folder stops the commit before anything is renamed: the earlier
    /// spines.csv was once replaced while the message said the previous report was unchanged.
    @Test func failedCommitCleansUp() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeOldReport(in: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("images.csv"))
        let transaction = ReportTransaction(directory: folder)
        try transaction.stage(text: "s", as: "spines.csv")
        try transaction.stage(text: "i", as: "images.csv")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("images.csv/inner"),
                                                withIntermediateDirectories: true)
        #expect(throws: ReportWriteError.self) { try transaction.commit() }
        #expect(leftoverTemporaryFiles(in: folder).isEmpty)
        #expect(contents(folder, "spines.csv") == "old spines\n")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("images.csv/inner").path))
    }

    /// A rename failing part-way puts back every file already replaced and removes every new
    /// one: the folder holds exactly the earlier report, with nothing set aside left over.
    @Test func aCommitFailingPartWayLeavesTheEarlierReport() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeOldReport(in: folder)
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        let transaction = ReportTransaction(directory: folder)
        try transaction.stage(text: "new spines\n", as: "spines.csv")
        try transaction.stage(text: "new summary\n", as: "summary.csv")
        try transaction.stage(text: "new images\n", as: "images.csv")
        try transaction.stage(text: "new run\n", as: "run.json")
        transaction.failsRenameAt = 2
        #expect(throws: ReportWriteError.self) { try transaction.commit() }
        #expect(transaction.state == .aborted)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == before)
        #expect(contents(folder, "spines.csv") == "old spines\n")
        #expect(contents(folder, "images.csv") == "old images\n")
    }

    /// A report written piece by piece during the run stays hidden until the commit, which
    /// refuses to run while it is unfinished; `abort` deletes it mid-way.
    @Test func streamedReportIsStagedLikeTheOthers() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeOldReport(in: folder)
        let transaction = ReportTransaction(directory: folder)
        let stream = try transaction.stream(as: "spines.csv")
        stream.write("new ")
        try transaction.stage(text: "new images\n", as: "images.csv")
        stream.write("spines\n")
        #expect(contents(folder, "spines.csv") == "old spines\n")
        #expect(throws: ReportWriteError.self) { try transaction.commit() }
        #expect(transaction.state == .open && contents(folder, "images.csv") == "old images\n")
        try stream.finish()
        try transaction.commit()
        #expect(contents(folder, "spines.csv") == "new spines\n")
        #expect(contents(folder, "images.csv") == "new images\n")
        #expect(leftoverTemporaryFiles(in: folder).isEmpty)

        let stopped = ReportTransaction(directory: folder)
        let unfinished = try stopped.stream(as: "spines.csv")
        unfinished.write("partial")
        #expect(leftoverTemporaryFiles(in: folder).count == 1)
        stopped.abort()
        unfinished.write(" rows after the stop go nowhere")
        #expect(throws: ReportWriteError.self) { try unfinished.finish() }
        #expect(leftoverTemporaryFiles(in: folder).isEmpty)
        #expect(contents(folder, "spines.csv") == "new spines\n")
    }

    /// A write that fails during the run (a full disk: /dev/full refuses every write) is
    /// kept, later pieces are dropped, and `finish` reports it by name.
    @Test func streamReportsAFailedWriteWhenFinished() throws {
        let descriptor = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(descriptor >= 0, "no /dev/full")
        let stream = StagedStream(descriptor: descriptor, path: "/reports/spines.csv")
        stream.write("rows")
        stream.write("more rows")
        #expect(!stream.isFinished)
        #expect {
            try stream.finish()
        } throws: { error in
            let text = String(describing: error)
            return text.contains("/reports/spines.csv") && text.contains(String(cString: strerror(ENOSPC)))
        }
        #expect(!stream.isFinished)
    }

    @Test func prepareDirectoryCreatesAndChecks() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let nested = folder.appendingPathComponent("a/b/report")
        try ReportTransaction.prepareDirectory(nested)
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: nested.path, isDirectory: &isFolder) && isFolder.boolValue)
        let entries = try FileManager.default.contentsOfDirectory(atPath: nested.path)
        #expect(entries.isEmpty)

        let file = folder.appendingPathComponent("plain.txt")
        try "x".write(to: file, atomically: false, encoding: .utf8)
        #expect(throws: ReportWriteError.self) { try ReportTransaction.prepareDirectory(file) }
        do {
            try ReportTransaction.prepareDirectory(file.appendingPathComponent("sub"))
            Issue.record("a folder under a file was accepted")
        } catch {
            #expect(error.description.contains("plain.txt"))
        }
    }
}

@Suite("Overlays")
struct OverlayTests {
    /// A dark image with a bright horizontal shaft, 200 x 120 pixels.
    private func shaftImage() -> GrayImage {
        var image = GrayImage(width: 200, height: 120, repeating: 100)
        for x in 0..<200 {
            for y in 55...65 { image[x: x, y: y] = 3000 }
        }
        return image
    }

    private func spine(_ id: Int, _ spineClass: SpineClass, head: PixelPoint, attached: Bool = true) -> Spine {
        Spine(id: id, dendriteID: 1, spineClass: spineClass, head: head, base: PixelPoint(x: head.x, y: 60),
              tip: head, lengthMicrons: 1, headDiameterMicrons: 0.6, neckDiameterMicrons: 0.2, isAttached: attached)
    }

    @Test func marksShaftsAndSpinesInTheirColours() {
        let image = shaftImage()
        let analysis = ImageAnalysis(
            width: 200, height: 120, micronsPerPixel: 0.1,
            dendrites: [Dendrite(id: 1, centerline: [PixelPoint(x: 10, y: 60), PixelPoint(x: 190, y: 60)],
                                 lengthMicrons: 18, radiusMicrons: 0.5)],
            spines: [spine(1, .mushroom, head: PixelPoint(x: 50, y: 30)),
                     spine(2, .thin, head: PixelPoint(x: 100, y: 90)),
                     spine(3, .stubby, head: PixelPoint(x: 150, y: 30), attached: false)])
        let canvas = OverlayRenderer.render(image, analysis: analysis)
        #expect(canvas.width == 200 && canvas.height == 120 && canvas.rgb.count == 200 * 120 * 3)
        #expect(canvas.color(x: 120, y: 60) == OverlayPalette.dendrite)
        // Head 0.6 um = 6 px wide: the ring has radius 3 + 1.5 = 4.5 px.
        #expect(canvas.color(x: 50, y: 30 - 4) == OverlayPalette.mushroom
                || canvas.color(x: 50, y: 30 - 5) == OverlayPalette.mushroom)
        #expect(canvas.color(x: 50, y: 45) == OverlayPalette.mushroom)   // base-to-head line
        #expect(canvas.color(x: 100, y: 75) == OverlayPalette.thin)
        // The detached head's ring is dashed: some of its circle is coloured, some not.
        var onRing = 0, total = 0
        for k in 0..<64 {
            let angle = 2 * Double.pi * Double(k) / 64
            let x = Int((150 + 4.5 * cos(angle)).rounded()), y = Int((30 + 4.5 * sin(angle)).rounded())
            total += 1
            if canvas.color(x: x, y: y) == OverlayPalette.stubby { onRing += 1 }
        }
        #expect(onRing > total / 4 && onRing < total * 3 / 4, "dashed ring covers \(onRing) of \(total)")
        // Background stays grey.
        let background = canvas.color(x: 5, y: 110)
        #expect(background?.red == background?.green && background?.green == background?.blue)
    }

    @Test func contrastStretchUsesRobustPercentiles() {
        // A ramp 0...999 plus one hot pixel that must not set the white point.
        var pixels = (0..<1000).map(Float.init)
        pixels.append(1_000_000)
        let image = GrayImage(width: pixels.count, height: 1, pixels: pixels)
        let gray = OverlayRenderer.stretchedGray(image, lowPercentile: 0.5, highPercentile: 99.8)
        #expect(gray[0] == 0)
        #expect(gray[999] == 255)
        #expect(gray[500] > 100 && gray[500] < 160)
        #expect(gray.last == 255)
        #expect(OverlayRenderer.stretchedGray(GrayImage(width: 4, height: 4, repeating: 7),
                                              lowPercentile: 0.5, highPercentile: 99.8) == Array(repeating: 128, count: 16))
        #expect(OverlayRenderer.stretchedGray(GrayImage(width: 0, height: 0, pixels: []),
                                              lowPercentile: 0.5, highPercentile: 99.8).isEmpty)
    }

    /// Marks outside the picture, at non-finite positions or on a one-pixel image are
    /// clipped, never a crash.
    @Test func drawingClipsToThePicture() {
        let tiny = GrayImage(width: 1, height: 1, pixels: [5])
        let wild = ImageAnalysis(
            width: 1, height: 1, micronsPerPixel: 0.1,
            dendrites: [Dendrite(id: 1, centerline: [PixelPoint(x: -1e9, y: 0), PixelPoint(x: .nan, y: 3),
                                                     PixelPoint(x: 0, y: 0)], lengthMicrons: 1, radiusMicrons: 1)],
            spines: [spine(1, .thin, head: PixelPoint(x: -20, y: 400)),
                     spine(2, .mushroom, head: PixelPoint(x: .infinity, y: 0))])
        let canvas = OverlayRenderer.render(tiny, analysis: wild)
        #expect(canvas.rgb.count == 3)
    }

    @Test func legendGoesToTheEmptiestCorner() {
        let image = GrayImage(width: 400, height: 300, repeating: 10)
        // Spines crowd the top-left corner, so the legend must move elsewhere.
        let crowded = (0..<20).map { i in
            spine(i + 1, .thin, head: PixelPoint(x: Double(5 + 3 * i), y: Double(5 + 2 * i)))
        }
        let analysis = ImageAnalysis(width: 400, height: 300, micronsPerPixel: 0.1, spines: crowded)
        let canvas = OverlayRenderer.render(image, analysis: analysis)
        let size = OverlayRenderer.legendSize(scale: 1)
        func whiteCount(x0: Int, y0: Int) -> Int {
            var n = 0
            for y in y0..<(y0 + size.height) {
                for x in x0..<(x0 + size.width) where canvas.color(x: x, y: y) == OverlayPalette.legendText { n += 1 }
            }
            return n
        }
        #expect(whiteCount(x0: 400 - size.width - 2, y0: 2) > 50)
        var noLegend = OverlayStyle()
        noLegend.showsLegend = false
        let plain = OverlayRenderer.render(image, analysis: analysis, style: noLegend)
        #expect(!plain.rgb.elementsEqual(canvas.rgb))
        // Too small an image gets no legend at all.
        let small = OverlayRenderer.render(GrayImage(width: 32, height: 32, repeating: 1),
                                           analysis: ImageAnalysis(width: 32, height: 32, micronsPerPixel: 0.1))
        #expect(small.rgb.allSatisfy { $0 == 128 })
    }

    /// Each dendrite's number is written beside the middle of its centreline, clear of the
    /// shaft, so overlays can be matched to the dendrite_id of the reports.
    @Test func dendritesAreNumberedBesideTheirMiddle() throws {
        let dendrites = [
            Dendrite(id: 1, centerline: (0...36).map { PixelPoint(x: 10 + 5 * Double($0), y: 60) },
                     lengthMicrons: 18, radiusMicrons: 0.5),
            Dendrite(id: 27, centerline: (0...20).map { PixelPoint(x: 30, y: 110 - 5 * Double($0)) },
                     lengthMicrons: 10, radiusMicrons: 0.3),
        ]
        let analysis = ImageAnalysis(width: 200, height: 120, micronsPerPixel: 0.1, dendrites: dendrites, spines: [])
        let canvas = OverlayRenderer.render(shaftImage(), analysis: analysis)
        for dendrite in dendrites {
            let label = String(dendrite.id)
            let width = OverlayFont.width(of: label), height = OverlayFont.glyphHeight
            let origin = try #require(OverlayRenderer.numberOrigin(
                of: dendrite, micronsPerPixel: 0.1, textWidth: width, textHeight: height,
                canvasWidth: 200, canvasHeight: 120, scale: 1))
            var lit = 0, expected = 0
            for y in 0..<height {
                for x in 0..<width {
                    let character = Array(label)[x / (OverlayFont.glyphWidth + OverlayFont.spacing)]
                    let isLit = OverlayFont.isLit(character, x: x % (OverlayFont.glyphWidth + OverlayFont.spacing), y: y)
                    if isLit { expected += 1 }
                    if isLit && canvas.color(x: origin.x + x, y: origin.y + y) == OverlayPalette.dendrite { lit += 1 }
                }
            }
            #expect(expected > 0 && lit == expected, "dendrite \(dendrite.id): \(lit) of \(expected) cells drawn")
            // Beside the middle point, and clear of the shaft (radius 5 px) on either side.
            let middle = dendrite.centerline[dendrite.centerline.count / 2]
            let boxX = (Double(origin.x), Double(origin.x + width)), boxY = (Double(origin.y), Double(origin.y + height))
            let dx = max(boxX.0 - middle.x, 0, middle.x - boxX.1), dy = max(boxY.0 - middle.y, 0, middle.y - boxY.1)
            let distance = (dx * dx + dy * dy).squareRoot()
            #expect(distance >= 5 && distance <= 20, "dendrite \(dendrite.id): box \(distance) px from its middle")
        }
    }

    @Test func fontHasEveryLegendLetter() {
        for word in ["MUSHROOM", "THIN", "STUBBY", "DENDRITE", "DETACHED"] {
            for letter in word { #expect(OverlayFont.hasGlyph(letter), "\(letter)") }
        }
        for digit in "0123456789" { #expect(OverlayFont.hasGlyph(digit), "\(digit)") }
        #expect(OverlayFont.width(of: "THIN") == 4 * 6 - 1)
    }
}

@Suite("Report tables and texts")
struct ReportTableTests {
    private func record(_ image: String, group: String = "set", status: ImageStatus = .ok,
                        spines: [Spine] = [], length: Double = 10) -> ImageRecord {
        var r = ImageRecord(input: BatchInput(group: group, image: image, path: "/x/" + image), status: status)
        if status.isOK {
            r.width = 64; r.height = 32; r.bitDepth = 16; r.micronsPerPixel = 0.0651
            r.pixelSizeSource = .pHYs
            r.dendrites = [DendriteRecord(id: 1, lengthMicrons: length, radiusMicrons: 0.5,
                                          start: PixelPoint(x: 0, y: 16), end: PixelPoint(x: 63, y: 16), centerlinePixels: 63)]
            r.spines = spines; r.psfFWHMMicrons = 0.3
        }
        return r
    }

    private let spine = Spine(id: 1, dendriteID: 2, spineClass: .mushroom, head: PixelPoint(x: 10.123, y: 4.5),
                              base: PixelPoint(x: 9, y: 8), tip: PixelPoint(x: 10.5, y: 3.25), lengthMicrons: 1.23456,
                              headDiameterMicrons: 0.5, neckDiameterMicrons: .nan, isAttached: false)

    @Test func contractColumnsComeFirst() {
        #expect(Array(ReportTables.spinesHeader.prefix(13)) == [
            "group", "image", "spine_id", "dendrite_id", "class", "head_x_px", "head_y_px", "base_x_px",
            "base_y_px", "length_um", "head_diameter_um", "neck_diameter_um", "attached"])
        #expect(Array(ReportTables.imagesHeader.prefix(13)) == [
            "group", "image", "status", "width_px", "height_px", "bit_depth", "pixel_size_um",
            "dendrite_length_um", "spines", "mushroom", "thin", "stubby", "density_per_um"])
    }

    @Test func spineRowsAreFormattedAndQuoted() {
        let name = "cell \"A\", dish 2.png"
        let csv = ReportTables.spines([record(name, spines: [spine]), record("bad.png", status: .failed("x"))])
        let rows = parseCSV(csv.text)
        #expect(rows.count == 2)
        let row = rows[1]
        #expect(row[0] == "set" && row[1] == name && row[2] == "1" && row[3] == "2" && row[4] == "mushroom")
        #expect(row[5] == "10.12" && row[6] == "4.50" && row[9] == "1.235" && row[10] == "0.500")
        #expect(row[11] == "")          // NaN neck: empty, never "nan"
        #expect(row[12] == "false")
        #expect(row[13] == "10.50" && row[14] == "3.25")
        #expect(row[15] == "")          // not placed on a dendrite: no position along it
        #expect(row[16] == "" && row[17] == "")   // contrast not measured
        var placed = spine
        placed.arcMicrons = 12.3456
        placed.headSNR = 7.256
        placed.headContrast = 0.123456
        #expect(parseCSV(ReportTables.spines([record(name, spines: [placed])]).text)[1][15...] == ["12.346", "7.26", "0.1235"])
    }

    /// spines.csv written in pieces is the whole table's text, byte for byte, whatever the
    /// piece size, and every piece but the last holds at least that many bytes.
    @Test(arguments: [1, 150, 1 << 20])
    func spineRowsInPiecesMakeTheWholeText(pieceBytes: Int) {
        let records = (0..<5).map { k in
            record("img\(k).png", status: k == 2 ? .failed("x") : .ok, spines: (0..<k).map { i in
                var numbered = spine
                numbered.id = i + 1
                return numbered
            })
        }
        var pieces: [String] = []
        var rows = ReportTables.SpineRowPieces(pieceBytes: pieceBytes)
        for record in records { rows.append(record) { pieces.append($0) } }
        rows.finish { pieces.append($0) }
        #expect(pieces.joined() == ReportTables.spines(records).text)
        #expect(pieces.dropLast().allSatisfy { $0.utf8.count >= pieceBytes })
    }

    /// spines.csv streamed through a transaction record by record is the table's text,
    /// and the records' other reports are the same once their spines are released.
    @Test(arguments: [1, 1 << 20])
    func streamedSpineTableMatchesTheWholeTable(pieceBytes: Int) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var records = (0..<4).map { k in
            record("img\(k).png", status: k == 1 ? .failed("x") : .ok, spines: (0..<(2 * k)).map { i in
                var numbered = spine
                numbered.id = i + 1
                numbered.dendriteID = 1 + i % 2
                numbered.spineClass = SpineClass.allCases[i % 3]
                return numbered
            })
        }
        let whole = ReportTables.spines(records).text
        let images = ReportTables.images(records).text
        let dendrites = ReportTables.dendrites(records).text
        let measures = records.filter(\.status.isOK).map { $0.measures(clusterKey: "k") }

        let transaction = ReportTransaction(directory: folder)
        let table = try SpineTableStream(transaction: transaction, pieceBytes: pieceBytes)
        for index in records.indices {
            table.append(records[index])
            records[index].releaseSpines()
        }
        try table.finish()
        try transaction.commit()
        #expect(try String(contentsOf: folder.appendingPathComponent("spines.csv"), encoding: .utf8) == whole)
        #expect(records.allSatisfy { $0.spines.isEmpty && $0.spinesReleased })
        #expect(records[3].spineCount == 6 && records[3].count(of: .thin) == 2)
        #expect(ReportTables.images(records).text == images)
        #expect(ReportTables.dendrites(records).text == dendrites)
        #expect(records.filter(\.status.isOK).map { $0.measures(clusterKey: "k") } == measures)
    }

    /// One row per traced shaft with the counts of its own spines; a shaft without spines
    /// has zeros and a density of 0, and failed images have no rows.
    @Test func dendriteRowsCountTheirOwnSpines() {
        func numbered(_ id: Int, dendrite: Int, _ spineClass: SpineClass) -> Spine {
            var s = spine
            s.id = id
            s.dendriteID = dendrite
            s.spineClass = spineClass
            return s
        }
        var good = record("good.png", spines: [numbered(1, dendrite: 1, .mushroom), numbered(2, dendrite: 2, .thin),
                                               numbered(3, dendrite: 1, .stubby), numbered(4, dendrite: 1, .mushroom)])
        good.dendrites = [
            DendriteRecord(id: 1, lengthMicrons: 8, radiusMicrons: 0.45, start: PixelPoint(x: 1, y: 2),
                           end: PixelPoint(x: 60.25, y: 3), centerlinePixels: 140),
            DendriteRecord(id: 2, lengthMicrons: 2, radiusMicrons: 0.3, start: PixelPoint(x: 5, y: 30),
                           end: PixelPoint(x: 5, y: 10), centerlinePixels: 31),
            DendriteRecord(id: 3, lengthMicrons: 4, radiusMicrons: 0.5, start: PixelPoint(x: 0, y: 0),
                           end: PixelPoint(x: 1, y: 1), centerlinePixels: 62),
        ]
        let rows = parseCSV(ReportTables.dendrites([good, record("bad.png", status: .failed("x"))]).text)
        #expect(rows.first == ReportTables.dendritesHeader)
        #expect(rows.count == 4)
        #expect(rows[1] == ["set", "good.png", "1", "8.000", "0.450", "3", "2", "0", "1", "0.3750",
                            "1.00", "2.00", "60.25", "3.00", "9.114"])
        #expect(rows[2][2] == "2" && rows[2][5...9] == ["1", "0", "1", "0", "0.5000"])
        #expect(rows[3][2] == "3" && rows[3][5...9] == ["0", "0", "0", "0", "0.0000"])
    }

    @Test func failedImagesHaveStatusAndEmptyCounts() {
        let records = [record("good.png", spines: [spine]),
                       record("zero.png", length: 0),
                       record("bad, really.png", status: .failed(BatchRunner.noPixelSizeReason))]
        let rows = parseCSV(ReportTables.images(records, clusterKeys: ["c1", nil, nil]).text)
        #expect(rows.count == 4)
        #expect(rows[1][2] == "ok" && rows[1][6] == "0.065100" && rows[1][8] == "1" && rows[1][9] == "1")
        #expect(rows[1][12] == "0.1000" && rows[1].last == "c1")
        #expect(rows[2][12] == "")      // no shaft: density undefined
        #expect(rows[3][1] == "bad, really.png")
        #expect(rows[3][2] == "error: no pixel size: the file has no pHYs chunk and --pixel-size was not given")
        #expect(rows[3][3...12].allSatisfy { $0.isEmpty })
    }

    @Test func summariesUseStatisticsRows() throws {
        let before = [record("b1.png", group: "before", spines: [spine]).measures()]
        let after = [record("a1.png", group: "after", spines: [spine, spine]).measures()]
        let comparison = GroupComparison(before: before, after: after, bootstrap: Bootstrap(resamples: 50))
        let rows = parseCSV(ReportTables.summary(comparison).text)
        #expect(rows[0] == GroupComparison.csvHeader)
        let density = try #require(rows.first { $0[0] == "density_per_um" })
        #expect(density[1] == "0.1000" && density[2] == "0.2000" && density[3] == "100.00")
        let set = parseCSV(ReportTables.summary(SetSummary(images: before + after)).text)
        #expect(set[0] == ["measure", "value"])
        #expect(set.first { $0[0] == "spines" }?[1] == "3")

        let table = SummaryText.comparison(comparison).split(separator: "\n")
        #expect(table[0].hasPrefix("measure"))
        // Every row of the table proper has the same width: the columns line up.
        let width = table[0].count
        #expect(table[1...(comparison.rows.count + 1)].allSatisfy { $0.count == width })
        #expect(table.contains { $0.hasPrefix("spine density (/um)") && $0.contains("+100.00%") })
    }

    @Test func progressTexts() {
        #expect(ProgressLine.duration(7) == "0:07")
        #expect(ProgressLine.duration(754) == "12:34")
        #expect(ProgressLine.duration(3723) == "1:02:03")
        #expect(ProgressLine.duration(.nan) == "--:--")
        let live = ProgressLine.live(completed: 37, total: 174, failed: 2, elapsedSeconds: 10)
        #expect(live == " 37/174 images  21%  3.7 img/s  ETA 0:38  2 failed")
        #expect(ProgressLine.live(completed: 0, total: 5, failed: 0, elapsedSeconds: 0).contains("ETA --:--"))
        let failed = record("x.png", group: "after", status: .failed("damaged"))
        #expect(ProgressLine.plain(completed: 3, total: 10, record: failed, showsGroup: true)
                == "[ 3/10] after/x.png: error: damaged")
        #expect(!live.contains("\u{1B}"))
    }

    @Test func manifestRecordsInputsAndParameters() throws {
        var ok = record("a.png", spines: [spine])
        ok.fileBytes = 123
        ok.sha256 = String(repeating: "ab", count: 32)
        ok.psfFWHMMicrons = .nan
        let parameters = RunManifest.Parameters(
            pixelSizeMicrons: nil, channel: .green, analysis: AnalysisParameters(), overlays: true, threads: 2,
            recursive: false, maxPixels: 99, groupBy: "^(m[0-9]+)", bootstrapSeed: 5, bootstrapResamples: 2000,
            outputDirectory: "out")
        let manifest = RunManifest(command: "analyze", commandLine: ["spinecount", "analyze", "a.png"],
                                   workingDirectory: "/tmp", start: Date(timeIntervalSince1970: 0),
                                   end: Date(timeIntervalSince1970: 1.5), exitStatus: 1, parameters: parameters,
                                   records: [ok, record("b.png", status: .failed("x"))])
        let text = try manifest.jsonText()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["version"] as? String == SpinecountVersion.current)
        #expect(json["start_time"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(json["end_time"] as? String == "1970-01-01T00:00:01.500Z")
        #expect(json["images_failed"] as? Int == 1)
        let inputs = try #require(json["inputs"] as? [[String: Any]])
        #expect(inputs.count == 2)
        #expect(inputs[0]["sha256"] as? String == ok.sha256 && inputs[0]["bytes"] as? Int == 123)
        #expect(inputs[0]["pixel_size_source"] as? String == "pHYs")
        #expect(inputs[0]["psf_fwhm_microns"] == nil)     // NaN is left out, not written
        let written = try #require(json["parameters"] as? [String: Any])
        #expect(written["channel"] as? String == "green" && written["max_pixels"] as? Int == 99)
        #expect(written["analysis"] is [String: Any])
        #expect(!text.contains("nan"))
    }
}
