import Foundation

/// Student's t and the normal distribution, as far as the bootstrap's small-sample
/// correction needs them.
public enum StudentT {
    /// P(T <= t) for Student's t with `degreesOfFreedom` (1 or more), from the finite series
    /// of Abramowitz & Stegun (1964) 26.7.3-26.7.4 for whole degrees of freedom, exact up to
    /// rounding.
    public static func cdf(_ t: Double, degreesOfFreedom nu: Int) -> Double {
        precondition(nu >= 1, "Student's t needs at least one degree of freedom, got \(nu)")
        if t.isNaN { return .nan }
        if t.isInfinite { return t > 0 ? 1 : 0 }
        // A(t | nu) = P(|T| <= |t|), a series in theta = atan(|t| / sqrt(nu)).
        let theta = atan(abs(t) / Double(nu).squareRoot())
        let c = cos(theta), s = sin(theta)
        var term = 1.0, sum = 1.0
        let central: Double
        if nu % 2 == 1 {
            // 1 + (2/3) c^2 + (2*4)/(3*5) c^4 + ... up to c^(nu-3), times s*c, plus theta.
            if nu > 1 {
                var k = 2
                while k <= nu - 3 {
                    term *= Double(k) / Double(k + 1) * c * c
                    sum += term
                    k += 2
                }
                central = 2 / Double.pi * (theta + s * c * sum)
            } else {
                central = 2 / Double.pi * theta
            }
        } else {
            // 1 + (1/2) c^2 + (1*3)/(2*4) c^4 + ... up to c^(nu-2), times s.
            var k = 1
            while k <= nu - 3 {
                term *= Double(k) / Double(k + 1) * c * c
                sum += term
                k += 2
            }
            central = s * sum
        }
        return t >= 0 ? (1 + central) / 2 : (1 - central) / 2
    }

    /// The `p` quantile (0 < p < 1) of Student's t, by bisection on `cdf`.
    public static func quantile(_ p: Double, degreesOfFreedom nu: Int) -> Double {
        precondition(p > 0 && p < 1, "a quantile needs 0 < p < 1, got \(p)")
        if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: nu) }
        var low = 0.0, high = 1.0
        while cdf(high, degreesOfFreedom: nu) < p { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if cdf(middle, degreesOfFreedom: nu) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// P(Z <= z) for the standard normal distribution.
    public static func normalCDF(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }
}
