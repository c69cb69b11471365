/// Whether an image was analysed: the `status` column of `images.csv`.
public enum ImageStatus: Sendable, Equatable {
    case ok
    /// The image could not be analysed; the reason is a sentence without the file name
    /// (the row already names the image).
    case failed(String)

    /// `ok` or `error: <reason>`.
    public var text: String {
        switch self {
        case .ok: "ok"
        case .failed(let reason): "error: " + reason
        }
    }

    public var isOK: Bool { self == .ok }
}

/// Where an image's pixel size came from.
public enum PixelSizeSource: String, Sendable, Codable {
    /// `--pixel-size` on the command line.
    case option
    /// The PNG's pHYs chunk.
    case pHYs
}

/// What the batch keeps of one image: everything the reports need and no pixel data,
/// so memory stays flat however many images a run has.
public struct ImageRecord: Sendable {
    public var input: BatchInput
    public var status: ImageStatus
    /// Size of the file and its SHA-256, for run.json; `nil` when it could not be read.
    public var fileBytes: Int?
    public var sha256: String?
    /// As read from the header; `nil` when the file could not be decoded.
    public var width: Int?
    public var height: Int?
    public var bitDepth: Int?
    public var micronsPerPixel: Double?
    public var pixelSizeSource: PixelSizeSource?
    /// Blur used for width correction, as the analysis reported it.
    public var psfFWHMMicrons: Double?
    /// Each traced shaft (its length and the ends of its centreline, not the whole line).
    public var dendrites: [DendriteRecord] = []
    public var dendriteCount: Int { dendrites.count }
    /// Summed length of the traced shaft centrelines, in the analysis's order (so the same
    /// sum as `ImageAnalysis.dendriteLengthMicrons`).
    public var dendriteLengthMicrons: Double { dendrites.reduce(0) { $0 + $1.lengthMicrons } }
    public var spines: [Spine] = []
    /// The overlay's path relative to the report folder, when one was written.
    public var overlayPath: String?
    /// Wall-clock time this image took, reading and overlay included.
    public var seconds = 0.0

    public init(input: BatchInput, status: ImageStatus) {
        self.input = input
        self.status = status
    }

    /// Spines per micron of shaft; `nil` for failed images and when no shaft was traced.
    public var densityPerMicron: Double? {
        guard status.isOK, dendriteLengthMicrons > 0, dendriteLengthMicrons.isFinite else { return nil }
        return Double(spines.count) / dendriteLengthMicrons
    }

    public func count(of spineClass: SpineClass) -> Int {
        spines.reduce(0) { $0 + ($1.spineClass == spineClass ? 1 : 0) }
    }

    /// The statistics' view of this image (only meaningful for a successful one).
    public func measures(clusterKey: String? = nil) -> ImageMeasures {
        ImageMeasures(imageName: input.image, clusterKey: clusterKey,
                      dendriteLengthMicrons: dendriteLengthMicrons, spines: spines)
    }
}

/// What the batch keeps of one traced shaft: its length, radius and the ends of its
/// centreline (where to find it in the image), not the centreline itself.
public struct DendriteRecord: Sendable, Equatable {
    /// 1-based within the image, as `dendrite_id` in spines.csv.
    public var id: Int
    public var lengthMicrons: Double
    public var radiusMicrons: Double
    /// The centreline's first and last points (not finite for a dendrite without one).
    public var start: PixelPoint
    public var end: PixelPoint

    public init(id: Int, lengthMicrons: Double, radiusMicrons: Double, start: PixelPoint, end: PixelPoint) {
        self.id = id
        self.lengthMicrons = lengthMicrons
        self.radiusMicrons = radiusMicrons
        self.start = start
        self.end = end
    }

    /// The record of `dendrite`.
    public init(_ dendrite: Dendrite) {
        let none = PixelPoint(x: .nan, y: .nan)
        self.init(id: dendrite.id, lengthMicrons: dendrite.lengthMicrons, radiusMicrons: dendrite.radiusMicrons,
                  start: dendrite.centerline.first ?? none, end: dendrite.centerline.last ?? none)
    }
}
