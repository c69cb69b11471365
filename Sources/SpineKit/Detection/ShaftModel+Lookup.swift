extension ShaftModel {
    /// `nearestPoint(ofPixel:)` of each of `pixels`, in their order, written to `points`
    /// (at least as long): the same points, found in two passes so that the look-ups of the
    /// band's nearest points do not wait for one another.
    ///
    /// `bandNearestPoint` (4 bytes a band pixel, over a megabyte) is mostly out of cache by
    /// the time spines are measured, and one pixel's look-up there, then its checks, then
    /// the next pixel's band run, made a chain in which the core waited for every miss. The
    /// band indices are found first; the loads that follow depend on nothing but them, so
    /// the misses of a spine's pixels are in flight together.
    func nearestPoints(ofPixels pixels: [Int], into points: UnsafeMutableBufferPointer<Int32>) {
        precondition(points.count >= pixels.count, "room for \(points.count) points, \(pixels.count) pixels")
        if let nearestEverywhere {
            for (k, p) in pixels.enumerated() { points[k] = nearestEverywhere[p] }
            return
        }
        let w = band.width, margin2 = band.margin * band.margin
        // Band index of each pixel, -1 outside the band.
        for (k, p) in pixels.enumerated() { points[k] = Int32(band.index(x: p % w, y: p / w) ?? -1) }
        bandNearestPoint.withUnsafeBufferPointer { nearest in
            for k in 0..<pixels.count where points[k] >= 0 { points[k] = nearest[Int(points[k])] }
        }
        // As `nearestPoint(ofPixel:)`: the band's point where it is provably the pixel's own,
        // otherwise the search.
        pointPixel.withUnsafeBufferPointer { pointPixel in
            for (k, p) in pixels.enumerated() {
                let point = Int(points[k])
                if point >= 0 {
                    let c = Int(pointPixel[point]), dx = c % w - p % w, dy = c / w - p / w
                    if dx * dx + dy * dy <= margin2 { continue }
                }
                points[k] = Int32(nearestPoint(ofPixel: p))
            }
        }
    }
}
