import Foundation

/// The synthetic renderer's own seeded random number generator (SplitMix64).
///
/// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
/// generators", OOPSLA) passes BigCrush, has a 64-bit state and is trivially
/// reproducible, so one seed always renders the same image on every run. It is kept
/// separate from any generator elsewhere in SpineKit so that the ground truth never
/// changes when other code changes.
public struct SynthesisRNG: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one labelled sub-stream (an image, a group), independent of the
    /// order in which sub-streams are used.
    public init(seed: UInt64, stream: UInt64, index: UInt64 = 0) {
        var mixer = SynthesisRNG(seed: seed ^ 0x5EED_0F_5F1E5)
        var value = mixer.next()
        value ^= stream &* 0x9E37_79B9_7F4A_7C15
        value = SynthesisRNG.mix(value)
        value ^= index &* 0xBF58_476D_1CE4_E5B9
        state = SynthesisRNG.mix(value)
    }

    /// A seed for sub-stream `stream`, item `index` of `seed`.
    public static func derivedSeed(_ seed: UInt64, stream: UInt64, index: UInt64 = 0) -> UInt64 {
        var rng = SynthesisRNG(seed: seed, stream: stream, index: index)
        return rng.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SynthesisRNG.mix(state)
    }

    private static func mix(_ input: UInt64) -> UInt64 {
        var z = input
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in `range`; a degenerate range returns its bound.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// Uniform integer in `range`.
    public mutating func integer(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % span)
    }

    /// `true` with probability `p`.
    public mutating func bernoulli(_ p: Double) -> Bool {
        unit() < p
    }

    /// Standard normal deviate (Box-Muller; one of the pair is discarded so the stream
    /// position never depends on earlier calls' parity).
    public mutating func normal() -> Double {
        let u1 = Swift.max(unit(), 0x1.0p-60)
        let u2 = unit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A Poisson deviate with the given mean, exact for every mean.
    ///
    /// Small means use inversion by sequential search; means of 10 and more use
    /// Hörmann's transformed rejection with squeeze, PTRS (W. Hörmann 1993, "The
    /// transformed rejection method for generating Poisson random variables",
    /// Insurance: Mathematics and Economics 12:39-45).
    public mutating func poisson(mean lambda: Double) -> Double {
        guard lambda > 0, lambda.isFinite else { return 0 }
        if lambda < 10 {
            var k = 0.0
            var p = Foundation.exp(-lambda)
            var cumulative = p
            let u = unit()
            while u > cumulative && k < 1000 {
                k += 1
                p *= lambda / k
                cumulative += p
            }
            return k
        }
        let logLambda = Foundation.log(lambda)
        let b = 0.931 + 2.53 * lambda.squareRoot()
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = unit() - 0.5
            let v = unit()
            let us = 0.5 - Swift.abs(u)
            let k = Foundation.floor((2 * a / us + b) * u + lambda + 0.43)
            if us >= 0.07 && v <= vr {
                return k
            }
            if k < 0 || (us < 0.013 && v > us) {
                continue
            }
            let lhs = Foundation.log(v * inverseAlpha / (a / (us * us) + b))
            let rhs = -lambda + k * logLambda - Foundation.lgamma(k + 1)
            if lhs <= rhs {
                return k
            }
        }
    }
}
