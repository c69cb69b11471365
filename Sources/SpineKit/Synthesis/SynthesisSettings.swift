/// Every knob of the synthetic dendrite renderer, in physical units.
///
/// Ranges are drawn from uniformly, once per image (optics, density, counts) or once per
/// object (radii, sizes, angles), so a set of images varies the way a real data set
/// does. A range whose bounds are equal fixes the value. The presets describe whole
/// acquisition styles; see `.standard` for the reasoning behind each number.
public struct SynthesisSettings: Sendable, Codable, Equatable {
    // MARK: Image

    public var widthPixels: Int
    public var heightPixels: Int
    /// Pixel size, microns; square pixels.
    public var micronsPerPixel: Double
    /// 8 or 16 bits per sample; counts are clipped to 0...255 or 0...65535.
    public var bitDepth: Int

    // MARK: Dendrites

    /// How many dendrite shafts cross each image.
    public var dendritesPerImage: ClosedRange<Int>
    /// Shaft radius, microns. 0.3-0.6 (0.6-1.2 um thick) puts the blurred shaft width
    /// (FWHM 0.6-1.1 um) where the reference set (0.58-0.76 um) and the real crops
    /// (about 0.6 um) have it; thicker proximal shafts reach 0.7.
    public var shaftRadiusMicrons: ClosedRange<Double>
    /// Relative amplitude of the smooth radius change along one shaft (0.15 = ±15 %),
    /// always kept inside `shaftRadiusMicrons`.
    public var shaftRadiusVariation: Double
    /// Largest curvature of a shaft, 1/um: 0.06 keeps every bend radius above ~17 um.
    public var maxShaftCurvaturePerMicron: Double
    /// Chance that a shaft ends (rounded) inside the image instead of leaving it.
    public var shaftEndsInsideProbability: Double
    /// Relative fluorophore fill of each dendrite (its spines share it).
    public var dendriteBrightness: ClosedRange<Double>
    /// Relative standard deviation of the fill along a shaft (beading, uneven filling),
    /// correlated over about 1.5 um.
    public var shaftFillVariation: Double

    // MARK: Spines

    /// Spines per micron of shaft, both sides together, before placement losses. Light
    /// microscopy of pyramidal dendrites typically finds about 1 per micron (the
    /// reference set: 1.05-1.23); EM counts run higher, sparse dendrites lower. Spines
    /// that find no free room are dropped, so above about 2 per micron fewer are placed
    /// than asked (about 75 % at 3 per micron); the truth always lists what was drawn.
    public var spineDensityPerMicron: ClosedRange<Double>
    /// Proportions of mushroom, thin and stubby spines.
    public var classMix: SpineClassMix
    /// Size ranges of each class.
    public var morphology: SpineMorphology
    /// Spread (standard deviation) of a spine's angle from the shaft normal, degrees.
    public var spineTiltSpreadDegrees: Double
    /// Largest angle of a spine from the shaft normal, degrees.
    public var maxSpineTiltDegrees: Double
    /// Largest total turn of a spine's neck between base and head, degrees.
    public var maxSpineBendDegrees: Double
    /// Smallest edge-to-edge gap between two spines, or a spine and a foreign shaft, um.
    public var minimumSpineGapMicrons: Double
    /// Relative fluorophore fill of each spine, multiplied by its dendrite's.
    public var spineBrightness: ClosedRange<Double>
    /// Attempts to place one spine (new position, angle and size each time) before it
    /// is given up; only very dense settings give spines up.
    public var spinePlacementAttempts: Int

    // MARK: Distractors

    /// Thin spine-free axons crossing the image.
    public var axonsPerImage: ClosedRange<Int>
    /// Axon radius, microns (unmyelinated cortical axons are 0.1-0.3 um thick).
    public var axonRadiusMicrons: ClosedRange<Double>
    /// Relative fill of an axon: thin axons often look brighter than their volume suggests.
    public var axonBrightness: ClosedRange<Double>
    /// Varicosities (boutons en passant) per micron of axon; they look like spine heads
    /// but are not spines.
    public var axonBoutonsPerMicron: Double
    /// Bouton diameter, microns.
    public var boutonDiameterMicrons: ClosedRange<Double>
    /// Out-of-focus structures: wide, faint Gaussian blobs.
    public var blobsPerImage: ClosedRange<Int>
    /// Blob standard deviation, microns.
    public var blobSigmaMicrons: ClosedRange<Double>
    /// Blob peak as an equivalent thickness of in-focus tissue, microns.
    public var blobPeakMicrons: ClosedRange<Double>

    // MARK: Optics and detector

    /// Standard deviation of the Gaussian point-spread function, microns (confocal
    /// lateral FWHM 0.25-0.45 um, i.e. sigma 0.1-0.2 um).
    public var psfSigmaMicrons: ClosedRange<Double>
    /// Standard deviation of the PSF along the optical axis, microns, or `nil` for a pure
    /// projection (every micron of depth counts fully, as with a wide depth of field).
    /// A confocal section (axial FWHM 0.6-1 um, sigma 0.25-0.45 um) counts thick shafts
    /// less than their full depth, so heads look about as bright as shafts, as in the
    /// real crops.
    public var axialSigmaMicrons: ClosedRange<Double>?
    /// Share of the label on the membrane rather than in the cytosol, 0...1. A membrane
    /// label (DiI, membrane-targeted GFP) follows surface, not volume, so small
    /// structures (necks, thin-spine heads) look brighter relative to the shaft than with
    /// a cytosolic fill; 0.3 puts spine-to-shaft contrast where the real crops have it.
    public var membraneLabelFraction: Double
    /// Thickness of the shell that stands for the membrane, microns: thin enough to stay
    /// a surface, thick enough for the subsampling (0.025 um) to resolve.
    public var membraneShellMicrons: Double
    /// Photons collected in one pixel per micron of projected tissue thickness at fill 1:
    /// the signal-to-noise knob.
    public var photonsPerMicron: ClosedRange<Double>
    /// Mean background (autofluorescence, scattered light) in photons per pixel.
    public var backgroundPhotons: ClosedRange<Double>
    /// Relative amplitude of the smooth background's variation (0.4 = ±40 %).
    public var backgroundVariation: Double
    /// Length scale of the background's variation, microns.
    public var backgroundScaleMicrons: Double
    /// Detector gain: output counts per detected photon.
    public var countsPerPhoton: Double
    /// Detector offset, counts.
    public var offsetCounts: Double
    /// Gaussian read noise, counts (standard deviation).
    public var readNoiseCounts: Double
    /// Poisson photon noise on or off (off only for exact tests).
    public var photonNoise: Bool
    /// Subsamples per pixel side for area integration; `nil` picks about 0.025 um.
    public var supersampling: Int?

    public init(widthPixels: Int, heightPixels: Int, micronsPerPixel: Double, bitDepth: Int,
                dendritesPerImage: ClosedRange<Int>, shaftRadiusMicrons: ClosedRange<Double>,
                shaftRadiusVariation: Double, maxShaftCurvaturePerMicron: Double,
                shaftEndsInsideProbability: Double, dendriteBrightness: ClosedRange<Double>,
                shaftFillVariation: Double,
                spineDensityPerMicron: ClosedRange<Double>, classMix: SpineClassMix,
                morphology: SpineMorphology, spineTiltSpreadDegrees: Double, maxSpineTiltDegrees: Double,
                maxSpineBendDegrees: Double, minimumSpineGapMicrons: Double,
                spineBrightness: ClosedRange<Double>, spinePlacementAttempts: Int,
                axonsPerImage: ClosedRange<Int>, axonRadiusMicrons: ClosedRange<Double>,
                axonBrightness: ClosedRange<Double>, axonBoutonsPerMicron: Double,
                boutonDiameterMicrons: ClosedRange<Double>, blobsPerImage: ClosedRange<Int>,
                blobSigmaMicrons: ClosedRange<Double>, blobPeakMicrons: ClosedRange<Double>,
                psfSigmaMicrons: ClosedRange<Double>, axialSigmaMicrons: ClosedRange<Double>?,
                membraneLabelFraction: Double, membraneShellMicrons: Double, photonsPerMicron: ClosedRange<Double>,
                backgroundPhotons: ClosedRange<Double>, backgroundVariation: Double,
                backgroundScaleMicrons: Double, countsPerPhoton: Double, offsetCounts: Double,
                readNoiseCounts: Double, photonNoise: Bool, supersampling: Int?) {
        self.widthPixels = widthPixels
        self.heightPixels = heightPixels
        self.micronsPerPixel = micronsPerPixel
        self.bitDepth = bitDepth
        self.dendritesPerImage = dendritesPerImage
        self.shaftRadiusMicrons = shaftRadiusMicrons
        self.shaftRadiusVariation = shaftRadiusVariation
        self.maxShaftCurvaturePerMicron = maxShaftCurvaturePerMicron
        self.shaftEndsInsideProbability = shaftEndsInsideProbability
        self.dendriteBrightness = dendriteBrightness
        self.shaftFillVariation = shaftFillVariation
        self.spineDensityPerMicron = spineDensityPerMicron
        self.classMix = classMix
        self.morphology = morphology
        self.spineTiltSpreadDegrees = spineTiltSpreadDegrees
        self.maxSpineTiltDegrees = maxSpineTiltDegrees
        self.maxSpineBendDegrees = maxSpineBendDegrees
        self.minimumSpineGapMicrons = minimumSpineGapMicrons
        self.spineBrightness = spineBrightness
        self.spinePlacementAttempts = spinePlacementAttempts
        self.axonsPerImage = axonsPerImage
        self.axonRadiusMicrons = axonRadiusMicrons
        self.axonBrightness = axonBrightness
        self.axonBoutonsPerMicron = axonBoutonsPerMicron
        self.boutonDiameterMicrons = boutonDiameterMicrons
        self.blobsPerImage = blobsPerImage
        self.blobSigmaMicrons = blobSigmaMicrons
        self.blobPeakMicrons = blobPeakMicrons
        self.psfSigmaMicrons = psfSigmaMicrons
        self.axialSigmaMicrons = axialSigmaMicrons
        self.membraneLabelFraction = membraneLabelFraction
        self.membraneShellMicrons = membraneShellMicrons
        self.photonsPerMicron = photonsPerMicron
        self.backgroundPhotons = backgroundPhotons
        self.backgroundVariation = backgroundVariation
        self.backgroundScaleMicrons = backgroundScaleMicrons
        self.countsPerPhoton = countsPerPhoton
        self.offsetCounts = offsetCounts
        self.readNoiseCounts = readNoiseCounts
        self.photonNoise = photonNoise
        self.supersampling = supersampling
    }

    /// The largest count a sample can hold at `bitDepth`.
    public var maxCount: Int { bitDepth == 8 ? 255 : 65535 }

    /// The image's field of view, microns.
    public var widthMicrons: Double { Double(widthPixels) * micronsPerPixel }
    public var heightMicrons: Double { Double(heightPixels) * micronsPerPixel }
}

extension SynthesisSettings {
    /// Like the reference set `shared/synthetic-dev`: 768 x 768 px at 0.08 um/px, 16-bit.
    ///
    /// Detector numbers reproduce its statistics: background about 400-800 counts with
    /// a noise standard deviation of 35-55 counts, shafts about 1200 counts above
    /// background, a PSF sigma near 0.13 um (measured on its axons).
    public static let standard = SynthesisSettings(
        widthPixels: 768, heightPixels: 768, micronsPerPixel: 0.08, bitDepth: 16,
        dendritesPerImage: 1...3, shaftRadiusMicrons: 0.3...0.6, shaftRadiusVariation: 0.15,
        maxShaftCurvaturePerMicron: 0.06, shaftEndsInsideProbability: 0.25,
        dendriteBrightness: 0.8...1.2, shaftFillVariation: 0.15,
        spineDensityPerMicron: 0.8...1.4, classMix: .beforeTreatment, morphology: .harris1992,
        spineTiltSpreadDegrees: 25, maxSpineTiltDegrees: 60, maxSpineBendDegrees: 25,
        minimumSpineGapMicrons: 0.15, spineBrightness: 0.9...1.2, spinePlacementAttempts: 60,
        axonsPerImage: 0...2, axonRadiusMicrons: 0.1...0.15, axonBrightness: 0.6...1.5,
        axonBoutonsPerMicron: 0.05, boutonDiameterMicrons: 0.4...0.8,
        blobsPerImage: 0...3, blobSigmaMicrons: 1.0...3.0, blobPeakMicrons: 0.05...0.2,
        psfSigmaMicrons: 0.1...0.16, axialSigmaMicrons: 0.3...0.45,
        membraneLabelFraction: 0.3, membraneShellMicrons: 0.05, photonsPerMicron: 300...700,
        backgroundPhotons: 80...230, backgroundVariation: 0.4, backgroundScaleMicrons: 25,
        countsPerPhoton: 4, offsetCounts: 100, readNoiseCounts: 8, photonNoise: true,
        supersampling: nil)

    /// A dim acquisition: about ten times fewer photons, more background and read noise.
    /// Shafts stand about 5 noise standard deviations above background; thin spine
    /// necks vanish in the noise.
    public static let lowSNR: SynthesisSettings = {
        var s = SynthesisSettings.standard
        s.photonsPerMicron = 35...70
        s.backgroundPhotons = 20...45
        s.readNoiseCounts = 12
        s.psfSigmaMicrons = 0.12...0.2
        return s
    }()

    /// 8-bit confocal crops like the Smirnov & Garrett (2018) training set: background
    /// near zero, shafts at 80-250 counts with occasional clipping, beaded shafts and a
    /// wider PSF. Their variance/mean ratio is 0.4 counts after JPEG smoothing, so the
    /// true gain is somewhat higher: 0.6 counts per photon.
    public static let eightBit: SynthesisSettings = {
        var s = SynthesisSettings.standard.withDetector(bitDepth: 8, countsPerPhoton: 0.6, offsetCounts: 1, readNoiseCounts: 0.7,
                                                        backgroundPhotons: 3...15, photonsPerMicron: 180...380)
        s.psfSigmaMicrons = 0.12...0.2
        s.shaftFillVariation = 0.2
        return s
    }()

    /// In-vivo two-photon imaging, like the examples of Osuna et al. (`shared/realdata/
    /// twophoton-examples`): 512 px at 0.15 um/px, 8-bit, a wider PSF (lateral FWHM
    /// 0.47-0.66 um, sigma 0.2-0.28) and a deep section (axial sigma about 1 um), and a
    /// photon-counting detector: under one background photon per pixel at 12 counts per
    /// photon, so single photons stand out as isolated bright pixels on a dark field.
    /// Measured on those examples: background median 47 and 40 counts, pixel noise 12-13
    /// counts (`BackgroundEstimator.pixelNoise`), 1386 and 1285 pixels above all eight
    /// neighbours by more than 40 counts; on this preset (seed 101, first image) 49 counts,
    /// 13.6 and 268. The examples have about five times as many such outliers: a PMT's
    /// pulse heights vary, while one photon here is always 12 counts, so the preset is the
    /// milder case.
    public static let twoPhoton: SynthesisSettings = {
        var s = SynthesisSettings.standard.withPixelSize(0.15, widthPixels: 512)
            .withDetector(bitDepth: 8, countsPerPhoton: 12, offsetCounts: 40, readNoiseCounts: 8,
                          backgroundPhotons: 0.3...1, photonsPerMicron: 15...40)
        s.psfSigmaMicrons = 0.2...0.28
        s.axialSigmaMicrons = 0.8...1.2
        return s
    }()

    /// Fine sampling, 0.04 um/px (Nyquist for a 0.1 um PSF sigma), 1024 px.
    public static let smallPixels: SynthesisSettings = standard.withPixelSize(0.04, widthPixels: 1024)

    /// Coarse sampling, 0.16 um/px, 384 px: the same ~61 um field as `.standard`.
    public static let largePixels: SynthesisSettings = standard.withPixelSize(0.16, widthPixels: 384)

    /// A copy with another detector: its bit depth, gain, offset and read noise, and the
    /// photons it collects from the background and per micron of tissue.
    public func withDetector(bitDepth: Int, countsPerPhoton: Double, offsetCounts: Double, readNoiseCounts: Double,
                             backgroundPhotons: ClosedRange<Double>, photonsPerMicron: ClosedRange<Double>) -> SynthesisSettings {
        var s = self
        s.bitDepth = bitDepth
        s.countsPerPhoton = countsPerPhoton
        s.offsetCounts = offsetCounts
        s.readNoiseCounts = readNoiseCounts
        s.backgroundPhotons = backgroundPhotons
        s.photonsPerMicron = photonsPerMicron
        return s
    }

    /// A copy with another pixel size and a square image of `widthPixels` (the same
    /// size when `nil`). Photon numbers are per pixel and stay as they are.
    public func withPixelSize(_ micronsPerPixel: Double, widthPixels: Int? = nil) -> SynthesisSettings {
        var s = self
        s.micronsPerPixel = micronsPerPixel
        if let widthPixels {
            s.widthPixels = widthPixels
            s.heightPixels = widthPixels
        }
        return s
    }
}
