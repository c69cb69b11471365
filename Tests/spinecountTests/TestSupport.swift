import Foundation
import Testing
import CSV
import SpineKit

/// A folder under the system's temporary folder, deleted by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("spinecount-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    func makeFolder(_ relative: String) throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(relative),
                                                withIntermediateDirectories: true)
    }

    func write(_ bytes: [UInt8], to relative: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOfFile: path(relative), encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A small deterministic generator for test pictures.
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal value (Box-Muller).
    mutating func normal() -> Double {
        let u = max(Double.random(in: 0..<1, using: &self), 1e-12)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

/// Pictures of a dendrite: a bright horizontal shaft with spines (a thin neck and a
/// round head) on both sides, on a noisy background, as 16-bit grey.
enum TestImages {
    static func dendrite(width: Int = 240, height: Int = 120, spines: Int = 4, seed: UInt64 = 1) -> Raster<UInt16> {
        var random = TestRandom(state: seed)
        var values = [Double](repeating: 0, count: width * height)
        let shaftY = Double(height) / 2
        func addBlob(x cx: Double, y cy: Double, sigma: Double, peak: Double) {
            let reach = Int((3 * sigma).rounded(.up))
            for y in max(0, Int(cy) - reach)...min(height - 1, Int(cy) + reach) {
                for x in max(0, Int(cx) - reach)...min(width - 1, Int(cx) + reach) {
                    let d2 = (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)
                    values[y * width + x] = max(values[y * width + x], peak * exp(-d2 / (2 * sigma * sigma)))
                }
            }
        }
        for x in stride(from: 8.0, through: Double(width) - 8, by: 1) { addBlob(x: x, y: shaftY, sigma: 4, peak: 3000) }
        for k in 0..<spines {
            let x = Double(width) * (Double(k) + 0.5) / Double(spines)
            let side = k % 2 == 0 ? -1.0 : 1.0
            let length = 14.0 + Double(k % 3) * 3
            for step in stride(from: 4.0, through: length, by: 0.5) {
                addBlob(x: x, y: shaftY + side * step, sigma: 1.3, peak: 1400)
            }
            addBlob(x: x, y: shaftY + side * length, sigma: 2.8, peak: 2600)
        }
        let pixels = values.map { v in
            UInt16(clamping: Int((300 + v + 25 * random.normal()).rounded()))
        }
        return Raster(width: width, height: height, pixels: pixels)
    }

    /// PNG bytes of `dendrite(...)`, with pHYs when `micronsPerPixel` is given.
    static func dendritePNG(seed: UInt64 = 1, width: Int = 240, height: Int = 120,
                            micronsPerPixel: Double? = 0.08) throws -> [UInt8] {
        try PNGCodec.encodeGray(dendrite(width: width, height: height, seed: seed), bitDepth: 16,
                                micronsPerPixel: micronsPerPixel)
    }
}

/// RFC 4180 text read back by CSV.swift, independently of the writer.
func parseCSV(_ text: String) -> [[String]] {
    guard let reader = try? CSVReader(string: text, hasHeaderRow: false) else { return [] }
    return Array(reader)
}

/// A CSV report as rows keyed by column name.
struct CSVTable {
    let header: [String]
    let rows: [[String: String]]

    init?(path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let records = parseCSV(text)
        guard let header = records.first else { return nil }
        self.header = header
        rows = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }
}

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// `../shared` beside the package, when the project's shared data is there.
let sharedFolder: URL? = {
    let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    return FileManager.default.fileExists(atPath: url.appendingPathComponent("pngsuite").path) ? url : nil
}()
