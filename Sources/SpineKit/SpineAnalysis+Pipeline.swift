import Foundation

/// The whole pipeline for one image: background, segmentation, shaft tracing, spine
/// detection, measurement and classification. Each step is described in `Docs/METHOD.md`.
public enum SpineAnalysis {
    /// Analyses one intensity image whose pixels are `micronsPerPixel` wide.
    public static func analyze(_ image: GrayImage, micronsPerPixel: Double,
                               parameters: AnalysisParameters = AnalysisParameters()) -> ImageAnalysis {
        precondition(micronsPerPixel > 0, "pixel size must be positive, got \(micronsPerPixel)")
        var stopwatch = Stopwatch()
        let px = { (microns: Double) in microns / micronsPerPixel }
        let smoothingFWHM = 2.3548 * parameters.smoothingSigmaMicrons
        let assumedPSF = parameters.psfFWHMMicrons ?? parameters.defaultPSFFWHMMicrons
        let assumedBlurFWHM = (assumedPSF * assumedPSF + smoothingFWHM * smoothingFWHM).squareRoot()
        var result = ImageAnalysis(width: image.width, height: image.height,
                                   micronsPerPixel: micronsPerPixel, psfFWHMMicrons: assumedPSF)
        guard image.width >= 3, image.height >= 3 else { return result }

        // 1. Background and noise: the image less its background, smoothed, made a row at a
        // time (neither the background nor the flattened image is kept whole).
        var imageMinimum = Float.infinity
        let smoothed = BackgroundEstimator.flattenedAndBlurred(
            image, blockSize: Int(px(parameters.backgroundBlockMicrons).rounded()),
            percentile: parameters.backgroundPercentile, sigma: px(parameters.smoothingSigmaMicrons),
            minimum: &imageMinimum)
        // With the background removed (most of the image one constant value) the lower half of
        // the remaining pixels is neuron, not noise; measure the noise inside the signal.
        // Only the estimate that is used is computed: each ranks up to a million values. One
        // pass of the flatness test gives both the flat fraction (`flatFraction(of: image)`)
        // and the pixels `noiseSigma(of: smoothed, excludingFlatRegionsOf: image)` ranks.
        let noise: Float
        var flatCount = 0
        var nonFlat = BackgroundEstimator.nonFlatPixels(of: smoothed, original: image, interiorFlatCount: &flatCount)
        let flatFraction = Double(flatCount) / Double((image.width - 2) * (image.height - 2))
        let backgroundRemoved = flatFraction >= parameters.removedBackgroundFraction
        if backgroundRemoved {
            nonFlat = []
            let gain = BackgroundEstimator.noiseGain(ofGaussianSigma: px(parameters.smoothingSigmaMicrons))
            noise = Swift.max(BackgroundEstimator.pixelNoise(of: image).sigma * gain, Float(parameters.minimumNoise))
        } else {
            noise = Swift.max(BackgroundEstimator.noiseSigma(of: smoothed, nonFlatPixels: &nonFlat),
                              Float(parameters.minimumNoise))
        }
        stopwatch.lap("background", into: &result.timings)

        // 2. Shaft segmentation: significant, locally bright, and wider than a neck.
        let localMax = smoothed.maximumFiltered(radius: Swift.max(1, Int(px(parameters.shaftLocalMaximumMicrons).rounded())))
        // Significant against the noise, and not negligible against the brightest structure
        // (padding, crushed blacks and JPEG haze can make the noise look tiny).
        let brightest = smoothed.withUnsafeBufferPointer { OrderStatistics.quantile(of: $0, parameters.brightQuantile) }
        let seed = Swift.max(Float(parameters.shaftSeedSNR) * noise, Float(parameters.shaftSeedFraction) * brightest)
        let relative = Float(parameters.shaftRelativeThreshold)
        var shaftCandidates = BinaryMask(width: image.width, height: image.height, repeating: false)
        shaftCandidates.withUnsafeMutableBufferPointer { candidate in
            smoothed.withUnsafeBufferPointer { value in
                localMax.withUnsafeBufferPointer { peak in
                    // Eight pixels at a time, both tests made for each (the pixel by pixel loop
                    // branched on the first, at random along a dendrite's edge).
                    let seeds = SIMD8<Float>(repeating: seed), relatives = SIMD8<Float>(repeating: relative)
                    let values = UnsafeRawPointer(value.baseAddress!), peaks = UnsafeRawPointer(peak.baseAddress!)
                    let out = UnsafeMutableRawPointer(candidate.baseAddress!)
                    var i = 0
                    while i + 8 <= candidate.count {
                        let v = values.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                        let p = peaks.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                        let isCandidate = (v .>= seeds) .& (v .>= relatives * p)
                        // Bool is one byte, 0 or 1.
                        out.storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: SIMD8<Int32>().replacing(with: 1, where: isCandidate)),
                                       toByteOffset: i, as: SIMD8<UInt8>.self)
                        i += 8
                    }
                    while i < candidate.count {
                        let v = value[i]
                        candidate[i] = v >= seed && v >= relative * peak[i]
                        i += 1
                    }
                }
            }
        }
        let shaftMask = shaftCandidates.opened(radius: px(parameters.shaftOpeningRadiusMicrons))
        stopwatch.lap("segmentation", into: &result.timings)

        // 3. Centrelines.
        let tracer = ShaftTracer(minimumLengthMicrons: parameters.minimumDendriteLengthMicrons,
                                 smoothingMicrons: parameters.centerlineSmoothingMicrons,
                                 minimumBranchLengthMicrons: parameters.minimumBranchLengthMicrons)
        let traced = tracer.trace(shaftMask, micronsPerPixel: micronsPerPixel).map {
            EndTurnTrimmer.trimmed($0, maximumSpurPixels: px(parameters.endTurnSpurMicrons),
                                   bodyPixels: px(parameters.endTurnBodyMicrons),
                                   minimumTurnDegrees: parameters.endTurnDegrees)
        }
        stopwatch.lap("tracing", into: &result.timings)
        guard !traced.isEmpty else { return result }

        // Steps 4-8 along `paths`, from `result` as tracing left it; with `findingMaterial`,
        // also the indices of the paths that are spine material (see below) and, when there are
        // any, what the shaft model leaves for steps 4-8 along the other paths. `earlier`: what
        // the model along more paths left, of which `paths` are those kept.
        func spinesAndDendrites(along paths: [ShaftTracer.Path], from result: ImageAnalysis, findingMaterial: Bool,
                                earlier: ShaftModel.Earlier? = nil)
            -> (analysis: ImageAnalysis, spineMaterial: Set<Int>, earlier: ShaftModel.Earlier?) {
            var result = result

            // 4. Shaft model and spine candidates.
            let reach = px(parameters.spineReachMicrons)
            func modelSettings(globalNoise: Float) -> ShaftModel.Settings {
                ShaftModel.Settings(
                    segmentPixels: Swift.max(4, Int(px(parameters.profileSegmentMicrons).rounded())),
                    reachPixels: reach + px(1.0), binPixels: 0.5,
                    profileQuantile: 0.3, quantileOffsetSigmas: 0.5244, globalNoise: globalNoise,
                    // Without a background there is no shot-noise floor to scale.
                    spreadCapFactor: backgroundRemoved ? .infinity : Float(parameters.shaftSpreadCapFactor))
            }
            let detection = SpineDetector.Settings(
                seedSNR: Float(parameters.spineSeedSNR), maskSNR: Float(parameters.spineMaskSNR),
                seedFraction: Float(parameters.spineSeedFraction), maskFraction: Float(parameters.spineMaskFraction),
                prominenceSNR: Float(parameters.spineProminenceSNR),
                prominenceFraction: Float(parameters.spineProminenceFraction),
                innerRadiusFraction: 0.75, reachPixels: reach)
            /// The shaft model of `image` along the traced paths (on `geometry`, when given) and,
            /// when `detecting`, the spine candidates found on it. `isSmoothed`: `image` is
            /// `smoothed`, on which an earlier model's levels were found (see `earlier`).
            func modelAndCandidates(of image: GrayImage, isSmoothed: Bool, geometry: ShaftModel.Geometry?, globalNoise: Float,
                                    detecting: Bool) -> (ShaftModel, [SpineDetector.Candidate]) {
                let settings = modelSettings(globalNoise: globalNoise)
                func build<Visitor: ShaftModel.PixelVisitor>(visitor: inout Visitor) -> ShaftModel {
                    if let geometry {
                        return ShaftModel.build(smoothed: image, geometry: geometry, settings: settings,
                                                reusingEarlierProfiles: isSmoothed, visitor: &visitor)
                    }
                    return ShaftModel.build(smoothed: image, paths: paths, settings: settings, visitor: &visitor)
                }
                var none = ShaftModel.NoVisitor()
                if SpineDetector.visitsBandOnly(globalNoise: globalNoise, settings: detection) {
                    guard detecting else { return (build(visitor: &none), []) }
                    // The detector's tests ride on the model's last pass over the band.
                    var marks = SpineDetector.Marks(settings: detection)
                    let model = build(visitor: &marks)
                    return (model, SpineDetector.detect(model: model, settings: detection, marks: marks))
                }
                // Spines found anywhere (thresholds not positive) are measured anywhere.
                var model = build(visitor: &none)
                model.resolveNearestEverywhere()
                return (model, detecting ? SpineDetector.detect(model: model, settings: detection) : [])
            }
            // In a noisy image spines are searched for, and their contrast judged, on the image
            // smoothed wider (`lowSNRSmoothingSigmaMicrons`), modelled along the same shafts; their
            // positions and sizes are still measured at the finer smoothing.
            let fineSigma = parameters.smoothingSigmaMicrons, wideSigma = parameters.lowSNRSmoothingSigmaMicrons
            let isNoisy = wideSigma > fineSigma && Double(brightest) < parameters.lowSNRThreshold * Double(noise)
            let measurerSettings = SpineMeasurer.Settings(
                blurSigmaPixels: px(assumedBlurFWHM / 2.3548),
                neckMarginPixels: px(assumedBlurFWHM / 2.3548),
                maximumHalfWidthPixels: px(parameters.maximumHeadDiameterMicrons),
                headPeakFraction: Float(parameters.headPeakFraction),
                headWindowPixels: Swift.max(1.5, px(parameters.headWindowMicrons)),
                coreFraction: Float(parameters.headCoreFraction),
                endContinuationCosine: cos(parameters.endContinuationDegrees * .pi / 180),
                headClearanceShaftRadii: parameters.headClearanceShaftRadii)
            // Each candidate as measured on the wider smoothing (noisy images only), for its
            // contrast; read before the finer model is built, so that the wider image and model
            // are gone by then (one more image-sized buffer at a time, not three).
            let (model, candidates, wideMeasured): (ShaftModel, [SpineDetector.Candidate], [SpineMeasurer.Measured?]) = {
                guard isNoisy else {
                    // One model, whose geometry lives only while it is built; after an earlier
                    // model, with its band, nearest points and levels carried over (that geometry
                    // then lives through the detection).
                    let geometry = earlier.map {
                        ShaftModel.Geometry(width: smoothed.width, height: smoothed.height, paths: paths,
                                            settings: modelSettings(globalNoise: noise), earlier: $0)
                    }
                    let (model, candidates) = modelAndCandidates(of: smoothed, isSmoothed: true, geometry: geometry,
                                                                 globalNoise: noise, detecting: true)
                    return (model, candidates, [])
                }
                result.searchedAtWiderSmoothing = true
                // The band, nearest points, segments and bins along the paths depend on the
                // settings' lengths, not on the noise or the pixels: both models share them, made
                // once here (and gone with the detection).
                let geometry = ShaftModel.Geometry(width: smoothed.width, height: smoothed.height, paths: paths,
                                                   settings: modelSettings(globalNoise: noise), earlier: earlier)
                let (candidates, wideMeasured): ([SpineDetector.Candidate], [SpineMeasurer.Measured?]) = {
                    let wideSmoothed = smoothed.gaussianBlurred(sigma: px((wideSigma * wideSigma - fineSigma * fineSigma).squareRoot()))
                    // Both smoothings applied to white noise, as the noise estimate assumes.
                    let noiseRatio = BackgroundEstimator.noiseGain(ofGaussianSigma: px(wideSigma))
                        / BackgroundEstimator.noiseGain(ofGaussianSigma: px(fineSigma))
                    let (wideModel, found) = modelAndCandidates(of: wideSmoothed, isSmoothed: false, geometry: geometry,
                                                                globalNoise: noise * noiseRatio, detecting: true)
                    let wideMeasurer = SpineMeasurer(model: wideModel, settings: measurerSettings)
                    return (found, found.enumerated().map { k, c in wideMeasurer.measure(c, index: k, neck: false) })
                }()
                let model = modelAndCandidates(of: smoothed, isSmoothed: true, geometry: geometry, globalNoise: noise, detecting: false).0
                return (model, candidates, wideMeasured)
            }()
            stopwatch.lap("detection", into: &result.timings)

            // 5. Measurement; the blur is read from the necks.
            let measurer = SpineMeasurer(model: model, settings: measurerSettings)
            let allMeasured = candidates.enumerated().compactMap { k, c in
                measurer.measure(c, index: k).map { m in
                    guard !wideMeasured.isEmpty, let wide = wideMeasured[k] else { return m }
                    var m = m
                    (m.headContrast, m.headPeak, m.shaftPeak, m.noise) = (wide.headContrast, wide.headPeak, wide.shaftPeak, wide.noise)
                    return m
                }
            }
            // Necks are thinner than the optics resolve, so the narrow end of their widths is the
            // blur itself (unless the user gave the PSF).
            var blurFWHMPixels = px(assumedBlurFWHM)
            let neckWidths = allMeasured.compactMap(\.neckFWHMPixels).sorted()
            if parameters.psfFWHMMicrons == nil, neckWidths.count >= parameters.minimumNecksForBlurEstimate {
                // No optics image finer than the diffraction limit: narrower "necks" are noise.
                let floorPSF = parameters.minimumPSFFWHMMicrons
                blurFWHMPixels = Swift.max(neckWidths[Int(Double(neckWidths.count - 1) * parameters.blurEstimateQuantile)],
                                           px((floorPSF * floorPSF + smoothingFWHM * smoothingFWHM).squareRoot()))
            }
            let blurFWHM = blurFWHMPixels * micronsPerPixel
            result.psfFWHMMicrons = (Swift.max(0, blurFWHM * blurFWHM - smoothingFWHM * smoothingFWHM)).squareRoot()

            // 6. Axons: processes whose deblurred radius is below `axonRadiusMicrons`.
            let shafts = ShaftCensus(paths: paths, image: smoothed, tangentHalfWindow: tracer.smoothingHalfWindow(micronsPerPixel: micronsPerPixel),
                                     model: model, micronsPerPixel: micronsPerPixel,
                                     blurFWHMMicrons: blurFWHM, axonRadiusMicrons: parameters.axonRadiusMicrons,
                                     minimumElongation: parameters.minimumShaftElongation)
            // Only spines whose nearest path is a thin process need distances to the wide shafts.
            var wide: ShaftCensus.WideDistances?
            let measured = SpineMeasurer.mergingNeckFragments(
                allMeasured,
                lateralTolerancePixels: Swift.max(2, px(parameters.neckFragmentToleranceMicrons)),
                maximumFragmentWidthPixels: parameters.neckFragmentWidthFactor * blurFWHMPixels)

            // 7. Sizes in microns and classes, for heads inside the counting frame (inset from the
            // imaged area, which crop padding can shrink).
            let area = ImagedArea(of: image, darkLevel: Float(parameters.paddingDarkFraction) * brightest,
                                  stepRatio: Float(parameters.paddingStepRatio), minimum: imageMinimum)
            let frame = CountingFrame(area: area, marginPixels: px(parameters.borderExclusionMicrons))
            let classifier = SpineClassifier(rules: parameters.rules)
            let passingProcess = SpineMeasurer.LineTest(marginPixels: px(parameters.passingProcessRingMarginMicrons),
                                                        arcFraction: Float(parameters.passingProcessArcFraction),
                                                        arcSNR: Float(parameters.passingProcessArcSNR),
                                                        oppositeDegrees: parameters.passingProcessOppositeDegrees)
            /// The noise deviations a head of `length` microns must stand above its ring: fewer in
            /// noise-limited images (`lowSNRHeadContrastSNR`), more for heads near the shaft
            /// surface elsewhere (`nearSurfaceContrastSNR`).
            func contrastDeviations(length: Double) -> Double {
                if isNoisy { return backgroundRemoved ? parameters.headContrastSNR : parameters.lowSNRHeadContrastSNR }
                return length < parameters.nearSurfaceLengthMicrons
                    ? Swift.max(parameters.headContrastSNR, parameters.nearSurfaceContrastSNR) : parameters.headContrastSNR
            }
            /// The head diameter and neck width in pixels and the length and head diameter in microns
            /// of `m` with a blurred head width of `headFWHM`.
            func sizes(_ m: SpineMeasurer.Measured, headFWHM: Double)
                -> (headPixels: Double, neckPixels: Double?, length: Double, head: Double) {
                let headPixels = SpineMeasurer.deblurred(headFWHM, psfFWHM: blurFWHMPixels)
                // A detached head's neck is not seen: the profiles along the line from its head to
                // the shaft cross whatever lies there (beside a tilted spine, the shaft's flank
                // and background, read as a neck as wide as the head). Such a head is sized without
                // one; the unresolved-neck rule below then says whether it stands off the shaft.
                let neckPixels = (m.attached ? m.neckFWHMPixels : nil).map { Swift.min(headPixels, SpineMeasurer.deblurred($0, psfFWHM: blurFWHMPixels)) }
                return (headPixels, neckPixels, (m.baseToHeadPixels + headPixels / 2) * micronsPerPixel, headPixels * micronsPerPixel)
            }
            var spines: [Spine] = []
            // The heads that pass the tests of size, place and contrast (on the narrowest head
            // profile, with which they were set); the test for a passing process then reads each
            // one's neighbours among them.
            var accepted: [(m: SpineMeasurer.Measured, headFWHM: Double)] = []
            // Stretches wider than any dendrite: a cell body, not shaft (`maximumDendriteRadiusMicrons`),
            // unless they run on for longer than a cell body (`maximumCellBodyMicrons`). The model
            // numbers the points of all paths in turn (`segmentOfPoint`); a path's segments
            // follow one another along it, so a run of wide ones is a stretch of its points.
            var isWide = model.segmentRadius.map { $0 * micronsPerPixel > parameters.maximumDendriteRadiusMicrons }
            var firstPoint = [Int](repeating: 0, count: paths.count + 1)
            for (p, path) in paths.enumerated() { firstPoint[p + 1] = firstPoint[p] + path.points.count }
            func segment(ofPoint k: Int, onPath p: Int) -> Int { Int(model.segmentOfPoint[firstPoint[p] + k]) }
            for (p, path) in paths.enumerated() {
                var run: [Int] = [], runLength = 0.0
                func closeRun() {
                    if runLength > parameters.maximumCellBodyMicrons { for s in run { isWide[s] = false } }
                    run = []
                    runLength = 0
                }
                for k in path.points.indices {
                    let s = segment(ofPoint: k, onPath: p)
                    guard isWide[s] else { closeRun(); continue }
                    if run.last != s { run.append(s) }
                    if k > 0, isWide[segment(ofPoint: k - 1, onPath: p)] {
                        runLength += path.points[k].distance(to: path.points[k - 1]) * micronsPerPixel
                    }
                }
                closeRun()
            }
            for m in measured where !isWide[m.segment] {
                guard let headFWHM = m.headFWHMPixels else { continue }
                let (_, _, length, head) = sizes(m, headFWHM: headFWHM)
                let contrastFraction = length < parameters.shortSpineLengthMicrons
                    ? parameters.shortSpineContrastFraction : parameters.headContrastFraction
                guard headFWHM >= parameters.minimumHeadBlurFraction * blurFWHMPixels,
                      length >= parameters.minimumSpineHeightMicrons, length <= parameters.maximumSpineLengthMicrons,
                      head <= parameters.maximumHeadDiameterMicrons,
                      m.baseToHeadPixels <= reach + 1,
                      frame.contains(m.head),
                      m.headContrast >= Swift.max(Float(contrastDeviations(length: length)) * m.noise,
                                                  Float(contrastFraction) * m.shaftPeak,
                                                  Float(parameters.headContrastRatio) * m.headPeak) else { continue }
                accepted.append((m, headFWHM))
            }
            // Swellings of thin processes (axonal boutons), not spines: see `swellingCentreFraction`.
            accepted.removeAll { a in
                shafts.isThin[model.segmentPath[a.m.segment]]
                    && measurer.isSwelling(head: a.m.head, headPeak: a.m.headPeak,
                                           centreFraction: Float(parameters.swellingCentreFraction))
            }
            // Heads on a passing process: those whose ring crosses light on two opposite sides,
            // unless that light is a neighbouring head's (the middle one of a row of touching
            // heads). Only heads that pass the test alone can explain a neighbour's light: two
            // noise peaks on one axon would otherwise excuse each other.
            var onProcess = [Bool](repeating: false, count: accepted.count)
            if parameters.rejectsHeadsOnPassingProcesses {
                for (index, a) in accepted.enumerated() {
                    onProcess[index] = measurer.liesOnPassingProcess(head: a.m.head, headFWHMPixels: a.headFWHM, others: [],
                                                                     test: passingProcess)
                }
                let alone = onProcess
                for (index, a) in accepted.enumerated() where alone[index] {
                    let ringReach = a.headFWHM / 2 + passingProcess.marginPixels
                    let others = accepted.enumerated().compactMap { j, o -> (centre: PixelPoint, fwhm: Double)? in
                        !alone[j] && o.m.head.distance(to: a.m.head) <= ringReach + o.headFWHM ? (o.m.head, o.headFWHM) : nil
                    }
                    if !others.isEmpty {
                        onProcess[index] = measurer.liesOnPassingProcess(head: a.m.head, headFWHMPixels: a.headFWHM,
                                                                         others: others, test: passingProcess)
                    }
                }
            }
            for (index, a) in accepted.enumerated() where !onProcess[index] {
                // Sizes from the width least narrowed by the shaft (`Measured.sizeFWHMPixels`).
                let m = a.m
                let (headPixels, neckPixels, length, head) = sizes(m, headFWHM: m.sizeFWHMPixels ?? a.headFWHM)
                var neck = neckPixels.map { $0 * micronsPerPixel }
                // Too short to measure a neck, yet the head stands off the surface: unresolved neck.
                if neck == nil, head > 0, length - head >= parameters.unresolvedNeckGapMicrons { neck = 0 }
                let spineClass = classifier.classify(headDiameterMicrons: head, neckDiameterMicrons: neck,
                                                     lengthMicrons: length)
                let tip = PixelPoint(x: m.head.x + m.direction.x * headPixels / 2,
                                     y: m.head.y + m.direction.y * headPixels / 2)
                let defaultPath = model.segmentPath[m.segment]
                if !shafts.isShaft[defaultPath] && wide == nil {
                    wide = shafts.wideShaftDistances(width: image.width, height: image.height)
                }
                let path = wide == nil ? defaultPath : shafts.owningPath(of: m.head, defaultPath: defaultPath, wide: wide!,
                                             reachPixels: reach, width: image.width, height: image.height)
                spines.append(Spine(id: spines.count + 1, dendriteID: path + 1,
                                    spineClass: spineClass, head: m.head, base: m.base, tip: tip,
                                    lengthMicrons: length, headDiameterMicrons: head,
                                    neckDiameterMicrons: neck ?? head, isAttached: m.attached,
                                    headSNR: m.noise > 0 ? Double(m.headContrast / m.noise) : nil,
                                    headContrast: m.shaftPeak > 0 ? Double(m.headContrast / m.shaftPeak) : nil))
            }

            // 8. A thin process is a dendrite only if it carries spines.
            var kept: [Int: Int] = [:]
            for (index, path) in paths.enumerated() {
                let length = frame.lengthInside(path.points) { k in !isWide[segment(ofPoint: k, onPath: index)] }
                    * micronsPerPixel
                guard length > 0 else { continue }
                let spineCount = spines.reduce(0) { $0 + ($1.dendriteID == index + 1 ? 1 : 0) }
                if (shafts.isBlob[index] && spineCount == 0)
                    || (shafts.isThin[index] && Double(spineCount) / length < parameters.minimumThinDendriteDensityPerMicron) {
                    continue
                }
                kept[index + 1] = result.dendrites.count + 1
                result.dendrites.append(Dendrite(id: result.dendrites.count + 1, centerline: path.points,
                                                 lengthMicrons: length, radiusMicrons: shafts.radiusMicrons[index]))
            }
            result.spines = spines.compactMap { spine in
                guard let id = kept[spine.dendriteID] else { return nil }
                var s = spine
                s.dendriteID = id
                return s
            }
            // Positions along the dendrites, each dendrite's arc lengths summed once.
            for (index, dendrite) in result.dendrites.enumerated() {
                let own = result.spines.indices.filter { result.spines[$0].dendriteID == index + 1 }
                let arcs = dendrite.arcMicrons(nearestTo: own.map { result.spines[$0].base }, micronsPerPixel: micronsPerPixel)
                for (k, arc) in zip(own, arcs) { result.spines[k].arcMicrons = arc }
            }
            for k in result.spines.indices { result.spines[k].id = k + 1 }
            let material = findingMaterial
                ? shafts.spineMaterial(kept: paths.indices.map { kept[$0 + 1] != nil }, reachPixels: reach,
                                       distancePixels: px(parameters.spineMaterialDistanceMicrons),
                                       endMarginPixels: px(parameters.spineMaterialEndMarginMicrons))
                : []
            let left = material.isEmpty ? nil
                : ShaftModel.Earlier(model: model, keptPaths: paths.indices.filter { !material.contains($0) })
            stopwatch.lap("measurement", into: &result.timings)
            return (result, material, left)
        }

        let first = spinesAndDendrites(along: traced, from: result, findingMaterial: parameters.reexaminesPiecesBesideShafts)
        guard !first.spineMaterial.isEmpty, let earlier = first.earlier else { return first.analysis }
        // Pieces beside a shaft that were dropped may be heads its own model swallowed
        // (`ShaftCensus.spineMaterial`): steps 4-8 once more without them, their time added
        // to the first pass's; the shaft model takes over from the first what the pieces do
        // not change (`ShaftModel.Earlier`). Rare: 1 of the 6 synthetic-dev images, 25 of the
        // 1653 Smirnov crops, 1 of the benchmark's 8 images.
        result.timings = first.analysis.timings
        let remaining = earlier.keptPaths.map { traced[$0] }
        return spinesAndDendrites(along: remaining, from: result, findingMaterial: false, earlier: earlier).analysis
    }
}

/// Wall-clock laps for `StageTimings`.
struct Stopwatch {
    private var last = ContinuousClock.now

    mutating func lap(_ stage: String, into timings: inout StageTimings) {
        let now = ContinuousClock.now
        let d = now - last
        timings.seconds[stage, default: 0] += Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        last = now
    }
}
