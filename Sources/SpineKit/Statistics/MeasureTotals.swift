/// Counts and sums over a set of images (a group, a cluster, or one bootstrap resample), from
/// which every summary measure is a ratio.
public struct MeasureTotals: Sendable, Equatable, Codable {
    public var images: Int
    public var dendriteLengthMicrons: Double
    public var spines: Int
    public var mushroom: Int
    public var thin: Int
    public var stubby: Int
    public var headDiameterSumMicrons: Double
    public var headDiameterSpines: Int
    public var spineLengthSumMicrons: Double
    public var spineLengthSpines: Int

    public init(images: Int = 0, dendriteLengthMicrons: Double = 0, spines: Int = 0, mushroom: Int = 0,
                thin: Int = 0, stubby: Int = 0, headDiameterSumMicrons: Double = 0, headDiameterSpines: Int = 0,
                spineLengthSumMicrons: Double = 0, spineLengthSpines: Int = 0) {
        self.images = images
        self.dendriteLengthMicrons = dendriteLengthMicrons
        self.spines = spines
        self.mushroom = mushroom
        self.thin = thin
        self.stubby = stubby
        self.headDiameterSumMicrons = headDiameterSumMicrons
        self.headDiameterSpines = headDiameterSpines
        self.spineLengthSumMicrons = spineLengthSumMicrons
        self.spineLengthSpines = spineLengthSpines
    }

    /// Totals of all `images`, pooled.
    public init(pooling images: [ImageMeasures]) {
        self = images.reduce(into: MeasureTotals()) { $0 += $1.totals }
    }

    public static func += (lhs: inout MeasureTotals, rhs: MeasureTotals) {
        lhs.images += rhs.images
        lhs.dendriteLengthMicrons += rhs.dendriteLengthMicrons
        lhs.spines += rhs.spines
        lhs.mushroom += rhs.mushroom
        lhs.thin += rhs.thin
        lhs.stubby += rhs.stubby
        lhs.headDiameterSumMicrons += rhs.headDiameterSumMicrons
        lhs.headDiameterSpines += rhs.headDiameterSpines
        lhs.spineLengthSumMicrons += rhs.spineLengthSumMicrons
        lhs.spineLengthSpines += rhs.spineLengthSpines
    }

    public static func + (lhs: MeasureTotals, rhs: MeasureTotals) -> MeasureTotals {
        var sum = lhs
        sum += rhs
        return sum
    }

    public func count(of spineClass: SpineClass) -> Int {
        switch spineClass {
        case .mushroom: mushroom
        case .thin: thin
        case .stubby: stubby
        }
    }
}
