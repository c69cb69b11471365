/// Minimum-cost one-to-one assignment of rows to columns (the assignment problem).
///
/// The Hungarian method (Kuhn 1955, Naval Research Logistics Quarterly 2:83-97; Munkres 1957),
/// in the O(n^2 m) shortest-augmenting-path form with row and column potentials (Jonker &
/// Volgenant 1987 describe the same idea): one row is added at a time and the potentials keep
/// every reduced cost non-negative.
public enum HungarianAssignment {
    /// Assigns each row to a distinct column (or each column to a distinct row, when there are
    /// more rows than columns) so that the summed cost is smallest.
    ///
    /// - Parameter cost: `cost[row][column]`, a rectangular matrix of finite values.
    /// - Returns: for each row, its column, or `nil` for rows left over when rows outnumber columns.
    public static func minimumCostAssignment(_ cost: [[Double]]) -> [Int?] {
        let rows = cost.count
        guard rows > 0 else { return [] }
        let columns = cost[0].count
        precondition(cost.allSatisfy { $0.count == columns }, "assignment cost matrix is not rectangular")
        precondition(cost.allSatisfy { $0.allSatisfy(\.isFinite) }, "assignment costs must be finite")
        guard columns > 0 else { return [Int?](repeating: nil, count: rows) }

        if rows > columns {
            // Solve the transpose, where every column of the original gets a row.
            let transposed = (0..<columns).map { column in (0..<rows).map { cost[$0][column] } }
            var assignment = [Int?](repeating: nil, count: rows)
            for (column, row) in solve(transposed).enumerated() { assignment[row] = column }
            return assignment
        }
        return solve(cost).map { $0 }
    }

    /// The summed cost of `assignment` under `cost`.
    public static func totalCost(_ cost: [[Double]], _ assignment: [Int?]) -> Double {
        assignment.enumerated().reduce(0) { sum, entry in
            entry.element.map { sum + cost[entry.offset][$0] } ?? sum
        }
    }

    /// `rows <= columns`: the column of every row.
    private static func solve(_ cost: [[Double]]) -> [Int] {
        let n = cost.count
        let m = cost[0].count
        // 1-based indices with 0 as the virtual start column, as in the textbook statement.
        var rowPotential = [Double](repeating: 0, count: n + 1)
        var columnPotential = [Double](repeating: 0, count: m + 1)
        var rowOfColumn = [Int](repeating: 0, count: m + 1)
        var previousColumn = [Int](repeating: 0, count: m + 1)

        for row in 1...n {
            rowOfColumn[0] = row
            var currentColumn = 0
            var slack = [Double](repeating: .infinity, count: m + 1)
            var visited = [Bool](repeating: false, count: m + 1)
            repeat {
                visited[currentColumn] = true
                let currentRow = rowOfColumn[currentColumn]
                var delta = Double.infinity
                var nextColumn = 0
                for column in 1...m where !visited[column] {
                    let reduced = cost[currentRow - 1][column - 1] - rowPotential[currentRow] - columnPotential[column]
                    if reduced < slack[column] {
                        slack[column] = reduced
                        previousColumn[column] = currentColumn
                    }
                    if slack[column] < delta {
                        delta = slack[column]
                        nextColumn = column
                    }
                }
                for column in 0...m {
                    if visited[column] {
                        rowPotential[rowOfColumn[column]] += delta
                        columnPotential[column] -= delta
                    } else {
                        slack[column] -= delta
                    }
                }
                currentColumn = nextColumn
            } while rowOfColumn[currentColumn] != 0

            // Augment along the alternating path back to the start column.
            repeat {
                let column = previousColumn[currentColumn]
                rowOfColumn[currentColumn] = rowOfColumn[column]
                currentColumn = column
            } while currentColumn != 0
        }

        var columnOfRow = [Int](repeating: 0, count: n)
        for column in 1...m where rowOfColumn[column] != 0 {
            columnOfRow[rowOfColumn[column] - 1] = column - 1
        }
        return columnOfRow
    }
}
