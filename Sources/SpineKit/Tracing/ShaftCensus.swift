/// Which traced processes are wide enough to be dendrite shafts, and distances to those.
///
/// An axon is 0.1-0.3 um thick and bears no spines (Shepherd & Harris 1998); a dendrite
/// shaft is 0.6-1.4 um (Harris et al. 1992). The measured radius (half width at half
/// maximum / 0.866, measured straight across the process: `CrossSection`) includes the
/// blur, which is removed in quadrature before comparing with `axonRadiusMicrons`.
struct ShaftCensus {
    /// Cross-sections are followed this far from the centreline to their half maximum: past
    /// the half width of the thickest dendrite shafts (1.4 um thick, blurred).
    static let crossSectionReachMicrons = 2.0

    /// Median measured radius of each path, microns (blur included).
    let radiusMicrons: [Double]
    /// `true` for paths whose deblurred radius is below the axon limit.
    let isThin: [Bool]
    /// `true` for paths shorter than `minimumElongation` times their diameter: the skeleton
    /// of a round blob (an out-of-focus cell part, a soma fragment), not of a process.
    let isBlob: [Bool]
    /// Wide, elongated processes: the dendrite shafts that spines attach to.
    var isShaft: [Bool] { zip(isThin, isBlob).map { !$0 && !$1 } }
    let paths: [ShaftTracer.Path]
    let micronsPerPixel: Double

    /// - Parameters:
    ///   - image: the smoothed image the paths were traced on, for their cross-sections.
    ///   - tangentHalfWindow: as the tracer smooths the centreline, points.
    ///   - model: the shaft model along `paths`; its radius stands in for a path with no
    ///     cross-section that falls to half its peak on both sides.
    init(paths: [ShaftTracer.Path], image: GrayImage, tangentHalfWindow: Int, model: ShaftModel,
         micronsPerPixel: Double, blurFWHMMicrons: Double, axonRadiusMicrons: Double, minimumElongation: Double) {
        self.paths = paths
        self.micronsPerPixel = micronsPerPixel
        var radii = [[Double]](repeating: [], count: paths.count)
        for (segment, path) in model.segmentPath.enumerated() { radii[path].append(model.segmentRadius[segment]) }
        let reach = Self.crossSectionReachMicrons / micronsPerPixel
        radiusMicrons = zip(paths, radii).map { path, modelRadii in
            // r = HWHM / 0.866 for a cylinder (see `ShaftModel.build`), at least half a pixel.
            let pixels = CrossSection.medianHalfWidth(along: path, in: image, tangentHalfWindow: tangentHalfWindow,
                                                      reachPixels: reach).map { Swift.max(0.5, $0 / 0.866) }
                ?? (modelRadii.isEmpty ? 0 : modelRadii.sorted()[modelRadii.count / 2])
            return pixels * micronsPerPixel
        }
        let blurHalf = blurFWHMMicrons / 2
        isThin = radiusMicrons.map { measured in
            let halfMaximum = measured * 0.866
            let deblurred = (Swift.max(0, halfMaximum * halfMaximum - blurHalf * blurHalf)).squareRoot() / 0.866
            return deblurred < axonRadiusMicrons
        }
        isBlob = zip(paths, radiusMicrons).map { path, radius in
            path.lengthPixels * micronsPerPixel < minimumElongation * 2 * radius
        }
    }

    /// Distances to the centrelines of wide shafts (of all shafts when none is wide), and
    /// which path the nearest centreline pixel belongs to.
    ///
    /// They are read at a few spine heads (those nearest to a thin process), so each is
    /// searched among the centreline pixels when asked rather than read from a transform of
    /// the whole image; images too large for the search to be shown to pick the transform's
    /// pixel (`DistanceTransform.tiesFollowTheRule`) keep the transform.
    struct WideDistances {
        /// The centreline pixels (index `y * width + x`) and their paths, path by path: a
        /// pixel on two paths belongs to the later one.
        let centerline: [(pixel: Int, path: Int)]
        let width: Int
        /// The whole-image transform, for images beyond the search's rule.
        let map: DistanceMap?
        let radiusPixels: [Double]

        /// The centreline pixel nearest to pixel index `i` and its squared distance, nil with
        /// none: of equally near ones the leftmost, then the upper, as `distanceToForeground`
        /// takes them.
        func nearest(_ i: Int) -> (path: Int, squaredDistance: Float)? {
            if let map {
                let c = Int(map.nearest.pixels[i])
                guard c >= 0, let entry = centerline.last(where: { $0.pixel == c }) else { return nil }
                return (entry.path, map.squaredDistance.pixels[i])
            }
            let x = i % width, y = i / width
            var bestPath = -1, bestKey = (Int.max, Int.max, Int.max)
            for (pixel, path) in centerline {
                let cx = pixel % width, cy = pixel / width
                let key = ((cx - x) * (cx - x) + (cy - y) * (cy - y), cx, cy)
                // `<=`: the same pixel again is its later path.
                if key <= bestKey {
                    bestKey = key
                    bestPath = path
                }
            }
            return bestPath < 0 ? nil : (bestPath, Float(bestKey.0))
        }

        /// Distance from pixel `i` to the nearest wide-shaft centreline pixel, pixels.
        func distance(_ i: Int) -> Double { Double(nearest(i)?.squaredDistance ?? .infinity).squareRoot() }

        /// Radius of the wide shaft nearest to pixel `i`, pixels (0 when there is none).
        func radius(_ i: Int) -> Double { nearest(i).map { radiusPixels[$0.path] } ?? 0 }
    }

    func wideShaftDistances(width: Int, height: Int) -> WideDistances {
        var centerline: [(pixel: Int, path: Int)] = []
        let shaft = isShaft
        let anyWide = shaft.contains(true)
        for (index, path) in paths.enumerated() where shaft[index] || !anyWide {
            for p in path.pixels { centerline.append((p, index)) }
        }
        var map: DistanceMap?
        if !DistanceTransform.tiesFollowTheRule(width: width, height: height) {
            var mask = BinaryMask(width: width, height: height, repeating: false)
            for (p, _) in centerline { mask.pixels[p] = true }
            map = mask.distanceToForeground()
        }
        return WideDistances(centerline: centerline, width: width, map: map,
                             radiusPixels: radiusMicrons.map { $0 / micronsPerPixel })
    }

    /// The path a spine at `head` belongs to: its nearest path, unless that is a thin
    /// process and a wide shaft is within reach, so an axon passing a dendrite does not
    /// take the dendrite's spines.
    func owningPath(of head: PixelPoint, defaultPath: Int, wide: WideDistances, reachPixels: Double,
                    width: Int, height: Int) -> Int {
        guard !isShaft[defaultPath] else { return defaultPath }
        let x = Swift.min(width - 1, Swift.max(0, Int(head.x.rounded())))
        let y = Swift.min(height - 1, Swift.max(0, Int(head.y.rounded())))
        let i = y * width + x
        guard let nearest = wide.nearest(i) else { return defaultPath }
        let owner = nearest.path
        return Double(nearest.squaredDistance).squareRoot() <= wide.radiusPixels[owner] + reachPixels ? owner : defaultPath
    }
}
