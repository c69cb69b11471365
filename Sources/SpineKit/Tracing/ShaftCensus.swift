/// Which traced processes are wide enough to be dendrite shafts, and distances to those.
///
/// An axon is 0.1-0.3 um thick and bears no spines (Shepherd & Harris 1998); a dendrite
/// shaft is 0.6-1.4 um (Harris et al. 1992). The measured radius (half width at half
/// maximum / 0.866) includes the blur, which is removed in quadrature before comparing
/// with `axonRadiusMicrons`.
struct ShaftCensus {
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

    init(paths: [ShaftTracer.Path], model: ShaftModel, micronsPerPixel: Double,
         blurFWHMMicrons: Double, axonRadiusMicrons: Double, minimumElongation: Double) {
        self.paths = paths
        self.micronsPerPixel = micronsPerPixel
        var radii = [[Double]](repeating: [], count: paths.count)
        for (segment, path) in model.segmentPath.enumerated() { radii[path].append(model.segmentRadius[segment]) }
        radiusMicrons = radii.map { r in (r.isEmpty ? 0 : r.sorted()[r.count / 2]) * micronsPerPixel }
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

    /// Distance map to the centrelines of wide shafts (of all shafts when none is wide), and
    /// which path each centreline pixel belongs to.
    struct WideDistances {
        let map: DistanceMap
        let pathOfPixel: [Int32]
        let radiusPixels: [Double]

        func distance(_ i: Int) -> Double { Double(map.squaredDistance.pixels[i]).squareRoot() }

        /// Radius of the wide shaft nearest to pixel `i`, pixels (0 when there is none).
        func radius(_ i: Int) -> Double {
            let c = Int(map.nearest.pixels[i])
            return c < 0 ? 0 : radiusPixels[Int(pathOfPixel[c])]
        }
    }

    func wideShaftDistances(width: Int, height: Int) -> WideDistances {
        var centerline = BinaryMask(width: width, height: height, repeating: false)
        var pathOfPixel = [Int32](repeating: -1, count: width * height)
        let shaft = isShaft
        let anyWide = shaft.contains(true)
        for (index, path) in paths.enumerated() where shaft[index] || !anyWide {
            for p in path.pixels {
                centerline.pixels[p] = true
                pathOfPixel[p] = Int32(index)
            }
        }
        return WideDistances(map: centerline.distanceToForeground(), pathOfPixel: pathOfPixel,
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
        let c = Int(wide.map.nearest.pixels[i])
        guard c >= 0 else { return defaultPath }
        let owner = Int(wide.pathOfPixel[c])
        return wide.distance(i) <= wide.radiusPixels[owner] + reachPixels ? owner : defaultPath
    }
}
