import Foundation

/// Draws random scenes: curved shafts crossing the field, spines placed on them without
/// overlap, and distractors.
///
/// Shafts integrate a smooth random curvature (a sum of three sinusoids in arc
/// length), so they bend gently and can cross one another. Spines are drawn one at a
/// time at a uniform position on either side; a spine that would touch another spine or
/// a foreign shaft, or fold back onto its own shaft, is redrawn (position, angle and
/// size) up to `spinePlacementAttempts` times. The class of each spine is drawn once,
/// before its attempts, so redrawing does not skew the class mix.
public enum SceneGenerator {
    /// Shafts extend this far beyond the image so spines rooted outside can reach in.
    static let marginMicrons = 4.0
    /// Centreline sampling step, microns: chord error under 0.001 um at the curvatures used.
    static let stepMicrons = 0.2
    /// Spines keep at least this clearance from their own shaft (head, distal neck), um.
    static let ownShaftClearanceMicrons = 0.05
    /// Consecutive spines that found no room before a shaft counts as full.
    static let saturatedAfterFailures = 25

    /// A random scene for `settings`; `densityMultiplier` and `classMix` express a group's
    /// treatment effect.
    public static func makeScene(settings: SynthesisSettings, densityMultiplier: Double = 1,
                                 classMix: SpineClassMix? = nil,
                                 rng: inout SynthesisRNG) -> (scene: SyntheticScene, densityPerMicron: Double) {
        var scene = SyntheticScene(widthPixels: settings.widthPixels, heightPixels: settings.heightPixels,
                                   micronsPerPixel: settings.micronsPerPixel)
        var grid = CapsuleGrid(x: scene.xRangeMicrons, y: scene.yRangeMicrons, margin: marginMicrons + 1, cellMicrons: 1)

        let dendriteCount = rng.integer(settings.dendritesPerImage)
        for _ in 0..<dendriteCount {
            guard let shaft = randomShaft(kind: .dendrite, settings: settings, scene: scene, grid: grid, rng: &rng)
            else { continue }
            grid.insert(shaft: shaft, index: scene.shafts.count)
            scene.shafts.append(shaft)
        }
        let axonCount = rng.integer(settings.axonsPerImage)
        for _ in 0..<axonCount {
            guard var axon = randomShaft(kind: .axon, settings: settings, scene: scene, grid: grid, rng: &rng)
            else { continue }
            axon.attachments = boutons(on: axon, settings: settings, rng: &rng)
            grid.insert(shaft: axon, index: scene.shafts.count)
            scene.shafts.append(axon)
        }

        let density = rng.uniform(settings.spineDensityPerMicron) * densityMultiplier
        let mix = classMix ?? settings.classMix
        for shaftIndex in scene.shafts.indices where scene.shafts[shaftIndex].kind == .dendrite {
            let shaft = scene.shafts[shaftIndex]
            let wanted = Int((density * shaft.lengthMicrons).rounded())
            var failuresInARow = 0
            for _ in 0..<wanted {
                // A shaft that refused this many spines in a row is full: stop early.
                if failuresInARow >= saturatedAfterFailures { break }
                failuresInARow += 1
                let spineClass = mix.draw(&rng)
                for _ in 0..<Swift.max(1, settings.spinePlacementAttempts) {
                    let arc = rng.uniform(0.3...Swift.max(0.3, shaft.lengthMicrons - 0.3))
                    let side: ShaftSide = rng.bernoulli(0.5) ? .right : .left
                    let spec = randomSpec(spineClass, settings: settings, rng: &rng)
                    guard let spine = shaft.spine(spec, atArcMicrons: arc, side: side, shaftIndex: shaftIndex),
                          fits(spine, arc: arc, on: shaft, shaftIndex: shaftIndex, grid: grid,
                               gap: settings.minimumSpineGapMicrons)
                    else { continue }
                    grid.insert(spine: spine, index: scene.spines.count)
                    scene.spines.append(spine)
                    failuresInARow = 0
                    break
                }
            }
        }

        for _ in 0..<rng.integer(settings.blobsPerImage) {
            let center = MicronPoint(x: rng.uniform(scene.xRangeMicrons), y: rng.uniform(scene.yRangeMicrons))
            scene.blobs.append(OutOfFocusBlob(center: center, sigmaMicrons: rng.uniform(settings.blobSigmaMicrons),
                                              peakMicrons: rng.uniform(settings.blobPeakMicrons)))
        }
        return (scene, density)
    }

    /// A spine shape of `spineClass` with sizes, angles and fill drawn from `settings`.
    public static func randomSpec(_ spineClass: SpineClass, settings: SynthesisSettings,
                                  rng: inout SynthesisRNG) -> SpineSpec {
        let m = settings.morphology
        let maxTilt = settings.maxSpineTiltDegrees
        let tilt = Swift.min(Swift.max(rng.normal() * settings.spineTiltSpreadDegrees, -maxTilt), maxTilt)
        let bend = rng.uniform(-settings.maxSpineBendDegrees...settings.maxSpineBendDegrees)
        let brightness = rng.uniform(settings.spineBrightness)
        switch spineClass {
        case .mushroom, .thin:
            let isMushroom = spineClass == .mushroom
            let head = rng.uniform(isMushroom ? m.mushroomHeadDiameterMicrons : m.thinHeadDiameterMicrons)
            let neck = rng.uniform(isMushroom ? m.mushroomNeckDiameterMicrons : m.thinNeckDiameterMicrons)
            var elongation = rng.uniform(isMushroom ? m.mushroomHeadElongation : m.thinHeadElongation)
            let lengthRange = isMushroom ? m.mushroomLengthMicrons : m.thinLengthMicrons
            // The head must leave a free neck of at least `minimumNeckMicrons`.
            if head * elongation + m.minimumNeckMicrons > lengthRange.upperBound {
                elongation = Swift.max(0.5, (lengthRange.upperBound - m.minimumNeckMicrons) / head)
            }
            let shortest = Swift.min(Swift.max(lengthRange.lowerBound, head * elongation + m.minimumNeckMicrons),
                                     lengthRange.upperBound)
            let length = rng.uniform(shortest...lengthRange.upperBound)
            return SpineSpec(spineClass: spineClass, lengthMicrons: length, headDiameterMicrons: head,
                             neckDiameterMicrons: neck, headElongation: elongation,
                             neckFlare: rng.uniform(m.neckFlare), tiltDegrees: tilt, bendDegrees: bend,
                             brightness: brightness)
        case .stubby:
            let width = rng.uniform(m.stubbyWidthMicrons)
            // Harris et al. 1992: a stubby spine is no longer than it is wide.
            let longest = Swift.max(m.stubbyLengthMicrons.lowerBound, Swift.min(m.stubbyLengthMicrons.upperBound, width))
            let length = rng.uniform(m.stubbyLengthMicrons.lowerBound...longest)
            return SpineSpec(spineClass: .stubby, lengthMicrons: length, headDiameterMicrons: width,
                             neckDiameterMicrons: width * rng.uniform(0.8...1.0), tiltDegrees: tilt,
                             bendDegrees: 0, brightness: brightness)
        }
    }

    /// `true` when `spine` clears every other spine, every foreign shaft (and distant
    /// parts of its own) by `gap`, and its head and distal neck clear its own shaft.
    static func fits(_ spine: SyntheticSpine, arc: Double, on shaft: SyntheticShaft, shaftIndex: Int,
                     grid: CapsuleGrid, gap: Double) -> Bool {
        let nearby = shaft.segments(nearArc: arc, reach: spine.lengthMicrons + 3)
        for probe in spine.clearanceProbes
        where shaft.signedDistance(to: probe.point, segments: nearby) - probe.radius < ownShaftClearanceMicrons {
            return false
        }
        let ownReach = spine.lengthMicrons + 3
        for capsule in spine.footprint {
            var clear = true
            grid.forEachCandidate(near: capsule, padding: gap) { entry in
                let other = grid.capsules[entry]
                switch grid.owners[entry] {
                case let .shaft(index, segment):
                    if index == shaftIndex {
                        let segmentArc = shaft.arcMicrons[Swift.min(segment, shaft.arcMicrons.count - 1)]
                        if Swift.abs(segmentArc - arc) < ownReach { return true }
                    }
                case .spine:
                    break
                }
                if capsule.gap(to: other) < gap {
                    clear = false
                    return false
                }
                return true
            }
            if !clear { return false }
        }
        return true
    }

    /// A random shaft crossing the field, or `nil` when no acceptable path was found.
    static func randomShaft(kind: SyntheticShaft.Kind, settings: SynthesisSettings, scene: SyntheticScene,
                            grid: CapsuleGrid, rng: inout SynthesisRNG) -> SyntheticShaft? {
        let xRange = scene.xRangeMicrons, yRange = scene.yRangeMicrons
        let isAxon = kind == .axon
        let radiusRange = isAxon ? settings.axonRadiusMicrons : settings.shaftRadiusMicrons
        let curvatureLimit = settings.maxShaftCurvaturePerMicron * (isAxon ? 1.5 : 1)
        let fieldSize = Swift.min(xRange.upperBound - xRange.lowerBound, yRange.upperBound - yRange.lowerBound)
        for _ in 0..<30 {
            var (points, radii) = randomPath(xRange: xRange, yRange: yRange, radiusRange: radiusRange,
                                             radiusVariation: isAxon ? 0.1 : settings.shaftRadiusVariation,
                                             curvatureLimit: curvatureLimit, rng: &rng)
            if !isAxon && rng.bernoulli(settings.shaftEndsInsideProbability) {
                let insideIndices = points.indices.filter {
                    xRange.contains(points[$0].x) && yRange.contains(points[$0].y)
                }
                if let first = insideIndices.first, let last = insideIndices.last, last - first > 20 {
                    let cut = first + Int(Double(last - first) * rng.uniform(0.4...0.9))
                    points = Array(points[...cut])
                    radii = Array(radii[...cut])
                }
            }
            guard points.count >= 2 else { continue }
            let brightness = rng.uniform(isAxon ? settings.axonBrightness : settings.dendriteBrightness)
            let fills = randomFills(count: points.count, variation: settings.shaftFillVariation, rng: &rng)
            let shaft = SyntheticShaft(kind: kind, centerline: points, radiiMicrons: radii, brightness: brightness,
                                       fills: fills)
            guard shaft.lengthMicrons(insideX: xRange, y: yRange) >= 0.4 * fieldSize else { continue }
            // Shafts may cross but must not run alongside one another.
            var crowded = 0
            for i in stride(from: 0, to: points.count, by: 3) {
                let probe = FootprintCapsule(a: points[i], b: points[i], radius: radii[i])
                var near = false
                grid.forEachCandidate(near: probe, padding: 2.0) { entry in
                    guard case .shaft = grid.owners[entry] else { return true }
                    if probe.gap(to: grid.capsules[entry]) < 2.0 {
                        near = true
                        return false
                    }
                    return true
                }
                if near { crowded += 1 }
            }
            if Double(crowded) > 0.12 * Double((points.count + 2) / 3) { continue }
            return shaft
        }
        return nil
    }

    /// A smooth random centreline entering the field from outside, with its radii.
    static func randomPath(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, radiusRange: ClosedRange<Double>,
                           radiusVariation: Double, curvatureLimit: Double,
                           rng: inout SynthesisRNG) -> (points: [MicronPoint], radii: [Double]) {
        let outerX = (xRange.lowerBound - marginMicrons)...(xRange.upperBound + marginMicrons)
        let outerY = (yRange.lowerBound - marginMicrons)...(yRange.upperBound + marginMicrons)
        let width = outerX.upperBound - outerX.lowerBound, height = outerY.upperBound - outerY.lowerBound
        // Start on the outer border, heading for a point well inside the field.
        var position: MicronPoint
        let along = rng.unit()
        switch rng.integer(0...3) {
        case 0: position = MicronPoint(x: outerX.lowerBound + along * width, y: outerY.lowerBound)
        case 1: position = MicronPoint(x: outerX.upperBound, y: outerY.lowerBound + along * height)
        case 2: position = MicronPoint(x: outerX.lowerBound + along * width, y: outerY.upperBound)
        default: position = MicronPoint(x: outerX.lowerBound, y: outerY.lowerBound + along * height)
        }
        let target = MicronPoint(
            x: xRange.lowerBound + (xRange.upperBound - xRange.lowerBound) * rng.uniform(0.1...0.9),
            y: yRange.lowerBound + (yRange.upperBound - yRange.lowerBound) * rng.uniform(0.1...0.9))
        var heading = atan2(target.y - position.y, target.x - position.x) + 0.15 * rng.normal()
        // Curvature: three sinusoids of 8-50 um wavelength, together within the limit.
        let waves = (0..<3).map { _ in
            (amplitude: rng.uniform(-1...1) * curvatureLimit / 3,
             wavenumber: 2 * Double.pi / rng.uniform(8...50), phase: rng.uniform(0...(2 * Double.pi)))
        }
        let baseRadius = rng.uniform(radiusRange)
        let radiusWaves = [(0.7, 2 * Double.pi / rng.uniform(10...40), rng.uniform(0...(2 * Double.pi))),
                           (0.3, 2 * Double.pi / rng.uniform(3...8), rng.uniform(0...(2 * Double.pi)))]
        func radius(_ s: Double) -> Double {
            var relative = 0.0
            for (weight, k, phase) in radiusWaves { relative += weight * sin(k * s + phase) }
            let r = baseRadius * (1 + radiusVariation * relative)
            return Swift.min(Swift.max(r, radiusRange.lowerBound), radiusRange.upperBound)
        }
        var points = [position], radii = [radius(0)]
        var s = 0.0
        let maxLength = 3 * (width + height)
        while s < maxLength {
            var curvature = 0.0
            for wave in waves { curvature += wave.amplitude * sin(wave.wavenumber * s + wave.phase) }
            heading += curvature * stepMicrons
            position = position + MicronPoint.direction(heading) * stepMicrons
            s += stepMicrons
            points.append(position)
            radii.append(radius(s))
            if s > 1 && !(outerX.contains(position.x) && outerY.contains(position.y)) { break }
        }
        return (points, radii)
    }

    /// Relative fill along a shaft sampled every `stepMicrons`: 1 + variation x a smooth
    /// random signal (first-order autoregressive noise run forwards and backwards, about
    /// 1.5 um correlation length, scaled to unit standard deviation), never below 0.2.
    static func randomFills(count: Int, variation: Double, rng: inout SynthesisRNG) -> [Double] {
        guard variation > 0, count > 0 else { return Array(repeating: 1, count: count) }
        let keep = exp(-stepMicrons / 1.5)
        var values = (0..<count).map { _ in rng.normal() }
        for i in 1..<count { values[i] = keep * values[i - 1] + (1 - keep) * values[i] }
        for i in stride(from: count - 2, through: 0, by: -1) { values[i] = keep * values[i + 1] + (1 - keep) * values[i] }
        let mean = values.reduce(0, +) / Double(count)
        let spread = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count)).squareRoot()
        return values.map { Swift.max(0.2, 1 + variation * ($0 - mean) / Swift.max(spread, 1e-12)) }
    }

    /// Boutons en passant: ellipsoids elongated along the axon, at random positions.
    static func boutons(on axon: SyntheticShaft, settings: SynthesisSettings,
                        rng: inout SynthesisRNG) -> [ThicknessPrimitive] {
        let count = Int((settings.axonBoutonsPerMicron * axon.lengthMicrons).rounded())
        return (0..<count).map { _ in
            let (point, tangent, _) = axon.frame(atArc: rng.uniform(0...axon.lengthMicrons))
            let across = 0.5 * rng.uniform(settings.boutonDiameterMicrons)
            return ThicknessPrimitive(.ellipsoid(center: point, axis: tangent, alongMicrons: across * rng.uniform(1.0...1.6),
                                                 acrossMicrons: across, depthMicrons: across))
        }
    }
}

/// A uniform grid of capsules for overlap queries during placement.
struct CapsuleGrid {
    enum Owner {
        case shaft(index: Int, segment: Int)
        case spine(index: Int)
    }

    let originX: Double
    let originY: Double
    let cellMicrons: Double
    let columns: Int
    let rows: Int
    private(set) var cells: [[Int32]]
    private(set) var capsules: [FootprintCapsule] = []
    private(set) var owners: [Owner] = []

    init(x: ClosedRange<Double>, y: ClosedRange<Double>, margin: Double, cellMicrons: Double) {
        originX = x.lowerBound - margin
        originY = y.lowerBound - margin
        self.cellMicrons = cellMicrons
        columns = Swift.max(1, Int(((x.upperBound - x.lowerBound + 2 * margin) / cellMicrons).rounded(.up)))
        rows = Swift.max(1, Int(((y.upperBound - y.lowerBound + 2 * margin) / cellMicrons).rounded(.up)))
        cells = Array(repeating: [], count: columns * rows)
    }

    private func cellRange(_ capsule: FootprintCapsule, padding: Double)
        -> (x: ClosedRange<Int>, y: ClosedRange<Int>) {
        let reach = capsule.radius + padding
        func clampColumn(_ v: Double) -> Int { Swift.min(Swift.max(Int(floor((v - originX) / cellMicrons)), 0), columns - 1) }
        func clampRow(_ v: Double) -> Int { Swift.min(Swift.max(Int(floor((v - originY) / cellMicrons)), 0), rows - 1) }
        let x0 = clampColumn(Swift.min(capsule.a.x, capsule.b.x) - reach)
        let x1 = clampColumn(Swift.max(capsule.a.x, capsule.b.x) + reach)
        let y0 = clampRow(Swift.min(capsule.a.y, capsule.b.y) - reach)
        let y1 = clampRow(Swift.max(capsule.a.y, capsule.b.y) + reach)
        return (x0...x1, y0...y1)
    }

    mutating func insert(_ capsule: FootprintCapsule, owner: Owner) {
        let index = Int32(capsules.count)
        capsules.append(capsule)
        owners.append(owner)
        let range = cellRange(capsule, padding: 0)
        for y in range.y {
            for x in range.x { cells[y * columns + x].append(index) }
        }
    }

    mutating func insert(shaft: SyntheticShaft, index: Int) {
        for i in 0..<(shaft.centerline.count - 1) {
            insert(FootprintCapsule(a: shaft.centerline[i], b: shaft.centerline[i + 1],
                                    radius: Swift.max(shaft.radiiMicrons[i], shaft.radiiMicrons[i + 1])),
                   owner: .shaft(index: index, segment: i))
        }
        for attachment in shaft.attachments {
            let b = attachment.bounds
            let center = MicronPoint(x: 0.5 * (b.minX + b.maxX), y: 0.5 * (b.minY + b.maxY))
            insert(FootprintCapsule(a: center, b: center, radius: 0.5 * Swift.max(b.maxX - b.minX, b.maxY - b.minY)),
                   owner: .shaft(index: index, segment: shaft.centerline.count))
        }
    }

    mutating func insert(spine: SyntheticSpine, index: Int) {
        for capsule in spine.footprint { insert(capsule, owner: .spine(index: index)) }
    }

    /// Calls `body` with each capsule that may lie within `padding` of `capsule` (some
    /// more than once); `body` returns `false` to stop.
    func forEachCandidate(near capsule: FootprintCapsule, padding: Double, _ body: (Int) -> Bool) {
        let range = cellRange(capsule, padding: padding)
        for y in range.y {
            for x in range.x {
                for entry in cells[y * columns + x] where !body(Int(entry)) { return }
            }
        }
    }
}
