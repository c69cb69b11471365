import Foundation
import Testing
@testable import SpineKit

// MARK: - PngSuite

/// Willem van Schaik's PngSuite at `../shared/pngsuite`, beside the package root.
private enum PngSuite {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SpineKitTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("../shared/pngsuite").standardizedFileURL

    static let isAvailable = FileManager.default.fileExists(atPath: root.appendingPathComponent("valid").path)
    static let missingNote: Comment = "PngSuite not found at ../shared/pngsuite (shared test data absent)"

    static func names(_ folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path))
        return (files ?? []).filter { $0.hasSuffix(".png") }.sorted()
    }

    static func path(_ folder: String, _ name: String) -> String {
        root.appendingPathComponent(folder).appendingPathComponent(name).path
    }

    /// What a PngSuite name promises, e.g. `basn0g16`: feature `bas`, `n`(on-)interlaced,
    /// colour type 0 (grey), 16 bits. `sNN` files are NN x NN; the pHYs files `cdf`, `cdh`,
    /// `cds` are 8x32, 32x8 and 8x8 (PngSuite documentation); every other image is 32x32.
    struct Expectation {
        var width: Int
        var height: Int
        var bitDepth: Int
        var colorModel: DecodedImage.ColorModel
    }

    static func expectation(for name: String) -> Expectation? {
        let stem = Array(name.prefix(8))
        guard stem.count == 8, let colorType = Int(String(stem[4])), let bitDepth = Int(String(stem[6...7])) else {
            return nil
        }
        let feature = String(stem[0...2])
        var size = (32, 32)
        if stem[0] == "s", let side = Int(String(stem[1...2])) { size = (side, side) }
        switch feature {
        case "cdf": size = (8, 32)
        case "cdh": size = (32, 8)
        case "cds": size = (8, 8)
        default: break
        }
        // Grey (0) and grey+alpha (4) stay grey; RGB (2), palette (3) and RGBA (6) give RGB.
        let model: DecodedImage.ColorModel = colorType == 0 || colorType == 4 ? .gray : .rgb
        return Expectation(width: size.0, height: size.1, bitDepth: bitDepth, colorModel: model)
    }
}

// MARK: - Helpers

/// CRC-32 as PNG chunks use it (ISO 3309, reflected polynomial 0xEDB88320), bit by bit.
private func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

private func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}

/// One PNG chunk: length, type, data, CRC over type and data.
private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
}

private let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

/// Signature plus an 8-bit grey IHDR claiming `width` x `height`, and nothing else.
private func headerOnlyPNG(width: UInt32, height: UInt32) -> [UInt8] {
    pngSignature + chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 0, 0, 0, 0])
}

/// The data of the first chunk of `type` in a PNG, found by walking the chunk list.
private func chunkData(_ type: String, in png: [UInt8]) -> [UInt8]? {
    var offset = 8
    let tag = Array(type.utf8)
    while offset + 8 <= png.count {
        let length = png[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
        if Array(png[(offset + 4)..<(offset + 8)]) == tag {
            return Array(png[(offset + 8)..<(offset + 8 + length)])
        }
        offset += 12 + length
    }
    return nil
}

/// Offset of the first byte of the named chunk's data.
private func chunkDataOffset(_ type: String, in png: [UInt8]) -> Int? {
    var offset = 8
    let tag = Array(type.utf8)
    while offset + 8 <= png.count {
        let length = png[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
        if Array(png[(offset + 4)..<(offset + 8)]) == tag { return offset + 8 }
        offset += 12 + length
    }
    return nil
}

/// A zlib stream inflating to `1 + 258 * runs` zero bytes in a few bits per 258 bytes:
/// one fixed-Huffman deflate block (RFC 1951, 3.2.6) of a literal 0 followed by
/// length-258 distance-1 copies. Built by hand because the test has no zlib.
private func zlibZeros(runs: Int) -> (stream: [UInt8], inflatedCount: Int) {
    var bytes: [UInt8] = [0x78, 0x01]  // CMF/FLG: deflate, 32 KiB window, check bits
    var bitBuffer: UInt32 = 0
    var bitCount = 0
    func put(_ value: UInt32, bits: Int) {  // already in the LSB-first order deflate uses
        bitBuffer |= value << bitCount
        bitCount += bits
        while bitCount >= 8 {
            bytes.append(UInt8(bitBuffer & 0xFF))
            bitBuffer >>= 8
            bitCount -= 8
        }
    }
    func putHuffman(_ code: UInt32, bits: Int) {  // Huffman codes go most significant bit first
        for shift in stride(from: bits - 1, through: 0, by: -1) { put((code >> UInt32(shift)) & 1, bits: 1) }
    }
    put(1, bits: 1)  // final block
    put(1, bits: 2)  // fixed Huffman codes
    putHuffman(0x30, bits: 8)  // literal 0
    for _ in 0..<runs {
        putHuffman(0xC5, bits: 8)  // length symbol 285: 258 bytes
        putHuffman(0, bits: 5)  // distance code 0: 1 byte back
    }
    putHuffman(0, bits: 7)  // end of block (256)
    if bitCount > 0 { put(0, bits: 8 - bitCount) }
    let count = 1 + 258 * runs
    // Adler-32 of zeros: a stays 1, b adds 1 per byte.
    let adler = UInt32(count % 65521) << 16 | 1
    return (bytes + bigEndian(adler), count)
}

/// A 4x4 8-bit grey PNG whose zTXt comment inflates to `runs` x 258 zero bytes.
private func pngWithCompressedComment(runs: Int) throws -> [UInt8] {
    let plain = try PNGCodec.encodeGray(Raster(width: 4, height: 4, repeating: 9), bitDepth: 8, micronsPerPixel: nil)
    let afterIHDR = 8 + 12 + 13
    let comment = chunk("zTXt", Array("Comment".utf8) + [0, 0] + zlibZeros(runs: runs).stream)
    return Array(plain[..<afterIHDR]) + comment + Array(plain[afterIHDR...])
}

private func decodeError(_ body: () throws(PNGReadError) -> DecodedImage) -> PNGReadError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// A 32x32 grey test image with a gradient, encoded by the codec itself.
private func sampleGrayPNG(width: Int = 32, height: Int = 32) throws -> [UInt8] {
    let raster = Raster<UInt16>(width: width, height: height,
                                pixels: (0..<(width * height)).map { UInt16(($0 * 7) % 256) })
    return try PNGCodec.encodeGray(raster, bitDepth: 8, micronsPerPixel: 0.1)
}

// MARK: - Tests

@Suite struct PixelSizeReadingTests {
    @Test func nearlySquarePixelsGiveTheirMeanSize() throws {
        // 12500000 and 12500001 pixels per metre: 0.08 µm, as a writer computing x and y apart stores it.
        guard case .microns(let size) = PixelSizeReading(xPerUnit: 12_500_000, yPerUnit: 12_500_001, isMetre: true) else {
            Issue.record("a pixel size off by 1e-7 was refused")
            return
        }
        #expect(abs(size - 0.08) < 1e-8)
        #expect(PixelSizeReading(xPerUnit: 12_500_000, yPerUnit: 12_500_000, isMetre: true) == .microns(0.08))
    }

    @Test func chunksWithoutAPixelSizeSayWhy() {
        func reason(_ reading: PixelSizeReading) -> String? {
            if case .unusable(let why) = reading { why } else { nil }
        }
        #expect(reason(PixelSizeReading(xPerUnit: 10_000_000, yPerUnit: 12_500_000, isMetre: true))?.contains("not square") == true)
        #expect(reason(PixelSizeReading(xPerUnit: 1, yPerUnit: 1, isMetre: false))?.contains("no unit") == true)
        #expect(reason(PixelSizeReading(xPerUnit: 0, yPerUnit: 0, isMetre: true))?.contains("0 pixels per metre") == true)
    }
}

@Suite struct PNGCodecTests {
    // MARK: PngSuite, valid files

    @Test(.enabled(if: PngSuite.isAvailable, PngSuite.missingNote), arguments: PngSuite.names("valid"))
    func validPngSuiteFileLoads(name: String) throws {
        let expected = try #require(PngSuite.expectation(for: name), "unparsable PngSuite name \(name)")
        let image = try PNGCodec.read(path: PngSuite.path("valid", name))
        #expect(image.width == expected.width, "\(name) width")
        #expect(image.height == expected.height, "\(name) height")
        #expect(image.bitDepth == expected.bitDepth, "\(name) bit depth")
        #expect(image.colorModel == expected.colorModel, "\(name) colour model")
        #expect(image.samples.count == expected.width * expected.height * image.channels)
        if expected.bitDepth < 16 {
            #expect(image.samples.allSatisfy { $0 <= 255 }, "\(name): 8-bit-or-less samples above 255")
        }
    }

    @Test(.enabled(if: PngSuite.isAvailable, PngSuite.missingNote))
    func pngSuiteHasEveryFile() {
        #expect(PngSuite.names("valid").count == 160)
        #expect(PngSuite.names("invalid").count == 14)
    }

    /// Adam7 decoding gives the same pixels as the non-interlaced twin (`basi`/`basn`, `sNNi`/`sNNn`).
    @Test(.enabled(if: PngSuite.isAvailable, PngSuite.missingNote))
    func interlacedFilesMatchTheirNonInterlacedTwins() throws {
        let interlaced = PngSuite.names("valid").filter {
            ($0.hasPrefix("basi") || ($0.hasPrefix("s") && Array($0)[3] == "i"))
        }
        #expect(interlaced.count == 15 + 18)  // basi*, and s01-s09, s32-s40
        for name in interlaced {
            var twin = Array(name)
            twin[3] = "n"
            let a = try PNGCodec.read(path: PngSuite.path("valid", name))
            let b = try PNGCodec.read(path: PngSuite.path("valid", String(twin)))
            #expect(a.samples == b.samples, "\(name) differs from \(String(twin))")
        }
    }

    /// Corner pixels, read independently with pypng 0.20220715 (`png.Reader(...).read()`, which
    /// applies no gamma or transparency); palette entries looked up in its PLTE list, and
    /// 1/2/4-bit grey scaled as v * 255 / (2^bits - 1), as libpng's expansion does.
    @Test(.enabled(if: PngSuite.isAvailable, PngSuite.missingNote),
          arguments: [
              // name, x, y, samples
              ("basn0g16", 0, 0, [0]), ("basn0g16", 31, 0, [47871]),
              ("basn0g16", 0, 31, [15872]), ("basn0g16", 31, 31, [255]),
              ("basn2c08", 0, 0, [255, 255, 255]), ("basn2c08", 31, 0, [255, 255, 224]),
              ("basn2c08", 0, 31, [31, 31, 31]), ("basn2c08", 31, 31, [0, 0, 0]),
              ("basn3p08", 0, 0, [1, 0, 0]), ("basn3p08", 31, 0, [1, 0, 1]),
              ("basn3p08", 0, 31, [255, 254, 254]), ("basn3p08", 31, 31, [255, 254, 255]),
              ("basn0g01", 0, 0, [255]), ("basn0g01", 31, 0, [0]),
              ("basn0g02", 31, 0, [255]), ("basn0g02", 31, 31, [170]),
              ("basn0g04", 31, 0, [119]), ("basn0g04", 31, 31, [238]),
              // Alpha dropped, colour kept at 16 bits.
              ("basn6a16", 0, 0, [65535, 65535, 0]), ("basn6a16", 31, 31, [0, 0, 65535]),
              // tRNS ignored: palette index 0 is fully transparent white, stays white.
              ("tbbn3p08", 0, 0, [255, 255, 255]),
              // tRNS on 16-bit grey leaves the sample as stored.
              ("tbwn0g16", 0, 0, [65535]),
          ] as [(String, Int, Int, [UInt16])])
    func cornerPixelsMatchAnIndependentDecoder(name: String, x: Int, y: Int, samples: [UInt16]) throws {
        let image = try PNGCodec.read(path: PngSuite.path("valid", name + ".png"))
        let start = (y * image.width + x) * image.channels
        #expect(Array(image.samples[start..<(start + image.channels)]) == samples, "\(name) at (\(x), \(y))")
    }

    /// The pHYs files: cdfn/cdhn/cdsn give only an aspect ratio (unit 0: 1:4, 4:1, 1:1),
    /// so no physical size; cdun gives 1000 pixels per metre, that is 1000 microns per pixel.
    @Test(.enabled(if: PngSuite.isAvailable, PngSuite.missingNote))
    func pHYsIsReadOnlyForSquareMetrePixels() throws {
        for name in ["cdfn2c08", "cdhn2c08", "cdsn2c08"] {
            #expect(try PNGCodec.read(path: PngSuite.path("valid", name + ".png")).micronsPerPixel == nil, "\(name)")
        }
        #expect(try PNGCodec.read(path: PngSuite.path("valid", "cdun2c08.png")).micronsPerPixel == 1000)
        #expect(try PNGCodec.read(path: PngSuite.path("valid", "basn0g08.png")).micronsPerPixel == nil)
    }

    // MARK: PngSuite, invalid files

    @Test(.enabled(if: PngSuite.isAvailable, PngSuite.missingNote), arguments: PngSuite.names("invalid"))
    func invalidPngSuiteFileIsRejected(name: String) {
        let path = PngSuite.path("invalid", name)
        guard let error = decodeError({ () throws(PNGReadError) in try PNGCodec.read(path: path) }) else {
            Issue.record("\(name) was accepted")
            return
        }
        // xs*: damaged signature bytes; xcr/xlf: line endings converted in the signature.
        let signatureDamaged = name.hasPrefix("xs") || name.hasPrefix("xcr") || name.hasPrefix("xlf")
        #expect(error.kind == (signatureDamaged ? .notPNG : .corrupt), "\(name): \(error)")
        #expect(error.description.contains(name))
        #expect(!error.description.contains("\n"), "one line: \(error)")
        #expect(error.details.count > 10)
    }

    // MARK: Not a PNG, damaged, too large

    @Test func emptyInputIsNotPNG() {
        let error = decodeError { () throws(PNGReadError) in try PNGCodec.decode([], name: "empty.png") }
        #expect(error?.kind == .notPNG)
        #expect(error?.description.contains("empty.png") == true)
        #expect(error?.details.contains("empty") == true)
    }

    @Test(arguments: [
        ([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46], "JPEG"),
        (Array("II*\0".utf8) + [8, 0, 0, 0, 0, 0], "TIFF"),
        (Array("MM\0*".utf8) + [0, 0, 0, 8, 0, 0], "TIFF"),
        (Array("GIF89a".utf8) + [1, 0, 1, 0], "GIF"),
        (Array("BM".utf8) + [0x3A, 0, 0, 0, 0, 0, 0, 0], "BMP"),
        (Array("hello, world\n".utf8), "text"),
    ] as [([UInt8], String)])
    func otherFormatsAreNamed(bytes: [UInt8], format: String) {
        let error = decodeError { () throws(PNGReadError) in try PNGCodec.decode(bytes, name: "photo.png") }
        #expect(error?.kind == .notPNG)
        #expect(error?.details.contains(format) == true, "\(String(describing: error))")
    }

    @Test func truncatedFilesFailCleanly() throws {
        let png = try sampleGrayPNG()
        #expect(throws: Never.self) { try PNGCodec.decode(png, name: "whole.png") }
        // Inside the signature, inside IHDR, inside IDAT, before IEND, inside IEND's CRC.
        for length in [1, 7, 8, 20, 33, png.count / 2, png.count - 12, png.count - 1] {
            let error = decodeError { () throws(PNGReadError) in
                try PNGCodec.decode(Array(png.prefix(length)), name: "cut.png")
            }
            #expect(error?.kind == (length < 8 ? .notPNG : .corrupt), "cut at \(length): \(String(describing: error))")
        }
    }

    @Test func damagedChunksAreErrors() throws {
        let png = try sampleGrayPNG()
        let idat = try #require(chunkDataOffset("IDAT", in: png))
        var badIDAT = png
        badIDAT[idat + 3] ^= 0x10
        let idatError = decodeError { () throws(PNGReadError) in try PNGCodec.decode(badIDAT, name: "idat.png") }
        #expect(idatError?.kind == .corrupt)
        // An ancillary chunk too: a silently dropped pHYs would change every length in microns.
        let phys = try #require(chunkDataOffset("pHYs", in: png))
        var badPHYs = png
        badPHYs[phys] ^= 0x01
        let physError = decodeError { () throws(PNGReadError) in try PNGCodec.decode(badPHYs, name: "phys.png") }
        #expect(physError?.kind == .corrupt)
        #expect(physError?.details.contains("CRC") == true, "\(String(describing: physError))")
    }

    @Test func hugeHeaderIsRefusedBeforeAllocating() {
        let bytes = headerOnlyPNG(width: 200_000, height: 200_000)
        let clock = ContinuousClock()
        var error: PNGReadError?
        let elapsed = clock.measure {
            error = decodeError { () throws(PNGReadError) in try PNGCodec.decode(bytes, name: "bomb.png") }
        }
        #expect(error?.kind == .tooLarge)
        #expect(error?.details.contains("200000 x 200000") == true, "\(String(describing: error))")
        #expect(error?.details.contains("\(PNGCodec.defaultMaxPixels)") == true)
        #expect(error?.description.contains("bomb.png") == true)
        #expect(elapsed < .seconds(1))
    }

    /// A decompression bomb in metadata: a 65 kB zTXt that would inflate to 10 MB is cut at
    /// libpng's chunk memory limit (8 MiB), and the file is refused as hostile.
    @Test func ancillaryDecompressionBombIsRefused() throws {
        // The same construction, small: proves the hand-made stream is valid (no warning).
        let small = try PNGCodec.decodeReportingWarnings(pngWithCompressedComment(runs: 100), name: "small.png")
        #expect(small.warnings.isEmpty, "\(small.warnings)")
        #expect(small.image.samples == Array(repeating: 9, count: 16))

        let bomb = try pngWithCompressedComment(runs: 40_000)  // 10,320,001 bytes inflated
        #expect(bomb.count < 70_000)
        let error = decodeError { () throws(PNGReadError) in try PNGCodec.decode(bomb, name: "bomb.png") }
        #expect(error?.kind == .corrupt)
        #expect(error?.details.contains("zTXt") == true && error?.details.contains("decompression bomb") == true,
                "\(String(describing: error))")
    }

    @Test func pixelLimitIsEnforcedOnRealImages() throws {
        let png = try sampleGrayPNG()  // 32 x 32 = 1024 pixels
        #expect(try PNGCodec.decode(png, name: "ok.png", maxPixels: 1024).width == 32)
        // Area above the limit, each side below it: the explicit width x height check.
        let area = decodeError { () throws(PNGReadError) in try PNGCodec.decode(png, name: "a.png", maxPixels: 1023) }
        #expect(area?.kind == .tooLarge)
        // One side above the limit: libpng's own user limit fires inside its IHDR check.
        let side = decodeError { () throws(PNGReadError) in try PNGCodec.decode(png, name: "s.png", maxPixels: 16) }
        #expect(side?.kind == .tooLarge)
        #expect(side?.details.contains("32 x 32") == true, "\(String(describing: side))")
    }

    // MARK: Round trips and writing

    @Test func gray8RoundTrip() throws {
        var random = TestRNG(seed: 8)
        let raster = Raster<UInt16>(width: 7, height: 5, pixels: (0..<35).map { _ in UInt16(random.next() % 256) })
        let image = try PNGCodec.decode(PNGCodec.encodeGray(raster, bitDepth: 8, micronsPerPixel: 0.08), name: "g8")
        #expect(image.bitDepth == 8 && image.colorModel == .gray && image.width == 7 && image.height == 5)
        #expect(image.samples == raster.pixels)
        // 0.08 um is exactly 12,500,000 pixels per metre, and 1e6 / 12.5e6 rounds back to 0.08.
        #expect(image.micronsPerPixel == 0.08)
    }

    /// The decoder's byte order is checked against pypng on basn0g16 above, so a round trip
    /// here checks the encoder's big-endian output rather than two symmetric mistakes.
    @Test func gray16RoundTrip() throws {
        var random = TestRNG(seed: 16)
        let edges: [UInt16] = [0, 1, 255, 256, 65535, 0x1234, 0xFF00]
        let pixels = edges + (edges.count..<(9 * 4)).map { _ in UInt16(truncatingIfNeeded: random.next()) }
        let raster = Raster<UInt16>(width: 9, height: 4, pixels: pixels)
        let png = try PNGCodec.encodeGray(raster, bitDepth: 16, micronsPerPixel: 0.0651)
        let image = try PNGCodec.decode(png, name: "g16")
        #expect(image.bitDepth == 16 && image.colorModel == .gray)
        #expect(image.samples == pixels)
        // pHYs holds whole pixels per metre: 1e6 / 0.0651 = 15360983.1 is stored as 15360983.
        let micronsPerPixel = try #require(image.micronsPerPixel)
        #expect(abs(micronsPerPixel - 0.0651) / 0.0651 < 1e-7)
        #expect(chunkData("pHYs", in: png) == bigEndian(15_360_983) + bigEndian(15_360_983) + [1])
        // IHDR says 16-bit grey.
        let ihdr = try #require(chunkData("IHDR", in: png))
        #expect(ihdr[8] == 16 && ihdr[9] == 0)
    }

    @Test func rgb8RoundTrip() throws {
        var random = TestRNG(seed: 3)
        let rgb = (0..<(5 * 6 * 3)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let png = try PNGCodec.encodeRGB(width: 5, height: 6, rgb: rgb, micronsPerPixel: 0.25)
        let image = try PNGCodec.decode(png, name: "rgb")
        #expect(image.bitDepth == 8 && image.colorModel == .rgb && image.width == 5 && image.height == 6)
        #expect(image.samples == rgb.map(UInt16.init))
        #expect(image.micronsPerPixel == 0.25)
        #expect(chunkData("pHYs", in: png) == bigEndian(4_000_000) + bigEndian(4_000_000) + [1])
    }

    @Test func noResolutionWritesNoPHYs() throws {
        let png = try PNGCodec.encodeGray(Raster(width: 1, height: 1, repeating: 3), bitDepth: 8, micronsPerPixel: nil)
        #expect(chunkData("pHYs", in: png) == nil)
        let image = try PNGCodec.decode(png, name: "one")
        #expect(image.samples == [3] && image.micronsPerPixel == nil)
    }

    @Test func invalidWritesThrow() {
        func kind(_ body: () throws(PNGWriteError) -> [UInt8]) -> PNGWriteError.Kind? {
            do { _ = try body(); return nil } catch { return error.kind }
        }
        let tooBright = Raster<UInt16>(width: 2, height: 1, pixels: [10, 256])
        #expect(kind { () throws(PNGWriteError) in
            try PNGCodec.encodeGray(tooBright, bitDepth: 8, micronsPerPixel: nil)
        } == .invalidImage)
        #expect(kind { () throws(PNGWriteError) in
            try PNGCodec.encodeGray(tooBright, bitDepth: 12, micronsPerPixel: nil)
        } == .invalidImage)
        #expect(kind { () throws(PNGWriteError) in
            try PNGCodec.encodeGray(Raster(width: 0, height: 3, repeating: 0), bitDepth: 8, micronsPerPixel: nil)
        } == .invalidImage)
        #expect(kind { () throws(PNGWriteError) in
            try PNGCodec.encodeRGB(width: 2, height: 2, rgb: [1, 2, 3], micronsPerPixel: nil)
        } == .invalidImage)
        for bad in [0, -1, .nan, .infinity, 1e-9] as [Double] {
            #expect(kind { () throws(PNGWriteError) in
                try PNGCodec.encodeGray(tooBright, bitDepth: 16, micronsPerPixel: bad)
            } == .invalidResolution, "\(bad) microns per pixel")
        }
    }

    // MARK: Files

    @Test func readingPathsThatAreNotPNGFiles() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("PNGCodecTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func error(_ name: String) -> PNGReadError? {
            let path = folder.appendingPathComponent(name).path
            return decodeError { () throws(PNGReadError) in try PNGCodec.read(path: path) }
        }

        let good = try sampleGrayPNG(width: 3, height: 2)
        try Data(good).write(to: folder.appendingPathComponent("good.png"))
        let image = try PNGCodec.read(path: folder.appendingPathComponent("good.png").path)
        #expect(image.width == 3 && image.height == 2 && image.micronsPerPixel == 0.1)

        try FileManager.default.createDirectory(at: folder.appendingPathComponent("folder.png"),
                                                withIntermediateDirectories: false)
        #expect(error("folder.png")?.kind == .unreadable)
        #expect(error("folder.png")?.details.contains("directory") == true)

        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("dangling.png").path,
                                                   withDestinationPath: "/nonexistent/target.png")
        #expect(error("dangling.png")?.kind == .unreadable)
        #expect(error("dangling.png")?.details.contains("broken symbolic link") == true)

        #expect(error("missing.png")?.kind == .unreadable)
        #expect(error("missing.png")?.description.contains("missing.png") == true)

        try Data().write(to: folder.appendingPathComponent("empty.png"))
        #expect(error("empty.png")?.kind == .notPNG)

        // A sparse file just over the size limit: refused from its size, without reading it.
        let hugePath = folder.appendingPathComponent("huge.png").path
        try Data(pngSignature).write(to: URL(fileURLWithPath: hugePath))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: hugePath))
        try handle.truncate(atOffset: UInt64(PNGCodec.maxFileBytes) + 1)
        try handle.close()
        #expect(error("huge.png")?.kind == .unreadable)
        #expect(error("huge.png")?.details.contains("limit") == true)
    }

    @Test func crc32MatchesTheKnownCheckValue() {
        // The standard CRC-32 check value for "123456789".
        #expect(crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
