/// What the group statistics need from one analysed image: counts and sums, so that groups can
/// be pooled (total spines over total shaft length) rather than averaged image by image.
///
/// Only images that were analysed successfully belong in a comparison; an image whose shaft
/// length is zero still adds its spines to the pooled counts but gives no per-image density.
public struct ImageMeasures: Sendable, Equatable, Codable {
    /// The image's name as reported (`image` column of the CSV reports).
    public var imageName: String
    /// The unit of replication the image belongs to (an animal, a cell, a culture), or `nil` when
    /// the image is its own unit. Images sharing a key are pooled into one unit for the
    /// Mann-Whitney test and resampled together by the bootstrap, because images of one cell are
    /// not independent (Lazic 2010, "The problem of pseudoreplication in neuroscientific
    /// studies", BMC Neuroscience 11:5).
    public var clusterKey: String?
    /// Summed length of the traced shaft centrelines.
    public var dendriteLengthMicrons: Double
    /// Number of spines found, all classes.
    public var spineCount: Int
    public var mushroomCount: Int
    public var thinCount: Int
    public var stubbyCount: Int
    /// Sum of the spines' head diameters, over `headDiameterSpineCount` spines with a finite value.
    public var headDiameterSumMicrons: Double
    public var headDiameterSpineCount: Int
    /// Sum of the spines' lengths, over `lengthSpineCount` spines with a finite value.
    public var spineLengthSumMicrons: Double
    public var spineLengthSpineCount: Int

    public init(imageName: String, clusterKey: String? = nil, dendriteLengthMicrons: Double,
                spineCount: Int, mushroomCount: Int, thinCount: Int, stubbyCount: Int,
                headDiameterSumMicrons: Double, headDiameterSpineCount: Int,
                spineLengthSumMicrons: Double, spineLengthSpineCount: Int) {
        self.imageName = imageName
        self.clusterKey = clusterKey
        self.dendriteLengthMicrons = dendriteLengthMicrons
        self.spineCount = spineCount
        self.mushroomCount = mushroomCount
        self.thinCount = thinCount
        self.stubbyCount = stubbyCount
        self.headDiameterSumMicrons = headDiameterSumMicrons
        self.headDiameterSpineCount = headDiameterSpineCount
        self.spineLengthSumMicrons = spineLengthSumMicrons
        self.spineLengthSpineCount = spineLengthSpineCount
    }

    /// Measures of `spines` found along `dendriteLengthMicrons` of shaft.
    public init(imageName: String, clusterKey: String? = nil, dendriteLengthMicrons: Double, spines: [Spine]) {
        let heads = spines.map(\.headDiameterMicrons).filter(\.isFinite)
        let lengths = spines.map(\.lengthMicrons).filter(\.isFinite)
        let counts = SpineClassCounts(spines)
        self.init(imageName: imageName, clusterKey: clusterKey,
                  dendriteLengthMicrons: dendriteLengthMicrons.isFinite ? max(0, dendriteLengthMicrons) : 0,
                  spineCount: counts.total, mushroomCount: counts.mushroom, thinCount: counts.thin,
                  stubbyCount: counts.stubby,
                  headDiameterSumMicrons: heads.reduce(0, +), headDiameterSpineCount: heads.count,
                  spineLengthSumMicrons: lengths.reduce(0, +), spineLengthSpineCount: lengths.count)
    }

    /// Measures of one analysed image.
    public init(imageName: String, clusterKey: String? = nil, analysis: ImageAnalysis) {
        self.init(imageName: imageName, clusterKey: clusterKey,
                  dendriteLengthMicrons: analysis.dendriteLengthMicrons, spines: analysis.spines)
    }

    public func count(of spineClass: SpineClass) -> Int {
        switch spineClass {
        case .mushroom: mushroomCount
        case .thin: thinCount
        case .stubby: stubbyCount
        }
    }

    /// This image alone as pooled totals.
    public var totals: MeasureTotals {
        MeasureTotals(images: 1, dendriteLengthMicrons: dendriteLengthMicrons, spines: spineCount,
                      mushroom: mushroomCount, thin: thinCount, stubby: stubbyCount,
                      headDiameterSumMicrons: headDiameterSumMicrons, headDiameterSpines: headDiameterSpineCount,
                      spineLengthSumMicrons: spineLengthSumMicrons, spineLengthSpines: spineLengthSpineCount)
    }
}
