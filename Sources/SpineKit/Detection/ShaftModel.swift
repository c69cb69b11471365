/// The intensity a dendrite shaft alone would produce, learnt from the image itself.
///
/// Every pixel near a centreline is assigned to its nearest centreline pixel, and so to a
/// stretch of shaft (`segmentMicrons` long) and a distance from the centreline. Within each
/// stretch, the intensities at equal distance are summarised by a low quantile: spines
/// cover only part of the shaft's flanks, so the quantile follows the shaft and not the
/// spines. Subtracting this radial profile leaves spines, heads and necks on a flat
/// background, with the noise level measured at the same place.
struct ShaftModel {
    /// Intensity minus the shaft profile (0 far from every shaft).
    var residual: GrayImage
    /// Local noise standard deviation of the smoothed image.
    var noise: GrayImage
    /// Distance to the nearest centreline pixel, pixels.
    var centerlineDistance: Raster<Float>
    /// Index of the nearest centreline pixel (or -1).
    var nearestCenterline: Raster<Int32>
    /// For each pixel index: its segment number if it is a centreline pixel, else -1 (a flat
    /// array: it is read for every pixel near a shaft).
    var segmentOfCenterlinePixel: [Int32]
    /// Per segment: shaft radius in pixels and intensity per pixel of projected thickness.
    var segmentRadius: [Double]
    var segmentIntensityPerThickness: [Double]
    /// Per segment: the shaft's peak intensity on its centreline.
    var segmentPeak: [Float]
    /// Per segment: which dendrite (0-based path index).
    var segmentPath: [Int]

    /// Smoothed centreline position of each centreline pixel (by pixel index).
    var smoothedPoints: [PixelPoint]
    /// Index into `smoothedPoints` of each centreline pixel (-1 elsewhere): 4 bytes a pixel
    /// instead of a point (16 bytes) for every pixel of the image.
    var smoothedPointIndex: [Int32]
    /// For centreline pixels near either end of their path: the unit tangent pointing out
    /// of the path.
    var endTangent: [Int32: PixelPoint]

    func smoothedCenterlinePoint(ofPixel i: Int) -> PixelPoint { smoothedPoints[Int(smoothedPointIndex[i])] }

    /// Radius and intensity per thickness of the shaft stretch nearest to pixel index `i`.
    func shaft(atPixel i: Int) -> (segment: Int, radius: Double, peak: Float)? {
        let c = nearestCenterline.pixels[i]
        guard c >= 0 else { return nil }
        let s = Int(segmentOfCenterlinePixel[Int(c)])
        guard s >= 0 else { return nil }
        return (s, segmentRadius[s], segmentPeak[s])
    }

    struct Settings {
        var segmentPixels: Int
        var reachPixels: Double
        var binPixels: Double
        var profileQuantile: Double
        /// Standard-normal quantile of `profileQuantile`, negated (0.524 for 0.3).
        var quantileOffsetSigmas: Double
        var globalNoise: Float
    }

    static func build(smoothed: GrayImage, paths: [ShaftTracer.Path], settings: Settings) -> ShaftModel {
        let w = smoothed.width, h = smoothed.height
        var isCenterline = BinaryMask(width: w, height: h, repeating: false)
        var segmentOf = [Int32](repeating: -1, count: w * h)
        var segmentPath: [Int] = []
        var endTangent: [Int32: PixelPoint] = [:]
        for (p, path) in paths.enumerated() {
            let segments = Swift.max(1, Int((Double(path.pixels.count) / Double(settings.segmentPixels)).rounded()))
            let base = segmentPath.count
            for _ in 0..<segments { segmentPath.append(p) }
            let endZone = Swift.max(2, settings.segmentPixels / 4)
            for (k, pixel) in path.pixels.enumerated() {
                isCenterline.pixels[pixel] = true
                if k < endZone || k >= path.pixels.count - endZone {
                    // Outward tangent over the last few points of the path.
                    let span = Swift.min(path.points.count - 1, endZone)
                    let (a, b) = k < endZone ? (path.points[span], path.points[0])
                        : (path.points[path.points.count - 1 - span], path.points[path.points.count - 1])
                    let dx = b.x - a.x, dy = b.y - a.y, n = (dx * dx + dy * dy).squareRoot()
                    if n > 0 { endTangent[Int32(pixel)] = PixelPoint(x: dx / n, y: dy / n) }
                }
                segmentOf[pixel] = Int32(base + Swift.min(segments - 1, k * segments / path.pixels.count))
            }
        }
        let map = isCenterline.distanceToForeground()
        // Distances are measured to the smoothed centreline point of the nearest skeleton
        // pixel: the skeleton itself wanders by half a pixel, which would blur the profile.
        var smoothedPoint: [PixelPoint] = []
        var smoothedPointIndex = [Int32](repeating: -1, count: w * h)
        for path in paths {
            for (k, pixel) in path.pixels.enumerated() {
                smoothedPointIndex[pixel] = Int32(smoothedPoint.count)
                smoothedPoint.append(path.points[k])
            }
        }
        var distance = Raster<Float>(width: w, height: h, repeating: .infinity)
        for i in 0..<(w * h) {
            let c = Int(map.nearest.pixels[i])
            guard c >= 0 else { continue }
            let p = smoothedPoint[Int(smoothedPointIndex[c])]
            let dx = Double(i % w) - p.x, dy = Double(i / w) - p.y
            distance.pixels[i] = Float((dx * dx + dy * dy).squareRoot())
        }
        let segmentCount = segmentPath.count
        let bins = Swift.max(2, Int((settings.reachPixels / settings.binPixels).rounded(.up)) + 1)

        // Gather intensities per (segment, distance bin).
        var samples = [[Float]](repeating: [], count: segmentCount * bins)
        for i in 0..<smoothed.count {
            let d = distance.pixels[i]
            let c = Int(map.nearest.pixels[i])
            guard d <= Float(settings.reachPixels), c >= 0, segmentOf[c] >= 0 else { continue }
            let s = Int(segmentOf[c])
            let b = Swift.min(bins - 1, Int(d / Float(settings.binPixels)))
            samples[s * bins + b].append(smoothed.pixels[i])
        }
        var level = [Float](repeating: 0, count: segmentCount * bins)
        var spread = [Float](repeating: settings.globalNoise, count: segmentCount * bins)
        for k in 0..<samples.count where samples[k].count >= 4 {
            var v = samples[k]
            let q = OrderStatistics.quantile(&v, settings.profileQuantile)
            let median = OrderStatistics.quantile(&v, 0.5)
            let low = OrderStatistics.quantile(&v, 0.16)
            // q50 - q16 is one standard deviation for Gaussian noise, and spines only
            // disturb the upper tail.
            let sigma = Swift.max(settings.globalNoise, median - low)
            spread[k] = sigma
            // The low quantile sits below the mean of pure noise by a known number of
            // deviations (0.524 for q = 0.3); adding it back leaves no offset in the residual.
            level[k] = Swift.min(median, q + Float(settings.quantileOffsetSigmas) * sigma)
        }
        // Bins too sparse to trust borrow from their inner neighbour.
        for s in 0..<segmentCount {
            for b in 1..<bins where samples[s * bins + b].count < 4 {
                level[s * bins + b] = level[s * bins + b - 1]
                spread[s * bins + b] = spread[s * bins + b - 1]
            }
        }
        // Radius and calibration from each profile. A cylinder of radius r seen in projection
        // has thickness 2 sqrt(r^2 - d^2): it falls to half its peak at d = r sqrt(3) / 2, so
        // r = HWHM / 0.866, and intensity per pixel of thickness is peak / (2 r). The half
        // maximum is used rather than the edge because it does not depend on the threshold.
        var radius = [Double](repeating: 1, count: segmentCount)
        var perThickness = [Double](repeating: 1, count: segmentCount)
        for s in 0..<segmentCount {
            let peak = Double(level[s * bins])
            guard peak > 0 else { continue }
            var halfWidth = Double(bins) * settings.binPixels
            for b in 1..<bins {
                let inner = Double(level[s * bins + b - 1]), outer = Double(level[s * bins + b])
                if outer <= peak / 2 {
                    let f = inner > outer ? (inner - peak / 2) / (inner - outer) : 0
                    // Bin b holds distances [b, b + 1) * binPixels; use bin centres.
                    halfWidth = (Double(b - 1) + 0.5 + f) * settings.binPixels
                    break
                }
            }
            let r = Swift.max(0.5, halfWidth / 0.866)
            radius[s] = r
            perThickness[s] = peak / (2 * r)
        }

        var residual = GrayImage(width: w, height: h, repeating: 0)
        var noise = GrayImage(width: w, height: h, repeating: settings.globalNoise)
        for i in 0..<smoothed.count {
            let d = distance.pixels[i]
            let c = Int(map.nearest.pixels[i])
            guard d <= Float(settings.reachPixels), c >= 0, segmentOf[c] >= 0 else {
                residual.pixels[i] = 0
                continue
            }
            let s = Int(segmentOf[c])
            // Linear interpolation between bin centres.
            let position = d / Float(settings.binPixels) - 0.5
            let b0 = Swift.max(0, Swift.min(bins - 1, Int(position.rounded(.down))))
            let b1 = Swift.min(bins - 1, b0 + 1)
            let f = Swift.max(0, Swift.min(1, position - Float(b0)))
            let model = level[s * bins + b0] * (1 - f) + level[s * bins + b1] * f
            residual.pixels[i] = smoothed.pixels[i] - model
            noise.pixels[i] = spread[s * bins + b0] * (1 - f) + spread[s * bins + b1] * f
        }
        return ShaftModel(residual: residual, noise: noise, centerlineDistance: distance,
                          nearestCenterline: map.nearest, segmentOfCenterlinePixel: segmentOf,
                          segmentRadius: radius, segmentIntensityPerThickness: perThickness,
                          segmentPeak: (0..<segmentCount).map { level[$0 * bins] },
                          segmentPath: segmentPath, smoothedPoints: smoothedPoint, smoothedPointIndex: smoothedPointIndex, endTangent: endTangent)
    }
}
