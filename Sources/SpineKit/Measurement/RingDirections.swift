import Foundation

/// The directions of a ring of `steps` samples about a head, angle `2 pi k / steps` for
/// `k = 0 ..< steps`, as their cosines and sines: computed once for each number of steps
/// an analysis asks for, instead of at every ring.
///
/// The rings of `SpineMeasurer.ringMedian(around:radius:)` and
/// `SpineMeasurer.liesOnPassingProcess(head:headFWHMPixels:others:test:)` take 12 to about
/// 60 samples, one or two rings a candidate: about 100 000 calls of `cos` and `sin` for a
/// 1-MP image, over a few dozen distinct rings. Each entry is `cos` and `sin` of the same
/// angle, computed by the same expression, so every sample position is the same to the bit.
///
/// One table belongs to one measurer, on one thread (it is not shared between analyses).
final class RingDirections {
    /// Cosine and sine of each direction, by number of steps.
    private var tables: [Int: [(cos: Double, sin: Double)]] = [:]

    /// The `steps` directions, `steps` >= 1.
    func directions(steps: Int) -> [(cos: Double, sin: Double)] {
        if let table = tables[steps] { return table }
        let table = (0..<steps).map { k -> (cos: Double, sin: Double) in
            let a = 2 * Double.pi * Double(k) / Double(steps)
            return (cos(a), sin(a))
        }
        tables[steps] = table
        return table
    }
}
