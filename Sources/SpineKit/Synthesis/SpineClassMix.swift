/// Relative proportions of the three spine classes (need not sum to 1).
public struct SpineClassMix: Sendable, Codable, Equatable {
    public var mushroom: Double
    public var thin: Double
    public var stubby: Double

    public init(mushroom: Double, thin: Double, stubby: Double) {
        self.mushroom = mushroom
        self.thin = thin
        self.stubby = stubby
    }

    /// Mature adult cortex/hippocampus proportions, thin spines the commonest, as in the
    /// reference set's `before` group (thin 46 %, mushroom 33 %, stubby 20 %).
    public static let beforeTreatment = SpineClassMix(mushroom: 0.33, thin: 0.47, stubby: 0.20)
    /// A maturation or potentiation shift towards mushroom spines, as in the reference
    /// set's `after` group (mushroom 49 %, thin 34 %, stubby 17 %).
    public static let afterTreatment = SpineClassMix(mushroom: 0.49, thin: 0.34, stubby: 0.17)

    /// The share of `spineClass`, 0...1.
    public func fraction(of spineClass: SpineClass) -> Double {
        let total = mushroom + thin + stubby
        guard total > 0 else { return 0 }
        switch spineClass {
        case .mushroom: return mushroom / total
        case .thin: return thin / total
        case .stubby: return stubby / total
        }
    }

    func draw(_ rng: inout SynthesisRNG) -> SpineClass {
        let u = rng.unit() * Swift.max(mushroom + thin + stubby, .leastNonzeroMagnitude)
        if u < mushroom { return .mushroom }
        if u < mushroom + thin { return .thin }
        return .stubby
    }
}
