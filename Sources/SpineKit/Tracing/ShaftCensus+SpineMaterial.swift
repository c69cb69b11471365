extension ShaftCensus {
    /// The traced pieces that were not kept as dendrites but are spine material: a blob, or
    /// a piece no longer than the spine reach, whose middle lies within the reach of a kept
    /// shaft's centreline and not near that shaft's ends.
    ///
    /// A row or cluster of touching heads beside a shaft can be as wide and bright as a shaft
    /// itself, and the segmentation then keeps it and the tracer follows it as a piece of its
    /// own. Its own shaft model takes the heads for its profile and leaves no residual, so
    /// the piece carries no spine and is dropped, and the heads with it. Beyond a shaft's
    /// end a short piece is more likely the shaft continuing where the segmentation broke
    /// it, so pieces whose nearest shaft point lies within `endMarginPixels` of an end are
    /// left alone.
    ///
    /// - Parameters:
    ///   - kept: for each path, whether it was kept as a dendrite.
    ///   - reachPixels: the spine reach: how far from a centreline spines are searched for.
    ///   - endMarginPixels: the distance along a shaft from its ends within which a piece is
    ///     taken for the shaft's continuation.
    func spineMaterial(kept: [Bool], reachPixels: Double, endMarginPixels: Double) -> Set<Int> {
        let shafts = paths.indices.filter { kept[$0] && isShaft[$0] }
        var material = Set<Int>()
        for (index, path) in paths.enumerated() where !kept[index] && !path.points.isEmpty {
            guard isBlob[index] || path.lengthPixels <= reachPixels else { continue }
            // Pieces are a few microns long, and they are rare: a search over the shafts'
            // points costs less than a distance transform of the image.
            let middle = path.points[path.points.count / 2]
            var best = (squaredDistance: Double.infinity, path: -1, point: 0)
            for s in shafts {
                for (k, q) in paths[s].points.enumerated() {
                    let d = (middle.x - q.x) * (middle.x - q.x) + (middle.y - q.y) * (middle.y - q.y)
                    if d < best.squaredDistance { best = (d, s, k) }
                }
            }
            guard best.path >= 0, best.squaredDistance.squareRoot() <= reachPixels else { continue }
            let points = paths[best.path].points
            let along = ShaftTracer.arcLength(Array(points[...best.point]))
            let remaining = ShaftTracer.arcLength(Array(points[best.point...]))
            if along > endMarginPixels, remaining > endMarginPixels { material.insert(index) }
        }
        return material
    }
}
