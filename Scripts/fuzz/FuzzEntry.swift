// libFuzzer entry point for spinecount; built by Scripts/fuzz.sh, not by SwiftPM.
//
// Compiled into the same module as SpineKit's sources, so internal API is reachable.
// One binary serves both targets; SPINECOUNT_FUZZ_TARGET picks one:
//   png       PNGCodec.decode over arbitrary bytes, then the grey conversion and a
//             re-encode/decode round trip of what was decoded.
//   analysis  SpineAnalysis.analyze over a small image built from the bytes, then the
//             overlay and the CSV rows, checking that no report field is NaN or inf.
// A Swift trap (precondition, bounds, overflow) or a sanitizer report is a finding.

import Foundation

private enum FuzzTarget: String {
    case png
    case analysis

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["SPINECOUNT_FUZZ_TARGET"] ?? "png"
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("SPINECOUNT_FUZZ_TARGET must be png or analysis, not \(name)")
        }
        return target
    }()
}

/// Pixel ceiling for fuzzed PNG headers: large enough for every PngSuite image, small
/// enough that a legitimately huge header stays far below libFuzzer's memory limit.
private let fuzzMaxPixels = 1 << 22

@_cdecl("LLVMFuzzerTestOneInput")
public func spinecountFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    switch FuzzTarget.selected {
    case .png: fuzzPNG(bytes)
    case .analysis: fuzzAnalysis(bytes)
    }
    return 0
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("fuzz invariant broken: \(message())") }
}

private func fuzzPNG(_ bytes: [UInt8]) {
    let image: DecodedImage
    do {
        image = try PNGCodec.decode(bytes, name: "fuzz.png", maxPixels: fuzzMaxPixels)
    } catch {
        check(!error.description.isEmpty, "an empty error message")
        return
    }
    check(image.width > 0 && image.height > 0, "a decoded image of \(image.width)x\(image.height)")
    check(image.samples.count == image.width * image.height * image.channels, "sample count")
    let limit = UInt16(image.maxSampleValue)
    check(image.samples.allSatisfy { $0 <= limit }, "a sample above \(limit) at bit depth \(image.bitDepth)")
    if let micronsPerPixel = image.micronsPerPixel {
        check(micronsPerPixel.isFinite && micronsPerPixel > 0, "pixel size \(micronsPerPixel)")
    }
    let gray = image.grayImage(channel: .luminance)
    check(gray.pixels.allSatisfy { $0.isFinite && $0 >= 0 }, "a grey value that is negative or not finite")

    // What was decoded must survive our own encoder unchanged (grey images only; RGB
    // overlays are 8-bit and checked by the analysis target).
    guard image.colorModel == .gray else { return }
    let raster = Raster(width: image.width, height: image.height, pixels: image.samples)
    do {
        let again = try PNGCodec.decode(
            try PNGCodec.encodeGray(raster, bitDepth: image.bitDepth == 16 ? 16 : 8,
                                    micronsPerPixel: image.micronsPerPixel),
            name: "round-trip.png", maxPixels: fuzzMaxPixels)
        check(again.samples == image.samples, "the round trip changed the samples")
    } catch {
        fatalError("re-encoding a decoded image failed: \(error)")
    }
}

/// Builds a small image from the bytes: a 6-byte header (width, height, pixel size,
/// scale, pattern) then samples, repeated to fill the image.
private func fuzzAnalysis(_ bytes: [UInt8]) {
    guard bytes.count >= 6 else { return }
    let width = 1 + Int(bytes[0]) % 96
    let height = 1 + Int(bytes[1]) % 96
    // 0.02 to 0.53 um per pixel: from oversampled confocal to coarse widefield.
    let micronsPerPixel = 0.02 + Double(bytes[2]) / 500
    let sixteenBit = bytes[3] & 1 == 1
    let upsample = 1 + Int(bytes[4] >> 6)          // blocky images give shapes, not only noise
    let body = Array(bytes[6...])
    var pixels = [Float](repeating: 0, count: width * height)
    if !body.isEmpty {
        let step = sixteenBit ? 2 : 1
        let available = max(1, body.count / step)
        for y in 0..<height {
            for x in 0..<width {
                let k = ((y / upsample) * ((width + upsample - 1) / upsample) + x / upsample) % available
                let value = sixteenBit ? Int(body[step * k]) << 8 | Int(body[min(body.count - 1, step * k + 1)])
                                       : Int(body[k])
                pixels[y * width + x] = Float(value)
            }
        }
    }
    let gray = GrayImage(width: width, height: height, pixels: pixels)
    let analysis = SpineAnalysis.analyze(gray, micronsPerPixel: micronsPerPixel, parameters: AnalysisParameters())

    check(analysis.dendriteLengthMicrons.isFinite && analysis.dendriteLengthMicrons >= 0,
          "dendrite length \(analysis.dendriteLengthMicrons)")
    for spine in analysis.spines {
        for value in [spine.head.x, spine.head.y, spine.base.x, spine.base.y, spine.tip.x, spine.tip.y,
                      spine.lengthMicrons, spine.headDiameterMicrons, spine.neckDiameterMicrons] {
            check(value.isFinite, "a spine measure that is not finite: \(spine)")
        }
    }

    var record = ImageRecord(input: BatchInput(group: "set", image: "fuzz.png", path: "fuzz.png"), status: .ok)
    record.width = width
    record.height = height
    record.bitDepth = sixteenBit ? 16 : 8
    record.micronsPerPixel = micronsPerPixel
    record.dendrites = analysis.dendrites.map(DendriteRecord.init)
    record.spines = analysis.spines
    record.psfFWHMMicrons = analysis.psfFWHMMicrons
    let tables = [ReportTables.images([record]).text, ReportTables.spines([record]).text,
                  ReportTables.dendrites([record]).text,
                  ReportTables.summary(SetSummary(images: [record.measures()])).text]
    for table in tables {
        let lower = table.lowercased()
        check(!lower.contains("nan") && !lower.contains("inf"), "NaN or inf in a report:\n\(table)")
    }

    let canvas = OverlayRenderer.render(gray, analysis: analysis, style: OverlayStyle())
    check(canvas.width == width && canvas.height == height, "overlay size \(canvas.width)x\(canvas.height)")
    do {
        _ = try PNGCodec.encodeRGB(width: canvas.width, height: canvas.height, rgb: canvas.rgb,
                                   micronsPerPixel: micronsPerPixel)
    } catch {
        fatalError("the overlay could not be encoded: \(error)")
    }
}
