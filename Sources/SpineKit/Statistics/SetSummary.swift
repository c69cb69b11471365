/// The summary of one image set for `analyze`: `summary.csv` with columns `measure,value`.
public struct SetSummary: Sendable, Equatable, Codable {
    /// One measure of the set; `value` is `nil` when undefined (written as an empty field).
    public struct Row: Sendable, Equatable, Codable {
        public var measure: SummaryMeasure
        public var value: Double?

        public init(measure: SummaryMeasure, value: Double?) {
            self.measure = measure
            self.value = value
        }
    }

    public var rows: [Row]

    /// `summary.csv` columns for `analyze`.
    public static let csvHeader = ["measure", "value"]

    /// Pools `images` (see `SummaryMeasure`) and evaluates each of `measures`.
    public init(images: [ImageMeasures], measures: [SummaryMeasure] = SummaryMeasure.allCases) {
        let totals = MeasureTotals(pooling: images)
        rows = measures.map { Row(measure: $0, value: $0.value(of: totals)) }
    }

    public subscript(measure: SummaryMeasure) -> Double? {
        rows.first { $0.measure == measure }?.value
    }

    /// Every row as CSV fields under `csvHeader` (header not included).
    public func csvRecords(format: (Double) -> String = GroupComparison.defaultNumberFormat) -> [[String]] {
        rows.map { [$0.measure.name, $0.value.map(format) ?? ""] }
    }
}
