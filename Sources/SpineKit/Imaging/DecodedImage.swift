/// A PNG as decoded, before it is reduced to one channel.
///
/// Samples keep the file's own scale: a 16-bit file gives 0...65535, an 8-bit file
/// 0...255, and 1/2/4-bit grey is expanded to 8 bits without rescaling beyond what
/// libpng's `png_set_expand_gray_1_2_4_to_8` does (it scales to the 8-bit range).
/// Palette images are expanded to RGB. Alpha, when present, is dropped.
public struct DecodedImage: Sendable {
    public enum ColorModel: String, Sendable {
        case gray
        case rgb
    }

    public let width: Int
    public let height: Int
    /// The file's bit depth as stored in IHDR (1, 2, 4, 8 or 16).
    public let bitDepth: Int
    public let colorModel: ColorModel
    /// Interleaved samples, `channels` per pixel (1 for grey, 3 for RGB), row order.
    public let samples: [UInt16]
    /// What the pHYs chunk says of the pixel size.
    public let pixelSize: PixelSizeReading
    /// Microns per pixel from the pHYs chunk (unit metre), when present and square.
    public var micronsPerPixel: Double? {
        if case .microns(let value) = pixelSize { value } else { nil }
    }

    public var channels: Int { colorModel == .gray ? 1 : 3 }
    /// The largest value a sample can take after decoding (255 or 65535).
    public var maxSampleValue: Int { bitDepth == 16 ? 65535 : 255 }

    public init(width: Int, height: Int, bitDepth: Int, colorModel: ColorModel,
                samples: [UInt16], micronsPerPixel: Double?) {
        self.init(width: width, height: height, bitDepth: bitDepth, colorModel: colorModel, samples: samples,
                  pixelSize: micronsPerPixel.map(PixelSizeReading.microns) ?? .absent)
    }

    public init(width: Int, height: Int, bitDepth: Int, colorModel: ColorModel,
                samples: [UInt16], pixelSize: PixelSizeReading) {
        precondition(samples.count == width * height * (colorModel == .gray ? 1 : 3),
                     "sample count \(samples.count) does not fit \(width)x\(height) \(colorModel)")
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.colorModel = colorModel
        self.samples = samples
        self.pixelSize = pixelSize
    }
}

/// The pixel size a PNG's pHYs chunk gives, or why it gives none.
public enum PixelSizeReading: Sendable, Equatable {
    /// Microns per pixel.
    case microns(Double)
    /// No pHYs chunk.
    case absent
    /// A chunk that gives no pixel size; the reason, naming what it holds.
    case unusable(String)

    /// Pixels this much wider than tall, or taller than wide (relative), still count as square,
    /// with the mean of the two sizes: the lengths spinecount measures along any direction then
    /// differ from the true ones by at most half of it, 0.5 %, a fifth of the shaft-length error
    /// measured on synthetic-dev (2.4 %). Writers that compute the two densities separately can
    /// differ by a pixel per metre (12500000 against 12500001 for 0.08 µm).
    public static let squareTolerance = 0.01

    /// The reading of a pHYs chunk holding `xPerUnit` and `yPerUnit` pixels per unit, the unit
    /// a metre when `isMetre` (otherwise the chunk gives an aspect ratio only).
    public init(xPerUnit: UInt32, yPerUnit: UInt32, isMetre: Bool) {
        guard isMetre else {
            self = .unusable("the file's pHYs chunk has no unit (an aspect ratio only)")
            return
        }
        guard xPerUnit > 0, yPerUnit > 0 else {
            self = .unusable("the file's pHYs chunk gives 0 pixels per metre")
            return
        }
        let x = 1e6 / Double(xPerUnit), y = 1e6 / Double(yPerUnit)
        guard abs(x - y) <= Self.squareTolerance * Swift.min(x, y) else {
            self = .unusable("the file's pHYs chunk gives pixels that are not square ("
                             + "\(ReportNumber.fixed(x, places: 6)) x \(ReportNumber.fixed(y, places: 6)) µm)")
            return
        }
        self = .microns((x + y) / 2)
    }
}

/// How a colour image becomes the one intensity channel that is analysed.
public enum ChannelSelection: String, Sendable, CaseIterable, Codable {
    /// The brightest of red, green and blue: keeps any single-fluorophore channel at full scale.
    case max
    case red
    case green
    case blue
    /// Rec. 709 luma weights (0.2126 R + 0.7152 G + 0.0722 B), with no gamma handling.
    case luminance
}

extension DecodedImage {
    /// The intensity image that is analysed, in the file's own scale.
    public func grayImage(channel: ChannelSelection = .max) -> GrayImage {
        let count = width * height
        // Every value is written below, so the array is not filled first.
        let out = [Float](unsafeUninitializedCapacity: count) { o, initialized in
            defer { initialized = count }
            samples.withUnsafeBufferPointer { s in
                if colorModel == .gray {
                    for i in 0..<count { o[i] = Float(s[i]) }
                    return
                }
                for i in 0..<count {
                    let r = Float(s[3 * i]), g = Float(s[3 * i + 1]), b = Float(s[3 * i + 2])
                    switch channel {
                    case .max: o[i] = Swift.max(r, g, b)
                    case .red: o[i] = r
                    case .green: o[i] = g
                    case .blue: o[i] = b
                    case .luminance: o[i] = 0.2126 * r + 0.7152 * g + 0.0722 * b
                    }
                }
            }
        }
        return GrayImage(width: width, height: height, pixels: out)
    }
}
