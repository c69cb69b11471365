/// One synthetic image with its exact truth.
public struct RenderedImage: Sendable {
    /// Counts, 0...255 for 8-bit and 0...65535 for 16-bit images.
    public var pixels: Raster<UInt16>
    /// The scene that was drawn, microns.
    public var scene: SyntheticScene
    /// The optics and detector used.
    public var optics: SynthesisOptics
    /// Spine density asked of the generator (before placement losses), per micron;
    /// `nil` for a hand-made scene.
    public var densityPerMicron: Double?

    public init(pixels: Raster<UInt16>, scene: SyntheticScene, optics: SynthesisOptics,
                densityPerMicron: Double? = nil) {
        self.pixels = pixels
        self.scene = scene
        self.optics = optics
        self.densityPerMicron = densityPerMicron
    }

    /// 8 or 16.
    public var bitDepth: Int { optics.bitDepth }
    /// Pixel size for the PNG's pHYs chunk.
    public var micronsPerPixel: Double { scene.micronsPerPixel }
    public var psfSigmaMicrons: Double { optics.psfSigmaMicrons }

    /// The truth: every spine whose head centre is on the image, in pixels.
    public var spines: [SpineTruth] {
        let ids = scene.dendriteIDs
        let p = scene.micronsPerPixel
        return scene.visibleSpines.map { spine in
            SpineTruth(dendriteID: ids[spine.shaftIndex] ?? 0, spineClass: spine.spineClass,
                       head: spine.head.pixels(micronsPerPixel: p), base: spine.base.pixels(micronsPerPixel: p),
                       tip: spine.tip.pixels(micronsPerPixel: p), lengthMicrons: spine.lengthMicrons,
                       headDiameterMicrons: spine.headDiameterMicrons, neckDiameterMicrons: spine.neckDiameterMicrons)
        }
    }

    /// True dendrite length: the dendrite centrelines inside the image, microns.
    public var shaftLengthMicrons: Double { scene.dendriteLengthMicrons }

    /// The dendrites (not axons), numbered as in `SpineTruth.dendriteID`.
    public var dendrites: [DendriteTruth] {
        let p = scene.micronsPerPixel
        let ids = scene.dendriteIDs
        return scene.shafts.indices.compactMap { i in
            guard let id = ids[i] else { return nil }
            let shaft = scene.shafts[i]
            return DendriteTruth(id: id, centerline: shaft.centerline.map { $0.pixels(micronsPerPixel: p) },
                                 radiiMicrons: shaft.radiiMicrons,
                                 lengthInsideMicrons: shaft.lengthMicrons(insideX: scene.xRangeMicrons,
                                                                          y: scene.yRangeMicrons))
        }
    }

    /// Shaft centrelines of the dendrites in pixels, including their parts beyond the image.
    public var shaftCenterlines: [[PixelPoint]] { dendrites.map(\.centerline) }
}

/// The truth of one spine, in the columns of the `evaluate` contract.
public struct SpineTruth: Sendable, Equatable, Codable {
    /// 1-based dendrite number within the image.
    public var dendriteID: Int
    public var spineClass: SpineClass
    /// Centre of the head (stubby: half-way between base and tip), pixels.
    public var head: PixelPoint
    /// Where the spine leaves the shaft's outline, pixels.
    public var base: PixelPoint
    /// The far end of the spine, pixels.
    public var tip: PixelPoint
    /// From the shaft surface to the tip along the spine.
    public var lengthMicrons: Double
    /// Mushroom and thin: head width. Stubby: widest width outside the shaft.
    public var headDiameterMicrons: Double
    /// Mushroom and thin: narrowest neck width. Stubby: width at the shaft surface.
    public var neckDiameterMicrons: Double

    public init(dendriteID: Int, spineClass: SpineClass, head: PixelPoint, base: PixelPoint, tip: PixelPoint,
                lengthMicrons: Double, headDiameterMicrons: Double, neckDiameterMicrons: Double) {
        self.dendriteID = dendriteID
        self.spineClass = spineClass
        self.head = head
        self.base = base
        self.tip = tip
        self.lengthMicrons = lengthMicrons
        self.headDiameterMicrons = headDiameterMicrons
        self.neckDiameterMicrons = neckDiameterMicrons
    }
}

/// The truth of one dendrite shaft.
public struct DendriteTruth: Sendable, Equatable, Codable {
    public var id: Int
    /// Centreline, pixels, also beyond the image.
    public var centerline: [PixelPoint]
    public var radiiMicrons: [Double]
    /// Centreline length on the image, microns.
    public var lengthInsideMicrons: Double
}
