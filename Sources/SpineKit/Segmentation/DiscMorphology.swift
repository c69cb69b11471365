/// The two discs of `opened(radius:)` as the half-widths of their rows, for radii small
/// enough that eroding and dilating row by row is cheaper than two distance transforms.
///
/// The distance-transform route keeps a pixel whose squared distance `d` to the background
/// passes `sqrt(d)^2 > r^2` (in single precision, as it computes it), which holds from some
/// smallest `d0` on: erosion removes every pixel with background (or the image edge) at a
/// squared distance below `d0`. It then grows the survivors over squared distances
/// `<= r^2`. Both discs are listed here exactly, so the row-wise route gives the same pixels.
struct OpeningDisc: Sendable, Equatable {
    /// Row `dy` (either sign) of the erosion disc spans `-erosion[|dy|]...erosion[|dy|]`.
    var erosion: [Int]
    /// Row `dy` of the dilation disc spans `-dilation[|dy|]...dilation[|dy|]`.
    var dilation: [Int]

    /// Discs wider than this (pixels) go through distance transforms, whose cost does not
    /// grow with the radius.
    static let largestRadius = 8

    /// `nil` when `r2` (the squared radius, as `opened` computes it) is too large.
    init?(squaredRadius r2: Float) {
        let limit = Float(Self.largestRadius * Self.largestRadius)
        guard r2 > 0, r2 < limit else { return nil }
        var d0 = 0
        while true {
            let halfWidth = Float(d0).squareRoot()
            if halfWidth * halfWidth > r2 { break }
            d0 += 1
        }
        erosion = []
        var dy = 0
        while dy * dy < d0 {
            var dx = 0
            while (dx + 1) * (dx + 1) + dy * dy < d0 { dx += 1 }
            erosion.append(dx)
            dy += 1
        }
        dilation = []
        dy = 0
        while Float(dy * dy) <= r2 {
            var dx = 0
            while Float((dx + 1) * (dx + 1) + dy * dy) <= r2 { dx += 1 }
            dilation.append(dx)
            dy += 1
        }
    }
}

extension Raster where Pixel == Bool {
    /// Erosion by a disc symmetric about both axes whose row `dy` spans
    /// `-halfWidths[|dy|]...halfWidths[|dy|]`; outside the image is background.
    ///
    /// A pixel stays when, in each row of the disc, the run of foreground through it reaches
    /// that far to both sides: run lengths from the left and from the right are counted once.
    func eroded(byRowHalfWidths halfWidths: [Int]) -> BinaryMask {
        var out = BinaryMask(width: width, height: height, repeating: false)
        let reach = halfWidths.count - 1
        guard reach >= 0, height > 2 * reach, !isEmpty else { return out }
        let w = width, h = height
        // Foreground run lengths to the left and to the right of each pixel, itself included,
        // saturating at 255 (beyond any half-width used here).
        var left = [UInt8](repeating: 0, count: count), right = left
        pixels.withUnsafeBufferPointer { m in
            left.withUnsafeMutableBufferPointer { l in
                right.withUnsafeMutableBufferPointer { r in
                    for y in 0..<h {
                        let row = y * w
                        var run: UInt8 = 0
                        for x in 0..<w {
                            run = m[row + x] ? (run == 255 ? 255 : run + 1) : 0
                            l[row + x] = run
                        }
                        run = 0
                        for x in stride(from: w - 1, through: 0, by: -1) {
                            run = m[row + x] ? (run == 255 ? 255 : run + 1) : 0
                            r[row + x] = run
                        }
                    }
                }
            }
        }
        halfWidths.withUnsafeBufferPointer { half in
            left.withUnsafeBufferPointer { l in
                right.withUnsafeBufferPointer { r in
                    pixels.withUnsafeBufferPointer { m in
                        out.withUnsafeMutableBufferPointer { o in
                            // Rows within `reach` of the top or bottom have disc rows outside.
                            for y in reach..<(h - reach) {
                                let row = y * w
                                for x in 0..<w where m[row + x] {
                                    var keep = true
                                    for dy in -reach...reach {
                                        let i = row + dy * w + x, need = half[dy < 0 ? -dy : dy]
                                        if Int(l[i]) <= need || Int(r[i]) <= need {
                                            keep = false
                                            break
                                        }
                                    }
                                    o[row + x] = keep
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Dilation by a disc symmetric about both axes whose row `dy` spans
    /// `-halfWidths[|dy|]...halfWidths[|dy|]`.
    ///
    /// A pixel is set when some row of the disc holds a foreground pixel within that row's
    /// half-width: the distance along each row to its nearest foreground pixel is found once.
    func dilated(byRowHalfWidths halfWidths: [Int]) -> BinaryMask {
        var out = BinaryMask(width: width, height: height, repeating: false)
        let reach = halfWidths.count - 1
        guard reach >= 0, !isEmpty else { return out }
        let w = width, h = height
        // Distance along the row to the nearest foreground pixel, saturating at 255.
        var near = [UInt8](repeating: 255, count: count)
        var rowHasForeground = [Bool](repeating: false, count: h)
        pixels.withUnsafeBufferPointer { m in
            near.withUnsafeMutableBufferPointer { n in
                for y in 0..<h {
                    let row = y * w
                    var d: UInt8 = 255
                    var any = false
                    for x in 0..<w {
                        if m[row + x] {
                            d = 0
                            any = true
                        } else if d != 255 {
                            d += 1
                        }
                        n[row + x] = d
                    }
                    guard any else { continue }
                    rowHasForeground[y] = true
                    d = 255
                    for x in stride(from: w - 1, through: 0, by: -1) {
                        d = m[row + x] ? 0 : (d == 255 ? 255 : d + 1)
                        n[row + x] = Swift.min(n[row + x], d)
                    }
                }
            }
        }
        halfWidths.withUnsafeBufferPointer { half in
            near.withUnsafeBufferPointer { n in
                rowHasForeground.withUnsafeBufferPointer { has in
                    out.withUnsafeMutableBufferPointer { o in
                        for y in 0..<h {
                            let first = Swift.max(-reach, -y), last = Swift.min(reach, h - 1 - y)
                            for dy in first...last where has[y + dy] {
                                let need = UInt8(Swift.min(255, half[dy < 0 ? -dy : dy]))
                                let from = n.baseAddress! + (y + dy) * w, to = o.baseAddress! + y * w
                                // Without branches, so that whole vectors of pixels go at once.
                                for x in 0..<w { to[x] = to[x] || from[x] <= need }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
