/// A small, fast, seeded pseudo-random generator, so bootstraps and randomised tests repeat exactly.
///
/// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
/// OOPSLA; constants as in Vigna's reference `splitmix64.c`). Not for cryptography.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The seed used by the bootstrap when none is given, so two runs on the same data agree.
    public static let defaultSeed: UInt64 = 0x5EED_5EED_0000_0001

    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly distributed index in `0..<upperBound`.
    ///
    /// Lemire's multiply-and-reject method (Lemire 2019, ACM TOMACS 29(1)), written out here rather
    /// than taken from the standard library so the sequence cannot change with a toolchain update.
    public mutating func nextIndex(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextIndex(below:) needs a positive bound, got \(upperBound)")
        let bound = UInt64(upperBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return Int(product.high)
    }

    /// A uniformly distributed value in `[0, 1)` with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
