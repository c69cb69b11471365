import Foundation
import Testing
@testable import SpineKit

@Suite struct EvaluationTests {
    // MARK: Hungarian assignment

    /// Smallest total cost over every injective assignment of the smaller side, by enumeration.
    private func bruteForceMinimumCost(_ cost: [[Double]]) -> Double {
        let rows = cost.count
        let columns = cost[0].count
        var best = Double.infinity
        if rows <= columns {
            func search(_ row: Int, _ used: [Bool], _ total: Double) {
                if row == rows { best = min(best, total); return }
                for column in 0..<columns where !used[column] {
                    var next = used
                    next[column] = true
                    search(row + 1, next, total + cost[row][column])
                }
            }
            search(0, [Bool](repeating: false, count: columns), 0)
        } else {
            let transposed = (0..<columns).map { column in (0..<rows).map { cost[$0][column] } }
            return bruteForceMinimumCost(transposed)
        }
        return best
    }

    @Test func hungarianMatchesBruteForceOnSeededRandomMatrices() {
        var generator = SplitMix64(seed: 2024)
        for _ in 0..<300 {
            let rows = 1 + generator.nextIndex(below: 6)
            let columns = 1 + generator.nextIndex(below: 6)
            // Small integer costs make ties common, which is where bookkeeping errors show.
            let cost = (0..<rows).map { _ in (0..<columns).map { _ in Double(generator.nextIndex(below: 10)) } }
            let assignment = HungarianAssignment.minimumCostAssignment(cost)
            #expect(assignment.count == rows)
            let assigned = assignment.compactMap { $0 }
            #expect(assigned.count == min(rows, columns))
            #expect(Set(assigned).count == assigned.count, "a column used twice in \(assignment)")
            #expect(HungarianAssignment.totalCost(cost, assignment) == bruteForceMinimumCost(cost), "cost \(cost)")
        }
    }

    @Test func hungarianHandlesEmptyAndSingle() {
        #expect(HungarianAssignment.minimumCostAssignment([]) == [])
        #expect(HungarianAssignment.minimumCostAssignment([[], []]) == [nil, nil])
        #expect(HungarianAssignment.minimumCostAssignment([[3.5]]) == [0])
        // The classic 3x3 example: the diagonal is not optimal.
        #expect(HungarianAssignment.minimumCostAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]) == [1, 0, 2])
    }

    // MARK: Head matching

    /// The best (most pairs, then least distance) matching within tolerance, by enumeration.
    private func bruteForceMatching(_ predicted: [PixelPoint], _ truth: [PixelPoint],
                                    _ tolerance: Double) -> (count: Int, distance: Double) {
        var best = (count: 0, distance: 0.0)
        func search(_ index: Int, _ used: Set<Int>, _ count: Int, _ distance: Double) {
            if index == predicted.count {
                if count > best.count || (count == best.count && distance < best.distance - 1e-12) {
                    best = (count, distance)
                }
                return
            }
            search(index + 1, used, count, distance)
            for truthIndex in truth.indices where !used.contains(truthIndex) {
                let d = predicted[index].distance(to: truth[truthIndex])
                if d <= tolerance { search(index + 1, used.union([truthIndex]), count + 1, distance + d) }
            }
        }
        search(0, [], 0, 0)
        return best
    }

    @Test func headMatcherIsOptimalOnSeededRandomScenes() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let predicted = (0..<generator.nextIndex(below: 7)).map { _ in
                PixelPoint(x: 10 * generator.nextUnitDouble(), y: 10 * generator.nextUnitDouble())
            }
            let truth = (0..<generator.nextIndex(below: 7)).map { _ in
                PixelPoint(x: 10 * generator.nextUnitDouble(), y: 10 * generator.nextUnitDouble())
            }
            let tolerance = 1 + 3 * generator.nextUnitDouble()
            let matches = HeadMatcher.match(predicted: predicted, truth: truth, tolerancePixels: tolerance)
            for match in matches {
                #expect(match.distancePixels <= tolerance)
                #expect(abs(predicted[match.predictedIndex].distance(to: truth[match.truthIndex]) - match.distancePixels) < 1e-12)
            }
            #expect(Set(matches.map(\.predictedIndex)).count == matches.count)
            #expect(Set(matches.map(\.truthIndex)).count == matches.count)
            let best = bruteForceMatching(predicted, truth, tolerance)
            #expect(matches.count == best.count)
            #expect(abs(matches.reduce(0) { $0 + $1.distancePixels } - best.distance) < 1e-9)
        }
    }

    @Test func headMatcherBeatsGreedyAndRespectsTolerance() {
        // Greedy nearest-first would pair p0 with t0 (0.4 apart) and leave p1 unmatched;
        // the optimal assignment pairs p0-t1 (0.9) and p1-t0 (0.6).
        let predicted = [PixelPoint(x: 1.0, y: 0), PixelPoint(x: 0.0, y: 0)]
        let truth = [PixelPoint(x: 0.6, y: 0), PixelPoint(x: 1.9, y: 0)]
        let matches = HeadMatcher.match(predicted: predicted, truth: truth, tolerancePixels: 1)
        #expect(matches.map(\.predictedIndex) == [0, 1])
        #expect(matches.map(\.truthIndex) == [1, 0])
        // Exactly at the tolerance matches; just beyond does not.
        #expect(HeadMatcher.match(predicted: [PixelPoint(x: 0, y: 0)], truth: [PixelPoint(x: 3, y: 4)],
                                  tolerancePixels: 5).count == 1)
        #expect(HeadMatcher.match(predicted: [PixelPoint(x: 0, y: 0)], truth: [PixelPoint(x: 3, y: 4)],
                                  tolerancePixels: 4.999).isEmpty)
        #expect(HeadMatcher.match(predicted: [], truth: [PixelPoint(x: 0, y: 0)], tolerancePixels: 5).isEmpty)
    }

    // MARK: Scores

    @Test func detectionScoreArithmetic() throws {
        let score = DetectionScore(truePositives: 8, falsePositives: 2, falseNegatives: 4)
        #expect(score.precision == 0.8)
        #expect(abs(try #require(score.recall) - 8.0 / 12) < 1e-15)
        // F1 = 2PR / (P + R) = 2 * 0.8 * (2/3) / (0.8 + 2/3) = 16/22.
        #expect(abs(try #require(score.f1) - 16.0 / 22) < 1e-15)
        let empty = DetectionScore()
        #expect(empty.precision == nil && empty.recall == nil && empty.f1 == nil)
        let onlyMisses = DetectionScore(falseNegatives: 3)
        #expect(onlyMisses.precision == nil && onlyMisses.recall == 0 && onlyMisses.f1 == 0)
        #expect((score + onlyMisses).falseNegatives == 7)
    }

    @Test func cohensKappaOfAHandComputedMatrix() throws {
        // Rows truth, columns predicted. N = 100, observed agreement 0.75; marginals truth
        // (25, 30, 45), predicted (30, 25, 45): chance agreement (750 + 750 + 2025) / 10000 = 0.3525.
        // kappa = (0.75 - 0.3525) / (1 - 0.3525) = 0.613899613899...
        let matrix = ConfusionMatrix(counts: [[20, 5, 0], [10, 15, 5], [0, 5, 40]])
        #expect(matrix.total == 100)
        #expect(matrix.accuracy == 0.75)
        #expect(abs(try #require(matrix.cohensKappa) - 0.613899613899614) < 1e-12)
        #expect(matrix[truth: .thin, predicted: .mushroom] == 10)

        var perfect = ConfusionMatrix()
        for spineClass in SpineClass.allCases { perfect.add(truth: spineClass, predicted: spineClass) }
        #expect(perfect.cohensKappa == 1)
        var oneClass = ConfusionMatrix()
        oneClass.add(truth: .thin, predicted: .thin)
        #expect(oneClass.accuracy == 1 && oneClass.cohensKappa == nil)
        #expect(ConfusionMatrix().accuracy == nil && ConfusionMatrix().cohensKappa == nil)
    }

    // MARK: Whole evaluation from CSV text

    private let imagesCSV = """
        group,image,status,width_px,height_px,bit_depth,pixel_size_um,dendrite_length_um,spines,mushroom,thin,stubby,density_per_um
        before,a.png,ok,100,100,8,0.1,10.0,3,1,1,1,0.3
        before,b.png,error: not a PNG file,,,,,,,,,,
        after,set2/c.png,ok,100,100,8,0.1,20.0,1,0,0,1,0.05
        after,unannotated.png,ok,100,100,8,0.1,5.0,0,0,0,0,0
        """

    private let spinesCSV = """
        group,image,spine_id,dendrite_id,class,head_x_px,head_y_px,base_x_px,base_y_px,length_um,head_diameter_um,neck_diameter_um,attached
        before,a.png,1,1,mushroom,10.0,10.0,10,12,1.0,0.6,0.2,true
        before,a.png,2,1,thin,30.0,30.0,30,32,1.2,0.3,0.1,true
        before,a.png,3,1,stubby,80.0,80.0,80,82,0.5,0.5,0.4,true
        after,set2/c.png,1,1,stubby,50.0,50.0,50,52,0.5,0.5,0.4,true
        """

    /// a.png: mushroom found as mushroom (0.5 px off), thin found as thin 7 px off (0.7 um, within
    /// 0.8 um), a stubby annotated at (60, 60) not found, and a false stubby at (80, 80).
    /// b.png failed: its 2 spines are misses. c.png is found under its folder name; its branched
    /// spine is matched as stubby. d.png is not in the report.
    private let truthCSV = """
        image,head_x_px,head_y_px,class,notes
        a.png,10.5,10,Mushroom,x
        a.png,30,37,thin,
        a.png,60,60,stubby,
        b.png,5,5,thin,
        b.png,6,6,,
        c.png,50,50.5,branched,
        d.png,1,1,mushroom,
        """

    private let lengthsCSV = """
        image,dendrite_length_um
        a.png,12.5
        c.png,20
        """

    private func evaluate(truth: String? = nil, lengths: String? = nil,
                          options: EvaluationOptions = EvaluationOptions()) throws -> EvaluationResult {
        let report = SpineReport(images: try EvaluationCSV.reportImages(csv: imagesCSV, file: "images.csv"),
                                 spines: try EvaluationCSV.predictedSpines(csv: spinesCSV, file: "spines.csv"))
        return SpineEvaluator.evaluate(
            truth: try EvaluationCSV.truthSpines(csv: truth ?? truthCSV, file: "truth.csv"), report: report,
            shaftLengths: try lengths.map { try EvaluationCSV.shaftLengths(csv: $0, file: "lengths.csv") },
            options: options)
    }

    @Test func evaluationCountsHitsMissesAndUnscoredImages() throws {
        let result = try evaluate(lengths: lengthsCSV)
        #expect(result.images.map(\.status) == [.scored, .failedInReport, .scored, .missingFromReport])
        #expect(result.imagesScored == 2)
        #expect(result.reportImagesWithoutTruth == 1)
        #expect(result.images[1].note == "error: not a PNG file")
        #expect(result.images[2].reportImage == "after/set2/c.png")
        // TP: a.png 2 + c.png 1; FP: a.png 1; FN: a.png 1 + b.png 2 + d.png 1.
        #expect(result.detection == DetectionScore(truePositives: 3, falsePositives: 1, falseNegatives: 4))
        #expect(result.images[0].detection == DetectionScore(truePositives: 2, falsePositives: 1, falseNegatives: 1))
        // Mean distance of matches: (0.5 + 7 + 0.5) px * 0.1 um / 3.
        #expect(abs(try #require(result.meanMatchDistanceMicrons) - 0.8 / 3) < 1e-12)

        #expect(result.confusion.total == 2)
        #expect(result.confusion[truth: .mushroom, predicted: .mushroom] == 1)
        #expect(result.confusion[truth: .thin, predicted: .thin] == 1)
        #expect(result.classAccuracy == 1)
        #expect(result.otherTruthClasses == [OtherClassTally(className: "branched", matched: 1, predicted: ["stubby": 1])])
        #expect(result.recallByTruthClass.map(\.className) == ["mushroom", "thin", "stubby", "branched"])
        #expect(result.recallByTruthClass[0].truthSpines == 2 && result.recallByTruthClass[0].matched == 1)

        let density = try #require(result.density)
        #expect(density.imagesWithoutLength == ["b.png", "d.png"])
        #expect(density.images.count == 2)
        // a.png: true 3 spines / 12.5 um = 0.24; found 3 / 10 = 0.3: +25 %. Length -20 %.
        let a = density.images[0]
        #expect(a.trueDensityPerMicron == 0.24)
        #expect(a.predictedDensityPerMicron == 0.3)
        #expect(abs(try #require(a.errorPercent) - 25) < 1e-9)
        #expect(abs(try #require(a.lengthErrorPercent) + 20) < 1e-9)
        // c.png: true 1 / 20 = found 1 / 20: 0 %.
        #expect(abs(try #require(density.images[1].errorPercent)) < 1e-9)
        #expect(abs(try #require(density.meanAbsoluteErrorPercent) - 12.5) < 1e-9)

        let text = result.text(perImage: true)
        #expect(text.contains("precision 0.750  recall 0.429  F1 0.545"))
        #expect(text.contains("b.png: failed in report - error: not a PNG file"))
        #expect(!text.lowercased().contains("nan"))
    }

    @Test func withoutTrueLengthsTheDensityErrorIsTheCountError() throws {
        let density = try #require(try evaluate().density)
        #expect(density.lengthsAreTraced && density.imagesWithoutLength.isEmpty)
        // Scored images only, each against its own traced length: a.png 3 found for 3 annotated
        // (0 %), c.png 1 for 1 (0 %); failed and missing images have no traced length.
        #expect(density.images.map(\.image) == ["a.png", "c.png"])
        #expect(density.images.map(\.trueLengthMicrons) == [10, 20])
        #expect(density.images.allSatisfy { $0.errorPercent == 0 && $0.lengthErrorPercent == nil })
        let oneMore = try #require(try evaluate(truth: truthCSV + "\na.png,90,10,thin,").density)
        // a.png: 3 found for 4 annotated: -25 %.
        #expect(abs(try #require(oneMore.images[0].errorPercent) + 25) < 1e-9)
        #expect(try evaluate().text().contains("traced shaft length"))
        #expect(try !evaluate(lengths: lengthsCSV).text().contains("traced shaft length"))
    }

    @Test func evaluationResultRoundTripsThroughJSON() throws {
        let result = try evaluate(lengths: lengthsCSV)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(result)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"cohens_kappa\"") == (result.cohensKappa != nil))
        #expect(json.contains("\"classes\":[\"mushroom\",\"thin\",\"stubby\"]"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(EvaluationResult.self, from: data) == result)
    }

    /// Annotated sizes against the report's (spinesCSV) on matched spines only: the unmatched
    /// stubby at (60, 60) and the thin spine's empty head diameter add nothing.
    @Test func sizesOfMatchedSpinesAreComparedPerSizeAndClass() throws {
        let truth = """
            image,head_x_px,head_y_px,class,length_um,head_diameter_um
            a.png,10.5,10,mushroom,1.25,0.8
            a.png,30,37,thin,1.0,
            a.png,60,60,stubby,0.4,0.5
            c.png,50,50.5,branched,0.4,0.5
            """
        let result = try evaluate(truth: truth)
        func row(_ measure: SizeMeasure, _ className: String?) throws -> SizeAgreement {
            try #require(result.sizes.first { $0.measure == measure && $0.className == className })
        }
        #expect(result.sizes.map(\.measure) == [.length, .length, .length, .length, .headDiameter, .headDiameter, .headDiameter])
        #expect(result.sizes.map(\.className) == [nil, "mushroom", "thin", "branched", nil, "mushroom", "branched"])
        // Lengths: mushroom 1.0 for 1.25, thin 1.2 for 1.0, branched 0.5 for 0.4.
        let length = try row(.length, nil)
        #expect(length.count == 3)
        #expect(abs(length.meanErrorMicrons - 0.05 / 3) < 1e-12)
        #expect(abs(length.meanAbsoluteErrorMicrons - 0.55 / 3) < 1e-12)
        #expect(abs(try #require(length.medianRatio) - 1.2) < 1e-12)
        #expect(abs(try row(.length, "mushroom").meanErrorMicrons + 0.25) < 1e-12)
        // Heads: mushroom 0.6 for 0.8, branched 0.5 for 0.5; the median of 0.75 and 1.
        let head = try row(.headDiameter, nil)
        #expect(head.count == 2)
        #expect(abs(head.meanErrorMicrons + 0.1) < 1e-12)
        #expect(abs(try #require(head.medianRatio) - 0.875) < 1e-12)

        let text = result.text()
        #expect(text.contains("Sizes of matched spines"))
        #expect(text.contains("head_diameter_um  mushroom"))
        #expect(!text.contains("neck_diameter_um"))
        // Without sizes in the truth there is nothing to compare, and nothing is printed.
        let pointsOnly = try evaluate()
        #expect(pointsOnly.sizes.isEmpty)
        #expect(!pointsOnly.text().contains("Sizes of matched spines"))

        let encoder = JSONEncoder()
        let decoded = try JSONDecoder().decode(EvaluationResult.self, from: try encoder.encode(result))
        #expect(decoded == result)
        #expect(throws: EvaluationInputError(file: "t.csv", reason: "record 2 has length_um 'long', which is not a number")) {
            try EvaluationCSV.truthSpines(csv: "image,head_x_px,head_y_px,length_um\na.png,1,2,long\n", file: "t.csv")
        }
    }

    @Test func toleranceIsInMicronsThroughThePixelSize() throws {
        // The thin spine is 0.7 um off: lost at 0.6 um, and at 0.8 um once pixels are 0.2 um wide.
        let tight = try evaluate(options: EvaluationOptions(toleranceMicrons: 0.6))
        #expect(tight.images[0].detection.truePositives == 1)
        let coarse = try evaluate(options: EvaluationOptions(toleranceMicrons: 0.8, micronsPerPixel: 0.2))
        #expect(coarse.images[0].detection.truePositives == 1)
    }

    @Test func pointOnlyTruthScoresDetectionOnly() throws {
        let truth = """
            image,head_x_px,head_y_px
            a.png,10,10
            a.png,30,30
            empty.png,,
            """
        let result = try evaluate(truth: truth)
        #expect(result.images.count == 2)
        #expect(result.images[0].detection == DetectionScore(truePositives: 2, falsePositives: 1, falseNegatives: 0))
        #expect(result.images[1].truthSpines == 0 && result.images[1].status == .missingFromReport)
        #expect(result.matchedWithoutTruthClass == 2)
        #expect(result.confusion.total == 0 && result.cohensKappa == nil)
        #expect(result.recallByTruthClass.isEmpty)
        #expect(result.text().contains("no matched spine has an annotated class"))
    }

    @Test func sameNameInTwoGroupsNeedsAGroupColumn() throws {
        let images = """
            group,image,status,pixel_size_um,dendrite_length_um,spines
            before,x.png,ok,0.1,10,1
            after,x.png,ok,0.1,10,1
            """
        let spines = """
            group,image,class,head_x_px,head_y_px
            before,x.png,thin,10,10
            after,x.png,thin,50,50
            """
        let report = SpineReport(images: try EvaluationCSV.reportImages(csv: images, file: "images.csv"),
                                 spines: try EvaluationCSV.predictedSpines(csv: spines, file: "spines.csv"))
        let withoutGroup = try EvaluationCSV.truthSpines(csv: "image,head_x_px,head_y_px\nx.png,50,50\n", file: "t.csv")
        let ambiguous = SpineEvaluator.evaluate(truth: withoutGroup, report: report)
        #expect(ambiguous.images[0].status == .ambiguous)
        #expect(ambiguous.detection.falseNegatives == 1)

        let withGroup = try EvaluationCSV.truthSpines(csv: "group,image,head_x_px,head_y_px\nafter,x.png,50,50\n",
                                                      file: "t.csv")
        let resolved = SpineEvaluator.evaluate(truth: withGroup, report: report)
        #expect(resolved.images[0].status == .scored)
        #expect(resolved.detection == DetectionScore(truePositives: 1))
    }

    @Test func csvProblemsNameTheFileAndReason() {
        #expect(throws: EvaluationInputError(file: "t.csv", reason: "has no column head_y_px (header: image,head_x_px)")) {
            try EvaluationCSV.truthSpines(csv: "image,head_x_px\na.png,1\n", file: "t.csv")
        }
        #expect(throws: EvaluationInputError(file: "t.csv", reason: "record 3 has head_x_px 'abc', which is not a number")) {
            try EvaluationCSV.truthSpines(csv: "image,head_x_px,head_y_px\na.png,1,2\na.png,abc,2\n", file: "t.csv")
        }
        #expect(throws: EvaluationInputError.self) {
            try EvaluationCSV.truthSpines(csv: "", file: "empty.csv")
        }
        // A byte-order mark, CRLF line ends, quoted fields and blank lines are all fine.
        let parsed = try? EvaluationCSV.truthSpines(csv: "\u{FEFF}Image,HEAD_X_PX,head_y_px\r\n\"a,1.png\",1,2\r\n\r\n",
                                                    file: "t.csv")
        #expect(parsed == [TruthSpine(image: "a,1.png", head: PixelPoint(x: 1, y: 2))])
    }
}
