extension ShaftCensus {
    /// The traced pieces that were not kept as dendrites but are spine material: a blob, or
    /// a piece no longer than the spine reach, whose middle lies within `distancePixels` of a
    /// kept shaft's centreline and not near that shaft's ends.
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
    ///   - distancePixels: how far from a shaft's centreline the middle of spine material lies.
    ///   - endMarginPixels: the distance along a shaft from its ends within which a piece is
    ///     taken for the shaft's continuation.
    func spineMaterial(kept: [Bool], reachPixels: Double, distancePixels: Double, endMarginPixels: Double) -> Set<Int> {
        let pieces = paths.indices.filter { index in
            !kept[index] && !paths[index].points.isEmpty && (isBlob[index] || paths[index].lengthPixels <= reachPixels)
        }
        guard !pieces.isEmpty else { return [] }
        // The kept shafts' points in square cells `distancePixels` wide, so that a piece's middle is
        // compared with the points of its own and the eight surrounding cells only (a noisy
        // image can drop many pieces along long shafts).
        let cell = Swift.max(1, distancePixels)
        func key(_ p: PixelPoint) -> SIMD2<Int> { SIMD2(Int((p.x / cell).rounded(.down)), Int((p.y / cell).rounded(.down))) }
        var cells: [SIMD2<Int>: [(path: Int, point: Int)]] = [:]
        for s in paths.indices where kept[s] && isShaft[s] {
            for (k, q) in paths[s].points.enumerated() { cells[key(q), default: []].append((s, k)) }
        }
        var material = Set<Int>()
        for index in pieces {
            let middle = paths[index].points[paths[index].points.count / 2]
            let c = key(middle)
            var best = (squaredDistance: Double.infinity, path: -1, point: 0)
            for dy in -1...1 {
                for dx in -1...1 {
                    for (s, k) in cells[c &+ SIMD2(dx, dy)] ?? [] {
                        let q = paths[s].points[k]
                        let d = (middle.x - q.x) * (middle.x - q.x) + (middle.y - q.y) * (middle.y - q.y)
                        // Ties go to the earlier path and point, whatever the cells' order.
                        if d < best.squaredDistance || (d == best.squaredDistance && (s, k) < (best.path, best.point)) {
                            best = (d, s, k)
                        }
                    }
                }
            }
            guard best.path >= 0, best.squaredDistance.squareRoot() <= distancePixels else { continue }
            let points = paths[best.path].points
            let along = ShaftTracer.arcLength(Array(points[...best.point]))
            let remaining = ShaftTracer.arcLength(Array(points[best.point...]))
            if along > endMarginPixels, remaining > endMarginPixels { material.insert(index) }
        }
        return material
    }
}
