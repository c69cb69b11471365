import Foundation
import SpineKit

extension Benchmark {
    /// One public operator's cost on a real image, best of three runs.
    struct OperatorFigure {
        var name: String
        var stage: String
        /// Fastest of three runs.
        var cost: Cost
    }

    /// Times the public operators the pipeline is built from on the first image, fed the
    /// same intermediate images the pipeline gives them (default `AnalysisParameters`), so
    /// the stage times above can be broken down. Internal steps (shaft model, detection,
    /// measurement) are not public and show only in the stage table.
    func measureOperators() throws -> [OperatorFigure] {
        let decoded = try PNGCodec.read(path: imagePaths[0])
        let image = decoded.grayImage(channel: .max)
        let micronsPerPixel = decoded.micronsPerPixel ?? 0.08
        let parameters = AnalysisParameters()
        func px(_ microns: Double) -> Double { microns / micronsPerPixel }
        var figures: [OperatorFigure] = []
        func time<R>(_ name: String, _ stage: String, _ body: () -> R) -> R {
            var best = Cost.infinite
            var result = body()
            for _ in 0..<3 {
                var cost = Cost()
                result = timed(&cost, body)
                best = .min(best, cost)
            }
            figures.append(OperatorFigure(name: name, stage: stage, cost: best))
            return result
        }

        let blockSize = Int(px(parameters.backgroundBlockMicrons).rounded())
        let background = time("BackgroundEstimator.background", "background") {
            BackgroundEstimator.background(of: image, blockSize: blockSize, percentile: parameters.backgroundPercentile)
        }
        var flat = image
        for i in 0..<flat.count { flat.pixels[i] -= background.pixels[i] }
        let smoothed = time("gaussianBlurred (sigma \(fixed(px(parameters.smoothingSigmaMicrons), 2)) px)", "background") {
            flat.gaussianBlurred(sigma: px(parameters.smoothingSigmaMicrons))
        }
        let noise = time("BackgroundEstimator.noiseSigma", "background") {
            Swift.max(BackgroundEstimator.noiseSigma(of: smoothed, excludingFlatRegionsOf: image),
                      Float(parameters.minimumNoise))
        }
        let radius = Swift.max(1, Int(px(parameters.shaftLocalMaximumMicrons).rounded()))
        let localMax = time("maximumFiltered (radius \(radius) px)", "segmentation") {
            smoothed.maximumFiltered(radius: radius)
        }
        var sorted = smoothed.pixels
        sorted.sort()
        let brightest = sorted[Int(Double(sorted.count - 1) * parameters.brightQuantile)]
        let seed = Swift.max(Float(parameters.shaftSeedSNR) * noise, Float(parameters.shaftSeedFraction) * brightest)
        var candidates = BinaryMask(width: image.width, height: image.height, repeating: false)
        for i in 0..<smoothed.count {
            let v = smoothed.pixels[i]
            candidates.pixels[i] = v >= seed && v >= Float(parameters.shaftRelativeThreshold) * localMax.pixels[i]
        }
        let openingRadius = px(parameters.shaftOpeningRadiusMicrons)
        let shaftMask = time("opened (radius \(fixed(openingRadius, 2)) px)", "segmentation") {
            candidates.opened(radius: openingRadius)
        }
        // The pipeline runs neither whole-image distance transform on these images (2048 px a
        // side or less, default parameters, the opening's radius under 8 px): the opening
        // takes disc rows (`OpeningDisc`), the tracer's path-end half-widths a ring search,
        // the shaft model and the wide-shaft distances the band's transform. Timed as
        // operators, charged to no stage.
        let unused = "(none)"
        _ = time("distanceToBackground (shaft mask)", unused) { shaftMask.distanceToBackground() }
        _ = time("skeletonized (shaft mask)", "tracing") { shaftMask.skeletonized() }
        let tracer = ShaftTracer(minimumLengthMicrons: parameters.minimumDendriteLengthMicrons,
                                 smoothingMicrons: parameters.centerlineSmoothingMicrons)
        _ = time("ShaftTracer.trace (shaft mask, skeleton included)", "tracing") {
            tracer.trace(shaftMask, micronsPerPixel: micronsPerPixel)
        }
        _ = time("distanceToForeground (shaft mask)", unused) { shaftMask.distanceToForeground() }
        _ = time("labeled (8-connected, shaft candidates)", "detection") { candidates.labeled(connectivity: .eight) }
        _ = time("reconstructed (candidates from shaft mask)", "detection") { candidates.reconstructed(from: shaftMask) }
        return figures
    }
}
