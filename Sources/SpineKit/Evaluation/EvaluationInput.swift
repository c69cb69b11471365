/// One annotated spine of a truth file (`image,head_x_px,head_y_px[,class][,group]`).
public struct TruthSpine: Sendable, Equatable, Codable {
    /// The `group` column when the file has one (`before`, `after`), to tell apart images of the
    /// same name in different groups; `nil` otherwise.
    public var group: String?
    public var image: String
    /// Centre of the head, pixels (0-based, x right, y down). `nil` on a row with both
    /// coordinates empty, which declares an annotated image without spines.
    public var head: PixelPoint?
    /// The annotator's class, lower-cased (`mushroom`, `thin`, `stubby`, or another label such as
    /// `branched`); `nil` when the file has no class or the field is empty.
    public var className: String?
    /// Annotated sizes, from the optional columns `length_um`, `head_diameter_um`,
    /// `neck_diameter_um` (rendered truth has them; manual annotations seldom do).
    public var sizes: SpineSizes

    public init(group: String? = nil, image: String, head: PixelPoint?, className: String? = nil,
                sizes: SpineSizes = SpineSizes()) {
        self.group = group
        self.image = image
        self.head = head
        self.className = className
        self.sizes = sizes
    }
}

/// A spine's length, head and neck diameter in microns, each `nil` where not given.
public struct SpineSizes: Sendable, Equatable, Codable {
    public var lengthMicrons: Double?
    public var headDiameterMicrons: Double?
    public var neckDiameterMicrons: Double?

    public init(lengthMicrons: Double? = nil, headDiameterMicrons: Double? = nil, neckDiameterMicrons: Double? = nil) {
        self.lengthMicrons = lengthMicrons
        self.headDiameterMicrons = headDiameterMicrons
        self.neckDiameterMicrons = neckDiameterMicrons
    }

    /// The value of `measure`.
    public subscript(measure: SizeMeasure) -> Double? {
        switch measure {
        case .length: lengthMicrons
        case .headDiameter: headDiameterMicrons
        case .neckDiameter: neckDiameterMicrons
        }
    }
}

/// The sizes `evaluate` compares, named by their CSV columns.
public enum SizeMeasure: String, Sendable, Codable, CaseIterable {
    case length = "length_um"
    case headDiameter = "head_diameter_um"
    case neckDiameter = "neck_diameter_um"
}

/// One spine of a report's `spines.csv`.
public struct PredictedSpine: Sendable, Equatable, Codable {
    public var group: String
    public var image: String
    public var head: PixelPoint
    /// `nil` when the class field is not one of `mushroom`, `thin`, `stubby`.
    public var spineClass: SpineClass?
    /// The report's sizes (`length_um`, `head_diameter_um`, `neck_diameter_um`).
    public var sizes: SpineSizes

    public init(group: String, image: String, head: PixelPoint, spineClass: SpineClass?, sizes: SpineSizes = SpineSizes()) {
        self.group = group
        self.image = image
        self.head = head
        self.spineClass = spineClass
        self.sizes = sizes
    }
}

/// One row of a report's `images.csv`.
public struct ReportImage: Sendable, Equatable, Codable {
    public var group: String
    public var image: String
    /// `ok`, or `error: <reason>`.
    public var status: String
    public var micronsPerPixel: Double?
    public var dendriteLengthMicrons: Double?
    /// The `spines` column; `nil` when empty.
    public var spineCount: Int?

    public init(group: String, image: String, status: String, micronsPerPixel: Double?,
                dendriteLengthMicrons: Double?, spineCount: Int?) {
        self.group = group
        self.image = image
        self.status = status
        self.micronsPerPixel = micronsPerPixel
        self.dendriteLengthMicrons = dendriteLengthMicrons
        self.spineCount = spineCount
    }

    public var isOK: Bool { status == "ok" }
}

/// A report folder as read back: `images.csv` and `spines.csv`.
public struct SpineReport: Sendable, Equatable {
    public var images: [ReportImage]
    public var spines: [PredictedSpine]

    /// Images of `spines.csv` missing from `images.csv` are added with status `ok` and no pixel
    /// size, so their spines are not silently lost.
    public init(images: [ReportImage], spines: [PredictedSpine]) {
        var images = images
        var known = Set(images.map { ImageKey(group: $0.group, image: $0.image) })
        for spine in spines where !known.contains(ImageKey(group: spine.group, image: spine.image)) {
            known.insert(ImageKey(group: spine.group, image: spine.image))
            images.append(ReportImage(group: spine.group, image: spine.image, status: "ok", micronsPerPixel: nil,
                                      dendriteLengthMicrons: nil, spineCount: nil))
        }
        self.images = images
        self.spines = spines
    }

    struct ImageKey: Hashable {
        var group: String
        var image: String
    }
}

/// The true shaft length of one image (`--lengths`: `image,dendrite_length_um[,group]`).
public struct TruthShaftLength: Sendable, Equatable, Codable {
    public var group: String?
    public var image: String
    public var dendriteLengthMicrons: Double

    public init(group: String? = nil, image: String, dendriteLengthMicrons: Double) {
        self.group = group
        self.image = image
        self.dendriteLengthMicrons = dendriteLengthMicrons
    }
}

/// A CSV file that `evaluate` cannot use.
public struct EvaluationInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)." }
}
