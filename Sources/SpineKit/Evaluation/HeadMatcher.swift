/// A predicted spine paired with a true one.
public struct HeadMatch: Sendable, Equatable, Codable {
    public var predictedIndex: Int
    public var truthIndex: Int
    public var distancePixels: Double

    public init(predictedIndex: Int, truthIndex: Int, distancePixels: Double) {
        self.predictedIndex = predictedIndex
        self.truthIndex = truthIndex
        self.distancePixels = distancePixels
    }
}

/// Pairs predicted spine heads with annotated ones, one to one, within a distance tolerance.
///
/// Among all one-to-one pairings that use only pairs at most `tolerancePixels` apart, it takes
/// one with the most pairs and, among those, the smallest summed distance: the usual rule for
/// scoring point detections (e.g. the cell-tracking challenge, Ulman et al. 2017, Nat. Methods
/// 14:1141, and the spine detectors of Smirnov et al. 2018, PLoS ONE 13:e0199589, which match
/// within a fixed radius). Greedy nearest-first matching can lose pairs when heads are crowded;
/// the optimal assignment cannot.
public enum HeadMatcher {
    /// The optimal pairs, sorted by `predictedIndex`.
    ///
    /// Pairs farther than the tolerance cannot be used. The problem splits into connected
    /// components of the "within tolerance" graph, each solved by `HungarianAssignment` with
    /// forbidden pairs priced above any allowed set, so the cost stays cubic only in the size
    /// of a crowded cluster, not of the image.
    public static func match(predicted: [PixelPoint], truth: [PixelPoint], tolerancePixels: Double) -> [HeadMatch] {
        guard !predicted.isEmpty, !truth.isEmpty, tolerancePixels >= 0, tolerancePixels.isFinite else { return [] }

        let candidates = pairsWithinTolerance(predicted: predicted, truth: truth, tolerancePixels: tolerancePixels)
        guard !candidates.isEmpty else { return [] }

        // Union-find over predicted nodes 0..<P and truth nodes P..<P+T.
        var parent = Array(0..<(predicted.count + truth.count))
        func root(_ node: Int) -> Int {
            var node = node
            while parent[node] != node {
                parent[node] = parent[parent[node]]
                node = parent[node]
            }
            return node
        }
        for pair in candidates {
            let a = root(pair.predicted)
            let b = root(predicted.count + pair.truth)
            if a != b { parent[a] = b }
        }
        var componentPairs = [Int: [(predicted: Int, truth: Int, distance: Double)]]()
        for pair in candidates {
            componentPairs[root(pair.predicted), default: []].append(pair)
        }

        var matches = [HeadMatch]()
        for pairs in componentPairs.values {
            let predictedNodes = Array(Set(pairs.map(\.predicted))).sorted()
            let truthNodes = Array(Set(pairs.map(\.truth))).sorted()
            let predictedRow = Dictionary(uniqueKeysWithValues: predictedNodes.enumerated().map { ($1, $0) })
            let truthColumn = Dictionary(uniqueKeysWithValues: truthNodes.enumerated().map { ($1, $0) })
            // Any set of allowed pairs costs at most size * tolerance, so one more pair always
            // beats any saving in distance.
            let size = max(predictedNodes.count, truthNodes.count)
            let forbidden = tolerancePixels * Double(size + 1) + 1
            var cost = [[Double]](repeating: [Double](repeating: forbidden, count: truthNodes.count),
                                  count: predictedNodes.count)
            for pair in pairs {
                if let row = predictedRow[pair.predicted], let column = truthColumn[pair.truth] {
                    cost[row][column] = pair.distance
                }
            }
            for (row, column) in HungarianAssignment.minimumCostAssignment(cost).enumerated() {
                guard let column, cost[row][column] <= tolerancePixels else { continue }
                matches.append(HeadMatch(predictedIndex: predictedNodes[row], truthIndex: truthNodes[column],
                                         distancePixels: cost[row][column]))
            }
        }
        return matches.sorted { $0.predictedIndex < $1.predictedIndex }
    }

    /// Every (predicted, truth) pair at most `tolerancePixels` apart, found with a sweep over
    /// truth heads sorted by x.
    static func pairsWithinTolerance(predicted: [PixelPoint], truth: [PixelPoint],
                                     tolerancePixels: Double) -> [(predicted: Int, truth: Int, distance: Double)] {
        let truthByX = truth.indices.filter { truth[$0].x.isFinite && truth[$0].y.isFinite }
            .sorted { truth[$0].x < truth[$1].x }
        var pairs = [(predicted: Int, truth: Int, distance: Double)]()
        for (predictedIndex, head) in predicted.enumerated() where head.x.isFinite && head.y.isFinite {
            // First truth head with x >= head.x - tolerance (binary search).
            var low = 0
            var high = truthByX.count
            while low < high {
                let middle = (low + high) / 2
                if truth[truthByX[middle]].x < head.x - tolerancePixels { low = middle + 1 } else { high = middle }
            }
            var position = low
            while position < truthByX.count && truth[truthByX[position]].x <= head.x + tolerancePixels {
                let truthIndex = truthByX[position]
                let distance = head.distance(to: truth[truthIndex])
                if distance <= tolerancePixels { pairs.append((predictedIndex, truthIndex, distance)) }
                position += 1
            }
        }
        return pairs
    }
}
