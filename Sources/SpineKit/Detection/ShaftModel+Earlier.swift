extension ShaftModel {
    /// What the model of an image along some paths leaves for a model of the same image along
    /// some of them: an image with spine material beside a shaft runs steps 4-8 again without
    /// the material's paths (`SpineAnalysis`), and away from those paths nothing changes.
    ///
    /// Removing centreline pixels can only change the nearest centreline pixel of the band
    /// pixels that had a removed one, and only the stretches (segments) that such pixels
    /// leave or join can change their bins. The rest is carried over: the band, the nearest
    /// points of every band run that held no removed pixel's nearest, and the measured levels
    /// and spreads of the stretches whose bins hold the same pixels. The model is the one made
    /// afresh, bit for bit.
    struct Earlier {
        let width: Int, height: Int
        let settings: Settings
        let band: Band
        let bandNearestPoint: [Int32]
        let pointPixel: [Int32]
        let segmentOfPoint: [Int32]
        let segmentPath: [Int]
        let measuredLevel: [Float], measuredSpread: [Float]
        /// The earlier model's paths that are kept, ascending (their order in the new paths).
        let keptPaths: [Int]

        /// What `model` leaves for a model along its paths `keptPaths` (ascending); its residual
        /// and noise images are not kept.
        init(model: ShaftModel, keptPaths: [Int]) {
            precondition(zip(keptPaths, keptPaths.dropFirst()).allSatisfy { $0 < $1 }, "kept paths must ascend")
            width = model.band.width
            height = model.band.height
            settings = model.settings
            band = model.band
            bandNearestPoint = model.bandNearestPoint
            pointPixel = model.pointPixel
            segmentOfPoint = model.segmentOfPoint
            segmentPath = model.segmentPath
            measuredLevel = model.measuredLevel
            measuredSpread = model.measuredSpread
            self.keptPaths = keptPaths
        }

        /// The band and nearest points of the geometry along the kept paths, whose own arrays
        /// (as `Geometry` makes them) are given, and per new segment the earlier segment whose
        /// bins hold the same pixels (-1: none); nil when the earlier geometry does not fit
        /// (another size or lengths, a band narrower than `margin`, or paths laid out otherwise),
        /// and the geometry is then made afresh.
        ///
        /// The earlier band covers every pixel within its margin of the kept paths' pixels, and
        /// its nearest points are exact within that margin; a pixel whose nearest centreline
        /// pixel is kept keeps it (of a subset of the features, the nearest by the tie rule
        /// is the same one). The band runs that held a removed pixel's nearest are transformed
        /// again, as `nearestWithinRuns` would over the whole band: it treats each run on its
        /// own. Beyond the margin a pixel may get another feature than the fresh transform
        /// would, but one beyond the margin as well, which no reader uses (as in
        /// `nearestWithinRuns`).
        func carried(width w: Int, height h: Int, settings: Settings, margin: Int,
                     segmentPath newSegmentPath: [Int], segmentOfPoint newSegmentOfPoint: [Int32],
                     pointPixel newPointPixel: [Int32], pixelPoints: [Int32])
            -> (band: Band, bandNearestPoint: [Int32], earlierSegment: [Int32])? {
            guard w == width, h == height, DistanceTransform.tiesFollowTheRule(width: w, height: h),
                  band.margin >= margin, settings.segmentPixels == self.settings.segmentPixels,
                  settings.reachPixels == self.settings.reachPixels, settings.binPixels == self.settings.binPixels,
                  let (pointMap, segmentMap) = layout(newSegmentPath: newSegmentPath, newSegmentOfPoint: newSegmentOfPoint,
                                                      newPointPixel: newPointPixel)
            else { return nil }
            let count = band.pixelCount
            var nearest = [Int32](repeating: -1, count: count)
            // Runs to transform again (those holding a pixel whose nearest was removed), by row,
            // and the band index of each one's first pixel, in raster order.
            var again = [[Range<Int>]](repeating: [], count: h)
            var againFirst: [Int] = []
            var againCount = 0
            bandNearestPoint.withUnsafeBufferPointer { old in
                pointMap.withUnsafeBufferPointer { pointMap in
                    nearest.withUnsafeMutableBufferPointer { nearest in
                        band.forEachRun { y, run, first in
                            var removed = false
                            for j in first..<(first &+ run.count) {
                                let point = Int(old[j])
                                guard point >= 0 else { continue }
                                let kept = pointMap[point]
                                nearest[j] = kept
                                removed = removed || kept < 0
                            }
                            if removed {
                                again[y].append(run)
                                againFirst.append(first)
                                againCount += run.count
                            }
                        }
                    }
                }
            }
            // Per new segment: whether a band pixel joins or leaves it.
            var changed = [Bool](repeating: false, count: newSegmentPath.count)
            if againCount > 0 {
                let redone = DistanceTransform.nearestWithinRuns(
                    width: w, height: h, features: pixelPoints.map { (pixel: Int(newPointPixel[Int($0)]), label: $0) },
                    runsOfRow: { again[$0] }, count: againCount, r: band.margin)
                var k = 0, run = 0
                for y in 0..<h {
                    for r in again[y] {
                        let first = againFirst[run]
                        run += 1
                        for j in first..<(first + r.count) {
                            let was = nearest[j], now = redone[k]
                            k += 1
                            guard now != was else { continue }
                            if was >= 0 { changed[Int(newSegmentOfPoint[Int(was)])] = true }
                            if now >= 0 { changed[Int(newSegmentOfPoint[Int(now)])] = true }
                            nearest[j] = now
                        }
                    }
                }
            }
            let earlierSegment = newSegmentPath.indices.map { changed[$0] ? -1 : segmentMap[$0] }
            return (band, nearest, earlierSegment)
        }

        /// The new index of each earlier point (-1: its path was removed) and the earlier index
        /// of each new segment, from the new geometry's own arrays; nil unless the kept paths'
        /// points and segments are laid out as the earlier ones.
        private func layout(newSegmentPath: [Int], newSegmentOfPoint: [Int32], newPointPixel: [Int32])
            -> (pointMap: [Int32], segmentMap: [Int32])? {
            let pathCount = (segmentPath.last ?? -1) + 1
            guard keptPaths.allSatisfy({ $0 >= 0 && $0 < pathCount }) else { return nil }
            // First segment and point of each path, earlier and new (-1: none).
            func starts(_ segmentPath: [Int], _ segmentOfPoint: [Int32], paths: Int) -> (segment: [Int], point: [Int]) {
                var segment = [Int](repeating: -1, count: paths), point = [Int](repeating: -1, count: paths)
                for s in segmentPath.indices.reversed() { segment[segmentPath[s]] = s }
                for p in segmentOfPoint.indices.reversed() { point[segmentPath[Int(segmentOfPoint[p])]] = p }
                return (segment, point)
            }
            guard (newSegmentPath.last ?? -1) + 1 == keptPaths.count else { return nil }
            let old = starts(segmentPath, segmentOfPoint, paths: pathCount)
            let new = starts(newSegmentPath, newSegmentOfPoint, paths: keptPaths.count)
            var newPath = [Int](repeating: -1, count: pathCount)
            for (n, p) in keptPaths.enumerated() { newPath[p] = n }
            var pointMap = [Int32](repeating: -1, count: segmentOfPoint.count)
            var mapped = 0
            for p in segmentOfPoint.indices {
                let path = segmentPath[Int(segmentOfPoint[p])], n = newPath[path]
                guard n >= 0 else { continue }
                let q = new.point[n] + (p - old.point[path])
                guard new.point[n] >= 0, q < newPointPixel.count, newPointPixel[q] == pointPixel[p],
                      newSegmentPath[Int(newSegmentOfPoint[q])] == n,
                      Int(newSegmentOfPoint[q]) - new.segment[n] == Int(segmentOfPoint[p]) - old.segment[path]
                else { return nil }
                pointMap[p] = Int32(q)
                mapped += 1
            }
            guard mapped == newPointPixel.count else { return nil }
            var segmentMap = [Int32](repeating: -1, count: newSegmentPath.count)
            for s in newSegmentPath.indices {
                let n = newSegmentPath[s], path = keptPaths[n]
                let earlier = old.segment[path] + (s - new.segment[n])
                guard earlier < segmentPath.count, segmentPath[earlier] == path else { return nil }
                segmentMap[s] = Int32(earlier)
            }
            return (pointMap, segmentMap)
        }
    }
}
