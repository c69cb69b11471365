/// Why a PNG could not be read. Each case prints one sentence naming the file.
public struct PNGReadError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case unreadable      // the file could not be opened or read
        case notPNG          // wrong signature; `details` says what the file looks like
        case corrupt         // libpng rejected the data; `details` is libpng's message
        case tooLarge        // header claims more pixels than the limit allows
    }
    public var kind: Kind
    public var file: String
    public var details: String
    public init(kind: Kind, file: String, details: String) {
        self.kind = kind
        self.file = file
        self.details = details
    }
    public var description: String { "\(file): \(details)" }
}

/// PNG decoding and encoding through libpng. The only file of SpineKit that talks to libpng.
public enum PNGCodec {
    /// Images with more pixels than this are refused before any pixel memory is allocated:
    /// 2^28 pixels (a 16384 x 16384 image; 512 MiB of 16-bit samples).
    public static let defaultMaxPixels = 1 << 28

    /// Decodes a PNG held in memory. `name` is used in error messages only.
    public static func decode(_ bytes: [UInt8], name: String,
                              maxPixels: Int = defaultMaxPixels) throws(PNGReadError) -> DecodedImage {
        throw PNGReadError(kind: .corrupt, file: name, details: "PNG decoding is not built yet")
    }

    /// Reads and decodes the PNG file at `path`.
    public static func read(path: String, maxPixels: Int = defaultMaxPixels) throws(PNGReadError) -> DecodedImage {
        throw PNGReadError(kind: .unreadable, file: path, details: "PNG reading is not built yet")
    }

    /// Encodes a grey image of 8 or 16 bits per sample; `micronsPerPixel` becomes pHYs.
    public static func encodeGray(_ image: Raster<UInt16>, bitDepth: Int,
                                  micronsPerPixel: Double?) throws -> [UInt8] {
        fatalError("not built yet")
    }

    /// Encodes 8-bit RGB, `rgb` holding 3 bytes per pixel in row order.
    public static func encodeRGB(width: Int, height: Int, rgb: [UInt8],
                                 micronsPerPixel: Double?) throws -> [UInt8] {
        fatalError("not built yet")
    }
}
