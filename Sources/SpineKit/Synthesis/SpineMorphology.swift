/// Size ranges of each spine class, microns.
///
/// The class definitions follow Harris, Jensen & Tsao (1992, J Neurosci 12:2685-2705,
/// serial-section EM of CA1 dendrites): mushroom spines carry a large head (over
/// ~0.6 um) on a constricted neck, thin spines are longer than wide with a small head,
/// stubby spines have no neck and are about as long as wide. The numeric ranges are the
/// ones the reference set `shared/synthetic-dev` uses, which sit inside the EM ranges.
public struct SpineMorphology: Sendable, Codable, Equatable {
    /// Mushroom: from the shaft surface to the far end of the head.
    public var mushroomLengthMicrons: ClosedRange<Double>
    public var mushroomHeadDiameterMicrons: ClosedRange<Double>
    /// The narrowest neck width.
    public var mushroomNeckDiameterMicrons: ClosedRange<Double>
    /// Head length along the spine axis over head width (below 1: a flattened cap).
    public var mushroomHeadElongation: ClosedRange<Double>
    public var thinLengthMicrons: ClosedRange<Double>
    public var thinHeadDiameterMicrons: ClosedRange<Double>
    public var thinNeckDiameterMicrons: ClosedRange<Double>
    public var thinHeadElongation: ClosedRange<Double>
    /// Stubby: from the shaft surface to the tip; never more than the width.
    public var stubbyLengthMicrons: ClosedRange<Double>
    /// Stubby: the widest width.
    public var stubbyWidthMicrons: ClosedRange<Double>
    /// Neck width where it leaves the shaft over its narrowest width.
    public var neckFlare: ClosedRange<Double>
    /// Shortest free neck between the shaft surface and the head, microns.
    public var minimumNeckMicrons: Double

    public init(mushroomLengthMicrons: ClosedRange<Double>, mushroomHeadDiameterMicrons: ClosedRange<Double>,
                mushroomNeckDiameterMicrons: ClosedRange<Double>, mushroomHeadElongation: ClosedRange<Double>,
                thinLengthMicrons: ClosedRange<Double>, thinHeadDiameterMicrons: ClosedRange<Double>,
                thinNeckDiameterMicrons: ClosedRange<Double>, thinHeadElongation: ClosedRange<Double>,
                stubbyLengthMicrons: ClosedRange<Double>, stubbyWidthMicrons: ClosedRange<Double>,
                neckFlare: ClosedRange<Double>, minimumNeckMicrons: Double) {
        self.mushroomLengthMicrons = mushroomLengthMicrons
        self.mushroomHeadDiameterMicrons = mushroomHeadDiameterMicrons
        self.mushroomNeckDiameterMicrons = mushroomNeckDiameterMicrons
        self.mushroomHeadElongation = mushroomHeadElongation
        self.thinLengthMicrons = thinLengthMicrons
        self.thinHeadDiameterMicrons = thinHeadDiameterMicrons
        self.thinNeckDiameterMicrons = thinNeckDiameterMicrons
        self.thinHeadElongation = thinHeadElongation
        self.stubbyLengthMicrons = stubbyLengthMicrons
        self.stubbyWidthMicrons = stubbyWidthMicrons
        self.neckFlare = neckFlare
        self.minimumNeckMicrons = minimumNeckMicrons
    }

    /// Mushroom 0.9-2 um long with a 0.5-1 um head on a 0.1-0.25 um neck; thin 1-2.6 um
    /// long with a 0.2-0.33 um head on a 0.08-0.16 um neck; stubby 0.3-0.75 um long and
    /// 0.4-0.8 um wide (Harris et al. 1992 classes; reference-set ranges).
    public static let harris1992 = SpineMorphology(
        mushroomLengthMicrons: 0.9...2.0, mushroomHeadDiameterMicrons: 0.5...1.0,
        mushroomNeckDiameterMicrons: 0.1...0.25, mushroomHeadElongation: 0.85...1.15,
        thinLengthMicrons: 1.0...2.6, thinHeadDiameterMicrons: 0.2...0.33,
        thinNeckDiameterMicrons: 0.08...0.16, thinHeadElongation: 1.0...1.3,
        stubbyLengthMicrons: 0.3...0.75, stubbyWidthMicrons: 0.4...0.8,
        neckFlare: 1.0...1.3, minimumNeckMicrons: 0.2)
}
