extension Raster where Pixel == Float {
    /// Hysteresis thresholding (Canny 1986): pixels above `low` that are connected
    /// (8-neighbours) to at least one pixel above `high`.
    ///
    /// Faint necks stay joined to their bright heads and shafts while isolated noise above
    /// `low` is dropped.
    public func hysteresisMask(low: Float, high: Float) -> BinaryMask {
        precondition(low <= high, "hysteresis needs low <= high, got \(low) > \(high)")
        // The same flood as per-pixel hysteresis, with both thresholds uniform.
        return thresholded(atLeast: low).reconstructed(from: thresholded(atLeast: high))
    }

    /// Pixels at or above `threshold`.
    public func thresholded(atLeast threshold: Float) -> BinaryMask {
        mapped { $0 >= threshold }
    }
}

extension Raster where Pixel == Bool {
    /// The components of this mask (8-connected) that contain at least one `seeds` pixel:
    /// hysteresis with thresholds that vary from pixel to pixel.
    public func reconstructed(from seeds: BinaryMask) -> BinaryMask {
        precondition(seeds.width == width && seeds.height == height, "seed mask size differs")
        var out = BinaryMask(width: width, height: height, repeating: false)
        guard !isEmpty else { return out }
        var stack: [Int] = []
        let w = width, h = height
        pixels.withUnsafeBufferPointer { m in
            seeds.pixels.withUnsafeBufferPointer { seed in
                out.withUnsafeMutableBufferPointer { o in
                    // The result is the set of pixels reached, whatever the order of the flood.
                    let seedBytes = UnsafeRawPointer(seed.baseAddress!)
                    var i = -1
                    while i + 1 < m.count {
                        i += 1
                        // Eight non-seed pixels (Bool is one byte, 0 or 1) are passed at once.
                        if i + 8 <= m.count && seedBytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 {
                            i += 7
                            continue
                        }
                        guard seed[i] && m[i] && !o[i] else { continue }
                        o[i] = true
                        stack.append(i)
                        while let p = stack.popLast() {
                            // 32-bit division (a mask holds fewer than 2^32 pixels) is the cheaper.
                            let py = Int(UInt32(truncatingIfNeeded: p) / UInt32(truncatingIfNeeded: w)), px = p - py * w
                            for dy in -1...1 {
                                let ny = py + dy
                                guard ny >= 0, ny < h else { continue }
                                for dx in -1...1 {
                                    let nx = px + dx
                                    guard nx >= 0, nx < w else { continue }
                                    let q = ny * w + nx
                                    if m[q] && !o[q] {
                                        o[q] = true
                                        stack.append(q)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Morphological opening by a disc of `radius` pixels (exact, through distance transforms):
    /// removes every part of the shape narrower than the disc.
    public func opened(radius: Double) -> BinaryMask {
        guard radius > 0 else { return self }
        let r2 = Float(radius * radius)
        // Small discs row by row (the same pixels, see `OpeningDisc`), larger ones through
        // distance transforms.
        if let disc = OpeningDisc(squaredRadius: r2) {
            return opened(byDisc: disc)
        }
        let halfWidth = distanceToBackground()
        let eroded = halfWidth.mapped { $0 * $0 > r2 }
        let grown = eroded.distanceToForeground().squaredDistance
        return grown.mapped { $0 <= r2 }
    }

    /// Foreground pixels of components with at least `minimumPixels` pixels.
    public func removingSmallComponents(minimumPixels: Int, connectivity: Connectivity = .eight) -> BinaryMask {
        let (labels, count) = labeled(connectivity: connectivity)
        var sizes = [Int](repeating: 0, count: count + 1)
        for l in labels.pixels where l > 0 { sizes[Int(l)] += 1 }
        return labels.mapped { $0 > 0 && sizes[Int($0)] >= minimumPixels }
    }
}
