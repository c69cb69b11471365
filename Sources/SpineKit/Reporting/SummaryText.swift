/// The summary table printed on standard output: aligned columns, units in the labels.
public enum SummaryText {
    /// The label of a measure as a person reads it, with its unit.
    public static func label(of measure: SummaryMeasure) -> String {
        switch measure {
        case .densityPerMicron: "spine density (/um)"
        case .mushroomPerMicron: "mushroom density (/um)"
        case .thinPerMicron: "thin density (/um)"
        case .stubbyPerMicron: "stubby density (/um)"
        case .mushroomFraction: "mushroom fraction"
        case .thinFraction: "thin fraction"
        case .stubbyFraction: "stubby fraction"
        case .headDiameterMeanMicrons: "head diameter, mean (um)"
        case .spineLengthMeanMicrons: "spine length, mean (um)"
        case .images: "images analysed"
        case .dendriteLengthMicrons: "dendrite length (um)"
        case .spines: "spines"
        }
    }

    /// The `compare` table: before, after, change, its 95 % interval and the p-value.
    public static func comparison(_ comparison: GroupComparison, failedImages: Int = 0) -> String {
        var rows = [["measure", "before", "after", "change", "95% CI of change", "p"]]
        for row in comparison.rows {
            var interval = ""
            if let ci = row.changePercentInterval {
                interval = "[" + signedPercent(ci.low) + ", " + signedPercent(ci.high) + "]"
            }
            rows.append([label(of: row.measure), ReportTables.format(row.before, of: row.measure),
                         ReportTables.format(row.after, of: row.measure),
                         row.changePercent.map(signedPercent) ?? "", interval,
                         ReportNumber.pValue(row.pValue)])
        }
        var notes: [String] = []
        let unitName = comparison.isClustered ? "clusters" : "images"
        let method = comparison.method.map { "CI: \($0); " } ?? ""
        notes.append("Units of replication: \(comparison.beforeUnits) before, \(comparison.afterUnits) after (\(unitName)); "
                     + method + "p: two-sided Mann-Whitney U.")
        if min(comparison.beforeUnits, comparison.afterUnits) < comparison.minimumUnitsPerGroup {
            notes.append("No confidence intervals: each group needs at least \(comparison.minimumUnitsPerGroup) \(unitName); "
                         + "with fewer, intervals from resampling them exclude no change far too often.")
        } else {
            let unbounded = comparison.rows.filter { $0.measure.isTested && $0.changePercent != nil && $0.changePercentInterval == nil }
            if !unbounded.isEmpty {
                notes.append("No interval for " + unbounded.map { label(of: $0.measure) }.joined(separator: ", ")
                             + ": too many resamples have none before, so the change cannot be bounded.")
            }
        }
        if failedImages > 0 {
            notes.append("\(failedImages) image\(failedImages == 1 ? "" : "s") failed and \(failedImages == 1 ? "is" : "are") left out (see images.csv).")
        }
        return aligned(rows) + notes.joined(separator: "\n") + "\n"
    }

    /// The `analyze` table: one value per measure of the set.
    public static func set(_ summary: SetSummary, failedImages: Int = 0) -> String {
        var rows = [["measure", "value"]]
        for row in summary.rows {
            rows.append([label(of: row.measure), ReportTables.format(row.value, of: row.measure)])
        }
        var text = aligned(rows)
        if failedImages > 0 {
            text += "\(failedImages) image\(failedImages == 1 ? "" : "s") failed and \(failedImages == 1 ? "is" : "are") left out (see images.csv).\n"
        }
        return text
    }

    /// `+12.34%`, `-5.00%`: a percent change with its sign.
    static func signedPercent(_ value: Double) -> String {
        let text = ReportNumber.percent(value)
        return (text.hasPrefix("-") || text == "0.00" ? text : "+" + text) + "%"
    }

    /// Rows as a table: the first column left-aligned, the others right-aligned, two
    /// spaces between columns, a rule under the header. Undefined values show as `-`.
    static func aligned(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        let filled = rows.map { $0.map { $0.isEmpty ? "-" : $0 } }
        let widths = header.indices.map { column in filled.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var text = line(filled[0]) + "\n"
        text += String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)) + "\n"
        for row in filled.dropFirst() { text += line(row) + "\n" }
        return text
    }
}
