import Foundation

extension EvaluationResult {
    /// The human-readable report `spinecount evaluate` prints.
    ///
    /// - Parameter perImage: also list detection scores image by image (long for large sets).
    public func text(perImage: Bool = false) -> String {
        var lines = [String]()
        let unscored = images.filter { $0.status != .scored }
        lines.append("Images annotated: \(images.count), scored: \(imagesScored), not scored: \(unscored.count)"
            + (reportImagesWithoutTruth > 0 ? " (report images without annotations, ignored: \(reportImagesWithoutTruth))" : ""))
        if imagesScored == 0 && !images.isEmpty {
            lines.append("  No annotated image was scored: do the truth file's image names match the report's?")
        }
        for image in unscored.prefix(Self.listedUnscoredImages) {
            lines.append("  \(image.image): \(image.status.rawValue.replacingOccurrences(of: "_", with: " "))"
                + (image.note.map { " - \($0)" } ?? "") + " (\(image.truthSpines) true spines counted as missed)")
        }
        if unscored.count > Self.listedUnscoredImages {
            lines.append("  ... and \(unscored.count - Self.listedUnscoredImages) more (see --json)")
        }
        lines.append("")
        lines.append("Detection (heads within \(Self.number(toleranceMicrons, 2)) um, one-to-one):")
        lines.append("  true positives \(detection.truePositives), false positives \(detection.falsePositives), "
            + "false negatives \(detection.falseNegatives)")
        lines.append("  precision \(Self.number(detection.precision, 3))  recall \(Self.number(detection.recall, 3))  "
            + "F1 \(Self.number(detection.f1, 3))")
        if let meanMatchDistanceMicrons {
            lines.append("  mean head distance of matches \(Self.number(meanMatchDistanceMicrons, 3)) um")
        }
        if !recallByTruthClass.isEmpty {
            lines.append("  recall by annotated class: " + recallByTruthClass.map {
                "\($0.className) \(Self.number($0.recall, 3)) (\($0.matched)/\($0.truthSpines))"
            }.joined(separator: ", "))
        }

        lines.append("")
        if confusion.total > 0 {
            lines.append("Classification on \(confusion.total) matched spines annotated mushroom/thin/stubby:")
            lines.append("  accuracy \(Self.number(classAccuracy, 3))  Cohen's kappa \(Self.number(cohensKappa, 3))")
            lines.append("  confusion matrix (rows annotated, columns spinecount):")
            let names = ConfusionMatrix.classes.map(\.rawValue)
            let width = max(10, names.map(\.count).max() ?? 0) + 2
            lines.append("  " + Self.padded("", width) + names.map { Self.padded($0, width, right: true) }.joined())
            for truthClass in ConfusionMatrix.classes {
                let cells = ConfusionMatrix.classes.map {
                    Self.padded(String(confusion[truth: truthClass, predicted: $0]), width, right: true)
                }
                lines.append("  " + Self.padded(truthClass.rawValue, width) + cells.joined())
            }
        } else {
            lines.append("Classification: no matched spine has an annotated class mushroom/thin/stubby.")
        }
        if matchedWithoutTruthClass > 0 {
            lines.append("  \(matchedWithoutTruthClass) matched spines have no annotated class (not scored)")
        }
        if matchedWithoutPredictedClass > 0 {
            lines.append("  \(matchedWithoutPredictedClass) matched spines have no valid class in the report (not scored)")
        }
        for other in otherTruthClasses {
            let called = other.predicted.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  annotated \(other.className) (not scored): \(other.matched) matched, called \(called)")
        }

        if let density {
            lines.append("")
            lines.append(density.lengthsAreTraced
                ? "Density (no true lengths given: annotated spines / traced shaft length, i.e. the count error):"
                : "Density (true: annotated spines / true shaft length):")
            lines.append("  mean absolute error \(Self.number(density.meanAbsoluteErrorPercent, 1)) %, "
                + "mean signed error \(Self.number(density.meanErrorPercent, 1)) % "
                + "over \(density.images.filter { $0.errorPercent != nil }.count) images")
            let header = ["image", "true_per_um", "found_per_um", "error_pct", "true_length_um", "found_length_um",
                          "length_error_pct"]
            var table = [header]
            for row in density.images {
                table.append([row.image, Self.number(row.trueDensityPerMicron, 3),
                              Self.number(row.predictedDensityPerMicron, 3), Self.number(row.errorPercent, 1),
                              Self.number(row.trueLengthMicrons, 1), Self.number(row.predictedLengthMicrons, 1),
                              Self.number(row.lengthErrorPercent, 1)])
            }
            lines.append(contentsOf: Self.aligned(table).map { "  " + $0 })
            if !density.imagesWithoutLength.isEmpty {
                lines.append("  no true length for: " + density.imagesWithoutLength.prefix(10).joined(separator: ", ")
                    + (density.imagesWithoutLength.count > 10 ? ", ..." : ""))
            }
        }

        if !sizes.isEmpty {
            lines.append("")
            lines.append("Sizes of matched spines (spinecount minus annotation, um; ratio spinecount / annotation):")
            var table = [["size", "class", "n", "mean_error", "mean_abs_error", "median_ratio"]]
            for row in sizes {
                table.append([row.measure.rawValue, row.className ?? "all", String(row.count),
                              Self.number(row.meanErrorMicrons, 3), Self.number(row.meanAbsoluteErrorMicrons, 3),
                              Self.number(row.medianRatio, 2)])
            }
            lines.append(contentsOf: Self.aligned(table).map { "  " + $0 })
        }

        if perImage {
            lines.append("")
            lines.append("Per image:")
            var table = [["image", "status", "truth", "found", "TP", "FP", "FN", "precision", "recall", "F1"]]
            for image in images {
                table.append([image.image, image.status.rawValue, String(image.truthSpines), String(image.predictedSpines),
                              String(image.detection.truePositives), String(image.detection.falsePositives),
                              String(image.detection.falseNegatives), Self.number(image.detection.precision, 3),
                              Self.number(image.detection.recall, 3), Self.number(image.detection.f1, 3)])
            }
            lines.append(contentsOf: Self.aligned(table).map { "  " + $0 })
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Unscored images named one by one in the text; the rest are counted.
    static let listedUnscoredImages = 20

    static func number(_ value: Double?, _ places: Int) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.\(places)f", value)
    }

    private static func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }

    /// Columns padded to a common width: first column left-aligned, the others right-aligned.
    private static func aligned(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, text in
                column == 0 ? padded(text, widths[column]) : padded(text, widths[column] + 2, right: true)
            }.joined()
        }
    }
}
