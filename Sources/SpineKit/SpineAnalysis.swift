/// One spine as measured in one image.
public struct Spine: Sendable, Equatable {
    /// 1-based within the image.
    public var id: Int
    /// 1-based within the image: the dendrite the spine belongs to.
    public var dendriteID: Int
    public var spineClass: SpineClass
    /// Centre of the head, pixels.
    public var head: PixelPoint
    /// Where the spine leaves the shaft surface, pixels.
    public var base: PixelPoint
    /// The far end of the spine, pixels.
    public var tip: PixelPoint
    /// From the shaft surface to the tip, along the spine.
    public var lengthMicrons: Double
    /// Head width, corrected for the optical blur.
    public var headDiameterMicrons: Double
    /// Narrowest width between base and head, corrected for the optical blur.
    public var neckDiameterMicrons: Double
    /// `true` when the neck is seen to join the shaft; `false` for a detached head.
    public var isAttached: Bool

    public init(id: Int, dendriteID: Int, spineClass: SpineClass, head: PixelPoint, base: PixelPoint,
                tip: PixelPoint, lengthMicrons: Double, headDiameterMicrons: Double,
                neckDiameterMicrons: Double, isAttached: Bool) {
        self.id = id
        self.dendriteID = dendriteID
        self.spineClass = spineClass
        self.head = head
        self.base = base
        self.tip = tip
        self.lengthMicrons = lengthMicrons
        self.headDiameterMicrons = headDiameterMicrons
        self.neckDiameterMicrons = neckDiameterMicrons
        self.isAttached = isAttached
    }
}

/// One traced dendrite shaft.
public struct Dendrite: Sendable, Equatable {
    /// 1-based within the image.
    public var id: Int
    /// The smoothed shaft centreline, pixels, in order along the shaft.
    public var centerline: [PixelPoint]
    /// Arc length of the smoothed centreline.
    public var lengthMicrons: Double
    /// Median shaft radius along the centreline.
    public var radiusMicrons: Double

    public init(id: Int, centerline: [PixelPoint], lengthMicrons: Double, radiusMicrons: Double) {
        self.id = id
        self.centerline = centerline
        self.lengthMicrons = lengthMicrons
        self.radiusMicrons = radiusMicrons
    }
}

/// Wall-clock seconds spent in each stage of one analysis, for the benchmark.
public struct StageTimings: Sendable, Equatable {
    public var seconds: [String: Double] = [:]
    public init() {}
    public static let stageOrder = ["background", "segmentation", "tracing", "detection", "measurement"]
}

/// Everything spinecount found in one image.
public struct ImageAnalysis: Sendable {
    public var width: Int
    public var height: Int
    public var micronsPerPixel: Double
    public var dendrites: [Dendrite]
    public var spines: [Spine]
    /// Optical blur used for width correction (full width at half maximum).
    public var psfFWHMMicrons: Double
    public var timings: StageTimings

    public init(width: Int, height: Int, micronsPerPixel: Double, dendrites: [Dendrite] = [],
                spines: [Spine] = [], psfFWHMMicrons: Double = 0, timings: StageTimings = StageTimings()) {
        self.width = width
        self.height = height
        self.micronsPerPixel = micronsPerPixel
        self.dendrites = dendrites
        self.spines = spines
        self.psfFWHMMicrons = psfFWHMMicrons
        self.timings = timings
    }

    /// Summed length of all traced shaft centrelines.
    public var dendriteLengthMicrons: Double { dendrites.reduce(0) { $0 + $1.lengthMicrons } }

    public func count(of spineClass: SpineClass) -> Int {
        spines.reduce(0) { $0 + ($1.spineClass == spineClass ? 1 : 0) }
    }

    /// Spines per micron of shaft; `nil` when no shaft was traced (never a division by zero).
    public var densityPerMicron: Double? {
        let length = dendriteLengthMicrons
        return length > 0 ? Double(spines.count) / length : nil
    }
}

/// Every tunable of the analysis, in physical units, with its default and source.
/// See `Docs/METHOD.md`.
public struct AnalysisParameters: Sendable, Codable, Equatable {
    /// Classification thresholds.
    public var rules: SpineClassifier.Rules
    /// Full width at half maximum of the microscope's point-spread function, microns.
    /// `nil` estimates it from the image.
    public var psfFWHMMicrons: Double?

    public init(rules: SpineClassifier.Rules = .neuronstudio, psfFWHMMicrons: Double? = nil) {
        self.rules = rules
        self.psfFWHMMicrons = psfFWHMMicrons
    }
}

/// The whole pipeline for one image: background, segmentation, shaft tracing, spine
/// detection, measurement and classification.
public enum SpineAnalysis {
    /// Analyses one intensity image whose pixels are `micronsPerPixel` wide.
    public static func analyze(_ image: GrayImage, micronsPerPixel: Double,
                               parameters: AnalysisParameters = AnalysisParameters()) -> ImageAnalysis {
        // The engine lands with its own issue; until then an image has no dendrites.
        ImageAnalysis(width: image.width, height: image.height, micronsPerPixel: micronsPerPixel)
    }
}
