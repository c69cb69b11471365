import Foundation

/// The whole pipeline for one image: background, segmentation, shaft tracing, spine
/// detection, measurement and classification. Each step is described in `Docs/METHOD.md`.
public enum SpineAnalysis {
    /// Analyses one intensity image whose pixels are `micronsPerPixel` wide.
    public static func analyze(_ image: GrayImage, micronsPerPixel: Double,
                               parameters: AnalysisParameters = AnalysisParameters()) -> ImageAnalysis {
        precondition(micronsPerPixel > 0, "pixel size must be positive, got \(micronsPerPixel)")
        var timings = StageTimings()
        var clock = ContinuousClock.now
        func lap(_ stage: String) {
            let now = ContinuousClock.now
            let d = now - clock
            timings.seconds[stage, default: 0] += Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            clock = now
        }
        let px = { (microns: Double) in microns / micronsPerPixel }
        let psfFWHM = parameters.psfFWHMMicrons ?? parameters.defaultPSFFWHMMicrons
        var result = ImageAnalysis(width: image.width, height: image.height,
                                   micronsPerPixel: micronsPerPixel, psfFWHMMicrons: psfFWHM)
        guard image.width >= 3, image.height >= 3 else { return result }

        // 1. Background and noise.
        let background = BackgroundEstimator.background(
            of: image, blockSize: Int(px(parameters.backgroundBlockMicrons).rounded()),
            percentile: parameters.backgroundPercentile)
        var flat = image
        for i in 0..<flat.count { flat.pixels[i] -= background.pixels[i] }
        let smoothed = flat.gaussianBlurred(sigma: px(parameters.smoothingSigmaMicrons))
        let noise = Swift.max(BackgroundEstimator.noiseSigma(of: smoothed), 1e-6)
        lap("background")

        // 2. Shaft segmentation: significant, locally bright, and wider than a neck.
        let localMax = smoothed.maximumFiltered(radius: Swift.max(1, Int(px(parameters.shaftLocalMaximumMicrons).rounded())))
        let seed = Float(parameters.shaftSeedSNR) * noise
        var shaftCandidates = BinaryMask(width: image.width, height: image.height, repeating: false)
        for i in 0..<smoothed.count {
            let v = smoothed.pixels[i]
            shaftCandidates.pixels[i] = v >= seed && v >= Float(parameters.shaftRelativeThreshold) * localMax.pixels[i]
        }
        let shaftMask = shaftCandidates.opened(radius: px(parameters.shaftOpeningRadiusMicrons))
        lap("segmentation")

        // 3. Centrelines.
        let tracer = ShaftTracer(minimumLengthMicrons: parameters.minimumDendriteLengthMicrons,
                                 smoothingMicrons: parameters.centerlineSmoothingMicrons)
        let paths = tracer.trace(shaftMask, micronsPerPixel: micronsPerPixel)
        lap("tracing")
        guard !paths.isEmpty else { return finish(result, timings) }

        // 4. Shaft model and spine detection.
        let reach = px(parameters.spineReachMicrons)
        let model = ShaftModel.build(
            smoothed: smoothed, paths: paths,
            settings: .init(segmentPixels: Swift.max(4, Int(px(parameters.profileSegmentMicrons).rounded())),
                            reachPixels: reach + px(1.0), binPixels: 0.5,
                            profileQuantile: 0.3, quantileOffsetSigmas: 0.5244, globalNoise: noise))
        let candidates = SpineDetector.detect(model: model, settings: .init(
            seedSNR: Float(parameters.spineSeedSNR), maskSNR: Float(parameters.spineMaskSNR),
            prominenceSNR: Float(parameters.spineProminenceSNR),
            prominenceFraction: Float(parameters.spineProminenceFraction),
            innerRadiusFraction: 0.75, reachPixels: reach))
        lap("detection")

        // 5. Measurement and classification.
        var owner = [Int32](repeating: -1, count: image.count)
        for (k, c) in candidates.enumerated() { for p in c.pixels { owner[p] = Int32(k) } }
        let smoothingFWHM = 2.3548 * parameters.smoothingSigmaMicrons
        let assumedBlurFWHM = (psfFWHM * psfFWHM + smoothingFWHM * smoothingFWHM).squareRoot()
        let measurer = SpineMeasurer(
            model: model,
            settings: .init(blurSigmaPixels: px(assumedBlurFWHM / 2.3548),
                            neckMarginPixels: px(assumedBlurFWHM / 2.3548),
                            maximumHalfWidthPixels: px(parameters.maximumHeadDiameterMicrons)),
            owner: owner)
        let measured = candidates.enumerated().compactMap { k, c in measurer.measure(c, index: k) }
        // The blur actually present: necks are thinner than the optics resolve, so the
        // narrowest neck widths are the blur itself (unless the user gave the PSF).
        var blurFWHMPixels = px(assumedBlurFWHM)
        let neckWidths = measured.compactMap(\.neckFWHMPixels).sorted()
        if parameters.psfFWHMMicrons == nil, neckWidths.count >= parameters.minimumNecksForBlurEstimate {
            blurFWHMPixels = neckWidths[Int(Double(neckWidths.count - 1) * parameters.blurEstimateQuantile)]
        }
        result.psfFWHMMicrons = (Swift.max(0, blurFWHMPixels * blurFWHMPixels - px(smoothingFWHM) * px(smoothingFWHM))).squareRoot() * micronsPerPixel
        let classifier = SpineClassifier(rules: parameters.rules)
        var spines: [Spine] = []
        for m in measured {
            guard let headFWHM = m.headFWHMPixels else { continue }
            let headPixels = SpineMeasurer.deblurred(headFWHM, psfFWHM: blurFWHMPixels)
            let neckPixels = m.neckFWHMPixels.map { Swift.min(headPixels, SpineMeasurer.deblurred($0, psfFWHM: blurFWHMPixels)) }
            let lengthPixels = m.baseToHeadPixels + headPixels / 2
            let length = lengthPixels * micronsPerPixel
            let head = headPixels * micronsPerPixel
            guard length >= parameters.minimumSpineHeightMicrons,
                  head <= parameters.maximumHeadDiameterMicrons,
                  m.baseToHeadPixels <= reach + 1 else { continue }
            let neck = neckPixels.map { $0 * micronsPerPixel }
            let spineClass = classifier.classify(headDiameterMicrons: head, neckDiameterMicrons: neck,
                                                 lengthMicrons: length)
            let tip = PixelPoint(x: m.head.x + m.direction.x * headPixels / 2,
                                 y: m.head.y + m.direction.y * headPixels / 2)
            spines.append(Spine(id: spines.count + 1, dendriteID: model.segmentPath[m.segment] + 1,
                                spineClass: spineClass, head: m.head, base: m.base, tip: tip,
                                lengthMicrons: length, headDiameterMicrons: head,
                                neckDiameterMicrons: neck ?? head, isAttached: m.attached))
        }
        // 6. Axons are not dendrites: a thin process is kept only if it carries spines.
        // Spines beside both a thin process and a wide shaft belong to the shaft, so an axon
        // passing a dendrite does not inherit the dendrite's spines.
        let radiusMicrons: [Double] = paths.indices.map { index in
            let radii = model.segmentPath.indices.filter { model.segmentPath[$0] == index }.map { model.segmentRadius[$0] }
            return (radii.isEmpty ? 0 : radii.sorted()[radii.count / 2]) * micronsPerPixel
        }
        let isThin = radiusMicrons.map { $0 < parameters.axonRadiusMicrons }
        if isThin.contains(true) && isThin.contains(false) {
            var wideCenterline = BinaryMask(width: image.width, height: image.height, repeating: false)
            var pathOfPixel = [Int32](repeating: -1, count: image.count)
            for (index, path) in paths.enumerated() where !isThin[index] {
                for p in path.pixels {
                    wideCenterline.pixels[p] = true
                    pathOfPixel[p] = Int32(index)
                }
            }
            let wide = wideCenterline.distanceToForeground()
            for k in spines.indices where isThin[spines[k].dendriteID - 1] {
                let h = spines[k].head
                let i = Swift.min(image.height - 1, Swift.max(0, Int(h.y.rounded()))) * image.width
                    + Swift.min(image.width - 1, Swift.max(0, Int(h.x.rounded())))
                let nearest = Int(wide.nearest.pixels[i])
                guard nearest >= 0 else { continue }
                let owner = Int(pathOfPixel[nearest])
                let limit = radiusMicrons[owner] / micronsPerPixel + reach
                if Double(wide.squaredDistance.pixels[i]) <= limit * limit { spines[k].dendriteID = owner + 1 }
            }
        }
        var kept: [Int: Int] = [:]
        var dendrites: [Dendrite] = []
        for (index, path) in paths.enumerated() {
            let length = path.lengthPixels * micronsPerPixel
            let spineCount = spines.reduce(0) { $0 + ($1.dendriteID == index + 1 ? 1 : 0) }
            let isAxonLike = isThin[index]
                && Double(spineCount) / length < parameters.minimumThinDendriteDensityPerMicron
            guard !isAxonLike else { continue }
            kept[index + 1] = dendrites.count + 1
            dendrites.append(Dendrite(id: dendrites.count + 1, centerline: path.points,
                                      lengthMicrons: length, radiusMicrons: radiusMicrons[index]))
        }
        result.dendrites = dendrites
        result.spines = spines.compactMap { spine in
            guard let id = kept[spine.dendriteID] else { return nil }
            var s = spine
            s.dendriteID = id
            return s
        }
        for k in result.spines.indices { result.spines[k].id = k + 1 }
        lap("measurement")
        return finish(result, timings)
    }

    private static func finish(_ result: ImageAnalysis, _ timings: StageTimings) -> ImageAnalysis {
        var result = result
        result.timings = timings
        return result
    }
}
