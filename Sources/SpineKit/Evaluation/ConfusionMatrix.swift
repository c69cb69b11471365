/// Counts of (true class, predicted class) over matched spines, for class accuracy and kappa.
///
/// Rows are the annotator's class, columns spinecount's, both in `SpineClass.allCases` order
/// (mushroom, thin, stubby).
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// The class order of rows and columns.
    public static let classes = SpineClass.allCases

    /// `counts[truth][predicted]`.
    public private(set) var counts: [[Int]]

    public init() {
        counts = Array(repeating: Array(repeating: 0, count: Self.classes.count), count: Self.classes.count)
    }

    /// A matrix with the given counts, rows truth and columns predicted, each of size 3.
    public init(counts: [[Int]]) {
        precondition(counts.count == Self.classes.count && counts.allSatisfy { $0.count == Self.classes.count },
                     "a confusion matrix needs \(Self.classes.count)x\(Self.classes.count) counts, got \(counts)")
        self.counts = counts
    }

    public mutating func add(truth: SpineClass, predicted: SpineClass) {
        counts[Self.index(truth)][Self.index(predicted)] += 1
    }

    public subscript(truth truth: SpineClass, predicted predicted: SpineClass) -> Int {
        counts[Self.index(truth)][Self.index(predicted)]
    }

    public var total: Int { counts.joined().reduce(0, +) }

    public var agreements: Int { Self.classes.indices.reduce(0) { $0 + counts[$1][$1] } }

    /// Share of matched spines given the annotator's class; `nil` when there are none.
    public var accuracy: Double? {
        total > 0 ? Double(agreements) / Double(total) : nil
    }

    /// Cohen's kappa: agreement beyond what the two raters' class frequencies give by chance,
    /// `(p_o - p_e) / (1 - p_e)` (Cohen 1960, Educ. Psychol. Meas. 20:37-46). `nil` with no
    /// spines, or when chance agreement is already 1 (both put everything in one class).
    public var cohensKappa: Double? {
        let n = Double(total)
        guard n > 0 else { return nil }
        let observed = Double(agreements) / n
        var expected = 0.0
        for index in Self.classes.indices {
            let rowTotal = Double(counts[index].reduce(0, +))
            let columnTotal = Double(counts.reduce(0) { $0 + $1[index] })
            expected += (rowTotal / n) * (columnTotal / n)
        }
        guard expected < 1 else { return nil }
        return (observed - expected) / (1 - expected)
    }

    private enum CodingKeys: String, CodingKey {
        case classes, counts
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let counts = try container.decode([[Int]].self, forKey: .counts)
        guard counts.count == Self.classes.count && counts.allSatisfy({ $0.count == Self.classes.count }) else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container,
                                                   debugDescription: "a confusion matrix needs 3x3 counts")
        }
        self.counts = counts
    }

    /// Writes the class order beside the counts, so a JSON reader knows what rows and columns are.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.classes.map(\.rawValue), forKey: .classes)
        try container.encode(counts, forKey: .counts)
    }

    private static func index(_ spineClass: SpineClass) -> Int {
        classes.firstIndex(of: spineClass) ?? 0
    }
}
