extension ShaftModel {
    /// Parts of a profile bin of at most this many values are put in order by insertion
    /// rather than partitioned again (fewer passes over the benchmark's bins than 8 or 12).
    static let smallPartCount = 4

    /// The values at three ranks of the profile bin `v` in ascending order: the values that
    /// `sortLowest` puts there (a stable sort's), found by selection rather than by ordering
    /// the bin's lower half.
    ///
    /// Three-way partitions (Hoare's FIND with the equal values set apart) around a median of
    /// three: each value is written to both ends of a scratch range and the ends are
    /// advanced by its comparisons with the pivot, so that no branch depends on the values
    /// (insertion into a sorted prefix, as `sortLowest` does, mispredicts about once per value
    /// and moves a quarter of the bin per value). Only the parts that hold a wanted rank are
    /// partitioned again, alternating between the two halves of `scratch`; `v` is read, not
    /// reordered. A rank among the values equal to a pivot reads the pivot.
    ///
    /// The value at a rank does not depend on how it is found, but which of several equal
    /// values lands there does, and equal floats differ in their bits only as +0 and -0;
    /// with a NaN there is no order. A bin with a NaN, or whose value at a wanted rank is
    /// zero, is therefore ordered by `sortLowest` instead, exactly as before.
    ///
    /// - Parameters:
    ///   - ranks: positions in the bin's ascending order, each below `v.count`, in any order;
    ///     the values are returned in the same order.
    ///   - scratch: room for `2 * v.count` values.
    static func binOrderStatistics(_ v: UnsafeMutableBufferPointer<Float>, ranks: (Int, Int, Int),
                                   scratch: UnsafeMutablePointer<Float>) -> (Float, Float, Float) {
        let n = v.count
        precondition([ranks.0, ranks.1, ranks.2].allSatisfy { $0 >= 0 && $0 < n }, "ranks \(ranks) outside \(n) values")
        let source = v.baseAddress!, a = scratch, b = scratch + n
        // The ranks ascending (the partitions send them to their parts in order).
        let lowest = Swift.min(ranks.0, ranks.1, ranks.2), highest = Swift.max(ranks.0, ranks.1, ranks.2)
        let middle = ranks.0 + ranks.1 + ranks.2 - lowest - highest
        var selected: (Float, Float, Float) = (0, 0, 0)
        var unordered = false
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 3) { wanted in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 3) { foundBuffer in
                let wanted = wanted.baseAddress!, found = foundBuffer.baseAddress!
                foundBuffer.initialize(repeating: 0)
                wanted[0] = lowest
                wanted[1] = middle
                wanted[2] = highest
                if n <= smallPartCount {
                    a.update(from: source, count: n)
                    unordered = (0..<n).contains { a[$0].isNaN }
                    resolve(a, b, count: n, ranks: wanted, into: found, wanted: 3)
                } else {
                    // The first partition reads `v` itself and keeps it; its parts go on
                    // between the two scratch halves.
                    let (below, above, pivot, sawNaN) = partition(source, into: a, count: n)
                    unordered = sawNaN
                    dispatch(a, b, count: n, below: below, above: above, pivot: pivot,
                             ranks: wanted, into: found, wanted: 3)
                }
                selected = (foundBuffer[0], foundBuffer[1], foundBuffer[2])
            }
        }
        if unordered || selected.0 == 0 || selected.1 == 0 || selected.2 == 0 {
            sortLowest(v, count: highest + 1)
            return (v[ranks.0], v[ranks.1], v[ranks.2])
        }
        @inline(__always) func value(ofRank r: Int) -> Float { r == lowest ? selected.0 : r == middle ? selected.1 : selected.2 }
        return (value(ofRank: ranks.0), value(ofRank: ranks.1), value(ofRank: ranks.2))
    }

    /// Writes the values of `source[0..<n]` below the median of three of its first, middle
    /// and last values to the front of `dest[0..<n]` and those above it to the back (in no
    /// particular order: only a part's values matter); returns how many lie below and above
    /// the pivot (the rest equal it), the pivot, and whether a value was NaN.
    @inline(__always)
    private static func partition(_ source: UnsafeMutablePointer<Float>, into dest: UnsafeMutablePointer<Float>,
                                  count n: Int) -> (below: Int, above: Int, pivot: Float, sawNaN: Bool) {
        let x0 = source[0], x1 = source[n / 2], x2 = source[n - 1]
        let pivot = Swift.max(Swift.min(x0, x1), Swift.min(Swift.max(x0, x1), x2))
        var below = 0, above = 0, nan = 0
        let top = dest + (n - 1)
        for i in 0..<n {
            let x = source[i]
            // Written at both free ends; only the end the value belongs to moves past it.
            dest[below] = x
            top[-above] = x
            below &+= x < pivot ? 1 : 0
            above &+= x > pivot ? 1 : 0
            nan |= x.isNaN ? 1 : 0
        }
        return (below, above, pivot, nan != 0)
    }

    /// Finds the wanted ranks (`ranks[0..<k]`, ascending, counted from `source[0]`) among
    /// `source[0..<n]`, using `dest[0..<n]` for the partition; `source[0..<n]` is then free.
    private static func resolve(_ source: UnsafeMutablePointer<Float>, _ dest: UnsafeMutablePointer<Float>, count n: Int,
                                ranks: UnsafeMutablePointer<Int>, into found: UnsafeMutablePointer<Float>, wanted k: Int) {
        if n <= smallPartCount {
            // A few values: by straight insertion.
            for i in 1..<Swift.max(1, n) {
                let x = source[i]
                var j = i
                while j > 0 && source[j - 1] > x {
                    source[j] = source[j - 1]
                    j -= 1
                }
                source[j] = x
            }
            for t in 0..<k { found[t] = source[ranks[t]] }
            return
        }
        let (below, above, pivot, _) = partition(source, into: dest, count: n)
        dispatch(dest, source, count: n, below: below, above: above, pivot: pivot, ranks: ranks, into: found, wanted: k)
    }

    /// Sends each wanted rank to the part of a partition (in `parts[0..<n]`) that holds it,
    /// or reads the pivot; the parts are partitioned again into `free[0..<n]`.
    @inline(__always)
    private static func dispatch(_ parts: UnsafeMutablePointer<Float>, _ free: UnsafeMutablePointer<Float>, count n: Int,
                                 below: Int, above: Int, pivot: Float,
                                 ranks: UnsafeMutablePointer<Int>, into found: UnsafeMutablePointer<Float>, wanted k: Int) {
        var leftCount = 0
        while leftCount < k && ranks[leftCount] < below { leftCount += 1 }
        var rightStart = leftCount
        while rightStart < k && ranks[rightStart] < n - above {
            found[rightStart] = pivot
            rightStart += 1
        }
        if leftCount > 0 {
            resolve(parts, free, count: below, ranks: ranks, into: found, wanted: leftCount)
        }
        if rightStart < k {
            for t in rightStart..<k { ranks[t] -= n - above }
            resolve(parts + (n - above), free + (n - above), count: above, ranks: ranks + rightStart,
                    into: found + rightStart, wanted: k - rightStart)
        }
    }
}
