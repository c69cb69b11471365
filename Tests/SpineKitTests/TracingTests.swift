import Foundation
import Testing
@testable import SpineKit

// Thinning (Tracing/Skeleton.swift) and centreline tracing (Tracing/ShaftTracer.swift).
// TestRNG and OperatorReference live in OperatorTests.swift.

/// Digital topology helpers for checking a thinning.
private enum Topology {
    static func containsBlock2x2(_ mask: BinaryMask) -> Bool {
        guard mask.width > 1, mask.height > 1 else { return false }
        for y in 0..<(mask.height - 1) {
            for x in 0..<(mask.width - 1)
            where mask[x: x, y: y] && mask[x: x + 1, y: y] && mask[x: x, y: y + 1] && mask[x: x + 1, y: y + 1] {
                return true
            }
        }
        return false
    }

    /// Number of separate 8-connected groups formed by the foreground neighbours of (x, y),
    /// the pixel itself left out: 2 or more means the pixel is a cut point joining them.
    static func neighbourGroups(_ mask: BinaryMask, x: Int, y: Int) -> Int {
        OperatorReference.components(width: 3, height: 3, eight: true) { i, j in
            !(i == 1 && j == 1) && mask.contains(x: x + i - 1, y: y + j - 1) && mask[x: x + i - 1, y: y + j - 1]
        }.count
    }

    static func isSubset(_ a: BinaryMask, of b: BinaryMask) -> Bool {
        zip(a.pixels, b.pixels).allSatisfy { !$0 || $1 }
    }

    /// For each 8-connected component of `mask`, how many 8-connected components of `part`
    /// lie inside it.
    static func piecesPerComponent(_ part: BinaryMask, in mask: BinaryMask) -> [Int] {
        let (ids, count) = OperatorReference.components(mask, eight: true)
        let (partIDs, _) = OperatorReference.components(part, eight: true)
        var pieces = [Set<Int>](repeating: [], count: count + 1)
        for i in 0..<mask.count where partIDs[i] > 0 { pieces[ids[i]].insert(partIDs[i]) }
        return pieces.dropFirst().map(\.count)
    }
}

// MARK: - Skeleton

@Suite("Skeleton (Guo-Hall thinning)")
struct SkeletonTests {
    /// Shapes already thin for 8-connectivity (every pixel an end or joining neighbours that do
    /// not touch each other): thinning must leave them exactly as they are. A 4-connected ring
    /// is not thin: its corner pixels are redundant and go.
    @Test(arguments: [
        ["#"],
        ["#########"],
        ["#", "#", "#", "#"],
        ["#....",
         ".#...",
         "..#..",
         "...#.",
         "....#"],
        ["#.....",
         ".##...",
         "...##.",
         ".....#"],
        ["..#..",
         "..#..",
         "#####",
         "..#..",
         "..#.."],
        ["#...#",
         ".#.#.",
         "..#..",
         "..#..",
         "..#.."],
        [".###.",
         "#...#",
         "#...#",
         ".###."],
        ["........",
         ".#####..",
         "......#.",
         "..###.#.",
         ".#....#.",
         "..####.."],
    ])
    func alreadyThinShapesAreKept(rows: [String]) {
        let mask = BinaryMask(ascii: rows)
        #expect(mask.skeletonized().ascii == rows)
    }

    @Test func emptyAndBackgroundImages() {
        for (w, h) in [(0, 0), (0, 5), (5, 0)] {
            let s = BinaryMask(width: w, height: h, repeating: true).skeletonized()
            #expect(s.width == w && s.height == h && s.pixels.isEmpty)
        }
        let background = BinaryMask(width: 6, height: 4, repeating: false)
        #expect(background.skeletonized() == background)
    }

    @Test func onePixelStays() {
        #expect(BinaryMask(ascii: ["#"]).skeletonized().ascii == ["#"])
        let dot = BinaryMask(ascii: ["...", ".#.", "..."])
        #expect(dot.skeletonized() == dot)
    }

    /// All foreground: the image edge is background to the thinning, so a full image thins like
    /// a filled rectangle and an image one pixel wide is already thin.
    @Test(arguments: [(1, 1), (1, 7), (7, 1), (2, 2), (5, 5), (9, 4), (3, 12)])
    func allForegroundThinsToAConnectedThinCore(width: Int, height: Int) {
        let full = BinaryMask(width: width, height: height, repeating: true)
        let s = full.skeletonized()
        #expect(s.foregroundCount > 0)
        #expect(OperatorReference.foregroundComponents(s) == 1)
        #expect(OperatorReference.backgroundComponents(s) == 1)
        #expect(!Topology.containsBlock2x2(s))
        if width == 1 || height == 1 { #expect(s == full) }
    }

    /// A filled W x H rectangle (W > H) thins to its middle row, ending (H - 1) / 2 pixels in
    /// from each short side: W - H + 1 pixels, the digital medial axis without corner branches.
    @Test(arguments: [(30, 7), (30, 6), (20, 3), (25, 2), (16, 5), (11, 9)])
    func filledRectangleGivesALine(long: Int, short: Int) {
        for vertical in [false, true] {
            var mask = BinaryMask(width: long + 6, height: short + 6, repeating: false)
            for y in 3..<(3 + short) {
                for x in 3..<(3 + long) { mask[x: x, y: y] = true }
            }
            if vertical { mask = mask.transposed() }
            var s = mask.skeletonized()
            if vertical { s = s.transposed() }
            let pixels = (0..<s.count).filter { s.pixels[$0] }
            let rows = Set(pixels.map { $0 / s.width })
            #expect(rows.count == 1, "vertical \(vertical): \(s.ascii)")
            guard let row = rows.first, let first = pixels.first, let last = pixels.last else { continue }
            let centreRow = 3 + Double(short - 1) / 2
            #expect(abs(Double(row) - centreRow) <= 0.5)
            #expect(pixels.count == long - short + 1, "vertical \(vertical): \(s.ascii)")
            #expect(last - first == pixels.count - 1, "line has gaps")
            let centreX = 3 + Double(long - 1) / 2
            #expect(abs(Double(first % s.width + last % s.width) / 2 - centreX) <= 0.5)
        }
    }

    /// Every 3x3 image (all 512): thinning keeps inside the input, keeps the topology (same
    /// 8-connected foreground components, same 4-connected background regions with the outside,
    /// hence same holes), is stable, leaves no 2x2 block, and never removes a centre pixel that
    /// joins two or more separate groups of its neighbours.
    ///
    /// Not asserted, because it is false: that the centre keeps its number of neighbour groups.
    /// In `##.`/`.##`/`#..` the 2x2 block (top-left) collapses onto the centre, so the centre's
    /// three groups become two; the topology is unchanged.
    @Test func everyThreeByThreeNeighbourhood() {
        var cutCentres = 0
        for code in 0..<512 {
            var mask = BinaryMask(width: 3, height: 3, repeating: false)
            for i in 0..<9 { mask.pixels[i] = code & (1 << i) != 0 }
            let s = mask.skeletonized()
            let picture = mask.ascii.joined(separator: "/") + " -> " + s.ascii.joined(separator: "/")
            #expect(Topology.isSubset(s, of: mask), "\(picture)")
            #expect(OperatorReference.foregroundComponents(s) == OperatorReference.foregroundComponents(mask), "\(picture)")
            #expect(OperatorReference.backgroundComponents(s) == OperatorReference.backgroundComponents(mask), "\(picture)")
            #expect(s.skeletonized() == s, "not stable: \(picture)")
            #expect(!Topology.containsBlock2x2(s), "\(picture)")
            if mask[x: 1, y: 1] && Topology.neighbourGroups(mask, x: 1, y: 1) >= 2 {
                cutCentres += 1
                #expect(s[x: 1, y: 1], "cut centre removed: \(picture)")
            }
        }
        // The loop really met cut centres (a guard against a broken pattern generator).
        #expect(cutCentres > 100)
    }

    /// Seeded random blobs: the skeleton lies in the shape, has no 2x2 block, each component
    /// of the shape holds exactly one component of the skeleton, holes are kept, and a second
    /// thinning changes nothing.
    @Test(arguments: 0..<30)
    func randomBlobInvariants(seed: Int) {
        var rng = TestRNG(seed: UInt64(seed) &* 2_654_435_761 &+ 17)
        let mask = rng.blobs(width: 36, height: 28, shapes: 3 + seed % 6)
        let s = mask.skeletonized()
        #expect(Topology.isSubset(s, of: mask))
        #expect(!Topology.containsBlock2x2(s), "\(s.ascii.joined(separator: "\n"))")
        #expect(Topology.piecesPerComponent(s, in: mask).allSatisfy { $0 == 1 })
        #expect(OperatorReference.backgroundComponents(s) == OperatorReference.backgroundComponents(mask))
        #expect(s.skeletonized() == s)
    }
}

// MARK: - Shaft tracer

@Suite("Shaft tracer")
struct ShaftTracerTests {
    /// 0.1 um pixels, 2 um minimum length (20 px), 0.4 um smoothing (+-4 points): the
    /// analysis defaults.
    private let micronsPerPixel = 0.1
    private let tracer = ShaftTracer(minimumLengthMicrons: 2, smoothingMicrons: 0.4)

    /// Pixels within `width / 2` of the segment a-b (a rectangle `width` wide).
    private func drawBar(_ mask: inout BinaryMask, from a: PixelPoint, to b: PixelPoint, width: Double) {
        let dx = b.x - a.x, dy = b.y - a.y
        let length = (dx * dx + dy * dy).squareRoot()
        for y in 0..<mask.height {
            for x in 0..<mask.width {
                let px = Double(x) - a.x, py = Double(y) - a.y
                let along = (px * dx + py * dy) / length, across = abs(px * dy - py * dx) / length
                if along >= 0, along <= length, across <= width / 2 { mask[x: x, y: y] = true }
            }
        }
    }

    /// A one-pixel 8-connected digital line: one pixel per step along the major axis.
    private func drawDigitalLine(_ mask: inout BinaryMask, from a: PixelPoint, to b: PixelPoint) {
        let steps = Int(Swift.max(abs(b.x - a.x), abs(b.y - a.y)).rounded())
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            mask[x: Int((a.x + t * (b.x - a.x)).rounded()), y: Int((a.y + t * (b.y - a.y)).rounded())] = true
        }
    }

    /// Structural promises of every traced path: ordered, 8-connected pixels (the skeleton's
    /// plus the lengthened ends) inside the mask, no pixel in two paths, one point per pixel,
    /// a length that is the arc length of its points and at least the minimum.
    private func checkPaths(_ paths: [ShaftTracer.Path], in mask: BinaryMask) {
        var seen = Set<Int>()
        for path in paths {
            #expect(path.points.count == path.pixels.count)
            #expect(abs(path.lengthPixels - ShaftTracer.arcLength(path.points)) < 1e-9)
            #expect(path.lengthPixels >= tracer.minimumLengthMicrons / micronsPerPixel)
            for (i, p) in path.pixels.enumerated() {
                #expect(mask.pixels[p], "path pixel outside the mask")
                #expect(seen.insert(p).inserted, "pixel in two paths")
                if i > 0 {
                    let q = path.pixels[i - 1]
                    #expect(p != q && abs(p % mask.width - q % mask.width) <= 1 && abs(p / mask.width - q / mask.width) <= 1)
                }
            }
        }
    }

    private func pixelLength(_ path: ShaftTracer.Path, width: Int) -> Double {
        ShaftTracer.arcLength(path.pixels.map { PixelPoint(x: Double($0 % width), y: Double($0 / width)) })
    }

    /// An axis-aligned bar L pixels long and W wide thins to its middle line, which stops
    /// (W - 1) / 2 pixels before each end (see `filledRectangleGivesALine`), as the medial
    /// axis of a rectangle stops W/2 from its ends. The tracer lengthens free ends along their
    /// tangent inside the shape (by at most the half-width + 1), so the centreline spans the
    /// bar from its first to its last pixel centre: L - 1, whatever W.
    @Test(arguments: [1, 2, 3, 5, 7, 9], [false, true])
    func straightBarSpansItsLength(widthPixels: Int, vertical: Bool) {
        let barLength = 80
        var mask = BinaryMask(width: barLength + 10, height: widthPixels + 10, repeating: false)
        for y in 5..<(5 + widthPixels) {
            for x in 5..<(5 + barLength) { mask[x: x, y: y] = true }
        }
        if vertical { mask = mask.transposed() }
        let paths = tracer.trace(mask, micronsPerPixel: micronsPerPixel)
        checkPaths(paths, in: mask)
        #expect(paths.count == 1)
        let expected = Double(barLength - 1)
        for path in paths { #expect(abs(path.lengthPixels / expected - 1) < 0.03, "\(path.lengthPixels) vs \(expected)") }
    }

    /// A rotated bar of axis length L: as for the axis-aligned bar the ends are lengthened to
    /// the shape's ends, so the centreline measures L. A skeleton end that forks into a corner
    /// of the square end (as the medial axis of a rectangle does) bends the last few pixels,
    /// which costs or adds about a pixel (within the 3 %).
    @Test(arguments: [10.0, 20.0, 30.0, 45.0, 60.0, 75.0], [3.0, 5.0, 7.0])
    func rotatedBarSpansItsLength(degrees: Double, widthPixels: Double) {
        let barLength = 60.0, angle = degrees * Double.pi / 180
        var mask = BinaryMask(width: 80, height: 80, repeating: false)
        drawBar(&mask, from: PixelPoint(x: 10, y: 10),
                to: PixelPoint(x: 10 + barLength * Foundation.cos(angle), y: 10 + barLength * Foundation.sin(angle)),
                width: widthPixels)
        let paths = tracer.trace(mask, micronsPerPixel: micronsPerPixel)
        checkPaths(paths, in: mask)
        #expect(paths.count == 1)
        for path in paths { #expect(abs(path.lengthPixels / barLength - 1) < 0.03, "\(path.lengthPixels)") }
    }

    /// An 8-connected staircase overstates a slanted line by (1 - s + s sqrt 2) / sqrt(1 + s^2)
    /// for slope s <= 1 (up to 8 % near 22-27 degrees); the smoothed centreline must not: within
    /// 3 % of the straight distance between its ends, on a one-pixel line and a 3 px bar.
    @Test(arguments: [10.0, 20.0, 26.565, 30.0, 37.0, 45.0, 60.0, 71.0])
    func slantedLineIsNotInflatedByTheStaircase(degrees: Double) {
        let angle = degrees * Double.pi / 180, barLength = 60.0
        let a = PixelPoint(x: 8, y: 8)
        let b = PixelPoint(x: 8 + barLength * Foundation.cos(angle), y: 8 + barLength * Foundation.sin(angle))
        for thick in [false, true] {
            var mask = BinaryMask(width: 76, height: 76, repeating: false)
            if thick { drawBar(&mask, from: a, to: b, width: 3) } else { drawDigitalLine(&mask, from: a, to: b) }
            let paths = tracer.trace(mask, micronsPerPixel: micronsPerPixel)
            checkPaths(paths, in: mask)
            #expect(paths.count == 1)
            guard let path = paths.first, let first = path.points.first, let last = path.points.last else { continue }
            let chord = first.distance(to: last)
            #expect(abs(path.lengthPixels / chord - 1) < 0.03, "thick \(thick): \(path.lengthPixels) vs \(chord)")
            if !thick {
                // The test has teeth: the raw pixel path does carry the staircase excess.
                let s = Swift.min(abs(Foundation.tan(angle)), 1 / abs(Foundation.tan(angle)))
                let staircase = (1 - s + s * 2.0.squareRoot()) / (1 + s * s).squareRoot()
                let raw = pixelLength(path, width: mask.width)
                #expect(abs(raw / chord - staircase) < 0.015, "raw \(raw / chord) vs staircase \(staircase)")
            }
        }
    }

    /// A half annulus of mid radius R and width W: the centreline is the mid-radius arc,
    /// lengthened to the two cut ends as a straight bar is, so R pi long.
    @Test(arguments: [3.0, 5.0])
    func circleArcLength(widthPixels: Double) {
        let radius = 28.0, cx = 35.0, cy = 5.0
        var mask = BinaryMask(width: 71, height: 40, repeating: false)
        for y in 0..<mask.height {
            for x in 0..<mask.width {
                let dx = Double(x) - cx, dy = Double(y) - cy
                let r = (dx * dx + dy * dy).squareRoot()
                if dy >= 0, abs(r - radius) <= widthPixels / 2 { mask[x: x, y: y] = true }
            }
        }
        let paths = tracer.trace(mask, micronsPerPixel: micronsPerPixel)
        checkPaths(paths, in: mask)
        #expect(paths.count == 1)
        let arc = radius * Double.pi
        for path in paths {
            #expect(abs(path.lengthPixels / arc - 1) < 0.03, "\(path.lengthPixels) vs arc \(arc)")
            // The centreline follows the mid radius (its ends may turn into the corners of the cut ends).
            let n = path.points.count
            for p in path.points[(n / 10)..<(n - n / 10)] {
                #expect(abs(p.distance(to: PixelPoint(x: cx, y: cy)) - radius) < 1)
            }
        }
    }

    /// Two crossing bars: the longer becomes one path, the other splits at the crossing into
    /// two paths, lengthened at their free ends only; together they measure both bars (each
    /// L - 1 between end pixel centres), less the pixel or two where the second is cut.
    @Test func crossOfTwoBars() {
        let horizontal = 70, vertical = 60, width = 5
        var mask = BinaryMask(width: 80, height: 70, repeating: false)
        for y in 33..<(33 + width) {
            for x in 5..<(5 + horizontal) { mask[x: x, y: y] = true }
        }
        for y in 5..<(5 + vertical) {
            for x in 38..<(38 + width) { mask[x: x, y: y] = true }
        }
        let paths = tracer.trace(mask, micronsPerPixel: micronsPerPixel)
        checkPaths(paths, in: mask)
        #expect(paths.count == 3)
        let longest = paths.map(\.lengthPixels).max() ?? 0
        #expect(abs(longest / Double(horizontal - 1) - 1) < 0.03, "longest \(longest)")
        let total = paths.map(\.lengthPixels).reduce(0, +)
        let expected = Double(horizontal - 1 + vertical - 1)
        #expect(abs(total / expected - 1) < 0.03, "total \(total) vs \(expected)")
    }

    /// Spine-sized bumps on a shaft leave short skeleton spurs, which are dropped; a long side
    /// branch becomes a dendrite of its own. The branch is placed so that the shaft stays the
    /// longest path (a path turning into the branch is shorter), which the tracer takes first.
    @Test func shortSpursAreDroppedAndLongBranchesKept() {
        var mask = BinaryMask(width: 90, height: 50, repeating: false)
        drawBar(&mask, from: PixelPoint(x: 5, y: 10), to: PixelPoint(x: 85, y: 10), width: 5)  // 80 px shaft
        drawBar(&mask, from: PixelPoint(x: 25, y: 10), to: PixelPoint(x: 25, y: 19), width: 3)  // 7 px bump
        drawBar(&mask, from: PixelPoint(x: 45, y: 10), to: PixelPoint(x: 45, y: 40), width: 5)  // 28 px beyond the shaft
        let paths = tracer.trace(mask, micronsPerPixel: micronsPerPixel)
        checkPaths(paths, in: mask)
        #expect(paths.count == 2)
        let lengths = paths.map(\.lengthPixels).sorted()
        if lengths.count == 2 {
            #expect(abs(lengths[1] / 80 - 1) < 0.03, "shaft \(lengths[1])")
            // From its tip to the shaft's centreline, 30 px, less the pixel or two where it was
            // cut from the shaft; not lengthened across the shaft.
            #expect(lengths[0] > 27 && lengths[0] < 30.5, "branch \(lengths[0])")
        }
    }

    /// Blobs whose extent is below the minimum length (20 px here) give no path, even
    /// lengthened to their ends; the same bar made longer than the minimum does.
    @Test func shortBlobsGiveNoPath() {
        var mask = BinaryMask(width: 60, height: 40, repeating: false)
        drawBar(&mask, from: PixelPoint(x: 5, y: 5), to: PixelPoint(x: 22, y: 5), width: 5)  // 17 px
        for y in 0..<40 {
            for x in 0..<60 where (x - 40) * (x - 40) + (y - 25) * (y - 25) <= 64 { mask[x: x, y: y] = true }  // 17 px disc
        }
        mask[x: 5, y: 35] = true
        #expect(tracer.trace(mask, micronsPerPixel: micronsPerPixel).isEmpty)
        drawBar(&mask, from: PixelPoint(x: 5, y: 5), to: PixelPoint(x: 28, y: 5), width: 5)  // now 23 px
        let paths = tracer.trace(mask, micronsPerPixel: micronsPerPixel)
        #expect(paths.count == 1)
        for path in paths { #expect(abs(path.lengthPixels - 23) < 1, "\(path.lengthPixels)") }
        // The minimum is in microns: at 0.05 um per pixel the 23 px are 1.15 um, below 2 um.
        #expect(tracer.trace(mask, micronsPerPixel: 0.05).isEmpty)
        #expect(tracer.trace(BinaryMask(width: 0, height: 0, repeating: false), micronsPerPixel: 0.1).isEmpty)
        #expect(tracer.trace(BinaryMask(width: 9, height: 9, repeating: false), micronsPerPixel: 0.1).isEmpty)
    }

    /// A side branch no longer than a spine (25 px = 2.5 um past the shaft, under the 3 um
    /// branch minimum) is a long-necked spine and gives no path of its own; the same branch
    /// at 4 um is a dendrite. Without a branch minimum both are kept (2 um minimum length).
    @Test func sideBranchesShorterThanASpineAreProtrusions() {
        func mask(branchPixels: Double) -> BinaryMask {
            var m = BinaryMask(width: 100, height: 60, repeating: false)
            drawBar(&m, from: PixelPoint(x: 5, y: 10), to: PixelPoint(x: 95, y: 10), width: 7)  // 90 px shaft
            drawBar(&m, from: PixelPoint(x: 50, y: 10), to: PixelPoint(x: 50, y: 13 + branchPixels), width: 5)
            return m
        }
        let spineTracer = ShaftTracer(minimumLengthMicrons: 2, smoothingMicrons: 0.4, minimumBranchLengthMicrons: 3)
        let short = mask(branchPixels: 25), long = mask(branchPixels: 40)
        let shortPaths = spineTracer.trace(short, micronsPerPixel: micronsPerPixel)
        checkPaths(shortPaths, in: short)
        #expect(shortPaths.count == 1)
        #expect(spineTracer.trace(long, micronsPerPixel: micronsPerPixel).count == 2)
        #expect(tracer.trace(short, micronsPerPixel: micronsPerPixel).count == 2)
        // A free-standing piece of the same length is not a side branch and is kept.
        var lone = BinaryMask(width: 60, height: 20, repeating: false)
        drawBar(&lone, from: PixelPoint(x: 5, y: 10), to: PixelPoint(x: 30, y: 10), width: 5)
        #expect(spineTracer.trace(lone, micronsPerPixel: micronsPerPixel).count == 1)
    }

    /// A path that runs 8 um straight and then hooks 90 degrees for 1.5 um (a spine taken for
    /// the shaft's continuation) is cut at the hook; straight paths, gentle arcs and hooks
    /// longer than the spur limit are left alone. Both ends are checked.
    @Test(arguments: [false, true])
    func endHooksAreCutAndGentleBendsKept(reversed: Bool) {
        func path(_ points: [PixelPoint]) -> ShaftTracer.Path {
            let p = reversed ? Array(points.reversed()) : points
            return ShaftTracer.Path(pixels: p.map { Int($0.y.rounded()) * 1000 + Int($0.x.rounded()) }, points: p,
                                    lengthPixels: ShaftTracer.arcLength(p))
        }
        func trim(_ p: ShaftTracer.Path) -> ShaftTracer.Path {
            EndTurnTrimmer.trimmed(p, maximumSpurPixels: 25, bodyPixels: 15, minimumTurnDegrees: 45)
        }
        let straight = (0...80).map { PixelPoint(x: 10 + Double($0), y: 50) }
        let hook = (1...15).map { PixelPoint(x: 90, y: 50 + Double($0)) }
        let hooked = trim(path(straight + hook))
        #expect(abs(hooked.lengthPixels - 80) < 1.01, "\(hooked.lengthPixels)")
        #expect(hooked.points.count == hooked.pixels.count)
        #expect(hooked.points.contains(PixelPoint(x: 90, y: 50)))
        #expect(!hooked.points.contains(PixelPoint(x: 90, y: 53)))
        #expect(trim(path(straight)).lengthPixels == path(straight).lengthPixels)
        // A 100 px radius arc turns 45 degrees over 79 px: far gentler than a spine.
        let arc = (0...120).map { k -> PixelPoint in
            let a = Double(k) / 100
            return PixelPoint(x: 100 * sin(a), y: 100 - 100 * cos(a))
        }
        #expect(trim(path(arc)).points.count == arc.count)
        // A 40 px hook is longer than any spine the limit allows: a real bend of the shaft.
        let longHook = (1...40).map { PixelPoint(x: 90, y: 50 + Double($0)) }
        #expect(trim(path(straight + longHook)).points.count == straight.count + longHook.count)
    }

    @Test func smoothingKeepsEndsAndStraightLines() {
        let points = (0..<12).map { PixelPoint(x: Double($0) * 1.5, y: 3 - Double($0)) }
        let smoothed = ShaftTracer.smoothed(points, halfWindow: 3)
        #expect(smoothed.count == points.count)
        #expect(smoothed.first == points.first && smoothed.last == points.last)
        for (p, q) in zip(points, smoothed) { #expect(p.distance(to: q) < 1e-9) }
        #expect(ShaftTracer.smoothed([PixelPoint(x: 0, y: 0), PixelPoint(x: 1, y: 1)], halfWindow: 2).count == 2)
        #expect(ShaftTracer.arcLength([PixelPoint(x: 0, y: 0), PixelPoint(x: 3, y: 4), PixelPoint(x: 3, y: 5)]) == 6)
        #expect(ShaftTracer.arcLength([PixelPoint(x: 2, y: 2)]) == 0)
    }
}
