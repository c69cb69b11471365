import Foundation

/// The optics and detector of one rendered image, with every value resolved.
///
/// Image formation: projected thickness (microns; weighted by the axial PSF when
/// `axialSigmaMicrons` is set) x `photonsPerMicron` is blurred by a
/// Gaussian PSF of `psfSigmaMicrons`; smooth background photons are added; photons are
/// Poisson distributed; counts = `offsetCounts` + `countsPerPhoton` x photons +
/// Gaussian read noise, rounded and clipped to the bit depth.
public struct SynthesisOptics: Sendable, Codable, Equatable {
    public var micronsPerPixel: Double
    public var bitDepth: Int
    public var psfSigmaMicrons: Double
    /// Axial PSF standard deviation, microns; `nil` counts the full depth (pure projection).
    public var axialSigmaMicrons: Double?
    /// Photons per pixel per micron of thickness at fill 1.
    public var photonsPerMicron: Double
    /// Share of the label bound to the membrane rather than filling the cytosol, 0...1.
    public var membraneLabelFraction: Double
    /// Thickness of the shell that stands for the membrane label, microns.
    public var membraneShellMicrons: Double
    public var backgroundPhotons: Double
    public var backgroundVariation: Double
    public var backgroundScaleMicrons: Double
    public var countsPerPhoton: Double
    public var offsetCounts: Double
    public var readNoiseCounts: Double
    public var photonNoise: Bool
    /// Subsamples per pixel side.
    public var supersampling: Int

    public init(micronsPerPixel: Double, bitDepth: Int = 16, psfSigmaMicrons: Double,
                axialSigmaMicrons: Double? = nil, photonsPerMicron: Double,
                membraneLabelFraction: Double = 0, membraneShellMicrons: Double = 0.05,
                backgroundPhotons: Double = 0, backgroundVariation: Double = 0, backgroundScaleMicrons: Double = 25,
                countsPerPhoton: Double = 1, offsetCounts: Double = 0, readNoiseCounts: Double = 0,
                photonNoise: Bool = true, supersampling: Int? = nil) {
        precondition(bitDepth == 8 || bitDepth == 16, "bit depth must be 8 or 16, got \(bitDepth)")
        precondition(micronsPerPixel > 0, "pixel size must be positive, got \(micronsPerPixel)")
        self.micronsPerPixel = micronsPerPixel
        self.bitDepth = bitDepth
        self.psfSigmaMicrons = psfSigmaMicrons
        self.axialSigmaMicrons = axialSigmaMicrons
        self.photonsPerMicron = photonsPerMicron
        self.membraneLabelFraction = membraneLabelFraction
        self.membraneShellMicrons = membraneShellMicrons
        self.backgroundPhotons = backgroundPhotons
        self.backgroundVariation = backgroundVariation
        self.backgroundScaleMicrons = backgroundScaleMicrons
        self.countsPerPhoton = countsPerPhoton
        self.offsetCounts = offsetCounts
        self.readNoiseCounts = readNoiseCounts
        self.photonNoise = photonNoise
        self.supersampling = supersampling ?? SynthesisOptics.automaticSupersampling(micronsPerPixel: micronsPerPixel)
    }

    /// Draws one image's optics from the ranges of `settings`.
    public init(settings: SynthesisSettings, rng: inout SynthesisRNG) {
        self.init(micronsPerPixel: settings.micronsPerPixel, bitDepth: settings.bitDepth,
                  psfSigmaMicrons: rng.uniform(settings.psfSigmaMicrons),
                  axialSigmaMicrons: settings.axialSigmaMicrons.map { rng.uniform($0) },
                  photonsPerMicron: rng.uniform(settings.photonsPerMicron),
                  membraneLabelFraction: settings.membraneLabelFraction,
                  membraneShellMicrons: settings.membraneShellMicrons,
                  backgroundPhotons: rng.uniform(settings.backgroundPhotons),
                  backgroundVariation: settings.backgroundVariation,
                  backgroundScaleMicrons: settings.backgroundScaleMicrons,
                  countsPerPhoton: settings.countsPerPhoton, offsetCounts: settings.offsetCounts,
                  readNoiseCounts: settings.readNoiseCounts, photonNoise: settings.photonNoise,
                  supersampling: settings.supersampling)
    }

    /// A tube of this radius gives the same signal per micron of length with a pure
    /// membrane label as with a pure cytosolic fill: 0.5 um, a typical shaft.
    public static let membraneReferenceRadiusMicrons = 0.5

    /// Subsamples 0.025 um apart or closer, so 0.08 um necks are integrated to a few
    /// percent; between 2 and 8 per pixel side.
    public static func automaticSupersampling(micronsPerPixel: Double) -> Int {
        Swift.min(8, Swift.max(2, Int((micronsPerPixel / 0.025).rounded(.up))))
    }

    /// The depth a chord of `thickness` microns (centred on the focal plane) contributes:
    /// its integral over the axial Gaussian, normalised to 1 at the focal plane,
    /// sqrt(2 pi) sigma erf(t / (2 sqrt(2) sigma)); the chord itself without sectioning.
    /// Monotonic, so the union of pieces still takes the maximum.
    @inlinable
    public static func effectiveDepth(_ thickness: Double, axialSigmaMicrons: Double?) -> Double {
        guard let sigma = axialSigmaMicrons, sigma > 0 else { return thickness }
        return 2.506_628_274_631 * sigma * erf(thickness / (2.828_427_124_746 * sigma))
    }

    /// The largest count a sample can hold.
    public var maxCount: Double { bitDepth == 8 ? 255 : 65535 }

    /// Full width at half maximum of the PSF, microns (2 sqrt(2 ln 2) sigma).
    public var psfFWHMMicrons: Double { 2.354_820_045 * psfSigmaMicrons }
}
