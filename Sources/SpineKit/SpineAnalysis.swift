/// One spine as measured in one image.
public struct Spine: Sendable, Equatable {
    /// 1-based within the image.
    public var id: Int
    /// 1-based within the image: the dendrite the spine belongs to.
    public var dendriteID: Int
    public var spineClass: SpineClass
    /// Centre of the head, pixels.
    public var head: PixelPoint
    /// Where the spine leaves the shaft surface, pixels.
    public var base: PixelPoint
    /// The far end of the spine, pixels.
    public var tip: PixelPoint
    /// From the shaft surface to the tip, along the spine.
    public var lengthMicrons: Double
    /// Head width, corrected for the optical blur.
    public var headDiameterMicrons: Double
    /// Narrowest width between base and head, corrected for the optical blur; 0 when below
    /// resolution (see `AnalysisParameters.unresolvedNeckGapMicrons`), the head diameter when
    /// the spine has no neck.
    public var neckDiameterMicrons: Double
    /// `true` when the neck is seen to join the shaft; `false` for a detached head.
    public var isAttached: Bool
    /// Where along its dendrite the spine sits: the arc length of the dendrite's centreline
    /// from its first point to the point nearest the base, microns; nil until the spine is
    /// placed on a dendrite (`Dendrite.arcMicrons(nearestTo:micronsPerPixel:)`).
    public var arcMicrons: Double?
    /// How far the head's peak stands above the ring around it, in local noise deviations: the
    /// head-contrast test's signal-to-noise ratio (section 7 of Docs/METHOD.md), measured on the
    /// wider smoothing in noisy images as the test reads it. nil when not measured.
    public var headSNR: Double?
    /// The same contrast as a fraction of the local shaft's peak intensity (the test's other
    /// half): faint heads beside a bright dendrite score low whatever the noise.
    public var headContrast: Double?

    public init(id: Int, dendriteID: Int, spineClass: SpineClass, head: PixelPoint, base: PixelPoint,
                tip: PixelPoint, lengthMicrons: Double, headDiameterMicrons: Double,
                neckDiameterMicrons: Double, isAttached: Bool, arcMicrons: Double? = nil,
                headSNR: Double? = nil, headContrast: Double? = nil) {
        self.id = id
        self.dendriteID = dendriteID
        self.spineClass = spineClass
        self.head = head
        self.base = base
        self.tip = tip
        self.lengthMicrons = lengthMicrons
        self.headDiameterMicrons = headDiameterMicrons
        self.neckDiameterMicrons = neckDiameterMicrons
        self.isAttached = isAttached
        self.arcMicrons = arcMicrons
        self.headSNR = headSNR
        self.headContrast = headContrast
    }
}

/// One traced dendrite shaft.
public struct Dendrite: Sendable, Equatable {
    /// 1-based within the image.
    public var id: Int
    /// The smoothed shaft centreline, pixels, in order along the shaft.
    public var centerline: [PixelPoint]
    /// Arc length of the smoothed centreline inside the counting frame, the length densities
    /// are of (spines are counted only there too); the whole centreline is `centerlinePixels`
    /// long.
    public var lengthMicrons: Double
    /// Median shaft radius along the centreline.
    public var radiusMicrons: Double

    public init(id: Int, centerline: [PixelPoint], lengthMicrons: Double, radiusMicrons: Double) {
        self.id = id
        self.centerline = centerline
        self.lengthMicrons = lengthMicrons
        self.radiusMicrons = radiusMicrons
    }

    /// Arc length of the whole smoothed centreline, counting frame or not, pixels: the scale
    /// `arcMicrons(nearestTo:micronsPerPixel:)` runs along, from 0 at its first point.
    public var centerlinePixels: Double { ShaftTracer.arcLength(centerline) }

    /// For each of `points`, the arc length of the centreline from its first point to its
    /// point nearest that one, microns (the arc lengths summed once for all of them); nil
    /// without a centreline. Along the whole line, counting frame or not, so that positions
    /// run from the end given as `start_x_px, start_y_px` in dendrites.csv.
    public func arcMicrons(nearestTo points: [PixelPoint], micronsPerPixel: Double) -> [Double?] {
        guard !centerline.isEmpty else { return points.map { _ in nil } }
        var arcs = [Double](repeating: 0, count: centerline.count)
        for k in centerline.indices.dropFirst() {
            arcs[k] = arcs[k - 1] + centerline[k].distance(to: centerline[k - 1])
        }
        return points.map { point in
            var best = Double.infinity, bestArc = 0.0
            for (k, p) in centerline.enumerated() {
                let d2 = (p.x - point.x) * (p.x - point.x) + (p.y - point.y) * (p.y - point.y)
                if d2 < best {
                    best = d2
                    bestArc = arcs[k]
                }
            }
            return bestArc * micronsPerPixel
        }
    }
}

/// Wall-clock seconds spent in each stage of one analysis, for the benchmark.
public struct StageTimings: Sendable, Equatable {
    public var seconds: [String: Double] = [:]
    public init() {}
    public static let stageOrder = ["background", "segmentation", "tracing", "detection", "measurement"]
}

/// Everything spinecount found in one image.
public struct ImageAnalysis: Sendable {
    public var width: Int
    public var height: Int
    public var micronsPerPixel: Double
    public var dendrites: [Dendrite]
    public var spines: [Spine]
    /// Optical blur used for width correction (full width at half maximum).
    public var psfFWHMMicrons: Double
    /// Whether the image was noisy enough for its spines to be searched for at the wider
    /// smoothing (`AnalysisParameters.lowSNRThreshold`); such an image takes a second shaft
    /// model, so the benchmark counts them.
    public var searchedAtWiderSmoothing = false
    public var timings: StageTimings

    public init(width: Int, height: Int, micronsPerPixel: Double, dendrites: [Dendrite] = [],
                spines: [Spine] = [], psfFWHMMicrons: Double = 0, timings: StageTimings = StageTimings()) {
        self.width = width
        self.height = height
        self.micronsPerPixel = micronsPerPixel
        self.dendrites = dendrites
        self.spines = spines
        self.psfFWHMMicrons = psfFWHMMicrons
        self.timings = timings
    }

    /// Summed length of all traced shaft centrelines.
    public var dendriteLengthMicrons: Double { dendrites.reduce(0) { $0 + $1.lengthMicrons } }

    public func count(of spineClass: SpineClass) -> Int {
        spines.reduce(0) { $0 + ($1.spineClass == spineClass ? 1 : 0) }
    }

    /// Spines per micron of shaft; `nil` when no shaft was traced (never a division by zero).
    public var densityPerMicron: Double? {
        let length = dendriteLengthMicrons
        return length > 0 ? Double(spines.count) / length : nil
    }
}

/// Every tunable of the analysis, in physical units, with its default and source.
/// See `Docs/METHOD.md` for the reasoning behind each value.
public struct AnalysisParameters: Sendable, Codable, Equatable {
    /// Pixel sizes the analysis accepts, microns. Its lengths are in microns, and outside this
    /// range they turn into structures of millions of pixels (the 3 µm spine reach as a disc
    /// holds 28 million at 0.001 µm/px, and at 0.00001 µm/px allocation fails) or into less
    /// than a pixel: 0.005 µm samples even a STED image (resolution about 0.04 µm) four times
    /// finer than Nyquist, and at 1 µm a spine (0.5-2 µm long) spans one or two pixels and its
    /// head less than one (an image at 0.08 µm/px described as 50 µm/px was traced as 300
    /// dendrites without spines).
    public static let micronsPerPixelRange: ClosedRange<Double> = 0.005...1
    /// PSF widths (`psfFWHMMicrons`) the analysis accepts, microns: from below any optical
    /// resolution to far beyond the 1-2 µm of the weakest objectives used for spines.
    public static let psfFWHMRangeMicrons: ClosedRange<Double> = 0.01...20

    /// Classification thresholds.
    public var rules: SpineClassifier.Rules
    /// Full width at half maximum of the microscope's point-spread function, microns.
    /// `nil`: estimated from each image's narrowest necks, or `defaultPSFFWHMMicrons` when too
    /// few were measured (METHOD.md section 5). Measured widths have it removed in quadrature.
    public var psfFWHMMicrons: Double?
    /// Assumed PSF FWHM when none is given: 0.3 um, a confocal or two-photon objective of
    /// NA 1.0-1.4 at 488-920 nm (lateral FWHM 0.2-0.4 um; Zipfel et al. 2003).
    public var defaultPSFFWHMMicrons: Double
    /// Gaussian denoising before segmentation, sigma in microns: about half the PSF sigma,
    /// so noise drops without merging neighbouring spines.
    public var smoothingSigmaMicrons: Double
    /// In a noisy image detection is limited by noise, not resolution: an image whose
    /// brightest structure (`brightQuantile` of the smoothed image) stands less than
    /// `lowSNRThreshold` (30) noise deviations above the background has its spines searched
    /// for, and their contrast tested, on the image smoothed at `lowSNRSmoothingSigmaMicrons`
    /// (0.1 um, nearer the matched filter of a PSF-sized head, PSF sigma about 0.13 um); the
    /// shafts are traced, and spines measured and classified, at `smoothingSigmaMicrons`.
    /// Measured on 43 rendered images (0.04-0.16 um per pixel, 8 and 16 bit, noise added to
    /// reach brightest/noise 8-142; Docs/METHOD.md): below 30 the wider search raised F1 in
    /// 23 of 25 images (mean +0.072), above 30 it lowered F1 in 13 of 18. No image of
    /// synthetic-dev or the Smirnov crops falls below 30.
    public var lowSNRSmoothingSigmaMicrons: Double
    public var lowSNRThreshold: Double
    /// In such a noise-limited image a head must stand above its ring by
    /// `lowSNRHeadContrastSNR` (2.5) noise deviations of the wider model instead of
    /// `headContrastSNR` (4): the seed test (`spineSeedSNR`) already holds noise peaks back,
    /// and the contrast test's work there, keeping haze and out-of-focus maxima out, is done by
    /// its fractions of the shaft peak and of the head's own brightness. Not in images whose
    /// background was removed: their noise is processed rather than white, and the wider
    /// model's noise, scaled from the pixel noise for white noise, understates it. Measured
    /// (tuning scores, 4 -> 2.5; Docs/METHOD.md section 7): our low-SNR renders 0.566 ->
    /// 0.625, synthetic-dev with its noise tripled 0.775 -> 0.795, our 0.16 um/px renders
    /// 0.787 -> 0.810; images above `lowSNRThreshold` are untouched.
    public var lowSNRHeadContrastSNR: Double
    /// Side of the blocks whose low percentile estimates the background, microns: larger
    /// than a dendrite with its spines (about 5 um) so a block is never all neuron.
    public var backgroundBlockMicrons: Double
    /// The block percentile taken as background (0.3): correct while neuron covers less
    /// than 70 % of a block.
    public var backgroundPercentile: Double
    /// A shaft must reach this many noise deviations...
    public var shaftSeedSNR: Double
    /// ... and this fraction of the brightest structure (`brightQuantile` of the smoothed
    /// image), so that regions with no noise at all (padding, crushed blacks) are not
    /// "significant".
    public var shaftSeedFraction: Double
    /// Quantile of the smoothed image taken as "the brightest structure" (0.995).
    public var brightQuantile: Double
    /// Smallest noise deviation assumed, in grey levels: the rounding noise of integer
    /// pixels is 1 / sqrt(12), about 0.3.
    public var minimumNoise: Double
    /// When at least this fraction of the image is flat (one constant value: background
    /// removed before export), the noise is measured inside the signal from pixel-to-pixel
    /// differences instead of from the background (0.9; rotated crops padded with zeros
    /// stay below it).
    public var removedBackgroundFraction: Double
    /// Shaft pixels are at least this fraction of the brightest intensity within
    /// `shaftLocalMaximumMicrons`: a local half-maximum-like edge that keeps dim dendrites.
    public var shaftRelativeThreshold: Double
    public var shaftLocalMaximumMicrons: Double
    /// Structures narrower than a disc of this radius (0.18 um) are not shaft: necks,
    /// thin spines and axons (radius 0.05-0.15 um; Harris et al. 1992; Shepherd & Harris
    /// 1998) go, shafts (radius >= 0.3 um) stay. Between those bounds, the smaller disc
    /// keeps a shaft joined where it narrows between bright heads (Docs/METHOD.md, section 2).
    public var shaftOpeningRadiusMicrons: Double
    /// A centreline shorter than this is not a dendrite, microns.
    public var minimumDendriteLengthMicrons: Double
    /// Half-window of the centreline smoothing before its length is measured, microns.
    public var centerlineSmoothingMicrons: Double
    /// A side branch (a path cut from another at a junction at one end only) shorter than
    /// this is a protrusion, not a dendrite, microns (3): spines are at most about 3 um
    /// long (NeuronStudio's default maximum spine height, Rodriguez et al. 2008), while
    /// dendritic branches run for tens of microns. A long-necked spine with a large head
    /// survives the shaft opening and would otherwise be traced as a dendrite of its own,
    /// and lost when that "dendrite" is rejected for carrying no spines.
    public var minimumBranchLengthMicrons: Double
    /// A path end that turns by more than `endTurnDegrees` within its last
    /// `endTurnSpurMicrons`, against the direction of the `endTurnBodyMicrons` of path
    /// before the turn, runs up a spine and is cut at the turn (2.5 um, 1.5 um, 60
    /// degrees). The longest path through a skeleton piece takes a spine for the shaft's
    /// continuation whenever the spine is longer than the shaft left beyond it; dendrites
    /// bend gently over microns (a 60-degree turn within 2.5 um is a radius of curvature
    /// under 2.4 um, tighter than dendrites in cortex and hippocampus show), and 2.5 um
    /// covers most spines (Harris et al. 1992: 0.2-2 um).
    public var endTurnSpurMicrons: Double
    public var endTurnBodyMicrons: Double
    public var endTurnDegrees: Double
    /// Length of the shaft stretches whose radial profile is modelled, microns.
    public var profileSegmentMicrons: Double
    /// Spines are searched up to this far from the shaft surface, microns: spines are at
    /// most about 3 um long (Harris et al. 1992), and NeuronStudio attaches detached heads
    /// within that reach (Rodriguez et al. 2008).
    public var spineReachMicrons: Double
    /// The local noise beside a shaft is at most this many times what shot noise predicts
    /// at that brightness (2.5), the prediction running linearly in variance from the
    /// background's noise to the spread on the shaft's centre line. The spread of
    /// intensities at one distance from a stretch of shaft measures the noise there, but
    /// where neighbouring spines or another shaft share that distance it measures them
    /// instead and would hide the spines among them (on synthetic-dev this lost 37 of 179
    /// missed spines). A factor of 2.5 leaves texture that is not shot noise (JPEG blocks,
    /// beaded shafts) its say; on the Smirnov crops it cost 0.005 in F1. Images whose
    /// background was removed have no background noise to scale, so they are not capped
    /// (capping them cost 0.05 in F1 on the spine-type set).
    public var shaftSpreadCapFactor: Double
    /// Residual intensity a spine must reach somewhere, in local noise deviations.
    public var spineSeedSNR: Double
    /// Residual intensity for a pixel to belong to a spine it touches, noise deviations.
    public var spineMaskSNR: Double
    /// A spine must also reach this fraction of the local shaft peak (0.08): dim haze is
    /// not a spine even where the noise is tiny.
    public var spineSeedFraction: Double
    /// ... and its pixels this fraction (0.04).
    public var spineMaskFraction: Double
    /// Prominence that makes a second head in one blob a separate spine, noise deviations.
    public var spineProminenceSNR: Double
    /// ... and as a fraction of that head's height.
    public var spineProminenceFraction: Double
    /// Spines shorter than this from the shaft surface are ignored, microns
    /// (NeuronStudio's minimum height, Rodriguez et al. 2008).
    public var minimumSpineHeightMicrons: Double
    /// Spines longer than this from the shaft surface to the tip are not spines, microns
    /// (3, NeuronStudio's default maximum height and the detector's reach): the candidate's
    /// pixels stay within the reach, but a head at its edge, measured to its tip, can end
    /// beyond it, and on the real crops every such "spine" was unannotated.
    public var maximumSpineLengthMicrons: Double
    /// Larger "heads" are not spines (out-of-focus blobs, cell bodies), microns.
    public var maximumHeadDiameterMicrons: Double
    /// A traced process whose radius, with the blur removed, is below this (microns) is an
    /// axon unless it carries spines at `minimumThinDendriteDensityPerMicron` or more: axons
    /// are 0.05-0.15 um in radius and bear no spines, dendrite shafts 0.3-0.7 um (Harris et
    /// al. 1992; Shepherd & Harris 1998).
    public var axonRadiusMicrons: Double
    /// A detection lying on another spine's neck line, closer to the shaft, within this
    /// lateral distance (microns) is a fragment of that spine's neck, not a spine: a faint
    /// neck often breaks into pieces under noise.
    public var neckFragmentToleranceMicrons: Double
    /// ... and whose width is at most this multiple of the blur (1.25): a neck fragment is
    /// as narrow as the optics allow, a head is wider.
    public var neckFragmentWidthFactor: Double
    /// A local maximum this bright relative to the spine's brightest pixel can be its head
    /// (0.4): small thin-spine heads are often fainter than the neck's base.
    public var headPeakFraction: Double
    /// Radius around the head's maximum over which its centre is averaged, microns (about
    /// a mushroom head's radius, 0.35 um).
    public var headWindowMicrons: Double
    /// The head is sought among pixels joined to the spine's brightest pixel through at
    /// least this fraction of its brightness (0.2), not in faint haze around it.
    public var headCoreFraction: Double
    /// Spines whose head centre lies closer than this to the image edge are not counted, and
    /// shaft within this margin is not measured, microns (0.5, about a head radius): a head
    /// cut by the edge cannot be measured, and counting spines and length over the same
    /// frame keeps the density unbiased (the usual exclusion of edge objects in counting).
    public var borderExclusionMicrons: Double
    /// Dark padding along the image's edges (left by cropping) is not imaged area, and the
    /// counting frame is inset from its inner edge: a strip of rows or columns is padding
    /// when each is darker than this fraction of the brightest structure (0.02) above the
    /// image minimum, and the first row inside steps up by more than `paddingStepRatio`
    /// (2) times the step to the row after it. The optics blur any imaged edge over
    /// several pixels, so such a step is a cut. See `ImagedArea`.
    public var paddingDarkFraction: Double
    public var paddingStepRatio: Double
    /// A protrusion leaving the end of a traced process within this angle of its direction
    /// (degrees) is the process continuing beyond where it could be traced, not a spine.
    public var endContinuationDegrees: Double
    /// A head's centre must lie at least this many shaft radii (1) from the centreline point
    /// nearest to it, the radius being the shaft model's for that stretch: a spine's head
    /// lies beyond the shaft's surface, and a "head" inside it is a swelling of the shaft or
    /// shaft the model's profile did not fit. Measured in section 7 of Docs/METHOD.md.
    public var headClearanceShaftRadii: Double
    /// A head must stand above the median of a ring around it by this many noise
    /// deviations...
    public var headContrastSNR: Double
    /// ... and by this fraction of the local shaft peak (0.08): broad haze and
    /// out-of-focus light are smooth and do not.
    public var headContrastFraction: Double
    /// A spine shorter than `shortSpineLengthMicrons` (0.8 um, about twice the blur's
    /// FWHM) has its head within the shaft's blurred edge, where the residual after the
    /// shaft model carries the shaft's own irregularities (varicosities, a profile that
    /// fits the stretch but not this spot) as well as noise; its head must stand above its
    /// ring by `shortSpineContrastFraction` (0.2) of the local shaft peak instead of
    /// `headContrastFraction`. Measured (release build, before it -> with it): Smirnov
    /// crops outside the tuning subset F1 0.752 -> 0.764 (about 190 unmatched and 10
    /// matched detections fewer), synthetic-dev 0.848 -> 0.850, spine-type set 0.816 ->
    /// 0.825, our rendered sets within 0.003. A fraction of 0.25 or a 1 um length gained
    /// more on the Smirnov crops but cost up to 0.01 on rendered ones; a noise-based rule
    /// (6 instead of 4 deviations) cost 0.07 on low-SNR renders and was dropped.
    public var shortSpineLengthMicrons: Double
    public var shortSpineContrastFraction: Double
    /// Shorter still, under `nearSurfaceLengthMicrons` (0.5 um), the whole head lies within
    /// about one blur width of the shaft surface, where the shaft's own irregularities add to
    /// the residual more than the bin spreads of the shaft model count as noise: such a head
    /// must stand above its ring by `nearSurfaceContrastSNR` (5) noise deviations instead of
    /// `headContrastSNR` (4). Not in noise-limited images (`lowSNRHeadContrastSNR`), whose
    /// noise dwarfs those irregularities. Measured (4 -> 5, Docs/METHOD.md section 7): the
    /// Smirnov crops F1 0.796 -> 0.800 (157 unmatched and 54 matched detections fewer; each
    /// half of the crops gains), the spine-type set's 1024 px images 0.877 -> 0.883,
    /// synthetic-dev 0.861 -> 0.862; rendered images, whose shafts are smooth, lose up to
    /// 0.008 (faint short spines that are in their truth).
    public var nearSurfaceLengthMicrons: Double
    public var nearSurfaceContrastSNR: Double
    /// A spine too short for its neck to be measured still has a neck when its head's near
    /// edge stands at least this far off the shaft surface (length minus head diameter;
    /// 0.15 um, half the assumed PSF FWHM): something narrower than the head joins them,
    /// below resolution. Its neck is then reported as 0 (unresolved) and it is classified
    /// as necked (mushroom or thin by head size) rather than stubby. Class accuracy
    /// without -> with: synthetic-dev 0.913 -> 0.917, spine-type set 0.519 -> 0.597.
    public var unresolvedNeckGapMicrons: Double
    /// A head whose measured width (FWHM, blur included) is below this fraction of the blur's
    /// FWHM (0.6) is noise, not an image: the optics give nothing narrower than their PSF, and
    /// 0.6 leaves room for noise on the width of the smallest heads. Photon-starved images
    /// (a few photons of background) otherwise count single-pixel spikes 2-3 um from a shaft
    /// as detached heads. Measured effect on the scored sets: at most 0.002 in F1 or class
    /// accuracy either way (synthetic-dev 2 matched and 2 unmatched detections fewer).
    public var minimumHeadBlurFraction: Double
    /// ... and by this fraction of its own brightness (0.75): a head is a blob standing on
    /// dark surroundings, a local maximum of haze stands on haze. For a blurred head the
    /// ring lies two blur deviations beyond its half maximum, where a Gaussian profile has
    /// fallen below 5 % of the peak; 0.75 leaves room for a neighbouring spine or shaft
    /// glow in the ring (Smirnov crops: 91 % of matched heads are at or above 0.8; going
    /// from 0.5 to 0.75 dropped 8 % of unmatched detections and 2 % of matched ones).
    public var headContrastRatio: Double
    /// With at least this many measurable necks, the blur is estimated from them rather
    /// than assumed.
    public var minimumNecksForBlurEstimate: Int
    /// Which quantile of the neck widths is taken as the blur (0.2): necks (0.1-0.25 um;
    /// Harris et al. 1992) are at or below the resolution limit, so their narrow end is
    /// the blur itself.
    public var blurEstimateQuantile: Double
    /// The blur read from the necks is never taken below a PSF of this FWHM (0.2 um, about
    /// the diffraction limit 0.51 lambda / NA at 488 nm and NA 1.25; two-photon PSFs are
    /// wider): in speckled images "necks" of single-pixel noise read narrower than any optics
    /// can image, the minimum head width (`minimumHeadBlurFraction`) then passes noise
    /// spikes, and the PSF was reported as 0. Measured: on the two in-vivo two-photon
    /// examples (`spinecount analyze --pixel-size 0.1`) spines 428 -> 159, of them detached
    /// 354 -> 88, PSF 0 -> 0.2 um; synthetic-dev, the spine-type set and the
    /// standard, 8-bit and 0.04 um renders unchanged; Smirnov crops outside the tuning subset
    /// 1 matched and 5 unmatched detections fewer; our low-SNR renders F1 -0.008 and 0.16 um
    /// renders' class accuracy +0.01 to +0.03.
    public var minimumPSFFWHMMicrons: Double
    /// Spines per micron that make a thin process a dendrite (0.2: a tenth of typical
    /// cortical and hippocampal densities of 1-3 per micron).
    public var minimumThinDendriteDensityPerMicron: Double
    /// A stretch of traced shaft whose radius exceeds this (2.5 um) is not dendrite but a
    /// cell body (or out-of-focus light) the tracer ran through: it adds no length and
    /// carries no spines. The thickest dendrites, apical trunks near the soma, are 2-4 um
    /// across (radius 1-2 um; Larkman 1991, J Comp Neurol 306:307), a pyramidal soma 10-20 um.
    /// A stretch whose profile does not fall to half within the shaft model's reach reads
    /// about 4.6 um, so a cell body is caught however wide it is. Measured on a drawn
    /// dendrite entering a soma (`EngineTests`) and on every scored set (METHOD.md section 7).
    public var maximumDendriteRadiusMicrons: Double
    /// ... unless the wide stretches run on for longer than a cell body (25 um; a pyramidal
    /// soma is 10-20 um long): two dendrites touching side by side, or a thick one whose
    /// saturated, flat-topped profile reads wide, stay dendrites (a review helper's drawn
    /// scenes lost 40 um dendrites and all their spines without this).
    public var maximumCellBodyMicrons: Double
    /// A traced piece shorter than this many times its diameter and carrying no spines is a
    /// blob (out-of-focus light, a cell-body fragment), not a shaft; nor does it shelter
    /// spines of a shaft nearby (3).
    public var minimumShaftElongation: Double
    /// Whether traced pieces dropped as dendrites (blobs, thin processes without spines) but
    /// lying beside a kept shaft are re-examined as spines (true): a row or cluster of
    /// touching heads can be segmented and traced as a piece of its own, whose own shaft
    /// model then swallows the heads. Such a piece (a blob, or no longer than
    /// `spineReachMicrons`, with its middle within `spineMaterialDistanceMicrons` of a kept
    /// shaft and farther than `spineMaterialEndMarginMicrons` from the shaft's ends) is left
    /// out and steps 4-8 (shaft model to density) run again, so that its light is read
    /// against the shaft's model. Measured with and without it: synthetic-dev F1 0.849 -> 0.852 (two of three
    /// touching mushroom heads that had vanished are found), the 1352 Smirnov crops outside
    /// the tuning subset 0.765 -> 0.769 (31 more matched, 8 fewer unmatched detections), the
    /// tuning subset itself 0.776 -> 0.775, our 8-bit renders 0.821 -> 0.827, the spine-type
    /// set and our other renders unchanged (tuning scores).
    public var reexaminesPiecesBesideShafts: Bool
    /// How far from a kept shaft's centreline the middle of spine material lies (2 um: a
    /// shaft radius of 0.3-0.7 um and spines mostly under 2 um long, Harris et al. 1992),
    /// short of the 3 um spine reach: a 2 um fragment of a faint axon 3 um from a shaft was
    /// otherwise taken for spine material, and its light, pooled into the shaft's profile,
    /// hid two thin spines on the shaft's other side (synthetic-dev). With 3 um: synthetic-dev
    /// F1 0.851 instead of 0.852, spine-type set 0.836 instead of 0.838, our 8-bit and
    /// 0.04 um renders 0.001-0.002 higher; with 1.5 um the Smirnov crops outside the tuning
    /// subset gained 0.003 instead of 0.004 (tuning scores).
    public var spineMaterialDistanceMicrons: Double
    /// A piece whose nearest shaft point lies within this distance of the shaft's ends (1 um,
    /// about two shaft radii) is taken for the shaft continuing where the segmentation broke
    /// it, not for spine material (see `reexaminesPiecesBesideShafts`). Checking only the
    /// distance to the shaft, without this margin, lost 9 matched spines on the Smirnov
    /// tuning subset, where broken dendrites are common; 0.5 or 2 um changed the other
    /// crops' F1 by at most 0.001.
    public var spineMaterialEndMarginMicrons: Double
    /// Whether a "head" lying on a process that passes through it is rejected (true): a ring
    /// `passingProcessRingMarginMicrons` (0.5 um) outside the head's half maximum crosses
    /// bright residual (above `passingProcessArcFraction` = 0.5 of the head's and
    /// `passingProcessArcSNR` = 3 local noise deviations) on two sides at least
    /// `passingProcessOppositeDegrees` = 150 degrees apart. A spine meets its surroundings
    /// through its neck only; an axon, or a dendrite the tracer did not follow, leaves the
    /// "head" on both sides. See METHOD.md, section 7, for the measurements.
    public var rejectsHeadsOnPassingProcesses: Bool
    public var passingProcessRingMarginMicrons: Double
    public var passingProcessArcFraction: Double
    public var passingProcessArcSNR: Double
    public var passingProcessOppositeDegrees: Double
    /// On a thin process (radius below `axonRadiusMicrons`), a head whose residual on the
    /// process's centreline beside it reaches `swellingCentreFraction` (0.6) of the head's
    /// peak residual is a swelling of the process, such as an axonal bouton, not a spine: a
    /// bouton is centred on its axon, so the light the shaft model leaves of it peaks on the
    /// centreline, while a spine's lies beside it (92 % of the matched spines on thin
    /// processes on the Smirnov crops, and all 23 on synthetic-dev, have under 0.4). Fewer
    /// spines can then leave a beaded axon too sparse to count as a dendrite (section 7 of
    /// Docs/METHOD.md). `.infinity` turns the test off.
    public var swellingCentreFraction: Double

    public init(rules: SpineClassifier.Rules = .neuronstudio, psfFWHMMicrons: Double? = nil) {
        self.rules = rules
        self.psfFWHMMicrons = psfFWHMMicrons
        defaultPSFFWHMMicrons = 0.3
        smoothingSigmaMicrons = 0.06
        lowSNRSmoothingSigmaMicrons = 0.1
        lowSNRThreshold = 30
        lowSNRHeadContrastSNR = 2.5
        backgroundBlockMicrons = 5
        backgroundPercentile = 0.3
        shaftSeedSNR = 5
        shaftSeedFraction = 0.1
        brightQuantile = 0.995
        minimumNoise = 0.3
        removedBackgroundFraction = 0.9
        shaftRelativeThreshold = 0.4
        shaftLocalMaximumMicrons = 0.5
        shaftOpeningRadiusMicrons = 0.18
        minimumDendriteLengthMicrons = 2
        centerlineSmoothingMicrons = 0.4
        minimumBranchLengthMicrons = 3
        endTurnSpurMicrons = 2.5
        endTurnBodyMicrons = 1.5
        endTurnDegrees = 60
        profileSegmentMicrons = 3
        spineReachMicrons = 3
        shaftSpreadCapFactor = 2.5
        spineSeedSNR = 4
        spineMaskSNR = 1.5
        spineSeedFraction = 0.08
        spineMaskFraction = 0.04
        spineProminenceSNR = 3
        spineProminenceFraction = 0.1
        minimumSpineHeightMicrons = 0.2
        maximumSpineLengthMicrons = 3
        maximumHeadDiameterMicrons = 1.6
        axonRadiusMicrons = 0.25
        minimumThinDendriteDensityPerMicron = 0.2
        maximumDendriteRadiusMicrons = 2.5
        maximumCellBodyMicrons = 25
        minimumShaftElongation = 3
        reexaminesPiecesBesideShafts = true
        spineMaterialDistanceMicrons = 2
        spineMaterialEndMarginMicrons = 1
        rejectsHeadsOnPassingProcesses = true
        swellingCentreFraction = 0.6
        passingProcessRingMarginMicrons = 0.5
        passingProcessArcFraction = 0.5
        passingProcessArcSNR = 3
        passingProcessOppositeDegrees = 150
        neckFragmentToleranceMicrons = 0.25
        neckFragmentWidthFactor = 1.25
        headPeakFraction = 0.4
        headWindowMicrons = 0.35
        headCoreFraction = 0.2
        borderExclusionMicrons = 0.5
        paddingDarkFraction = 0.02
        paddingStepRatio = 2
        endContinuationDegrees = 35
        headClearanceShaftRadii = 1
        headContrastSNR = 4
        headContrastFraction = 0.08
        shortSpineLengthMicrons = 0.8
        shortSpineContrastFraction = 0.2
        nearSurfaceLengthMicrons = 0.5
        nearSurfaceContrastSNR = 5
        unresolvedNeckGapMicrons = 0.15
        minimumHeadBlurFraction = 0.6
        headContrastRatio = 0.75
        minimumNecksForBlurEstimate = 8
        blurEstimateQuantile = 0.2
        minimumPSFFWHMMicrons = 0.2
    }
}
