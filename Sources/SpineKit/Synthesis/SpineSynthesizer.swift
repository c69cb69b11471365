import Foundation

/// Renders synthetic fluorescence images of spiny dendrites with exactly known spines.
///
/// Image formation, in order:
/// 1. Projected thickness: each object (a dendrite with its spines, an axon with its
///    boutons) is the union of its primitives, whose thickness is their maximum (see
///    `ThicknessPrimitive`), optionally seen through an axial Gaussian (a confocal
///    section, `SynthesisOptics.effectiveDepth`); objects at different depths add.
///    Each pixel averages
///    `supersampling`² samples, i.e. integrates over its area.
/// 2. Optics: thickness x fill x photons per micron, convolved with a Gaussian PSF
///    (separable, exact to 4 sigma); out-of-focus blobs and a smooth background added.
/// 3. Detector: Poisson photon noise, gain, offset, Gaussian read noise, rounding and
///    clipping to 8 or 16 bits.
/// The same seed always gives the same image and truth.
public enum SpineSynthesizer {
    /// Side of the square tiles that rasterisation works in, pixels.
    static let tilePixels = 32

    /// A random image for `settings`: scene and optics are drawn from `seed`.
    ///
    /// `densityMultiplier` scales the spine density (a treatment effect of +25 % is 1.25)
    /// and `classMix` replaces the settings' class proportions.
    public static func render(settings: SynthesisSettings, seed: UInt64, densityMultiplier: Double = 1,
                              classMix: SpineClassMix? = nil) -> RenderedImage {
        let (scene, density) = self.scene(settings: settings, seed: seed, densityMultiplier: densityMultiplier,
                                          classMix: classMix)
        var opticsRNG = SynthesisRNG(seed: seed, stream: 2)
        let optics = SynthesisOptics(settings: settings, rng: &opticsRNG)
        var image = render(scene: scene, optics: optics, seed: seed)
        image.densityPerMicron = density
        return image
    }

    /// The scene `render(settings:seed:densityMultiplier:classMix:)` draws, without
    /// rendering it (cheap: for truth-only checks), and the density asked for.
    public static func scene(settings: SynthesisSettings, seed: UInt64, densityMultiplier: Double = 1,
                             classMix: SpineClassMix? = nil) -> (scene: SyntheticScene, densityPerMicron: Double) {
        var sceneRNG = SynthesisRNG(seed: seed, stream: 1)
        return SceneGenerator.makeScene(settings: settings, densityMultiplier: densityMultiplier,
                                        classMix: classMix, rng: &sceneRNG)
    }

    /// Renders a given scene with given optics; `seed` drives background and noise.
    public static func render(scene: SyntheticScene, optics: SynthesisOptics, seed: UInt64) -> RenderedImage {
        var noiseRNG = SynthesisRNG(seed: seed, stream: 3)
        let expected = expectedCounts(scene: scene, optics: optics, seed: seed)
        let maxCount = optics.maxCount
        var out = [UInt16](repeating: 0, count: expected.count)
        expected.withUnsafeBufferPointer { e in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<e.count {
                    let meanPhotons = Swift.max(0, (Double(e[i]) - optics.offsetCounts) / optics.countsPerPhoton)
                    let photons = optics.photonNoise ? noiseRNG.poisson(mean: meanPhotons) : meanPhotons
                    var counts = optics.offsetCounts + optics.countsPerPhoton * photons
                    if optics.readNoiseCounts > 0 { counts += optics.readNoiseCounts * noiseRNG.normal() }
                    o[i] = UInt16(Swift.min(Swift.max(counts.rounded(), 0), maxCount))
                }
            }
        }
        return RenderedImage(pixels: Raster(width: scene.widthPixels, height: scene.heightPixels, pixels: out),
                             scene: scene, optics: optics)
    }

    /// The noise-free mean counts of every pixel (offset included, not clipped).
    public static func expectedCounts(scene: SyntheticScene, optics: SynthesisOptics, seed: UInt64) -> GrayImage {
        let p = scene.micronsPerPixel
        let sigmaPixels = optics.psfSigmaMicrons / p
        let blurRadius = sigmaPixels > 0 ? Int((4 * sigmaPixels).rounded(.up)) : 0
        let margin = blurRadius + 1
        var canvas = rasterizedThickness(scene: scene, marginPixels: margin, supersampling: optics.supersampling,
                                         labeling: Labeling(optics))
        if blurRadius > 0 { canvas.blur(sigmaPixels: sigmaPixels, radius: blurRadius) }
        var fieldRNG = SynthesisRNG(seed: seed, stream: 4)
        let background = smoothBackground(width: scene.widthPixels, height: scene.heightPixels, micronsPerPixel: p,
                                          optics: optics, rng: &fieldRNG)
        let w = scene.widthPixels, h = scene.heightPixels
        var thickness = [Double](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w { thickness[y * w + x] = canvas.values[(y + margin) * canvas.width + x + margin] }
        }
        addBlobs(scene.blobs, psfSigmaMicrons: optics.psfSigmaMicrons, micronsPerPixel: p, width: w, height: h,
                 into: &thickness)
        var out = [Float](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            let photons = optics.photonsPerMicron * thickness[i] + background[i]
            out[i] = Float(optics.offsetCounts + optics.countsPerPhoton * photons)
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// Projected thickness times fill, microns, averaged over each pixel's area, before
    /// any blur: the object as a perfect microscope would see it.
    /// With `axialSigmaMicrons`, each chord is replaced by its depth seen through the axial PSF.
    public static func projectedThickness(scene: SyntheticScene, supersampling: Int? = nil,
                                          axialSigmaMicrons: Double? = nil) -> GrayImage {
        let s = supersampling ?? SynthesisOptics.automaticSupersampling(micronsPerPixel: scene.micronsPerPixel)
        let canvas = rasterizedThickness(scene: scene, marginPixels: 0, supersampling: s,
                                         labeling: Labeling(axialSigmaMicrons: axialSigmaMicrons))
        return GrayImage(width: canvas.width, height: canvas.height, pixels: canvas.values.map { Float($0) })
    }

    // MARK: Rasterisation

    /// How fluorophore turns into signal: cytosolic fill, membrane, optical section.
    struct Labeling {
        var axialSigmaMicrons: Double?
        var membraneFraction = 0.0
        var membraneShellMicrons = 0.05
        var hasMembrane: Bool { membraneFraction > 0 && membraneShellMicrons > 0 }
        /// Scales the shell so a tube of the reference radius gives the same signal per
        /// unit length with either label: pi r² = gain x 2 pi r shell.
        var membraneGain: Double {
            membraneShellMicrons > 0 ? SynthesisOptics.membraneReferenceRadiusMicrons / (2 * membraneShellMicrons) : 0
        }

        init(axialSigmaMicrons: Double?) {
            self.axialSigmaMicrons = axialSigmaMicrons
        }

        init(_ optics: SynthesisOptics) {
            axialSigmaMicrons = optics.axialSigmaMicrons
            membraneFraction = Swift.min(Swift.max(optics.membraneLabelFraction, 0), 1)
            membraneShellMicrons = optics.membraneShellMicrons
        }
    }

    /// A scratch image of doubles.
    struct Canvas {
        var width: Int
        var height: Int
        var values: [Double]
    }

    /// Rasterises every object onto a canvas `marginPixels` larger than the image on each side.
    static func rasterizedThickness(scene: SyntheticScene, marginPixels: Int, supersampling: Int,
                                    labeling: Labeling) -> Canvas {
        let p = scene.micronsPerPixel
        let s = Swift.max(1, supersampling)
        let canvasWidth = scene.widthPixels + 2 * marginPixels
        let canvasHeight = scene.heightPixels + 2 * marginPixels
        var canvas = Canvas(width: canvasWidth, height: canvasHeight,
                            values: [Double](repeating: 0, count: canvasWidth * canvasHeight))
        guard canvasWidth > 0, canvasHeight > 0 else { return canvas }

        // Flatten the objects; primitives of one object stay consecutive.
        var primitives: [ThicknessPrimitive] = []
        var objectOf: [Int32] = []
        var spinesOf = [[Int]](repeating: [], count: scene.shafts.count)
        for (i, spine) in scene.spines.enumerated() where spinesOf.indices.contains(spine.shaftIndex) {
            spinesOf[spine.shaftIndex].append(i)
        }
        for (objectIndex, shaft) in scene.shafts.enumerated() {
            let shaftPrimitives = shaft.primitives()
            primitives += shaftPrimitives
            var count = shaftPrimitives.count
            for spineIndex in spinesOf[objectIndex] {
                for primitive in scene.spines[spineIndex].primitives {
                    primitives.append(ThicknessPrimitive(primitive.shape, weight: primitive.weight * shaft.brightness))
                    count += 1
                }
            }
            objectOf += Array(repeating: Int32(objectIndex), count: count)
        }

        // Subsample u (canvas-wide) sits at x = ((u + 0.5) / s - 0.5 - margin) p microns.
        let scale = Double(s) / p
        let offset = (Double(marginPixels) + 0.5) * Double(s) - 0.5
        let subWidth = canvasWidth * s, subHeight = canvasHeight * s
        func subRange(_ low: Double, _ high: Double, limit: Int) -> ClosedRange<Int>? {
            let first = Swift.max(0, Int((low * scale + offset).rounded(.up)))
            let last = Swift.min(limit - 1, Int((high * scale + offset).rounded(.down)))
            return first <= last ? first...last : nil
        }

        // Bin primitives into tiles.
        let tile = tilePixels
        let tilesX = (canvasWidth + tile - 1) / tile, tilesY = (canvasHeight + tile - 1) / tile
        var tileLists = [[Int32]](repeating: [], count: tilesX * tilesY)
        var subRanges = [(x: ClosedRange<Int>, y: ClosedRange<Int>)?](repeating: nil, count: primitives.count)
        for (index, primitive) in primitives.enumerated() {
            let b = primitive.bounds
            guard let xr = subRange(b.minX, b.maxX, limit: subWidth),
                  let yr = subRange(b.minY, b.maxY, limit: subHeight) else { continue }
            subRanges[index] = (xr, yr)
            for ty in (yr.lowerBound / s / tile)...(yr.upperBound / s / tile) {
                for tx in (xr.lowerBound / s / tile)...(xr.upperBound / s / tile) {
                    tileLists[ty * tilesX + tx].append(Int32(index))
                }
            }
        }

        let tileSub = tile * s
        var layer = [Double](repeating: 0, count: tileSub * tileSub)
        // The same with every piece shrunk by the membrane shell (only with membrane label).
        var innerLayer = [Double](repeating: 0, count: labeling.hasMembrane ? tileSub * tileSub : 0)
        var xs = [Double](repeating: 0, count: tileSub), ys = [Double](repeating: 0, count: tileSub)
        let inverseArea = 1 / Double(s * s)
        let depthTable = DepthTable(axialSigmaMicrons: labeling.axialSigmaMicrons)
        let volumeWeight = 1 - labeling.membraneFraction
        let shellWeight = labeling.membraneFraction * labeling.membraneGain
        canvas.values.withUnsafeMutableBufferPointer { out in
            layer.withUnsafeMutableBufferPointer { layer in
            innerLayer.withUnsafeMutableBufferPointer { inner in
                for ty in 0..<tilesY {
                    for tx in 0..<tilesX {
                        let list = tileLists[ty * tilesX + tx]
                        if list.isEmpty { continue }
                        let u0 = tx * tileSub, v0 = ty * tileSub
                        let u1 = Swift.min(u0 + tileSub, subWidth) - 1, v1 = Swift.min(v0 + tileSub, subHeight) - 1
                        for k in 0..<tileSub {
                            xs[k] = ((Double(u0 + k) + 0.5) / Double(s) - 0.5 - Double(marginPixels)) * p
                            ys[k] = ((Double(v0 + k) + 0.5) / Double(s) - 0.5 - Double(marginPixels)) * p
                        }
                        var start = 0
                        while start < list.count {
                            let object = objectOf[Int(list[start])]
                            var end = start
                            var dirty = (x0: Int.max, y0: Int.max, x1: Int.min, y1: Int.min)
                            while end < list.count && objectOf[Int(list[end])] == object {
                                let index = Int(list[end])
                                end += 1
                                guard let range = subRanges[index] else { continue }
                                let ua = Swift.max(range.x.lowerBound, u0), ub = Swift.min(range.x.upperBound, u1)
                                let va = Swift.max(range.y.lowerBound, v0), vb = Swift.min(range.y.upperBound, v1)
                                if ua > ub || va > vb { continue }
                                dirty = (Swift.min(dirty.x0, ua - u0), Swift.min(dirty.y0, va - v0),
                                         Swift.max(dirty.x1, ub - u0), Swift.max(dirty.y1, vb - v0))
                                drawMax(primitives[index], into: layer, inner: inner, stride: tileSub,
                                        columns: (ua - u0)...(ub - u0), rows: (va - v0)...(vb - v0), xs: xs, ys: ys,
                                        depthTable: depthTable, shellMicrons: labeling.membraneShellMicrons)
                            }
                            if dirty.x0 <= dirty.x1 {
                                for v in dirty.y0...dirty.y1 {
                                    let row = (v0 + v) / s * canvasWidth
                                    for u in dirty.x0...dirty.x1 {
                                        let value = layer[v * tileSub + u]
                                        if value != 0 {
                                            var signal = value
                                            if !inner.isEmpty {
                                                signal = volumeWeight * value + shellWeight * (value - inner[v * tileSub + u])
                                                inner[v * tileSub + u] = 0
                                            }
                                            out[row + (u0 + u) / s] += signal * inverseArea
                                            layer[v * tileSub + u] = 0
                                        }
                                    }
                                }
                            }
                            start = end
                        }
                    }
                }
            }
            }
        }
        return canvas
    }

    /// `SynthesisOptics.effectiveDepth` tabulated every 0.001 um and interpolated
    /// linearly (error below 1e-7 um), or the identity without sectioning.
    struct DepthTable {
        static let step = 0.001
        let values: [Double]?

        init(axialSigmaMicrons: Double?) {
            guard let sigma = axialSigmaMicrons, sigma > 0 else {
                values = nil
                return
            }
            // Beyond 8 sigma of chord the integral has reached its limit.
            let count = Int((8 * sigma / DepthTable.step).rounded(.up)) + 2
            values = (0..<count).map {
                SynthesisOptics.effectiveDepth(Double($0) * DepthTable.step, axialSigmaMicrons: sigma)
            }
        }

        @inline(__always)
        func depth(_ chord: Double, _ table: UnsafeBufferPointer<Double>) -> Double {
            if table.isEmpty || chord <= 0 { return chord }
            let position = chord / DepthTable.step
            let i = Int(position)
            if i >= table.count - 1 { return table[table.count - 1] }
            let f = position - Double(i)
            return table[i] + (table[i + 1] - table[i]) * f
        }
    }

    /// Writes max(layer, weight x depth(chord)) over a block of subsamples, and the same
    /// for the piece shrunk by `shellMicrons` into `inner` when that is not empty.
    private static func drawMax(_ primitive: ThicknessPrimitive, into layer: UnsafeMutableBufferPointer<Double>,
                                inner: UnsafeMutableBufferPointer<Double>, stride: Int,
                                columns: ClosedRange<Int>, rows: ClosedRange<Int>, xs: [Double], ys: [Double],
                                depthTable: DepthTable, shellMicrons: Double) {
        let weight = primitive.weight
        let shrunk = inner.isEmpty ? nil : primitive.shrunk(by: shellMicrons)
        (depthTable.values ?? []).withUnsafeBufferPointer { table in
            switch primitive.shape {
            case let .roundCone(a, b, ra, rb):
                let dx = b.x - a.x, dy = b.y - a.y
                for v in rows {
                    let py = ys[v] - a.y
                    let rowStart = v * stride
                    for u in columns {
                        let chord = ThicknessPrimitive.roundConeThickness(px: xs[u] - a.x, py: py, dx: dx, dy: dy,
                                                                          radiusA: ra, radiusB: rb)
                        if chord <= 0 { continue }
                        let t = depthTable.depth(chord, table) * weight
                        if t > layer[rowStart + u] { layer[rowStart + u] = t }
                        if let shrunk {
                            let ti = depthTable.depth(shrunk.thickness(x: xs[u], y: ys[v]), table) * weight
                            if ti > inner[rowStart + u] { inner[rowStart + u] = ti }
                        }
                    }
                }
            case .ellipsoid:
                for v in rows {
                    let rowStart = v * stride
                    for u in columns {
                        let chord = primitive.thickness(x: xs[u], y: ys[v])
                        if chord <= 0 { continue }
                        let t = depthTable.depth(chord, table) * weight
                        if t > layer[rowStart + u] { layer[rowStart + u] = t }
                        if let shrunk {
                            let ti = depthTable.depth(shrunk.thickness(x: xs[u], y: ys[v]), table) * weight
                            if ti > inner[rowStart + u] { inner[rowStart + u] = ti }
                        }
                    }
                }
            }
        }
    }

    // MARK: Background and blobs

    /// A smooth positive background, photons: value noise on a grid `backgroundScaleMicrons`
    /// apart, interpolated with a C1 smoothstep, scaled to ±`backgroundVariation`.
    static func smoothBackground(width: Int, height: Int, micronsPerPixel p: Double, optics: SynthesisOptics,
                                 rng: inout SynthesisRNG) -> [Double] {
        var out = [Double](repeating: optics.backgroundPhotons, count: width * height)
        guard optics.backgroundVariation > 0, optics.backgroundPhotons > 0, optics.backgroundScaleMicrons > 0
        else { return out }
        let cell = optics.backgroundScaleMicrons
        let columns = Int((Double(width) * p / cell).rounded(.up)) + 2
        let rows = Int((Double(height) * p / cell).rounded(.up)) + 2
        let knots = (0..<(columns * rows)).map { _ in rng.uniform(-1...1) }
        let shiftX = rng.unit(), shiftY = rng.unit()
        func smooth(_ t: Double) -> Double { t * t * (3 - 2 * t) }
        for y in 0..<height {
            let gy = Double(y) * p / cell + shiftY
            let j = Swift.min(Int(gy), rows - 2)
            let fy = smooth(gy - Double(j))
            for x in 0..<width {
                let gx = Double(x) * p / cell + shiftX
                let i = Swift.min(Int(gx), columns - 2)
                let fx = smooth(gx - Double(i))
                let top = knots[j * columns + i] * (1 - fx) + knots[j * columns + i + 1] * fx
                let bottom = knots[(j + 1) * columns + i] * (1 - fx) + knots[(j + 1) * columns + i + 1] * fx
                let g = top * (1 - fy) + bottom * fy
                out[y * width + x] = optics.backgroundPhotons * Swift.max(0, 1 + optics.backgroundVariation * g)
            }
        }
        return out
    }

    /// Adds each blob, blurred by the PSF (variances add; the integral is kept).
    static func addBlobs(_ blobs: [OutOfFocusBlob], psfSigmaMicrons: Double, micronsPerPixel p: Double,
                         width: Int, height: Int, into thickness: inout [Double]) {
        for blob in blobs {
            let variance = blob.sigmaMicrons * blob.sigmaMicrons + psfSigmaMicrons * psfSigmaMicrons
            guard variance > 0 else { continue }
            let peak = blob.peakMicrons * blob.sigmaMicrons * blob.sigmaMicrons / variance
            let reach = 4 * variance.squareRoot()
            let x0 = Swift.max(0, Int(((blob.center.x - reach) / p).rounded(.down)))
            let x1 = Swift.min(width - 1, Int(((blob.center.x + reach) / p).rounded(.up)))
            let y0 = Swift.max(0, Int(((blob.center.y - reach) / p).rounded(.down)))
            let y1 = Swift.min(height - 1, Int(((blob.center.y + reach) / p).rounded(.up)))
            guard x0 <= x1, y0 <= y1 else { continue }
            for y in y0...y1 {
                let dy = Double(y) * p - blob.center.y
                for x in x0...x1 {
                    let dx = Double(x) * p - blob.center.x
                    thickness[y * width + x] += peak * exp(-(dx * dx + dy * dy) / (2 * variance))
                }
            }
        }
    }
}

extension SpineSynthesizer.Canvas {
    /// Separable Gaussian convolution with a kernel normalised over ±`radius` pixels;
    /// values beyond the canvas count as zero.
    mutating func blur(sigmaPixels: Double, radius: Int) {
        var kernel = (-radius...radius).map { k in exp(-Double(k * k) / (2 * sigmaPixels * sigmaPixels)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        let w = width, h = height
        var temp = [Double](repeating: 0, count: w * h)
        values.withUnsafeBufferPointer { src in
            temp.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let row = y * w
                    for x in 0..<w {
                        let v = src[row + x]
                        if v == 0 { continue }
                        let lo = Swift.max(0, x - radius), hi = Swift.min(w - 1, x + radius)
                        for xx in lo...hi { dst[row + xx] += v * kernel[xx - x + radius] }
                    }
                }
            }
        }
        var result = [Double](repeating: 0, count: w * h)
        temp.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let lo = Swift.max(0, y - radius), hi = Swift.min(h - 1, y + radius)
                    let outRow = y * w
                    for yy in lo...hi {
                        let weight = kernel[yy - y + radius]
                        let inRow = yy * w
                        for x in 0..<w { dst[outRow + x] += weight * src[inRow + x] }
                    }
                }
            }
        }
        values = result
    }
}
