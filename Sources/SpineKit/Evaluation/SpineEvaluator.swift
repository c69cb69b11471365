/// Scores a spinecount report against manual annotations: detection, classification, density
/// and, where the annotations give them, sizes.
///
/// Pure: takes parsed rows (see `EvaluationCSV`), reads no files.
///
/// - Detection: per annotated image, predicted and true heads are paired by `HeadMatcher` within
///   the tolerance converted to pixels with the image's pixel size. Paired = true positive,
///   unpaired prediction = false positive, unpaired truth = false negative. Annotated images the
///   report lacks, failed on, or cannot be told apart count all their true spines as misses.
///   Report images without annotations are not scored (annotators may have skipped them).
/// - Classification: on pairs whose annotated class is mushroom, thin or stubby, a 3x3 confusion
///   matrix, accuracy and Cohen's kappa. Other annotated classes are tallied separately.
/// - Density: with true shaft lengths, the report's density (spines over traced length) against
///   the true one (annotated spines over true length), per image.
/// - Sizes: on pairs where both the annotation and the report give a length, head or neck
///   diameter, the report's error (bias, mean absolute error, median ratio), overall and per
///   annotated class.
public enum SpineEvaluator {
    public static func evaluate(truth: [TruthSpine], report: SpineReport, shaftLengths: [TruthShaftLength]? = nil,
                                options: EvaluationOptions = EvaluationOptions()) -> EvaluationResult {
        let annotated = annotatedImages(truth)
        let matcher = ImageNameMatcher(entries: report.images.map { (group: Optional($0.group), image: $0.image) })
        var outcomes = annotated.map { matcher.find(image: $0.image, group: $0.group) }

        // Two annotated images resolving to one report image cannot both be right.
        var claimants = [Int: [Int]]()
        for (annotatedIndex, outcome) in outcomes.enumerated() {
            if case .found(let reportIndex) = outcome { claimants[reportIndex, default: []].append(annotatedIndex) }
        }
        for (reportIndex, annotatedIndices) in claimants where annotatedIndices.count > 1 {
            for annotatedIndex in annotatedIndices { outcomes[annotatedIndex] = .ambiguous([reportIndex]) }
        }

        var spinesByReportImage = [SpineReport.ImageKey: [PredictedSpine]]()
        for spine in report.spines {
            spinesByReportImage[SpineReport.ImageKey(group: spine.group, image: spine.image), default: []].append(spine)
        }

        var imageScores = [ImageScore]()
        var detection = DetectionScore()
        var distanceSumMicrons = 0.0
        var truthClassTotals = [String: Int]()
        var truthClassMatched = [String: Int]()
        var confusion = ConfusionMatrix()
        var matchedWithoutTruthClass = 0
        var matchedWithoutPredictedClass = 0
        var otherClasses = [String: [String: Int]]()
        // (reported, annotated) per size and annotated class ("" for none).
        var sizePairs = [SizeMeasure: [String: [(reported: Double, annotated: Double)]]]()
        var usedReportImages = Set<Int>()

        for (annotatedIndex, image) in annotated.enumerated() {
            for spine in image.spines { truthClassTotals[spine.className ?? "", default: 0] += 1 }
            var score = ImageScore(image: image.image, group: image.group, reportImage: nil, status: .scored, note: nil,
                                   truthSpines: image.spines.count, predictedSpines: 0,
                                   detection: DetectionScore(falseNegatives: image.spines.count),
                                   meanMatchDistanceMicrons: nil)
            switch outcomes[annotatedIndex] {
            case .none:
                score.status = .missingFromReport
                score.note = "no image of this name in the report"
            case .ambiguous(let candidates):
                score.status = .ambiguous
                let names = candidates.map { displayName(report.images[$0]) }.joined(separator: ", ")
                score.note = candidates.count > 1
                    ? "fits several report images (\(names)); add a group column to the truth file"
                    : "another annotated image also fits report image \(names)"
                usedReportImages.formUnion(candidates)
            case .found(let reportIndex):
                usedReportImages.insert(reportIndex)
                let reportImage = report.images[reportIndex]
                score.reportImage = displayName(reportImage)
                let predicted = spinesByReportImage[SpineReport.ImageKey(group: reportImage.group,
                                                                         image: reportImage.image)] ?? []
                if !reportImage.isOK {
                    score.status = .failedInReport
                    score.note = reportImage.status
                } else if let micronsPerPixel = options.micronsPerPixel ?? reportImage.micronsPerPixel,
                          micronsPerPixel > 0, micronsPerPixel.isFinite {
                    let matches = HeadMatcher.match(predicted: predicted.map(\.head), truth: image.spines.map(\.head),
                                                    tolerancePixels: options.toleranceMicrons / micronsPerPixel)
                    score.predictedSpines = predicted.count
                    score.detection = DetectionScore(truePositives: matches.count,
                                                     falsePositives: predicted.count - matches.count,
                                                     falseNegatives: image.spines.count - matches.count)
                    let imageDistanceMicrons = matches.reduce(0) { $0 + $1.distancePixels } * micronsPerPixel
                    distanceSumMicrons += imageDistanceMicrons
                    if !matches.isEmpty { score.meanMatchDistanceMicrons = imageDistanceMicrons / Double(matches.count) }

                    for match in matches {
                        let truthClass = image.spines[match.truthIndex].className
                        let predictedClass = predicted[match.predictedIndex].spineClass
                        for measure in SizeMeasure.allCases {
                            if let annotated = image.spines[match.truthIndex].sizes[measure],
                               let reported = predicted[match.predictedIndex].sizes[measure] {
                                sizePairs[measure, default: [:]][truthClass ?? "", default: []].append((reported, annotated))
                            }
                        }
                        truthClassMatched[truthClass ?? "", default: 0] += 1
                        guard let truthClass else {
                            matchedWithoutTruthClass += 1
                            continue
                        }
                        if let scoredClass = SpineClass(rawValue: truthClass) {
                            if let predictedClass {
                                confusion.add(truth: scoredClass, predicted: predictedClass)
                            } else {
                                matchedWithoutPredictedClass += 1
                            }
                        } else {
                            otherClasses[truthClass, default: [:]][predictedClass?.rawValue ?? "unclassified", default: 0] += 1
                        }
                    }
                } else {
                    score.status = .noPixelSize
                    score.note = "the report has no pixel_size_um for it; pass --pixel-size"
                }
            }
            detection = detection + score.detection
            imageScores.append(score)
        }

        let recallByClass = truthClassTotals.keys.filter { !$0.isEmpty }.sorted(by: classOrder).map {
            ClassRecall(className: $0, truthSpines: truthClassTotals[$0] ?? 0, matched: truthClassMatched[$0] ?? 0)
        }
        let others = otherClasses.keys.sorted().map { name in
            let predicted = otherClasses[name] ?? [:]
            return OtherClassTally(className: name, matched: predicted.values.reduce(0, +), predicted: predicted)
        }
        let density = densityEvaluation(annotated: annotated, scores: imageScores, outcomes: outcomes, report: report,
                                        spinesByReportImage: spinesByReportImage, lengths: shaftLengths)
        let sizes = SizeMeasure.allCases.flatMap { measure -> [SizeAgreement] in
            let byClass = sizePairs[measure] ?? [:]
            let all = SizeAgreement(measure: measure, className: nil, pairs: byClass.values.flatMap { $0 })
            let perClass = byClass.keys.filter { !$0.isEmpty }.sorted(by: classOrder).compactMap {
                SizeAgreement(measure: measure, className: $0, pairs: byClass[$0] ?? [])
            }
            return [all].compactMap { $0 } + perClass
        }
        return EvaluationResult(
            toleranceMicrons: options.toleranceMicrons, images: imageScores,
            imagesScored: imageScores.filter { $0.status == .scored }.count,
            reportImagesWithoutTruth: report.images.count - usedReportImages.count,
            detection: detection,
            meanMatchDistanceMicrons: detection.truePositives > 0
                ? distanceSumMicrons / Double(detection.truePositives) : nil,
            recallByTruthClass: recallByClass, confusion: confusion,
            matchedWithoutTruthClass: matchedWithoutTruthClass,
            matchedWithoutPredictedClass: matchedWithoutPredictedClass,
            otherTruthClasses: others, density: density, sizes: sizes)
    }

    /// One annotated image: its name, group, and spines with a head.
    struct AnnotatedImage {
        var group: String?
        var image: String
        var spines: [(head: PixelPoint, className: String?, sizes: SpineSizes)]
    }

    /// Truth rows gathered per (group, image), in order of first appearance.
    static func annotatedImages(_ truth: [TruthSpine]) -> [AnnotatedImage] {
        struct Key: Hashable {
            var group: String?
            var image: String
        }
        var images = [AnnotatedImage]()
        var indexByKey = [Key: Int]()
        for spine in truth {
            let key = Key(group: spine.group, image: spine.image)
            let index: Int
            if let known = indexByKey[key] {
                index = known
            } else {
                index = images.count
                indexByKey[key] = index
                images.append(AnnotatedImage(group: spine.group, image: spine.image, spines: []))
            }
            if let head = spine.head { images[index].spines.append((head, spine.className, spine.sizes)) }
        }
        return images
    }

    /// Per-image density errors against `lengths`, the true shaft lengths; without them, against
    /// each scored image's traced length (`DensityEvaluation.lengthsAreTraced`): the error is
    /// then that of the spine count alone.
    private static func densityEvaluation(annotated: [AnnotatedImage], scores: [ImageScore],
                                          outcomes: [ImageNameMatcher.Outcome], report: SpineReport,
                                          spinesByReportImage: [SpineReport.ImageKey: [PredictedSpine]],
                                          lengths: [TruthShaftLength]?) -> DensityEvaluation {
        let matcher = ImageNameMatcher(entries: (lengths ?? []).map { (group: $0.group, image: $0.image) })
        var rows = [DensityError]()
        var withoutLength = [String]()
        for (index, image) in annotated.enumerated() {
            let trueLength: Double
            if let lengths {
                guard case .found(let lengthIndex) = matcher.find(image: image.image, group: image.group) else {
                    withoutLength.append(image.image)
                    continue
                }
                trueLength = lengths[lengthIndex].dendriteLengthMicrons
            } else {
                guard scores[index].status == .scored, case .found(let reportIndex) = outcomes[index],
                      let traced = report.images[reportIndex].dendriteLengthMicrons else { continue }
                trueLength = traced
            }
            var row = DensityError(image: image.image, group: image.group, truthSpines: image.spines.count,
                                   trueLengthMicrons: trueLength,
                                   trueDensityPerMicron: ratio(Double(image.spines.count), trueLength),
                                   predictedSpines: nil, predictedLengthMicrons: nil, predictedDensityPerMicron: nil,
                                   errorPercent: nil, lengthErrorPercent: nil)
            if scores[index].status == .scored, case .found(let reportIndex) = outcomes[index] {
                let reportImage = report.images[reportIndex]
                let key = SpineReport.ImageKey(group: reportImage.group, image: reportImage.image)
                let predictedSpines = reportImage.spineCount ?? spinesByReportImage[key]?.count ?? 0
                row.predictedSpines = predictedSpines
                row.predictedLengthMicrons = reportImage.dendriteLengthMicrons
                if let length = reportImage.dendriteLengthMicrons {
                    row.predictedDensityPerMicron = ratio(Double(predictedSpines), length)
                    if lengths != nil { row.lengthErrorPercent = SummaryMeasure.percentChange(before: trueLength, after: length) }
                }
                row.errorPercent = SummaryMeasure.percentChange(before: row.trueDensityPerMicron,
                                                                after: row.predictedDensityPerMicron)
            }
            rows.append(row)
        }
        let errors = rows.compactMap(\.errorPercent)
        return DensityEvaluation(
            images: rows,
            meanAbsoluteErrorPercent: errors.isEmpty ? nil : errors.reduce(0) { $0 + abs($1) } / Double(errors.count),
            meanErrorPercent: errors.isEmpty ? nil : errors.reduce(0, +) / Double(errors.count),
            imagesWithoutLength: withoutLength, lengthsAreTraced: lengths == nil)
    }

    private static func ratio(_ numerator: Double, _ denominator: Double) -> Double? {
        guard denominator > 0, denominator.isFinite else { return nil }
        return numerator / denominator
    }

    static func displayName(_ image: ReportImage) -> String {
        image.group.isEmpty ? image.image : "\(image.group)/\(image.image)"
    }

    /// Scored classes first in their usual order, then other labels alphabetically.
    private static func classOrder(_ a: String, _ b: String) -> Bool {
        let rank = { (name: String) in SpineClass(rawValue: name).flatMap { SpineClass.allCases.firstIndex(of: $0) } }
        switch (rank(a), rank(b)) {
        case let (x?, y?): return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a < b
        }
    }
}
