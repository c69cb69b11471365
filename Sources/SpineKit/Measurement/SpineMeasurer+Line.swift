import Foundation

extension SpineMeasurer {
    /// How a ring around a head is read for light passing through it.
    struct LineTest {
        /// How far outside the head's half maximum the ring lies, pixels.
        var marginPixels: Double
        /// A ring sample is bright above this fraction of the head's residual...
        var arcFraction: Float
        /// ... and this many local noise deviations.
        var arcSNR: Float
        /// Two bright arcs at least this far apart in angle, degrees, are one structure
        /// passing through.
        var oppositeDegrees: Double
    }

    /// Whether the head at `head` lies on a process passing through it rather than ending
    /// there: a ring just outside the head crosses bright residual on two roughly opposite
    /// sides. A spine's head meets its surroundings through its neck only (one arc, or none
    /// when the neck is too faint to see); a "head" on an axon, or on a dendrite the tracer
    /// did not follow, has the process leaving it on both sides. The shaft a spine sits on
    /// is not in the residual, so it makes no arc; nor do the neighbouring heads in
    /// `others` (centre and FWHM, pixels): in a row of touching heads the middle one has a
    /// neighbour on either side, and a ring sample within a neighbour's FWHM of its centre
    /// is that head's light.
    func liesOnPassingProcess(head: PixelPoint, headFWHMPixels: Double, others: [(centre: PixelPoint, fwhm: Double)],
                              test: LineTest) -> Bool {
        let r = model.residual
        let radius = headFWHMPixels / 2 + test.marginPixels
        let hx = Int(head.x.rounded()), hy = Int(head.y.rounded())
        guard r.contains(x: hx, y: hy) else { return false }
        let noise = model.noise.pixels[hy * r.width + hx]
        let headValue = r.bilinear(x: head.x, y: head.y)
        guard headValue > 0 else { return false }
        let floor = Swift.max(test.arcFraction * headValue, test.arcSNR * noise)
        // Samples about a pixel apart, at least 24 around.
        let steps = Swift.max(24, Int((2 * Double.pi * radius).rounded(.up)))
        var bright = [Bool](repeating: false, count: steps)
        let directions = ringDirections.directions(steps: steps)
        r.withUnsafeBufferPointer { pixels in
            for (k, (cos, sin)) in directions.enumerated() {
                let x = head.x + radius * cos, y = head.y + radius * sin
                guard x >= 0, y >= 0, x <= Double(r.width - 1), y <= Double(r.height - 1) else { continue }
                guard r.bilinear(pixels, x: x, y: y) > floor else { continue }
                let sample = PixelPoint(x: x, y: y)
                bright[k] = !others.contains { $0.centre.distance(to: sample) <= $0.fwhm }
            }
        }
        guard bright.contains(true), bright.contains(false) else { return false }
        // The arcs' centres in degrees, walking round from a dark sample so that no arc is
        // split at the seam.
        let start = bright.firstIndex(of: false)!
        var centres: [Double] = []
        var first = -1
        for j in 0...steps {
            let k = (start + j) % steps
            if j < steps, bright[k] {
                if first < 0 { first = j }
            } else if first >= 0 {
                let middle = Double(start) + Double(first + j - 1) / 2
                centres.append(middle.truncatingRemainder(dividingBy: Double(steps)) * 360 / Double(steps))
                first = -1
            }
        }
        for i in centres.indices {
            for j in centres.indices where j > i {
                let d = abs(centres[i] - centres[j])
                if Swift.min(d, 360 - d) >= test.oppositeDegrees { return true }
            }
        }
        return false
    }
}

extension SpineMeasurer {
    /// Whether the light at `head` (whose peak residual is `headPeak`) is a swelling of the
    /// process beside it rather than a spine: the residual on the process's centreline, at
    /// the point nearest the head, reaches `centreFraction` of the head's peak. A bouton is
    /// centred on its axon, so what the shaft model leaves of it peaks on the centreline,
    /// and the detector, which searches from just inside the process's surface outwards,
    /// finds its flanks; a spine's light lies beside the process.
    func isSwelling(head: PixelPoint, headPeak: Float, centreFraction: Float) -> Bool {
        let r = model.residual
        let hx = Int(head.x.rounded()), hy = Int(head.y.rounded())
        guard r.contains(x: hx, y: hy) else { return false }
        let point = model.nearestPoint(ofPixel: hy * r.width + hx)
        guard point >= 0 else { return false }
        let centre = model.smoothedPoints[point]
        return r.bilinear(x: centre.x, y: centre.y) >= centreFraction * headPeak
    }
}
