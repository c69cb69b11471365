/// A plain-text table with a title, right-aligned numbers and left-aligned labels.
struct BenchTable {
    var title: String
    var header: [String]
    var rows: [[String]] = []

    init(_ title: String, header: [String]) {
        self.title = title
        self.header = header
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// The table as lines; the first column is left-aligned, the others right-aligned.
    var text: String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all { for (k, cell) in row.enumerated() { widths[k] = Swift.max(widths[k], cell.count) } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { k, cell in
                let pad = String(repeating: " ", count: widths[k] - cell.count)
                return k == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * Swift.max(0, columns - 1))
        return ([title, line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int = 1) -> String {
    guard value.isFinite else { return "-" }
    var text = String(Int((abs(value) * pow10(digits)).rounded()))
    if digits > 0 {
        while text.count <= digits { text = "0" + text }
        text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
    }
    return (value < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" : "") + text
}

private func pow10(_ n: Int) -> Double {
    var p = 1.0
    for _ in 0..<n { p *= 10 }
    return p
}
