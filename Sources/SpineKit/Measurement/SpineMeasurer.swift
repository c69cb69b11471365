/// Measures one detected spine: head centre, base, and the raw widths of head and neck.
///
/// Widths are full widths at half maximum (FWHM) of intensity profiles across the spine on
/// the shaft-subtracted image; `SpineMeasurer.deblurred` removes the optical blur in
/// quadrature, exact for Gaussian profiles and close for discs wider than the blur. Widths
/// from half maxima, unlike integrated brightness, do not depend on how intensity grows
/// with thickness, which optical sectioning makes sub-linear for heads thicker than the
/// focal depth (compare Rodriguez et al. 2008, who fit widths on the image).
struct SpineMeasurer {
    struct Settings {
        /// Standard deviation of the total blur (optics and smoothing), pixels: sets how far
        /// intensity from a head spreads.
        var blurSigmaPixels: Double
        /// Neck positions closer than this to the shaft surface or the head are not used,
        /// pixels (the blur of those structures would inflate the neck).
        var neckMarginPixels: Double
        /// Width profiles extend this far to each side, pixels.
        var maximumHalfWidthPixels: Double
        /// Local maxima at least this fraction of the spine's brightest pixel can be its head.
        var headPeakFraction: Float
        /// The head centroid is taken within this radius of the chosen maximum, pixels.
        var headWindowPixels: Double
        /// The head is searched among pixels joined to the brightest through at least this
        /// fraction of its brightness.
        var coreFraction: Float
        /// A spine leaving a path's end within this cosine of the end tangent continues the
        /// path.
        var endContinuationCosine: Double
        /// A head centre closer than this many shaft radii to its own nearest centreline
        /// point lies inside the shaft.
        var headClearanceShaftRadii: Double
    }

    struct Measured {
        /// Index of the candidate this was measured from.
        var candidate: Int
        var head: PixelPoint
        var base: PixelPoint
        /// Unit vector from base to head.
        var direction: PixelPoint
        var baseToHeadPixels: Double
        /// Blurred head width, the narrowest of three profiles, which the tests of a spine
        /// read; `nil` when no width could be read.
        var headFWHMPixels: Double?
        /// Blurred head width for the spine's sizes: `headFWHMPixels`, or the profile across
        /// the axis alone for a head that reaches the shaft surface (see `measure`).
        var sizeFWHMPixels: Double?
        /// Blurred neck width; `nil` when the spine is too short for a neck to be seen.
        var neckFWHMPixels: Double?
        var attached: Bool
        var segment: Int
        /// Head brightness above the median of a ring around it (outside the shaft).
        var headContrast: Float
        /// Head brightness on the residual image.
        var headPeak: Float
        /// The local shaft's peak brightness and noise at the head.
        var shaftPeak: Float
        var noise: Float
    }

    let model: ShaftModel
    let settings: Settings
    /// The directions of the rings sampled about heads, computed once per ring size.
    let ringDirections = RingDirections()

    /// The spine of `candidate`, or nil when it is not one (a bulge of the shaft, its
    /// continuation beyond an end). Without `neck` the neck is not profiled (`neckFWHMPixels`
    /// nil): for a reading of the head's contrast alone.
    func measure(_ candidate: SpineDetector.Candidate, index: Int, neck: Bool = true) -> Measured? {
        let r = model.residual, w = r.width
        // Head: the most distal bright local maximum (a thin spine's neck can outshine its
        // small head near the shaft), centred by the intensity-weighted centroid of its
        // upper half. "Distal" is measured from the spine's own base pixel, so a spine
        // reaching towards a neighbouring dendrite is not confused by it.
        guard let firstPixel = candidate.pixels.first else { return nil }
        var basePixel = firstPixel
        var baseDistance = Float.infinity
        var maxValue: Float = 0
        // Each pixel's `model.centerlineDistance(ofPixel:)`, its nearest points looked up
        // together (`nearestPoints(ofPixels:into:)`); the first of the nearest pixels is the base.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: candidate.pixels.count) { points in
            model.nearestPoints(ofPixels: candidate.pixels, into: points)
            for (k, p) in candidate.pixels.enumerated() {
                let point = Int(points[k])
                let d = point >= 0 ? ShaftModel.distance(x: p % w, y: p / w, to: model.smoothedPoints[point]) : .infinity
                if k == 0 || d < baseDistance {
                    basePixel = p
                    baseDistance = d
                }
                maxValue = Swift.max(maxValue, r.pixels[p])
            }
        }
        guard maxValue > 0 else { return nil }
        let bx = basePixel % w, by = basePixel / w
        var chosen = candidate.peak
        var chosenDistance = -1
        for p in core(of: candidate, maxValue: maxValue) where r.pixels[p] >= settings.headPeakFraction * maxValue {
            let x = p % w, y = p / w
            var isMaximum = true
            for dy in -1...1 where isMaximum {
                for dx in -1...1 where dx != 0 || dy != 0 {
                    let nx = x + dx, ny = y + dy
                    if nx >= 0, ny >= 0, nx < w, ny < r.height, r.pixels[ny * w + nx] > r.pixels[p] {
                        isMaximum = false
                        break
                    }
                }
            }
            let d2 = (x - bx) * (x - bx) + (y - by) * (y - by)
            if isMaximum && d2 > chosenDistance {
                chosen = p
                chosenDistance = d2
            }
        }
        let peakValue = r.pixels[chosen]
        let cx = Double(chosen % w), cy = Double(chosen / w)
        let window = settings.headWindowPixels * settings.headWindowPixels
        var sx = 0.0, sy = 0.0, sw = 0.0
        for p in candidate.pixels where r.pixels[p] >= 0.5 * peakValue {
            let x = Double(p % w), y = Double(p / w)
            guard (x - cx) * (x - cx) + (y - cy) * (y - cy) <= window else { continue }
            let v = Double(r.pixels[p])
            sx += v * x
            sy += v * y
            sw += v
        }
        guard sw > 0 else { return nil }
        let head = PixelPoint(x: sx / sw, y: sy / sw)
        let headIndex = Int(head.y.rounded()) * w + Int(head.x.rounded())
        guard headIndex >= 0, headIndex < r.count,
              let shaft = model.shaft(atPixel: headIndex) ?? model.shaft(atPixel: candidate.peak) else { return nil }
        // Base: where the spine meets the shaft surface, from the spine pixel nearest the
        // centreline (attached) or from the head (detached). That pixel is the first of the
        // nearest, found above as `basePixel`; the head stands in when no pixel has a
        // centreline.
        let (nearestPixel, nearestDistance) = baseDistance < .infinity ? (basePixel, baseDistance) : (headIndex, .infinity)
        guard let nearShaft = model.shaft(atPixel: nearestPixel) else { return nil }
        let attached = Double(nearestDistance) <= nearShaft.radius + 1.5
        let anchorPixel = attached ? nearestPixel : headIndex
        let anchorPoint = model.nearestPoint(ofPixel: anchorPixel)
        guard anchorPoint >= 0 else { return nil }
        let centre = model.smoothedPoints[anchorPoint]
        var ux = head.x - centre.x, uy = head.y - centre.y
        let norm = (ux * ux + uy * uy).squareRoot()
        // A head centre inside the shaft radius means the "spine" is a bulge of the shaft.
        // The surface lies at the shaft's radius with the blur removed (the half-maximum
        // radius of a blurred profile overstates it), so short spines keep their length.
        let halfMaximum = nearShaft.radius * 0.866, blurHalf = 1.1774 * settings.blurSigmaPixels
        let surfaceRadius = (Swift.max(0, halfMaximum * halfMaximum - blurHalf * blurHalf)).squareRoot() / 0.866
        guard norm > surfaceRadius * 0.9 else { return nil }
        // The test above measures from the centreline point nearest the spine's base; a head
        // can still sit on the shaft beside it (on a wide or swollen stretch the model's
        // profile left bright), so it is also measured from its own nearest point, against
        // that stretch's radius.
        // (One look-up of the head's nearest point gives both the point and its stretch, as
        // `shaft(atPixel:)` would.)
        let headPoint = model.nearestPoint(ofPixel: headIndex)
        if headPoint >= 0, case let segment = Int(model.segmentOfPoint[headPoint]), segment >= 0 {
            let c = model.smoothedPoints[headPoint]
            let clearance = ((head.x - c.x) * (head.x - c.x) + (head.y - c.y) * (head.y - c.y)).squareRoot()
            guard clearance >= settings.headClearanceShaftRadii * model.segmentRadius[segment] else { return nil }
        }
        ux /= norm
        uy /= norm
        // Signal straight beyond the end of a traced process is the process going on (fainter,
        // or leaving the mask), not a spine.
        if let t = model.endTangent[model.pointPixel[anchorPoint]], ux * t.x + uy * t.y > settings.endContinuationCosine { return nil }
        let base = PixelPoint(x: centre.x + ux * surfaceRadius, y: centre.y + uy * surfaceRadius)
        var vx = head.x - base.x, vy = head.y - base.y
        let baseToHead = (vx * vx + vy * vy).squareRoot()
        if baseToHead > 0 {
            vx /= baseToHead
            vy /= baseToHead
        } else {
            vx = ux
            vy = uy
        }

        // Head width across the spine axis, through the head centre.
        // A round head is as wide in every direction; of the perpendicular and the two
        // diagonals, the narrowest ignores a neighbour or the neck lying along one of them.
        let diagonal = 0.5.squareRoot()
        let perpendicular = fwhm(at: head, across: (vx, vy), limit: settings.maximumHalfWidthPixels, index: index)
        let headFWHM = ([perpendicular] + [((vx - vy) * diagonal, (vy + vx) * diagonal), ((vx + vy) * diagonal, (vy - vx) * diagonal)]
            .map { fwhm(at: head, across: $0, limit: settings.maximumHalfWidthPixels, index: index) })
            .compactMap { $0 }.min()
        // A head whose half-maximum reaches the shaft surface (its centre nearer the surface
        // than half its width) has diagonals that run into the shaft, whose light the model
        // takes away: they read it too narrow. Its size is read across the axis alone.
        let reachesSurface = perpendicular.map { baseToHead < $0 / 2 } ?? false
        let sizeFWHM = reachesSurface ? perpendicular : headFWHM

        // Neck: widths across the axis between shaft surface and head; the narrowest quarter
        // (the 25th percentile rather than the minimum, which noise would decide) is taken.
        var neckFWHM: Double?
        let headRadiusGuess = (headFWHM ?? 0) / 2
        let start = settings.neckMarginPixels
        let end = baseToHead - headRadiusGuess - 0.5 * settings.neckMarginPixels
        if neck, end - start >= 1 {
            var widths: [Double] = []
            var t = start
            while t <= end {
                let q = PixelPoint(x: base.x + vx * t, y: base.y + vy * t)
                if let width = fwhm(at: q, across: (vx, vy), limit: settings.maximumHalfWidthPixels, index: index) {
                    widths.append(width)
                }
                t += 0.5
            }
            if !widths.isEmpty {
                widths.sort()
                neckFWHM = widths[(widths.count - 1) / 4]
            }
        }
        return Measured(candidate: index, head: head, base: base, direction: PixelPoint(x: vx, y: vy),
                        baseToHeadPixels: baseToHead, headFWHMPixels: headFWHM, sizeFWHMPixels: sizeFWHM,
                        neckFWHMPixels: neckFWHM, attached: attached, segment: shaft.segment,
                        headContrast: peakValue - ringMedian(around: head, radius: (headFWHM ?? 0) / 2 + 2 * settings.blurSigmaPixels),
                        headPeak: peakValue, shaftPeak: shaft.peak, noise: model.noise.pixels[headIndex])
    }

    /// Median residual on a one-pixel-wide ring around `centre`, leaving out pixels inside a
    /// shaft: a head stands out from its surroundings, broad haze does not.
    func ringMedian(around centre: PixelPoint, radius: Double) -> Float {
        let r = model.residual
        var values: [Float] = []
        let steps = Swift.max(12, Int(2 * Double.pi * radius))
        for (cos, sin) in ringDirections.directions(steps: steps) {
            let x = Int((centre.x + radius * cos).rounded()), y = Int((centre.y + radius * sin).rounded())
            guard r.contains(x: x, y: y) else { continue }
            let i = y * r.width + x
            // `shaft(atPixel:)` and `centerlineDistance(ofPixel:)` from one look-up of the
            // pixel's nearest centreline point.
            let point = model.nearestPoint(ofPixel: i)
            guard point >= 0 else { continue }
            let s = Int(model.segmentOfPoint[point])
            guard s >= 0,
                  Double(ShaftModel.distance(x: x, y: y, to: model.smoothedPoints[point])) >= model.segmentRadius[s] else { continue }
            values.append(r.pixels[i])
        }
        return values.isEmpty ? 0 : OrderStatistics.median(values)
    }

    /// The candidate's pixels joined to its brightest pixel through pixels of at least
    /// `coreFraction` of its brightness: faint haze around a head cannot offer a "head".
    func core(of candidate: SpineDetector.Candidate, maxValue: Float) -> [Int] {
        let w = model.residual.width, pixels = candidate.pixels
        guard !pixels.isEmpty else { return [] }
        let floor = settings.coreFraction * maxValue
        // Pixels not yet reached, on a bordered grid over the candidate's bounding box: a
        // pixel's eight neighbours are at fixed offsets from its slot (and from its index).
        let box = BorderedBox(pixels, imageWidth: w)
        @inline(__always) func slotOf(_ p: Int) -> Int { box.slot(of: p) }
        let slotOffsets = box.neighbourOffsets
        let pixelOffsets = [-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1]
        var unreached = [Bool](repeating: false, count: box.slotCount)
        var out: [Int] = []
        out.reserveCapacity(pixels.count)
        model.residual.withUnsafeBufferPointer { r in
            unreached.withUnsafeMutableBufferPointer { unreached in
                // The brightest pixel (the first of equals, as `max(by:)` takes it).
                var start = pixels[0]
                for p in pixels {
                    if r[p] >= floor { unreached[slotOf(p)] = true }
                    if r[start] < r[p] { start = p }
                }
                var stack = [(pixel: start, slot: slotOf(start))]
                unreached[stack[0].slot] = false
                while let (p, here) = stack.popLast() {
                    out.append(p)
                    for k in 0..<8 where unreached[here + slotOffsets[k]] {
                        unreached[here + slotOffsets[k]] = false
                        stack.append((p + pixelOffsets[k], here + slotOffsets[k]))
                    }
                }
            }
        }
        return out
    }

    /// Full width at half maximum of the residual across `direction` through `point`:
    /// the peak is taken within a pixel of the point, the half-maximum crossings are
    /// interpolated linearly on each side. `nil` when a side never falls to half.
    func fwhm(at point: PixelPoint, across direction: (Double, Double), limit: Double, index: Int) -> Double? {
        let r = model.residual
        let nx = -direction.1, ny = direction.0
        let step = 0.25
        let n = Int(limit / step)
        let centreWindow = Int(1.0 / step)
        guard n >= centreWindow else { return nil }
        return r.withUnsafeBufferPointer { pixels -> Double? in
            // The profile at sample k of 0...2n, k = n at the point. Sampled only where the
            // search below reads it (the centre window, then outward until half the peak),
            // not over the whole width: each sample depends on k alone, so the widths are
            // those of the full profile.
            @inline(__always) func sample(_ k: Int) -> Double {
                let o = Double(k - n) * step
                return Double(r.bilinear(pixels, x: point.x + nx * o, y: point.y + ny * o))
            }
            // The centre window's samples are kept: the walks outward start inside it.
            let windowStart = n - centreWindow
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * centreWindow + 1) { window -> Double? in
                @inline(__always) func value(_ k: Int) -> Double {
                    let i = k - windowStart
                    return i >= 0 && i < window.count ? window[i] : sample(k)
                }
                for i in 0..<window.count { window[i] = sample(windowStart + i) }
                var peakIndex = n
                var peak = value(n)
                for k in (n - centreWindow)...(n + centreWindow) where k != n {
                    let v = value(k)
                    if v > peak {
                        peakIndex = k
                        peak = v
                    }
                }
                guard peak > 0 else { return nil }
                let half = peak / 2
                var left: Double?
                var k = peakIndex
                var current = peak
                while k > 0 {
                    let previous = value(k - 1)
                    if previous <= half {
                        let f = (current - half) / Swift.max(current - previous, 1e-12)
                        left = (Double(k) - f) * step
                        break
                    }
                    current = previous
                    k -= 1
                }
                var right: Double?
                k = peakIndex
                current = peak
                while k < 2 * n {
                    let next = value(k + 1)
                    if next <= half {
                        let f = (current - half) / Swift.max(current - next, 1e-12)
                        right = (Double(k) + f) * step
                        break
                    }
                    current = next
                    k += 1
                }
                guard let left, let right else { return nil }
                return right - left
            }
        }
    }

    /// A width with the blur removed in quadrature: sqrt(FWHM^2 - FWHM_psf^2), never negative.
    static func deblurred(_ fwhm: Double, psfFWHM: Double) -> Double {
        (Swift.max(0, fwhm * fwhm - psfFWHM * psfFWHM)).squareRoot()
    }
}

extension Raster where Pixel == Float {
    /// Bilinear interpolation at a sub-pixel position; 0 outside the image.
    func bilinear(x: Double, y: Double) -> Float {
        withUnsafeBufferPointer { bilinear($0, x: x, y: y) }
    }

    /// `bilinear(x:y:)` on this raster's pixels, given as a buffer so that a profile of many
    /// samples looks the buffer up once.
    @inline(__always)
    func bilinear(_ pixels: UnsafeBufferPointer<Float>, x: Double, y: Double) -> Float {
        // Rounded down by truncating and stepping back below zero: the same integers as
        // `rounded(.down)`, without a call to `floor` per sample.
        var x0 = Int(x), y0 = Int(y)
        if Double(x0) > x { x0 -= 1 }
        if Double(y0) > y { y0 -= 1 }
        guard x0 >= 0, y0 >= 0, x0 + 1 < width, y0 + 1 < height else {
            let xi = Int(x.rounded()), yi = Int(y.rounded())
            return xi >= 0 && yi >= 0 && xi < width && yi < height ? pixels[yi * width + xi] : 0
        }
        let fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
        let i = y0 * width + x0
        let top = pixels[i] * (1 - fx) + pixels[i + 1] * fx
        let bottom = pixels[i + width] * (1 - fx) + pixels[i + width + 1] * fx
        return top * (1 - fy) + bottom * fy
    }
}

import Foundation

extension SpineMeasurer {
    /// Drops detections that lie on the neck of a longer spine (between its base and head,
    /// within `lateralTolerancePixels` of the line joining them) and are no wider than a
    /// neck (`maximumFragmentWidthPixels`, blurred): a head beside another spine's base is
    /// kept. The longer spine counts as attached if the fragment was.
    static func mergingNeckFragments(_ spines: [Measured], lateralTolerancePixels: Double,
                                     maximumFragmentWidthPixels: Double) -> [Measured] {
        var keep = [Bool](repeating: true, count: spines.count)
        var result = spines
        let order = spines.indices.sorted { spines[$0].baseToHeadPixels > spines[$1].baseToHeadPixels }
        // The heads in `order`, and whether each is narrow enough to be a fragment, side by
        // side: the loop over all pairs reads these, not the whole records.
        let heads = order.map { spines[$0].head }
        let narrow = order.map { (spines[$0].headFWHMPixels ?? 0) <= maximumFragmentWidthPixels }
        for (rank, long) in order.enumerated() where keep[long] {
            let b = spines[long]
            for j in (rank + 1)..<order.count where narrow[j] && keep[order[j]] {
                // Position of a's head along and across b's base-to-head line.
                let dx = heads[j].x - b.base.x, dy = heads[j].y - b.base.y
                let along = dx * b.direction.x + dy * b.direction.y
                let across = abs(-dx * b.direction.y + dy * b.direction.x)
                guard along > -lateralTolerancePixels, along < b.baseToHeadPixels,
                      across <= lateralTolerancePixels else { continue }
                let short = order[j]
                keep[short] = false
                if spines[short].attached { result[long].attached = true }
            }
        }
        return result.indices.filter { keep[$0] }.map { result[$0] }
    }
}
