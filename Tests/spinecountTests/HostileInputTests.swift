import Foundation
import Testing
import SpineKit

#if canImport(Glibc)
import Glibc
#endif

/// PNG files built byte by byte: chunks with their CRCs, and zlib streams, so that tests
/// can damage a file exactly where they mean to while keeping everything else valid.
enum PNGBytes {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 as PNG computes it over a chunk's type and data (PNG specification, annex D).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// One chunk: length, type, data and a correct CRC.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc32(typeAndData))
    }

    static func ihdr(width: UInt32, height: UInt32, bitDepth: UInt8 = 8, colorType: UInt8 = 0) -> [UInt8] {
        chunk("IHDR", bigEndian(width) + bigEndian(height) + [bitDepth, colorType, 0, 0, 0])
    }

    /// A pHYs chunk in metre units for `micronsPerPixel`.
    static func pHYs(micronsPerPixel: Double) -> [UInt8] {
        let perMetre = UInt32((1e6 / micronsPerPixel).rounded())
        return chunk("pHYs", bigEndian(perMetre) + bigEndian(perMetre) + [1])
    }

    /// The chunks of a PNG as (type, data), without checking anything.
    static func chunks(of png: [UInt8]) -> [(type: String, data: [UInt8])] {
        var result: [(String, [UInt8])] = []
        var offset = signature.count
        while offset + 8 <= png.count {
            let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8
                | Int(png[offset + 3])
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            guard offset + 12 + length <= png.count else { break }
            result.append((type, Array(png[(offset + 8)..<(offset + 8 + length)])))
            offset += 12 + length
        }
        return result
    }

    /// All IDAT data of `png` joined: its zlib stream.
    static func imageData(of png: [UInt8]) -> [UInt8] {
        chunks(of: png).filter { $0.type == "IDAT" }.flatMap(\.data)
    }

    /// A zlib stream of `data` in stored (uncompressed) deflate blocks, RFC 1950/1951.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let count = min(65535, data.count - start)
            let final: UInt8 = start + count == data.count ? 1 : 0
            out += [final, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += data[start..<(start + count)]
            start += count
        } while start < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + bigEndian(b << 16 | a)
    }
}

/// Files that would crash, hang or exhaust a careless reader, and odd but valid images:
/// each must get a row in images.csv, and the run must go on.
@Suite("Hostile and odd inputs", .serialized)
struct HostileInputTests {
    // MARK: Building the files

    /// A small valid PNG with a pHYs and a tEXt chunk: 12 x 8, 16-bit grey.
    private static let smallPNG: [UInt8] = {
        var random = TestRandom(state: 5)
        let raster = Raster(width: 12, height: 8, pixels: (0..<96).map { _ in UInt16.random(in: 0...65535, using: &random) })
        let encoded = try! PNGCodec.encodeGray(raster, bitDepth: 16, micronsPerPixel: 0.1)
        // Insert a tEXt chunk before IDAT, so that ancillary data is covered as well.
        let chunks = PNGBytes.chunks(of: encoded)
        var out = PNGBytes.signature
        for chunk in chunks {
            if chunk.type == "IDAT" { out += PNGBytes.chunk("tEXt", Array("Comment\0hostile".utf8)) }
            out += PNGBytes.chunk(chunk.type, chunk.data)
        }
        return out
    }()

    /// The zlib stream of a 3000 x 2900 black 8-bit image: about 8.7 MB once inflated,
    /// more than the 8 MiB allowed for metadata, in a few kilobytes.
    private static let bombStream: [UInt8] = {
        let black = Raster<UInt16>(width: 3000, height: 2900, pixels: [UInt16](repeating: 0, count: 3000 * 2900))
        return PNGBytes.imageData(of: try! PNGCodec.encodeGray(black, bitDepth: 8, micronsPerPixel: nil))
    }()

    /// A PNG of 16 x 16 pixels whose valid-CRC IDAT inflates to megabytes.
    private static var idatBomb: [UInt8] {
        PNGBytes.signature + PNGBytes.ihdr(width: 16, height: 16) + PNGBytes.pHYs(micronsPerPixel: 0.1)
            + PNGBytes.chunk("IDAT", bombStream) + PNGBytes.chunk("IEND", [])
    }

    /// A valid 16 x 16 image carrying `chunk` before its pixels.
    private static func withChunk(_ chunk: [UInt8]) -> [UInt8] {
        PNGBytes.signature + PNGBytes.ihdr(width: 16, height: 16) + PNGBytes.pHYs(micronsPerPixel: 0.1) + chunk
            + PNGBytes.chunk("IDAT", PNGBytes.storedZlib([UInt8](repeating: 0, count: 16 * 17)))
            + PNGBytes.chunk("IEND", [])
    }

    private static var zTXtBomb: [UInt8] { withChunk(PNGBytes.chunk("zTXt", Array("Comment".utf8) + [0, 0] + bombStream)) }

    /// An ICC profile whose own header claims 0x41414141 bytes (1 GiB).
    private static var iCCPBomb: [UInt8] {
        withChunk(PNGBytes.chunk("iCCP", Array("icc".utf8) + [0, 0]
                                    + PNGBytes.storedZlib([UInt8](repeating: 0x41, count: 400))))
    }

    /// A header of `width` x `height` and a few bytes of image data.
    private static func absurdHeader(width: UInt32, height: UInt32, colorType: UInt8 = 0, bitDepth: UInt8 = 8) -> [UInt8] {
        PNGBytes.signature + PNGBytes.ihdr(width: width, height: height, bitDepth: bitDepth, colorType: colorType)
            + PNGBytes.chunk("IDAT", PNGBytes.storedZlib([0, 0, 0, 0])) + PNGBytes.chunk("IEND", [])
    }

    /// `png` with IDAT byte `index` flipped and the CRC made right again: zlib's own
    /// checks (block structure, Adler-32) must catch it.
    private static func idatDamaged(_ png: [UInt8], at index: Int) -> [UInt8] {
        var out = PNGBytes.signature
        var seen = 0
        for chunk in PNGBytes.chunks(of: png) {
            var data = chunk.data
            if chunk.type == "IDAT" {
                if index >= seen && index < seen + data.count { data[index - seen] ^= 0x10 }
                seen += data.count
            }
            out += PNGBytes.chunk(chunk.type, data)
        }
        return out
    }

    private static let jpegBytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF\0".utf8) + [UInt8](repeating: 0, count: 64)
    private static let tiffBytes: [UInt8] = Array("II*\0".utf8) + [8, 0, 0, 0] + [UInt8](repeating: 0, count: 64)

    private static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = TestRandom(state: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    private static func expectFailure(_ bytes: [UInt8], _ name: String, kind: PNGReadError.Kind? = nil,
                                      mentioning text: String? = nil,
                                      sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try PNGCodec.decode(bytes, name: name)
            Issue.record("\(name) was decoded", sourceLocation: sourceLocation)
        } catch {
            if let kind { #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation) }
            if let text { #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation) }
            #expect(error.description.hasPrefix(name + ": "), sourceLocation: sourceLocation)
        }
    }

    // MARK: The codec, in process

    @Test func truncationAtEveryByteIsRejected() {
        let png = Self.smallPNG
        for length in 0..<png.count {
            do {
                _ = try PNGCodec.decode(Array(png.prefix(length)), name: "cut.png")
                Issue.record("a file cut to \(length) of \(png.count) bytes was decoded")
            } catch {
                #expect(!error.details.isEmpty)
            }
        }
    }

    /// Every byte is covered by the signature or a CRC, so any single flipped bit is found;
    /// the one exception allowed is a flip that leaves the pixels exactly as they were.
    @Test func everySingleBitFlipIsRejected() throws {
        let png = Self.smallPNG
        let original = try PNGCodec.decode(png, name: "ok.png")
        var rejected = 0
        for index in png.indices {
            for bit in 0..<8 {
                var damaged = png
                damaged[index] ^= UInt8(1 << bit)
                if let decoded = try? PNGCodec.decode(damaged, name: "flip.png") {
                    #expect(decoded.samples == original.samples && decoded.micronsPerPixel == original.micronsPerPixel,
                            "a flip of bit \(bit) at byte \(index) changed the image without an error")
                } else {
                    rejected += 1
                }
            }
        }
        #expect(rejected == png.count * 8)
    }

    /// Damage inside the compressed pixels, behind a correct CRC: zlib errors.
    @Test func compressedDataDamageIsRejected() throws {
        let png = Self.smallPNG
        let original = try PNGCodec.decode(png, name: "ok.png")
        let length = PNGBytes.imageData(of: png).count
        for index in 0..<length {
            if let decoded = try? PNGCodec.decode(Self.idatDamaged(png, at: index), name: "zlib.png") {
                #expect(decoded.samples == original.samples, "IDAT byte \(index) changed the pixels without an error")
            }
        }
        Self.expectFailure(Self.idatDamaged(png, at: length - 1), "adler.png", kind: .corrupt, mentioning: "IDAT")
    }

    @Test func otherFormatsAreNamed() {
        Self.expectFailure([], "empty.png", kind: .notPNG, mentioning: "empty")
        Self.expectFailure([0x89, 0x50, 0x4E], "few.png", kind: .notPNG, mentioning: "ends inside the PNG signature")
        Self.expectFailure(Self.jpegBytes, "photo.png", kind: .notPNG, mentioning: "JPEG")
        Self.expectFailure(Self.tiffBytes, "stack.png", kind: .notPNG, mentioning: "TIFF")
        Self.expectFailure(Self.randomBytes(3000, seed: 1), "noise.png", kind: .notPNG, mentioning: "not a PNG")
        Self.expectFailure(Array("width,height\n1,2\n".utf8), "table.png", kind: .notPNG, mentioning: "text")
    }

    @Test(arguments: [(UInt32(0x7FFF_FFFF), UInt32(0x7FFF_FFFF)), (1, 0x7FFF_FFFF), (0x7FFF_FFFF, 1),
                      (65536, 65536), (0, 5), (5, 0), (0x8000_0000, 1), (0xFFFF_FFFF, 0xFFFF_FFFF)])
    func absurdHeaderDimensionsAreRefusedBeforeAllocating(width: UInt32, height: UInt32) {
        let start = Date()
        Self.expectFailure(Self.absurdHeader(width: width, height: height), "huge.png")
        #expect(Date().timeIntervalSince(start) < 1)
    }

    /// A header within the pixel limit on a file far too small for it: refused from the
    /// header, before 1.5 GiB of samples are allocated.
    @Test func headerTooLargeForItsFileIsRefused() {
        Self.expectFailure(Self.absurdHeader(width: 16384, height: 16384, colorType: 2, bitDepth: 16), "tiny.png",
                           kind: .corrupt, mentioning: "too small to hold")
    }

    @Test func decompressionBombsAreRefusedQuickly() {
        let bombs = [("idat-bomb.png", Self.idatBomb), ("ztxt-bomb.png", Self.zTXtBomb), ("iccp-bomb.png", Self.iCCPBomb)]
        let start = Date()
        for (name, bytes) in bombs {
            Self.expectFailure(bytes, name, kind: .corrupt, mentioning: "decompression bomb")
        }
        #expect(Date().timeIntervalSince(start) < 5)
        // The same chunks at a harmless size are fine.
        let harmless = Self.withChunk(PNGBytes.chunk("zTXt", Array("Comment".utf8) + [0, 0]
                                                          + PNGBytes.storedZlib(Array("text".utf8))))
        #expect((try? PNGCodec.decode(harmless, name: "ztxt.png")) != nil)
    }

    @Test func memoryBudgetWaitsAndRefuses() {
        let header = PNGCodec.Header(width: 1000, height: 1000, bitDepth: 16, channels: 1)
        let needed = MemoryBudget.estimatedBytes(of: header, fileBytes: 1000)
        #expect(needed == 1000 + 2_000_000 + 1_000_000 * MemoryBudget.analysisBytesPerPixel)
        // Near the top of Int the sum saturates instead of wrapping to a negative estimate.
        let vast = PNGCodec.Header(width: 1 << 28, height: (1 << 29) / MemoryBudget.analysisBytesPerPixel, bitDepth: 16,
                                   channels: 4)
        #expect(MemoryBudget.estimatedBytes(of: vast, fileBytes: Int.max - (1 << 50)) == Int.max)
        let budget = MemoryBudget(totalBytes: needed * 3 / 2, source: "a test")
        #expect(budget.acquire(needed))
        #expect(!budget.acquire(needed * 2))     // never fits: refused at once
        #expect(budget.refusal(neededBytes: needed * 2, header: header).contains("a test"))
        // A second image waits until the first gives its memory back.
        let order = EventOrder()
        let second = Thread {
            _ = budget.acquire(needed)
            order.add("second started")
            budget.release(needed)
        }
        second.start()
        Thread.sleep(forTimeInterval: 0.2)
        order.add("first finished")
        budget.release(needed)
        while order.events.count < 2 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(order.events == ["first finished", "second started"])
        #expect(MemoryBudget.estimatedBytes(of: PNGCodec.Header(width: Int.max / 2, height: 4, bitDepth: 8, channels: 3),
                                            fileBytes: 0) == Int.max)
        #expect(MemoryBudget.forThisProcess(threads: 2).totalBytes > 0)
    }

    // MARK: The batch, as a user runs it

    /// One folder of every kind of bad file beside two good images: each gets an error row
    /// saying why, the good ones are analysed, and the run exits 1.
    @Test func everyBadFileGetsAnErrorRowAndTheBatchGoesOn() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let good = try TestImages.dendritePNG(seed: 1)
        try folder.write(good, to: "in/a_good.png")
        try folder.write(try TestImages.dendritePNG(seed: 2), to: "in/z_good.png")
        let small = Self.smallPNG
        var flipped = good
        flipped[good.count / 2] ^= 0x04
        let expected: [(name: String, bytes: [UInt8]?, reason: String)] = [
            ("empty.png", [], "empty"),
            ("few.png", [0x89, 0x50], "ends inside the PNG signature"),
            ("random.png", Self.randomBytes(5000, seed: 2), "not a PNG"),
            ("jpeg.png", Self.jpegBytes, "JPEG"),
            ("tiff.png", Self.tiffBytes, "TIFF"),
            ("cut_header.png", Array(small.prefix(20)), "invalid PNG data"),
            ("cut_middle.png", Array(good.prefix(good.count / 2)), "invalid PNG data"),
            ("cut_end.png", Array(good.dropLast(3)), "invalid PNG data"),
            ("flipped.png", flipped, "invalid PNG data"),
            ("zlib.png", Self.idatDamaged(good, at: 100), "invalid PNG data"),
            ("huge.png", Self.absurdHeader(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF), "more than the limit"),
            ("tiny.png", Self.absurdHeader(width: 16384, height: 16384, colorType: 2, bitDepth: 16), "too small to hold"),
            ("idat_bomb.png", Self.idatBomb, "decompression bomb"),
            ("ztxt_bomb.png", Self.zTXtBomb, "decompression bomb"),
            ("iccp_bomb.png", Self.iCCPBomb, "decompression bomb"),
            ("folder.png", nil, "directory"),
            ("broken.png", nil, "broken symbolic link"),
            ("fifo.png", nil, "not a regular file"),
            ("zero.png", nil, "not a regular file"),
        ]
        for file in expected {
            if let bytes = file.bytes { try folder.write(bytes, to: "in/" + file.name) }
        }
        try folder.makeFolder("in/folder.png")
        try FileManager.default.createSymbolicLink(atPath: folder.path("in/broken.png"),
                                                   withDestinationPath: folder.path("nowhere/x.png"))
        // A FIFO would block a blocking open forever; /dev/zero would never end.
        #expect(mkfifo(folder.path("in/fifo.png"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.path("in/zero.png"), withDestinationPath: "/dev/zero")

        let result = try CommandRunner.run(["analyze", "in", "--output", "out", "--threads", "2"], in: folder.path)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        let images = try #require(CSVTable(path: folder.path("out/images.csv")))
        let byName = Dictionary(uniqueKeysWithValues: images.rows.map { ($0["image"] ?? "", $0) })
        #expect(Set(byName.keys) == Set(expected.map(\.name) + ["a_good.png", "z_good.png"]))
        for file in expected {
            let status = byName[file.name]?["status"] ?? "(no row)"
            #expect(status.hasPrefix("error: ") && status.contains(file.reason), "\(file.name): \(status)")
            #expect(result.stderr.contains(file.name + ": error: "), "\(file.name) is not named on stderr")
        }
        #expect(byName["a_good.png"]?["status"] == "ok" && byName["z_good.png"]?["status"] == "ok")
        let spines = try #require(CSVTable(path: folder.path("out/spines.csv")))
        #expect(Set(spines.rows.compactMap { $0["image"] }).isSubset(of: ["a_good.png", "z_good.png"]))
        let leftovers = (FileManager.default.enumerator(atPath: folder.path("out"))?.allObjects as? [String]) ?? []
        #expect(!leftovers.contains { $0.contains(ReportTransaction.temporaryMarker) }, "\(leftovers)")
        #expect(Set(leftovers.filter { $0.hasPrefix("overlays/") }) == ["overlays/a_good.png", "overlays/z_good.png"])
    }

    /// A file the process may not read. Tests often run as root, who reads anything, so
    /// then the run is made as the unprivileged user `nobody` with `setpriv`.
    @Test func unreadableFileGetsARow() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(try TestImages.dendritePNG(), to: "in/a.png")
        try folder.write(try TestImages.dendritePNG(seed: 2), to: "in/locked.png")
        #expect(chmod(folder.path("in/locked.png"), 0) == 0)
        try folder.makeFolder("out")
        var launcher: [String] = []
        if geteuid() == 0 {
            let setpriv = "/usr/bin/setpriv"
            guard FileManager.default.isExecutableFile(atPath: setpriv) else {
                print("note: running as root without \(setpriv): every file is readable, unreadableFileGetsARow skipped")
                return
            }
            launcher = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
            #expect(chmod(folder.path("out"), 0o777) == 0)
        }
        let result = try CommandRunner.run(["analyze", "in", "--output", "out", "--no-overlays"], in: folder.path,
                                           launcher: launcher)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        let images = try #require(CSVTable(path: folder.path("out/images.csv")))
        #expect(images.rows.map { $0["image"] } == ["a.png", "locked.png"])
        #expect(images.rows.first?["status"] == "ok")
        #expect(images.rows.last?["status"]?.lowercased().contains("permission denied") == true,
                "\(images.rows.last ?? [:])")
    }

    /// Tiny, flat, saturated and empty pictures are valid: they are analysed, their
    /// densities are empty (no shaft) rather than NaN, and summary.csv stays well formed.
    @Test func oddButValidImagesAnalyseWithoutError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        func write(_ name: String, width: Int, height: Int, bitDepth: Int = 8, _ value: (Int, Int) -> Int) throws {
            var pixels: [UInt16] = []
            for y in 0..<height { for x in 0..<width { pixels.append(UInt16(value(x, y))) } }
            try folder.write(try PNGCodec.encodeGray(Raster(width: width, height: height, pixels: pixels),
                                                     bitDepth: bitDepth, micronsPerPixel: 0.08), to: "in/" + name)
        }
        var random = TestRandom(state: 9)
        let noise = (0..<(128 * 128)).map { _ in Int.random(in: 0...255, using: &random) }
        try write("one_pixel.png", width: 1, height: 1) { _, _ in 200 }
        try write("one_column.png", width: 1, height: 300) { _, y in y % 256 }
        try write("one_row.png", width: 300, height: 1) { x, _ in x % 256 }
        try write("two_by_two.png", width: 2, height: 2, bitDepth: 16) { x, y in (x + y) * 30000 }
        try write("black.png", width: 96, height: 64) { _, _ in 0 }
        try write("saturated_8bit.png", width: 96, height: 64) { _, _ in 255 }
        try write("saturated_16bit.png", width: 96, height: 64, bitDepth: 16) { _, _ in 65535 }
        try write("constant_16bit.png", width: 96, height: 64, bitDepth: 16) { _, _ in 1234 }
        try write("noise.png", width: 128, height: 128) { x, y in noise[y * 128 + x] }
        try write("gradient.png", width: 128, height: 96, bitDepth: 16) { x, y in x * 300 + y * 100 }
        try write("dot.png", width: 64, height: 64) { x, y in x == 32 && y == 32 ? 255 : 3 }

        for command in [["analyze", "in"], ["--before", "in", "--after", "in"]] {
            let result = try CommandRunner.run(command + ["--output", "out"], in: folder.path)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            for report in ["images.csv", "spines.csv", "summary.csv"] {
                let text = try #require(folder.read("out/" + report))
                #expect(!text.lowercased().contains("nan") && !text.lowercased().contains("inf"), "\(report):\n\(text)")
                let records = parseCSV(text)
                #expect(records.allSatisfy { $0.count == records.first?.count }, "\(report) is ragged")
            }
            let images = try #require(CSVTable(path: folder.path("out/images.csv")))
            #expect(images.rows.count == (command.first == "analyze" ? 11 : 22))
            for row in images.rows {
                #expect(row["status"] == "ok", "\(row)")
                let length = Double(row["dendrite_length_um"] ?? "") ?? -1
                let density = row["density_per_um"] ?? "?"
                #expect(length >= 0 && (density.isEmpty ? length == 0 : Double(density) != nil), "\(row)")
            }
            let summary = try #require(CSVTable(path: folder.path("out/summary.csv")))
            for row in summary.rows {
                for (column, value) in row where column != "measure" {
                    #expect(value.isEmpty || Double(value) != nil, "summary \(column) = \(value)")
                }
            }
        }
    }

    /// The first input libFuzzer found that crashes the analysis (Scripts/fuzz.sh analysis):
    /// a 65 x 33 16-bit image of blocky stripes at 0.53 um/px. The engine indexes the first
    /// pixel of a spine candidate that has none (SpineMeasurer.measure); until that is fixed
    /// the whole run dies, so this is a known issue, checked through the built tool.
    @Test func fuzzFoundEngineCrashIsAReportedRow() throws {
        let fuzzInput: [UInt8] = [0x40, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                  0x10, 0x00, 0x10, 0x00, 0x00]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let image = FuzzImage(fuzzInput)
        try folder.write(try PNGCodec.encodeGray(image.raster, bitDepth: 16, micronsPerPixel: image.micronsPerPixel),
                         to: "in/fuzz-crash-1.png")
        try folder.write(try TestImages.dendritePNG(), to: "in/good.png")
        let result = try CommandRunner.run(["analyze", "in", "--output", "out", "--no-overlays", "--threads", "1"],
                                           in: folder.path)
        // Under a sanitizer, Swift's crash backtracer can itself hang the crashing child;
        // run with SWIFT_BACKTRACE=enable=no there (see the report of issue 7).
        // Foundation reports a death by signal as the signal number (4 for SIGILL), and a
        // sanitizer may exit with its own status: anything but 0, 1 or 2 is a crash.
        if ![0, 1, 2].contains(result.status) {
            // While the engine crashes, the crash note names the image that did it, and the
            // crash is a known issue; once it is fixed, the checks below hold the row to account.
            #expect(result.stderr.contains("crashed while analysing 'in/fuzz-crash-1.png'"),
                    "stderr: \(result.stderr.prefix(2000))")
            withKnownIssue("SpineMeasurer.measure reads candidate.pixels[0] of an empty candidate") {
                Issue.record("the analysis crashed (exit status \(result.status))")
            }
            return
        }
        #expect(result.status == 0 || result.status == 1, "stderr: \(result.stderr.suffix(2000))")
        let images = try #require(CSVTable(path: folder.path("out/images.csv")))
        #expect(images.rows.map { $0["image"] } == ["fuzz-crash-1.png", "good.png"])
        #expect(images.rows.last?["status"] == "ok")
    }

    @Test func concurrentRunsIntoDifferentFoldersDoNotInterfere() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for seed in 1...3 { try folder.write(try TestImages.dendritePNG(seed: UInt64(seed)), to: "in/i\(seed).png") }
        try folder.write([1, 2, 3], to: "in/broken.png")
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let result = try? CommandRunner.run(["analyze", "in", "--output", "out\(k)", "--threads", "1", "--seed", "3"],
                                                in: folder.path)
            results.set(k, result?.status ?? -1)
        }
        #expect(results.values == [0: 1, 1: 1])
        for report in ["spines.csv", "images.csv", "summary.csv"] {
            let a = folder.read("out0/" + report), b = folder.read("out1/" + report)
            #expect(a != nil && a == b, "\(report) differs between the two runs")
        }
        for k in 0..<2 {
            let overlays = try FileManager.default.contentsOfDirectory(atPath: folder.path("out\(k)/overlays")).sorted()
            #expect(overlays == ["i1.png", "i2.png", "i3.png"])
        }
    }

    /// Under `ulimit -v` a batch of hostile files and an image too large for that memory
    /// completes: the large image fails with a reason instead of killing the run.
    @Test(.enabled(if: !HostileInputTests.underSanitizer, "sanitizers reserve terabytes of address space"))
    func batchCompletesUnderAMemoryCap() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(try TestImages.dendritePNG(seed: 1), to: "in/a_good.png")
        try folder.write(Self.idatBomb, to: "in/bomb.png")
        try folder.write(Self.zTXtBomb, to: "in/ztxt.png")
        try folder.write(Self.absurdHeader(width: 16384, height: 16384, colorType: 2, bitDepth: 16), to: "in/tiny.png")
        // 6000 x 6000: about 3.5 GB to analyse, more than a 3 GB address space allows.
        let big = Raster<UInt16>(width: 6000, height: 6000, pixels: [UInt16](repeating: 0, count: 36_000_000))
        try folder.write(try PNGCodec.encodeGray(big, bitDepth: 16, micronsPerPixel: 0.1), to: "in/big.png")
        try folder.write(try TestImages.dendritePNG(seed: 2), to: "in/z_good.png")
        let result = try CommandRunner.run(["analyze", "in", "--output", "out", "--threads", "2"], in: folder.path,
                                           launcher: ["/bin/sh", "-c", "ulimit -v 3000000 && exec \"$0\" \"$@\""])
        #expect(result.status == 1, "stderr: \(result.stderr.suffix(3000))")
        let images = try #require(CSVTable(path: folder.path("out/images.csv")))
        let status = Dictionary(uniqueKeysWithValues: images.rows.map { ($0["image"] ?? "", $0["status"] ?? "") })
        #expect(status["a_good.png"] == "ok" && status["z_good.png"] == "ok", "\(status)")
        #expect(status["big.png"]?.contains("memory") == true, "\(status)")
        for name in ["bomb.png", "ztxt.png", "tiny.png"] { #expect(status[name]?.hasPrefix("error: ") == true) }
    }

    /// A full disk is found before any work: exit 2 with one line. Needs root to mount a
    /// tiny tmpfs in a private mount namespace (`unshare -m`); skipped otherwise.
    @Test(arguments: [("0", "full"), ("600000", "KiB free")])
    func fullDiskFailsBeforeAnyWork(fillBytes: String, mentioning text: String) throws {
        let unshare = "/usr/bin/unshare"
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: unshare),
              (try? CommandRunner.run(["--version"], in: "/", launcher: [unshare, "-m", "/bin/sh", "-c",
                                                                        "mount -t tmpfs none /mnt && exec \"$0\" \"$@\""]))?
                  .status == 0 else {
            print("note: fullDiskFailsBeforeAnyWork needs root and unshare -m; skipped")
            return
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(try TestImages.dendritePNG(), to: "in/a.png")
        try folder.makeFolder("disk")
        // A 1 MiB file system, filled to leave nothing (or about 400 KiB) free.
        let fill = fillBytes == "0" ? "head -c 2000000 /dev/zero > disk/fill 2>/dev/null; true"
                                    : "head -c \(fillBytes) /dev/zero > disk/fill"
        let script = "mount -t tmpfs -o size=1m tmpfs disk && \(fill) && exec \"$0\" \"$@\""
        let result = try CommandRunner.run(["analyze", "in", "--output", "disk/out"], in: folder.path,
                                           launcher: [unshare, "-m", "/bin/sh", "-c", script])
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains(text), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("[1/1]"))      // no image was analysed
    }

    @Test func reportsNeverReplaceAnInput() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let png = try TestImages.dendritePNG()
        try folder.write(png, to: "out/overlays/cell.png")
        let result = try CommandRunner.run(["analyze", "out/overlays", "--output", "out"], in: folder.path)
        #expect(result.status == 2 && result.stderr.contains("would replace the input"), "stderr: \(result.stderr)")
        #expect(try Data(contentsOf: folder.url.appendingPathComponent("out/overlays/cell.png")) == Data(png))
        // Without overlays nothing collides.
        let plain = try CommandRunner.run(["analyze", "out/overlays", "--output", "out", "--no-overlays"],
                                          in: folder.path)
        #expect(plain.status == 0, "stderr: \(plain.stderr)")
    }

    /// A name near the file system's 255-byte limit still gets its overlay: the temporary
    /// file's name is cut to fit.
    @Test func longImageNamesKeepTheirOverlays() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let name = String(repeating: "dendrite-é-", count: 20).prefix(240) + ".png"
        #expect(name.utf8.count > 240 && name.utf8.count <= 255)
        try folder.write(try TestImages.dendritePNG(), to: "in/" + name)
        let result = try CommandRunner.run(["analyze", "in", "--output", "out", "--quiet"], in: folder.path)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path("out/overlays/" + name)))
    }

    // MARK: Helpers

    /// Whether this test binary runs under AddressSanitizer or ThreadSanitizer.
    static let underSanitizer: Bool = {
        #if canImport(Glibc)
        let handle = dlopen(nil, RTLD_NOW)
        defer { if let handle { dlclose(handle) } }
        return dlsym(handle, "__asan_init") != nil || dlsym(handle, "__tsan_init") != nil
        #else
        return false
        #endif
    }()
}

/// The image Scripts/fuzz/FuzzEntry.swift builds from fuzz input bytes, so that a finding
/// can be replayed as a PNG: width, height, pixel size, 16-bit flag and block size from the
/// first five bytes, samples from the rest, repeated to fill the image.
struct FuzzImage {
    var raster: Raster<UInt16>
    var micronsPerPixel: Double

    init(_ bytes: [UInt8]) {
        let width = 1 + Int(bytes[0]) % 96, height = 1 + Int(bytes[1]) % 96
        micronsPerPixel = 0.02 + Double(bytes[2]) / 500
        let sixteenBit = bytes[3] & 1 == 1
        let upsample = 1 + Int(bytes[4] >> 6)
        let body = Array(bytes[6...])
        var pixels = [UInt16](repeating: 0, count: width * height)
        if !body.isEmpty {
            let step = sixteenBit ? 2 : 1
            let available = max(1, body.count / step)
            for y in 0..<height {
                for x in 0..<width {
                    let k = ((y / upsample) * ((width + upsample - 1) / upsample) + x / upsample) % available
                    pixels[y * width + x] = sixteenBit
                        ? UInt16(body[step * k]) << 8 | UInt16(body[min(body.count - 1, step * k + 1)])
                        : UInt16(body[k])
                }
            }
        }
        raster = Raster(width: width, height: height, pixels: pixels)
    }
}

private final class EventOrder: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ event: String) { lock.lock(); list.append(event); lock.unlock() }
    var events: [String] { lock.lock(); defer { lock.unlock() }; return list }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int: Int32] = [:]
    func set(_ key: Int, _ value: Int32) { lock.lock(); stored[key] = value; lock.unlock() }
    var values: [Int: Int32] { lock.lock(); defer { lock.unlock() }; return stored }
}
