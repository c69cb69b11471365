/// Ascending order of 64-bit keys by their upper bytes, least significant byte first (LSD radix
/// sort), for the detector's per-blob orders: a blob's pixels in raster order, and its pixels
/// from the brightest residual down (`SpineDetector.brightestFirst`).
///
/// Each pass is stable, so keys equal in the bytes sorted on keep their order: sorting on the
/// upper four bytes of keys whose lower four bytes rise with their position gives what
/// sorting the whole keys gives, and any sort of distinct keys gives the same result. A
/// byte that all keys share is passed over, so pixel indices of one blob take two or three
/// passes. Short arrays are put in order by insertion. Counts are 32-bit: a blob holds far
/// fewer than 2^31 pixels. Against `sort()`, which merges runs
/// and branches at random on the comparisons, the passes count and place without a
/// comparison per pair.
enum RadixOrder {
    /// Arrays of at most this many keys are ordered by insertion.
    static let insertionCount = 32

    /// Sorts `keys` ascending by their bytes `fromByte..<8` (byte 0 the least significant),
    /// keys equal there keeping their order.
    static func sort(_ v: UnsafeMutableBufferPointer<UInt64>, fromByte: Int = 0) {
        precondition(fromByte >= 0 && fromByte < 8, "byte \(fromByte) outside a 64-bit key")
        let n = v.count
        precondition(n < Int(Int32.max), "\(n) keys are too many for 32-bit counts")
        guard n > 1 else { return }
        let shift = UInt64(8 * fromByte)
        // Keys compared on their sorted bytes only: the bytes below are dropped by the shift.
        if n <= insertionCount {
            for i in 1..<n {
                let x = v[i], field = x >> shift
                var j = i
                while j > 0 && v[j - 1] >> shift > field {
                    v[j] = v[j - 1]
                    j -= 1
                }
                v[j] = x
            }
            return
        }
        // The bytes that differ between keys; the others leave the order as it is.
        var anyOnes: UInt64 = 0, allOnes: UInt64 = ~0
        for x in v {
            anyOnes |= x
            allOnes &= x
        }
        var varying = (anyOnes ^ allOnes) >> shift
        var byteShifts: [UInt64] = []
        var byteShift = shift
        while varying != 0 {
            if varying & 0xFF != 0 { byteShifts.append(byteShift) }
            varying >>= 8
            byteShift &+= 8
        }
        guard !byteShifts.isEmpty else { return }
        var scratch = [UInt64](unsafeUninitializedCapacity: n) { _, count in count = n }
        let passes = byteShifts.count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 256 * passes) { counts in
            counts.initialize(repeating: 0)
            scratch.withUnsafeMutableBufferPointer { other in
                // Every pass's counts in one pass over the keys.
                for x in v {
                    for pass in 0..<passes {
                        counts[pass &* 256 &+ Int((x >> byteShifts[pass]) & 0xFF)] &+= 1
                    }
                }
                var source = v.baseAddress!, target = other.baseAddress!
                for pass in 0..<passes {
                    let byteShift = byteShifts[pass]
                    let table = counts.baseAddress! + pass &* 256
                    var start: Int32 = 0
                    for b in 0..<256 {
                        let c = table[b]
                        table[b] = start
                        start &+= c
                    }
                    for i in 0..<n {
                        let x = source[i], b = Int((x >> byteShift) & 0xFF)
                        target[Int(table[b])] = x
                        table[b] &+= 1
                    }
                    swap(&source, &target)
                }
                if source != v.baseAddress! { v.baseAddress!.update(from: source, count: n) }
            }
        }
    }
}
