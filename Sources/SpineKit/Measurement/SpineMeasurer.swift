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
    }

    struct Measured {
        var head: PixelPoint
        var base: PixelPoint
        /// Unit vector from base to head.
        var direction: PixelPoint
        var baseToHeadPixels: Double
        /// Blurred head width; `nil` when no width could be read.
        var headFWHMPixels: Double?
        /// Blurred neck width; `nil` when the spine is too short for a neck to be seen.
        var neckFWHMPixels: Double?
        var attached: Bool
        var segment: Int
    }

    let model: ShaftModel
    let settings: Settings
    /// Which candidate owns each pixel (-1 for none).
    let owner: [Int32]

    func measure(_ candidate: SpineDetector.Candidate, index: Int) -> Measured? {
        let r = model.residual, w = r.width
        // Head: the brightest part of the distal half of the spine (a thin spine's neck can
        // outshine its small head near the shaft), centred by intensity-weighted centroid.
        var nearest = Float.infinity, farthest = -Float.infinity
        for p in candidate.pixels {
            let d = model.centerlineDistance.pixels[p]
            nearest = Swift.min(nearest, d)
            farthest = Swift.max(farthest, d)
        }
        let distalFrom = nearest + 0.5 * (farthest - nearest)
        var peakValue: Float = 0
        for p in candidate.pixels where model.centerlineDistance.pixels[p] >= distalFrom {
            peakValue = Swift.max(peakValue, r.pixels[p])
        }
        var sx = 0.0, sy = 0.0, sw = 0.0, upperCount = 0
        for p in candidate.pixels
        where model.centerlineDistance.pixels[p] >= distalFrom && r.pixels[p] >= 0.5 * peakValue {
            let v = Double(r.pixels[p])
            sx += v * Double(p % w)
            sy += v * Double(p / w)
            sw += v
            upperCount += 1
        }
        guard sw > 0 else { return nil }
        let head = PixelPoint(x: sx / sw, y: sy / sw)
        let headIndex = Int(head.y.rounded()) * w + Int(head.x.rounded())
        guard headIndex >= 0, headIndex < r.count,
              let shaft = model.shaft(atPixel: headIndex) ?? model.shaft(atPixel: candidate.peak) else { return nil }
        // Base: where the spine meets the shaft surface, from the spine pixel nearest the
        // centreline (attached) or from the head (detached).
        var nearestPixel = headIndex
        var nearestDistance = Float.infinity
        for p in candidate.pixels where model.centerlineDistance.pixels[p] < nearestDistance {
            nearestDistance = model.centerlineDistance.pixels[p]
            nearestPixel = p
        }
        guard let nearShaft = model.shaft(atPixel: nearestPixel) else { return nil }
        let attached = Double(nearestDistance) <= nearShaft.radius + 1.5
        let anchorPixel = attached ? nearestPixel : headIndex
        let c = Int(model.nearestCenterline.pixels[anchorPixel])
        guard c >= 0 else { return nil }
        let centre = model.smoothedCenterlinePoint(ofPixel: c)
        var ux = head.x - centre.x, uy = head.y - centre.y
        let norm = (ux * ux + uy * uy).squareRoot()
        // A head centre inside the shaft radius means the "spine" is a bulge of the shaft.
        guard norm > nearShaft.radius * 0.9 else { return nil }
        ux /= norm
        uy /= norm
        let base = PixelPoint(x: centre.x + ux * nearShaft.radius, y: centre.y + uy * nearShaft.radius)
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
        let headFWHM = fwhm(at: head, across: (vx, vy), limit: settings.maximumHalfWidthPixels, index: index)

        // Neck: widths across the axis between shaft surface and head; the narrowest quarter
        // is taken, after a median over neighbouring positions to tame noise.
        var neckFWHM: Double?
        let headRadiusGuess = (headFWHM ?? 0) / 2
        let start = settings.neckMarginPixels
        let end = baseToHead - headRadiusGuess - 0.5 * settings.neckMarginPixels
        if end - start >= 1 {
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
        return Measured(head: head, base: base, direction: PixelPoint(x: vx, y: vy),
                        baseToHeadPixels: baseToHead, headFWHMPixels: headFWHM,
                        neckFWHMPixels: neckFWHM, attached: attached, segment: shaft.segment)
    }

    /// Full width at half maximum of the residual across `direction` through `point`:
    /// the peak is taken within a pixel of the point, the half-maximum crossings are
    /// interpolated linearly on each side. `nil` when a side never falls to half.
    func fwhm(at point: PixelPoint, across direction: (Double, Double), limit: Double, index: Int) -> Double? {
        let r = model.residual
        let nx = -direction.1, ny = direction.0
        let step = 0.25
        let n = Int(limit / step)
        var values = [Double](repeating: 0, count: 2 * n + 1)
        for k in -n...n {
            let o = Double(k) * step
            values[k + n] = Double(r.bilinear(x: point.x + nx * o, y: point.y + ny * o))
        }
        let centreWindow = Int(1.0 / step)
        var peakIndex = n
        for k in (n - centreWindow)...(n + centreWindow) where values[k] > values[peakIndex] { peakIndex = k }
        let peak = values[peakIndex]
        guard peak > 0 else { return nil }
        let half = peak / 2
        var left: Double?
        var k = peakIndex
        while k > 0 {
            if values[k - 1] <= half {
                let f = (values[k] - half) / Swift.max(values[k] - values[k - 1], 1e-12)
                left = (Double(k) - f) * step
                break
            }
            k -= 1
        }
        var right: Double?
        k = peakIndex
        while k < 2 * n {
            if values[k + 1] <= half {
                let f = (values[k] - half) / Swift.max(values[k] - values[k + 1], 1e-12)
                right = (Double(k) + f) * step
                break
            }
            k += 1
        }
        guard let left, let right else { return nil }
        return right - left
    }

    /// A width with the blur removed in quadrature: sqrt(FWHM^2 - FWHM_psf^2), never negative.
    static func deblurred(_ fwhm: Double, psfFWHM: Double) -> Double {
        (Swift.max(0, fwhm * fwhm - psfFWHM * psfFWHM)).squareRoot()
    }
}

extension Raster where Pixel == Float {
    /// Bilinear interpolation at a sub-pixel position; 0 outside the image.
    func bilinear(x: Double, y: Double) -> Float {
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        guard x0 >= 0, y0 >= 0, x0 + 1 < width, y0 + 1 < height else {
            let xi = Int(x.rounded()), yi = Int(y.rounded())
            return contains(x: xi, y: yi) ? self[x: xi, y: yi] : 0
        }
        let fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
        let i = y0 * width + x0
        let top = pixels[i] * (1 - fx) + pixels[i + 1] * fx
        let bottom = pixels[i + width] * (1 - fx) + pixels[i + width + 1] * fx
        return top * (1 - fy) + bottom * fy
    }
}

import Foundation
