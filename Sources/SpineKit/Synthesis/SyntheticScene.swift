/// Everything fluorescent in one synthetic image, in microns, before optics.
///
/// The origin is the centre of pixel (0, 0), x right, y down; pixel (i, j) covers
/// [(i - 0.5) p, (i + 0.5) p] x [(j - 0.5) p, (j + 0.5) p] for pixel size p.
public struct SyntheticScene: Sendable, Equatable {
    public var widthPixels: Int
    public var heightPixels: Int
    public var micronsPerPixel: Double
    /// Dendrites and axons. Objects at different depths: their thicknesses add.
    public var shafts: [SyntheticShaft]
    /// Spines, each on `shafts[spine.shaftIndex]`, also outside the image.
    public var spines: [SyntheticSpine]
    /// Out-of-focus structures.
    public var blobs: [OutOfFocusBlob]

    public init(widthPixels: Int, heightPixels: Int, micronsPerPixel: Double, shafts: [SyntheticShaft] = [],
                spines: [SyntheticSpine] = [], blobs: [OutOfFocusBlob] = []) {
        self.widthPixels = widthPixels
        self.heightPixels = heightPixels
        self.micronsPerPixel = micronsPerPixel
        self.shafts = shafts
        self.spines = spines
        self.blobs = blobs
    }

    /// The image's extent in x, microns (outer edges of the border pixels).
    public var xRangeMicrons: ClosedRange<Double> {
        (-0.5 * micronsPerPixel)...((Double(widthPixels) - 0.5) * micronsPerPixel)
    }

    /// The image's extent in y, microns.
    public var yRangeMicrons: ClosedRange<Double> {
        (-0.5 * micronsPerPixel)...((Double(heightPixels) - 0.5) * micronsPerPixel)
    }

    /// `true` when `point` lies on the image.
    public func contains(_ point: MicronPoint) -> Bool {
        xRangeMicrons.contains(point.x) && yRangeMicrons.contains(point.y)
    }

    /// Summed centreline length of the dendrites (not axons) inside the image, microns.
    public var dendriteLengthMicrons: Double {
        shafts.filter { $0.kind == .dendrite }
            .reduce(0) { $0 + $1.lengthMicrons(insideX: xRangeMicrons, y: yRangeMicrons) }
    }

    /// The spines whose head centre lies on the image: the ones that count as truth.
    public var visibleSpines: [SyntheticSpine] {
        spines.filter { contains($0.head) }
    }

    /// 1-based dendrite number of each shaft (axons get `nil`), in scene order.
    public var dendriteIDs: [Int?] {
        var next = 0
        return shafts.map { shaft in
            guard shaft.kind == .dendrite else { return nil }
            next += 1
            return next
        }
    }
}

/// A wide, faint, out-of-focus structure: a 2D Gaussian added after the PSF.
public struct OutOfFocusBlob: Sendable, Codable, Equatable {
    public var center: MicronPoint
    public var sigmaMicrons: Double
    /// Peak as an equivalent in-focus thickness, microns (multiplied by photons per micron).
    public var peakMicrons: Double

    public init(center: MicronPoint, sigmaMicrons: Double, peakMicrons: Double) {
        self.center = center
        self.sigmaMicrons = sigmaMicrons
        self.peakMicrons = peakMicrons
    }
}
