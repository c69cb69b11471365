/// Labels a measured spine mushroom, thin or stubby from its head diameter, neck
/// diameter and length.
public struct SpineClassifier: Sendable {
    /// Which published decision rules to apply.
    public enum Scheme: String, Sendable, CaseIterable, Codable {
        /// Rodriguez et al. 2008, PLoS ONE 3:e1997 (NeuronStudio).
        case neuronstudio
        /// Harris, Jensen & Tsao 1992, J Neurosci 12:2685 (serial-section EM).
        case harris
    }

    /// The thresholds of one scheme. Every value is in microns or a plain ratio.
    public struct Rules: Sendable, Codable, Equatable {
        public var scheme: Scheme
        /// A spine "has a neck" when head diameter / neck diameter reaches this ratio.
        /// NeuronStudio: 1.1.
        public var neckRatio: Double
        /// NeuronStudio: a neckless spine with length / head diameter at or above this is
        /// thin (2.5). Harris: a spine with length / width at or below this is stubby (1.0).
        public var thinRatio: Double
        /// A necked spine whose head diameter reaches this is mushroom.
        /// NeuronStudio: 0.35 um; Harris: 0.6 um.
        public var mushroomHeadMicrons: Double

        public init(scheme: Scheme, neckRatio: Double, thinRatio: Double, mushroomHeadMicrons: Double) {
            self.scheme = scheme
            self.neckRatio = neckRatio
            self.thinRatio = thinRatio
            self.mushroomHeadMicrons = mushroomHeadMicrons
        }

        /// NeuronStudio's defaults (Rodriguez et al. 2008): neck ratio 1.1, thin ratio 2.5,
        /// mushroom head 0.35 um.
        public static let neuronstudio = Rules(scheme: .neuronstudio, neckRatio: 1.1,
                                               thinRatio: 2.5, mushroomHeadMicrons: 0.35)
        /// Harris et al. 1992: stubby when length / width <= 1, mushroom when the head
        /// exceeds 0.6 um, thin otherwise (long spines, filopodia included).
        public static let harris = Rules(scheme: .harris, neckRatio: 1.1,
                                         thinRatio: 1.0, mushroomHeadMicrons: 0.6)

        public static func defaults(for scheme: Scheme) -> Rules {
            scheme == .neuronstudio ? .neuronstudio : .harris
        }
    }

    public var rules: Rules

    public init(rules: Rules = .neuronstudio) {
        self.rules = rules
    }
}
