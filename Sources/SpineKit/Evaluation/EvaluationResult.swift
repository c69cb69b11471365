/// Settings of `spinecount evaluate`.
public struct EvaluationOptions: Sendable, Equatable {
    /// Largest distance between a predicted and a true head centre that still counts as the same
    /// spine. 0.8 um is about one head diameter of a mushroom spine (0.5-1.2 um, Harris et al.
    /// 1992, J. Neurosci. 12:2685), so a head found anywhere within the annotated head matches,
    /// while neighbouring spines (typically 1-2 um apart) are not confused.
    public var toleranceMicrons: Double
    /// Microns per pixel for every image, overriding the report's `pixel_size_um`.
    public var micronsPerPixel: Double?

    public static let defaultToleranceMicrons = 0.8
    /// The largest tolerance accepted, microns: far beyond the few microns a spine reaches from
    /// its shaft, so every sensible match fits, while the pixel distances stay finite (a
    /// tolerance of 1e307 µm once overflowed them and matched nothing).
    public static let maximumToleranceMicrons = 1000.0

    public init(toleranceMicrons: Double = EvaluationOptions.defaultToleranceMicrons, micronsPerPixel: Double? = nil) {
        self.toleranceMicrons = toleranceMicrons
        self.micronsPerPixel = micronsPerPixel
    }
}

/// True positives, false positives and false negatives, with the ratios made of them.
public struct DetectionScore: Sendable, Equatable, Codable {
    public private(set) var truePositives: Int
    public private(set) var falsePositives: Int
    public private(set) var falseNegatives: Int
    /// TP / (TP + FP); `nil` with no predictions.
    public private(set) var precision: Double?
    /// TP / (TP + FN); `nil` with no true spines.
    public private(set) var recall: Double?
    /// Harmonic mean of precision and recall, 2 TP / (2 TP + FP + FN); `nil` when all counts are 0.
    public private(set) var f1: Double?

    public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
        let tp = Double(truePositives)
        precision = truePositives + falsePositives > 0 ? tp / Double(truePositives + falsePositives) : nil
        recall = truePositives + falseNegatives > 0 ? tp / Double(truePositives + falseNegatives) : nil
        let f1Denominator = 2 * truePositives + falsePositives + falseNegatives
        f1 = f1Denominator > 0 ? 2 * tp / Double(f1Denominator) : nil
    }

    public static func + (lhs: DetectionScore, rhs: DetectionScore) -> DetectionScore {
        DetectionScore(truePositives: lhs.truePositives + rhs.truePositives,
                       falsePositives: lhs.falsePositives + rhs.falsePositives,
                       falseNegatives: lhs.falseNegatives + rhs.falseNegatives)
    }
}

/// How one annotated image was scored.
public struct ImageScore: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Matched to a report image that was analysed.
        case scored
        /// No report image has this name: every true spine is a miss.
        case missingFromReport = "missing_from_report"
        /// The report has an `error:` row for it: every true spine is a miss.
        case failedInReport = "failed_in_report"
        /// The name fits several report images (add a `group` column to the truth file), or
        /// another annotated image fits the same report image: every true spine is a miss.
        case ambiguous
        /// The report gives no pixel size and `--pixel-size` was not given: every true spine is a miss.
        case noPixelSize = "no_pixel_size"
    }

    /// The name in the truth file.
    public var image: String
    /// The truth file's group, if it has one.
    public var group: String?
    /// The report image scored against, as `group/image` when it has a group.
    public var reportImage: String?
    public var status: Status
    /// Why the image was not scored (the report's error, the competing names).
    public var note: String?
    public var truthSpines: Int
    public var predictedSpines: Int
    public var detection: DetectionScore
    public var meanMatchDistanceMicrons: Double?
}

/// Detection recall among true spines of one annotated class.
public struct ClassRecall: Sendable, Equatable, Codable {
    public var className: String
    public var truthSpines: Int
    public var matched: Int
    /// matched / truthSpines; `nil` with no true spines of the class.
    public var recall: Double?

    public init(className: String, truthSpines: Int, matched: Int) {
        self.className = className
        self.truthSpines = truthSpines
        self.matched = matched
        recall = truthSpines > 0 ? Double(matched) / Double(truthSpines) : nil
    }
}

/// Matched spines whose annotated class is not one spinecount assigns (e.g. `branched`,
/// `filopodia`): what spinecount called them. Listed, not scored.
public struct OtherClassTally: Sendable, Equatable, Codable {
    public var className: String
    public var matched: Int
    /// Predicted class name (or `unclassified`) to count.
    public var predicted: [String: Int]
}

/// Spine density of one annotated image against the true shaft length.
public struct DensityError: Sendable, Equatable, Codable {
    public var image: String
    public var group: String?
    public var truthSpines: Int
    public var trueLengthMicrons: Double
    /// Truth spines over true length; `nil` when the true length is 0.
    public var trueDensityPerMicron: Double?
    public var predictedSpines: Int?
    public var predictedLengthMicrons: Double?
    /// The report's spines over its traced length; `nil` when the image was not scored or no
    /// shaft was traced.
    public var predictedDensityPerMicron: Double?
    /// `100 * (predicted - true) / true` density; `nil` when either is undefined or true is 0.
    public var errorPercent: Double?
    /// The same for the shaft length alone, which tells tracing errors from detection errors.
    public var lengthErrorPercent: Double?
}

/// How the report's sizes of matched spines compare with the annotated ones, for one size and
/// one annotated class, or for every matched spine (`className` nil).
public struct SizeAgreement: Sendable, Equatable, Codable {
    public var measure: SizeMeasure
    /// The annotated class; `nil`: all matched spines with both sizes, whatever their class.
    public var className: String?
    /// Matched spines with both the annotated and the reported size.
    public var count: Int
    /// Mean of report minus annotation, microns: the bias (negative = spinecount measures smaller).
    public var meanErrorMicrons: Double
    /// Mean of |report - annotation|, microns.
    public var meanAbsoluteErrorMicrons: Double
    /// Median of report / annotation over pairs whose annotated size is above 0; `nil` if none is.
    public var medianRatio: Double?

    /// The agreement of `pairs` (reported, annotated); `nil` when there are none.
    public init?(measure: SizeMeasure, className: String?, pairs: [(reported: Double, annotated: Double)]) {
        guard !pairs.isEmpty else { return nil }
        self.measure = measure
        self.className = className
        count = pairs.count
        let n = Double(pairs.count)
        meanErrorMicrons = pairs.reduce(0) { $0 + ($1.reported - $1.annotated) } / n
        meanAbsoluteErrorMicrons = pairs.reduce(0) { $0 + abs($1.reported - $1.annotated) } / n
        let ratios = pairs.filter { $0.annotated > 0 }.map { $0.reported / $0.annotated }.sorted()
        medianRatio = ratios.isEmpty ? nil
            : ratios.count % 2 == 1 ? ratios[ratios.count / 2] : (ratios[ratios.count / 2 - 1] + ratios[ratios.count / 2]) / 2
    }
}

/// Per-image density errors and their summary.
public struct DensityEvaluation: Sendable, Equatable, Codable {
    public var images: [DensityError]
    /// Mean of `|errorPercent|` over images where it is defined.
    public var meanAbsoluteErrorPercent: Double?
    /// Mean signed `errorPercent`: the bias (negative = spinecount finds too low a density).
    public var meanErrorPercent: Double?
    /// Annotated images the lengths file does not list (or lists ambiguously).
    public var imagesWithoutLength: [String]
    /// `true` when no true lengths were given: each image's traced length stands in for its
    /// true one, so the error is that of the spine count (tracing errors do not show).
    public var lengthsAreTraced: Bool
}

/// Everything `spinecount evaluate` reports.
public struct EvaluationResult: Sendable, Equatable, Codable {
    public var toleranceMicrons: Double
    /// One entry per annotated image, in the order of the truth files.
    public var images: [ImageScore]
    /// Annotated images with status `scored`.
    public var imagesScored: Int
    /// Report images no annotation refers to; their spines are not counted at all.
    public var reportImagesWithoutTruth: Int
    /// Detection over all annotated images (unscored ones add their true spines as misses).
    public var detection: DetectionScore
    public var meanMatchDistanceMicrons: Double?
    /// Detection recall per annotated class (empty when the truth has no classes).
    public var recallByTruthClass: [ClassRecall]
    /// Matched spines whose annotated class is mushroom, thin or stubby.
    public var confusion: ConfusionMatrix
    public var classAccuracy: Double? { confusion.accuracy }
    public var cohensKappa: Double? { confusion.cohensKappa }
    /// Matched spines without an annotated class (point-only truth).
    public var matchedWithoutTruthClass: Int
    /// Matched spines with a scored truth class but no valid predicted class.
    public var matchedWithoutPredictedClass: Int
    public var otherTruthClasses: [OtherClassTally]
    /// Present when true shaft lengths were given.
    public var density: DensityEvaluation?
    /// Sizes of matched spines against annotated ones, per size: all spines, then per annotated
    /// class; empty when the truth has no sizes.
    public var sizes: [SizeAgreement]

    public init(toleranceMicrons: Double, images: [ImageScore], imagesScored: Int, reportImagesWithoutTruth: Int,
                detection: DetectionScore, meanMatchDistanceMicrons: Double?, recallByTruthClass: [ClassRecall],
                confusion: ConfusionMatrix, matchedWithoutTruthClass: Int, matchedWithoutPredictedClass: Int,
                otherTruthClasses: [OtherClassTally], density: DensityEvaluation?, sizes: [SizeAgreement] = []) {
        self.toleranceMicrons = toleranceMicrons
        self.images = images
        self.imagesScored = imagesScored
        self.reportImagesWithoutTruth = reportImagesWithoutTruth
        self.detection = detection
        self.meanMatchDistanceMicrons = meanMatchDistanceMicrons
        self.recallByTruthClass = recallByTruthClass
        self.confusion = confusion
        self.matchedWithoutTruthClass = matchedWithoutTruthClass
        self.matchedWithoutPredictedClass = matchedWithoutPredictedClass
        self.otherTruthClasses = otherTruthClasses
        self.density = density
        self.sizes = sizes
    }

    private enum CodingKeys: String, CodingKey {
        case toleranceMicrons, images, imagesScored, reportImagesWithoutTruth, detection, meanMatchDistanceMicrons
        case recallByTruthClass, confusion, classAccuracy, cohensKappa, matchedWithoutTruthClass
        case matchedWithoutPredictedClass, otherTruthClasses, density, sizes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(toleranceMicrons: try container.decode(Double.self, forKey: .toleranceMicrons),
                  images: try container.decode([ImageScore].self, forKey: .images),
                  imagesScored: try container.decode(Int.self, forKey: .imagesScored),
                  reportImagesWithoutTruth: try container.decode(Int.self, forKey: .reportImagesWithoutTruth),
                  detection: try container.decode(DetectionScore.self, forKey: .detection),
                  meanMatchDistanceMicrons: try container.decodeIfPresent(Double.self, forKey: .meanMatchDistanceMicrons),
                  recallByTruthClass: try container.decode([ClassRecall].self, forKey: .recallByTruthClass),
                  confusion: try container.decode(ConfusionMatrix.self, forKey: .confusion),
                  matchedWithoutTruthClass: try container.decode(Int.self, forKey: .matchedWithoutTruthClass),
                  matchedWithoutPredictedClass: try container.decode(Int.self, forKey: .matchedWithoutPredictedClass),
                  otherTruthClasses: try container.decode([OtherClassTally].self, forKey: .otherTruthClasses),
                  density: try container.decodeIfPresent(DensityEvaluation.self, forKey: .density),
                  sizes: try container.decodeIfPresent([SizeAgreement].self, forKey: .sizes) ?? [])
    }

    /// Writes every field, with the derived accuracy and kappa, so JSON readers need not recompute.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(toleranceMicrons, forKey: .toleranceMicrons)
        try container.encode(images, forKey: .images)
        try container.encode(imagesScored, forKey: .imagesScored)
        try container.encode(reportImagesWithoutTruth, forKey: .reportImagesWithoutTruth)
        try container.encode(detection, forKey: .detection)
        try container.encodeIfPresent(meanMatchDistanceMicrons, forKey: .meanMatchDistanceMicrons)
        try container.encode(recallByTruthClass, forKey: .recallByTruthClass)
        try container.encode(confusion, forKey: .confusion)
        try container.encodeIfPresent(classAccuracy, forKey: .classAccuracy)
        try container.encodeIfPresent(cohensKappa, forKey: .cohensKappa)
        try container.encode(matchedWithoutTruthClass, forKey: .matchedWithoutTruthClass)
        try container.encode(matchedWithoutPredictedClass, forKey: .matchedWithoutPredictedClass)
        try container.encode(otherTruthClasses, forKey: .otherTruthClasses)
        try container.encodeIfPresent(density, forKey: .density)
        if !sizes.isEmpty { try container.encode(sizes, forKey: .sizes) }
    }
}
