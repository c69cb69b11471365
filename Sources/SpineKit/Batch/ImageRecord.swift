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
    /// The image's spines, until `releaseSpines` hands their memory back; the counts and
    /// sums the reports need stay (see `spineCount`, `count(of:)`, `measures`).
    public var spines: [Spine] {
        get { keptSpines }
        set {
            keptSpines = newValue
            spineMeasures = ImageMeasures(imageName: "", dendriteLengthMicrons: 0, spines: newValue)
            countsByDendrite = Dictionary(grouping: newValue, by: \.dendriteID).mapValues(SpineClassCounts.init)
        }
    }
    private var keptSpines: [Spine] = []
    /// The spines' counts and size sums, without a shaft length or a name.
    private var spineMeasures = ImageMeasures(imageName: "", dendriteLengthMicrons: 0, spines: [])
    private var countsByDendrite: [Int: SpineClassCounts] = [:]
    /// Whether `releaseSpines` has dropped the spines themselves.
    public private(set) var spinesReleased = false
    /// The overlay's path relative to the report folder, when one was written.
    public var overlayPath: String?
    /// Why the overlay could not be staged (the report folder's disk full, the run stopped).
    /// The analysis stands; the run decides what a report it cannot complete means.
    public var overlayFailure: String?
    /// Wall-clock time this image took, reading and overlay included.
    public var seconds = 0.0

    public init(input: BatchInput, status: ImageStatus) {
        self.input = input
        self.status = status
    }

    /// Drops the spines themselves and keeps their counts and size sums: once a batch has
    /// written an image's rows to spines.csv, the rest of the reports need no more, and a
    /// batch of thousands of images then holds a few hundred bytes per image, not a few
    /// hundred per spine.
    public mutating func releaseSpines() {
        keptSpines = []
        spinesReleased = true
    }

    /// Number of spines found, whether or not they were released.
    public var spineCount: Int { spineMeasures.spineCount }

    /// Spines per micron of shaft; `nil` for failed images and when no shaft was traced.
    public var densityPerMicron: Double? {
        guard status.isOK, dendriteLengthMicrons > 0, dendriteLengthMicrons.isFinite else { return nil }
        return Double(spineCount) / dendriteLengthMicrons
    }

    public func count(of spineClass: SpineClass) -> Int {
        spineMeasures.count(of: spineClass)
    }

    /// The counts of the spines whose `dendriteID` is `id`.
    public func spineCounts(onDendrite id: Int) -> SpineClassCounts {
        countsByDendrite[id] ?? SpineClassCounts()
    }

    /// The statistics' view of this image (only meaningful for a successful one).
    public func measures(clusterKey: String? = nil) -> ImageMeasures {
        var measures = spineMeasures
        measures.imageName = input.image
        measures.clusterKey = clusterKey
        measures.dendriteLengthMicrons = dendriteLengthMicrons.isFinite ? max(0, dendriteLengthMicrons) : 0
        return measures
    }
}

/// How many spines of each class, e.g. on one dendrite.
public struct SpineClassCounts: Sendable, Equatable {
    public private(set) var total = 0
    public private(set) var mushroom = 0
    public private(set) var thin = 0
    public private(set) var stubby = 0

    public init() {}

    /// The counts of `spines`.
    public init(_ spines: some Sequence<Spine>) {
        for spine in spines { add(spine.spineClass) }
    }

    public mutating func add(_ spineClass: SpineClass) {
        total += 1
        switch spineClass {
        case .mushroom: mushroom += 1
        case .thin: thin += 1
        case .stubby: stubby += 1
        }
    }

    public func count(of spineClass: SpineClass) -> Int {
        switch spineClass {
        case .mushroom: mushroom
        case .thin: thin
        case .stubby: stubby
        }
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
    /// The whole centreline's arc length, pixels (`lengthMicrons` is the part inside the
    /// counting frame).
    public var centerlinePixels: Double

    public init(id: Int, lengthMicrons: Double, radiusMicrons: Double, start: PixelPoint, end: PixelPoint,
                centerlinePixels: Double) {
        self.id = id
        self.lengthMicrons = lengthMicrons
        self.radiusMicrons = radiusMicrons
        self.start = start
        self.end = end
        self.centerlinePixels = centerlinePixels
    }

    /// The record of `dendrite`.
    public init(_ dendrite: Dendrite) {
        let none = PixelPoint(x: .nan, y: .nan)
        self.init(id: dendrite.id, lengthMicrons: dendrite.lengthMicrons, radiusMicrons: dendrite.radiusMicrons,
                  start: dendrite.centerline.first ?? none, end: dendrite.centerline.last ?? none,
                  centerlinePixels: dendrite.centerlinePixels)
    }
}
