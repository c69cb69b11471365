import CPNGCodec

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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

/// Why an image could not be encoded as PNG. Prints one sentence with the reason.
public struct PNGWriteError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case invalidImage       // empty, mis-sized, or samples that do not fit the bit depth
        case invalidResolution  // micronsPerPixel not positive, or beyond what pHYs can hold
        case libpng             // libpng refused; `details` is libpng's message
    }
    public var kind: Kind
    public var details: String
    public init(kind: Kind, details: String) {
        self.kind = kind
        self.details = details
    }
    public var description: String { "cannot encode PNG: \(details)" }
}

/// PNG decoding and encoding through libpng. The only file of SpineKit that talks to libpng.
///
/// libpng's classic API reports errors by `longjmp`, so every libpng call happens in the
/// C target `CPNGCodec`; this file turns its status codes and libpng's messages into
/// `PNGReadError` and `PNGWriteError`.
public enum PNGCodec {
    /// Images with more pixels than this are refused before any pixel memory is allocated:
    /// 2^28 pixels (a 16384 x 16384 image), at most 512 MiB of grey or 1.5 GiB of RGB
    /// `UInt16` samples, so a forged header cannot exhaust memory.
    public static let defaultMaxPixels = 1 << 28

    /// Files larger than this (1 GiB) are refused before reading: far beyond any
    /// microscopy PNG within `defaultMaxPixels`, and it bounds the memory one bad path costs.
    public static let maxFileBytes = 1 << 30

    /// The eight bytes every PNG starts with (PNG specification, section 5.2).
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Decodes a PNG held in memory. `name` is used in error messages only.
    ///
    /// Samples keep the file's scale (see `DecodedImage`); libpng's warnings are dropped.
    public static func decode(_ bytes: [UInt8], name: String,
                              maxPixels: Int = defaultMaxPixels) throws(PNGReadError) -> DecodedImage {
        try decodeReportingWarnings(bytes, name: name, maxPixels: maxPixels).image
    }

    /// Decodes a PNG held in memory and also returns libpng's warnings, one per entry.
    ///
    /// A warning (for example an unknown sRGB profile) does not stop decoding; damage
    /// to any chunk does. `maxPixels` bounds width x height before pixel memory is allocated.
    public static func decodeReportingWarnings(
        _ bytes: [UInt8], name: String, maxPixels: Int = defaultMaxPixels
    ) throws(PNGReadError) -> (image: DecodedImage, warnings: [String]) {
        precondition(maxPixels > 0, "maxPixels must be positive, got \(maxPixels)")
        if let reason = describeNonPNG(bytes) {
            throw PNGReadError(kind: .notPNG, file: name, details: reason)
        }
        let result = bytes.withUnsafeBufferPointer { buffer in
            decodeChecked(buffer, name: name, maxPixels: maxPixels)
        }
        return try result.get()
    }

    /// What the header says about an image, read without decoding its pixels.
    public struct Header: Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// As stored in IHDR (1, 2, 4, 8 or 16).
        public var bitDepth: Int
        /// Samples per pixel once decoded: 1 (grey) or 3 (RGB).
        public var channels: Int
        public var pixelCount: Int { width * height }

        public init(width: Int, height: Int, bitDepth: Int, channels: Int) {
            self.width = width
            self.height = height
            self.bitDepth = bitDepth
            self.channels = channels
        }
    }

    /// Reads the chunks up to the image data and checks them as `decode` would (signature,
    /// CRCs, the pixel limit, a file too small for its header), without allocating any
    /// pixel memory: what a caller needs to budget memory before decoding.
    public static func header(of bytes: [UInt8], name: String,
                              maxPixels: Int = defaultMaxPixels) throws(PNGReadError) -> Header {
        precondition(maxPixels > 0, "maxPixels must be positive, got \(maxPixels)")
        if let reason = describeNonPNG(bytes) {
            throw PNGReadError(kind: .notPNG, file: name, details: reason)
        }
        let result: Result<Header, PNGReadError> = bytes.withUnsafeBufferPointer { buffer in
            guard let decoder = pngcodec_decoder_create(buffer.baseAddress, buffer.count, UInt64(maxPixels)) else {
                return .failure(PNGReadError(kind: .corrupt, file: name, details: "out of memory before decoding"))
            }
            defer { pngcodec_decoder_destroy(decoder) }
            var header = pngcodec_header()
            let status = pngcodec_decoder_read_header(decoder, &header)
            guard status == PNGCODEC_OK else { return .failure(readError(status, decoder: decoder, name: name)) }
            return .success(Header(width: Int(header.width), height: Int(header.height),
                                   bitDepth: Int(header.ihdr_bit_depth), channels: Int(header.channels)))
        }
        return try result.get()
    }

    /// Reads and decodes the PNG file at `path`.
    ///
    /// The path must name a regular, readable file of at most `maxFileBytes` bytes;
    /// anything else (a directory, a broken link, a device) is `.unreadable` with the reason.
    public static func read(path: String, maxPixels: Int = defaultMaxPixels) throws(PNGReadError) -> DecodedImage {
        let bytes = try readFile(path: path)
        return try decode(bytes, name: path, maxPixels: maxPixels)
    }

    /// Encodes a grey image of 8 or 16 bits per sample; `micronsPerPixel` becomes pHYs.
    ///
    /// With `bitDepth` 8 every sample must be at most 255: values are stored, never scaled.
    /// `micronsPerPixel` is written as the nearest whole number of pixels per metre.
    public static func encodeGray(_ image: Raster<UInt16>, bitDepth: Int,
                                  micronsPerPixel: Double?) throws(PNGWriteError) -> [UInt8] {
        guard bitDepth == 8 || bitDepth == 16 else {
            throw PNGWriteError(kind: .invalidImage,
                                details: "grey images are written with 8 or 16 bits, not \(bitDepth)")
        }
        try checkGeometry(width: image.width, height: image.height)
        let pixelsPerMetre = try pixelsPerMetre(micronsPerPixel: micronsPerPixel)
        if bitDepth == 16 {
            return try image.pixels.withUnsafeBufferPointer { samples throws(PNGWriteError) in
                try encode(UnsafeRawPointer(samples.baseAddress!), width: image.width, height: image.height,
                           channels: 1, bitDepth: 16, pixelsPerMetre: pixelsPerMetre)
            }
        }
        if let index = image.pixels.firstIndex(where: { $0 > 255 }) {
            throw PNGWriteError(
                kind: .invalidImage,
                details: "sample \(image.pixels[index]) at x \(index % image.width), y \(index / image.width) "
                    + "does not fit 8 bits; write 16 bits or rescale first")
        }
        let bytes = image.pixels.map { UInt8(truncatingIfNeeded: $0) }
        return try bytes.withUnsafeBufferPointer { samples throws(PNGWriteError) in
            try encode(UnsafeRawPointer(samples.baseAddress!), width: image.width, height: image.height,
                       channels: 1, bitDepth: 8, pixelsPerMetre: pixelsPerMetre)
        }
    }

    /// Encodes 8-bit RGB, `rgb` holding 3 bytes per pixel in row order.
    public static func encodeRGB(width: Int, height: Int, rgb: [UInt8],
                                 micronsPerPixel: Double?) throws(PNGWriteError) -> [UInt8] {
        try checkGeometry(width: width, height: height)
        guard rgb.count == width * height * 3 else {
            throw PNGWriteError(kind: .invalidImage,
                                details: "\(width)x\(height) RGB needs \(width * height * 3) bytes, got \(rgb.count)")
        }
        let pixelsPerMetre = try pixelsPerMetre(micronsPerPixel: micronsPerPixel)
        return try rgb.withUnsafeBufferPointer { samples throws(PNGWriteError) in
            try encode(UnsafeRawPointer(samples.baseAddress!), width: width, height: height,
                       channels: 3, bitDepth: 8, pixelsPerMetre: pixelsPerMetre)
        }
    }
}

// MARK: - Decoding

extension PNGCodec {
    /// Runs the C decoder over `buffer`; the buffer must outlive the call.
    private static func decodeChecked(
        _ buffer: UnsafeBufferPointer<UInt8>, name: String, maxPixels: Int
    ) -> Result<(image: DecodedImage, warnings: [String]), PNGReadError> {
        guard let decoder = pngcodec_decoder_create(buffer.baseAddress, buffer.count, UInt64(maxPixels)) else {
            return .failure(PNGReadError(kind: .corrupt, file: name, details: "out of memory before decoding"))
        }
        defer { pngcodec_decoder_destroy(decoder) }

        var header = pngcodec_header()
        let headerStatus = pngcodec_decoder_read_header(decoder, &header)
        guard headerStatus == PNGCODEC_OK else {
            return .failure(readError(headerStatus, decoder: decoder, name: name))
        }
        let count = Int(header.width) * Int(header.height) * Int(header.channels)
        var pixelStatus = PNGCODEC_FAILED
        let samples = [UInt16](unsafeUninitializedCapacity: count) { storage, initialized in
            pixelStatus = pngcodec_decoder_read_pixels(decoder, storage.baseAddress, count)
            initialized = pixelStatus == PNGCODEC_OK ? count : 0
        }
        guard pixelStatus == PNGCODEC_OK else {
            return .failure(readError(pixelStatus, decoder: decoder, name: name))
        }
        let image = DecodedImage(
            width: Int(header.width), height: Int(header.height),
            bitDepth: Int(header.ihdr_bit_depth),
            colorModel: header.channels == 1 ? .gray : .rgb,
            samples: samples,
            pixelSize: header.has_phys != 0
                ? PixelSizeReading(xPerUnit: header.phys_x_per_unit, yPerUnit: header.phys_y_per_unit,
                                   isMetre: header.phys_unit == 1)  // PNG_RESOLUTION_METER
                : .absent)
        return .success((image, warnings(decoder)))
    }

    private static func warnings(_ decoder: OpaquePointer) -> [String] {
        String(cString: pngcodec_decoder_warnings(decoder)).split(separator: "\n").map(String.init)
    }

    private static func readError(_ status: pngcodec_status, decoder: OpaquePointer, name: String) -> PNGReadError {
        let message = String(cString: pngcodec_decoder_message(decoder))
        if status == PNGCODEC_TOO_LARGE {
            return PNGReadError(kind: .tooLarge, file: name, details: message)
        }
        var details = "invalid PNG data: \(message)"
        // A warning that the message already quotes (a refused metadata chunk) is not repeated.
        let warnings = warnings(decoder).filter { !message.contains($0) }
        if !warnings.isEmpty { details += " (libpng warnings: \(warnings.joined(separator: "; ")))" }
        return PNGReadError(kind: .corrupt, file: name, details: details)
    }

    /// Says what `bytes` look like when they do not start with the PNG signature; nil for a PNG.
    static func describeNonPNG(_ bytes: [UInt8]) -> String? {
        let head = Array(bytes.prefix(signature.count))
        if head == signature { return nil }
        if bytes.isEmpty { return "the file is empty (0 bytes), not a PNG" }
        let found = head.map { hex($0) }.joined(separator: " ")
        if bytes.count < signature.count, signature.starts(with: bytes) {
            return "the file ends inside the PNG signature (\(bytes.count) of 8 bytes: \(found))"
        }
        if let format = knownFormat(bytes) { return "not a PNG: it looks like \(format) (starts with \(found))" }
        let expected = signature.map { hex($0) }.joined(separator: " ")
        let lineEndings: Set<UInt8> = [0x0D, 0x0A]
        if head.count == signature.count, head.prefix(4).elementsEqual(signature.prefix(4)),
           zip(head, signature).allSatisfy({ $0 == $1 || (lineEndings.contains($0) && lineEndings.contains($1)) }) {
            // The signature's CR LF and LF exist to catch exactly this.
            return "damaged PNG signature (\(found), expected \(expected)): line endings were converted, "
                + "as by a text-mode transfer"
        }
        let matching = zip(head, signature).filter { $0 == $1 }.count
        if matching >= 5 {
            return "damaged PNG signature (\(found), expected \(expected))"
        }
        if head.allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            return "not a PNG: it looks like text (starts with \(found))"
        }
        return "not a PNG: unknown format (starts with \(found), a PNG starts with \(expected))"
    }

    /// Names common image and container formats by their magic bytes.
    private static func knownFormat(_ bytes: [UInt8]) -> String? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + magic.count && bytes[offset..<(offset + magic.count)].elementsEqual(magic)
        }
        let ascii = { (text: String) in Array(text.utf8) }
        if starts([0xFF, 0xD8, 0xFF]) { return "a JPEG image" }
        if starts(ascii("II*\0")) || starts(ascii("MM\0*")) { return "a TIFF image" }
        if starts(ascii("II+\0")) || starts(ascii("MM\0+")) { return "a BigTIFF image" }
        if starts(ascii("GIF87a")) || starts(ascii("GIF89a")) { return "a GIF image" }
        if starts(ascii("BM")) { return "a BMP image" }
        if starts(ascii("RIFF")) && starts(ascii("WEBP"), at: 8) { return "a WebP image" }
        if starts([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || starts([0xFF, 0x4F, 0xFF, 0x51]) {
            return "a JPEG 2000 image"
        }
        if starts([0x8A, 0x4D, 0x4E, 0x47]) { return "an MNG animation" }
        if starts([0x8B, 0x4A, 0x4E, 0x47]) { return "a JNG image" }
        if starts(ascii("%PDF")) { return "a PDF document" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "a ZIP archive" }
        if starts([0x1F, 0x8B]) { return "a gzip archive" }
        if starts(ascii("<?xml")) || starts(ascii("<svg")) { return "an XML or SVG document" }
        return nil
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}

// MARK: - Files

extension PNGCodec {
    /// Reads a whole regular file, refusing directories, devices, pipes and oversized
    /// files before reading, so that no path can block or exhaust memory.
    public static func readFile(path: String) throws(PNGReadError) -> [UInt8] {
        func unreadable(_ reason: String) -> PNGReadError {
            PNGReadError(kind: .unreadable, file: path, details: reason)
        }
        // O_NONBLOCK so that a FIFO named *.png cannot hang the run before it is refused.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            var link = stat()
            if code == ENOENT, lstat(path, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK {
                throw unreadable("cannot open: it is a broken symbolic link (its target does not exist)")
            }
            throw unreadable("cannot open: \(systemMessage(code))")
        }
        defer { close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw unreadable("cannot inspect: \(systemMessage(errno))") }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw unreadable("it is a directory, not a PNG file")
        default: throw unreadable("it is not a regular file (a device, socket or pipe)")
        }
        let size = Int(info.st_size)
        guard size <= maxFileBytes else {
            throw unreadable("the file is \(size) bytes, more than the limit of \(maxFileBytes) bytes (1 GiB)")
        }

        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { storage, initialized in
            initialized = 0
            while initialized < size {
                let got = readDescriptor(descriptor, storage.baseAddress! + initialized, size - initialized)
                if got > 0 {
                    initialized += got
                } else if got == 0 {
                    break  // the file shrank since fstat: decode what is there
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
        }
        if failure != 0 { throw unreadable("cannot read: \(systemMessage(failure))") }
        return bytes
    }

    /// POSIX `read`, named apart from `PNGCodec.read(path:)`, which hides it inside the type.
    private static func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        return Darwin.read(descriptor, buffer, count)
        #elseif canImport(Glibc)
        return Glibc.read(descriptor, buffer, count)
        #elseif canImport(Musl)
        return Musl.read(descriptor, buffer, count)
        #endif
    }

    private static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text).lowercased()
    }
}

// MARK: - Encoding

extension PNGCodec {
    private static func checkGeometry(width: Int, height: Int) throws(PNGWriteError) {
        let dimensionMax = Int(Int32.max)  // PNG's limit for width and height (2^31 - 1)
        guard width > 0, height > 0, width <= dimensionMax, height <= dimensionMax else {
            throw PNGWriteError(kind: .invalidImage,
                                details: "a PNG needs 1 to \(dimensionMax) pixels per side, not \(width)x\(height)")
        }
    }

    /// Pixels per metre for pHYs: nil stays nil (no chunk); otherwise the nearest whole number.
    private static func pixelsPerMetre(micronsPerPixel: Double?) throws(PNGWriteError) -> UInt32? {
        guard let micronsPerPixel else { return nil }
        let perMetre = (1e6 / micronsPerPixel).rounded()
        guard micronsPerPixel.isFinite, micronsPerPixel > 0, perMetre >= 1, perMetre <= Double(Int32.max) else {
            throw PNGWriteError(
                kind: .invalidResolution,
                details: "\(micronsPerPixel) microns per pixel cannot be stored in pHYs "
                    + "(needs 1 to \(Int32.max) pixels per metre)")
        }
        return UInt32(perMetre)
    }

    private static func encode(_ samples: UnsafeRawPointer, width: Int, height: Int, channels: Int32,
                               bitDepth: Int32, pixelsPerMetre: UInt32?) throws(PNGWriteError) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var count = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { text in
            pngcodec_encode(samples, UInt32(width), UInt32(height), channels, bitDepth,
                            pixelsPerMetre ?? 0, &output, &count, text.baseAddress, text.count)
        }
        guard status == PNGCODEC_OK, let output else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw PNGWriteError(kind: .libpng, details: "libpng failed: \(reason)")
        }
        defer { pngcodec_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: count))
    }
}
