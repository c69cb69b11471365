import Foundation
import Testing
@testable import SpineKit

// Unit tests of the image operators (Imaging/, Segmentation/): each is checked against a
// slow, obviously correct reference on seeded random inputs, plus drawn edge cases.

/// SplitMix64 (Steele, Lea & Flood 2014) for seeded test inputs; kept separate from SpineKit's
/// own generator so a change there cannot silently change what these tests exercise.
struct TestRNG: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in 0..<bound (modulo bias is irrelevant for test inputs).
    mutating func index(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// Standard normal deviate by Box-Muller.
    mutating func gaussian() -> Double {
        let u1 = Swift.max(unit(), 1e-300), u2 = unit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    mutating func mask(width: Int, height: Int, density: Double) -> BinaryMask {
        var m = BinaryMask(width: width, height: height, repeating: false)
        for i in 0..<m.count { m.pixels[i] = chance(density) }
        return m
    }

    mutating func image(width: Int, height: Int, range: ClosedRange<Float> = 0...100) -> GrayImage {
        var g = GrayImage(width: width, height: height, repeating: 0)
        for i in 0..<g.count { g.pixels[i] = range.lowerBound + Float(unit()) * (range.upperBound - range.lowerBound) }
        return g
    }

    /// A mask of a few overlapping discs and thick strokes, with small holes punched in:
    /// shapes like segmented neurites, with branches, loops and holes to keep a thinning honest.
    mutating func blobs(width: Int, height: Int, shapes: Int) -> BinaryMask {
        var m = BinaryMask(width: width, height: height, repeating: false)
        func disc(_ cx: Double, _ cy: Double, _ r: Double, _ value: Bool) {
            for y in 0..<height {
                for x in 0..<width where (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy) <= r * r {
                    m[x: x, y: y] = value
                }
            }
        }
        for _ in 0..<shapes {
            let cx = unit() * Double(width), cy = unit() * Double(height)
            if chance(0.5) {
                disc(cx, cy, 1.5 + unit() * 5, true)
            } else {
                let angle = unit() * Double.pi, length = 5 + unit() * Double(Swift.max(width, height)) / 2
                let r = 0.8 + unit() * 2.5
                let steps = Int(length * 2)
                for s in 0...steps {
                    let t = Double(s) / Double(steps) * length
                    disc(cx + t * Foundation.cos(angle), cy + t * Foundation.sin(angle), r, true)
                }
            }
        }
        for _ in 0..<(shapes / 2) where chance(0.7) {
            disc(unit() * Double(width), unit() * Double(height), 0.5 + unit() * 1.5, false)
        }
        return m
    }
}

/// Slow references written for clarity, independent of the code under test.
enum OperatorReference {
    static let eightOffsets = [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)]
    static let fourOffsets = [(0, -1), (-1, 0), (1, 0), (0, 1)]

    /// Component number (1...n, numbered in raster order of each component's first pixel) of
    /// every pixel where `member` holds, 0 elsewhere, by breadth-first flood fill.
    static func components(width: Int, height: Int, eight: Bool,
                           member: (Int, Int) -> Bool) -> (ids: [Int], count: Int) {
        var ids = [Int](repeating: 0, count: width * height)
        var count = 0
        let offsets = eight ? eightOffsets : fourOffsets
        for y in 0..<height {
            for x in 0..<width where member(x, y) && ids[y * width + x] == 0 {
                count += 1
                ids[y * width + x] = count
                var queue = [(x, y)], head = 0
                while head < queue.count {
                    let (px, py) = queue[head]
                    head += 1
                    for (dx, dy) in offsets {
                        let nx = px + dx, ny = py + dy
                        guard nx >= 0, ny >= 0, nx < width, ny < height,
                              member(nx, ny), ids[ny * width + nx] == 0 else { continue }
                        ids[ny * width + nx] = count
                        queue.append((nx, ny))
                    }
                }
            }
        }
        return (ids, count)
    }

    static func components(_ mask: BinaryMask, eight: Bool) -> (ids: [Int], count: Int) {
        components(width: mask.width, height: mask.height, eight: eight) { mask[x: $0, y: $1] }
    }

    /// Number of 8-connected foreground components.
    static func foregroundComponents(_ mask: BinaryMask) -> Int { components(mask, eight: true).count }

    /// Number of 4-connected background components, the outside of the image counting as one
    /// background region joined to every background pixel on the edge: for 8-connected
    /// foreground this is 1 + the number of holes (Rosenfeld's digital topology).
    static func backgroundComponents(_ mask: BinaryMask) -> Int {
        components(width: mask.width + 2, height: mask.height + 2, eight: false) { x, y in
            !mask.contains(x: x - 1, y: y - 1) || !mask[x: x - 1, y: y - 1]
        }.count
    }
}

// MARK: - Raster

@Suite("Raster basics")
struct RasterOperatorTests {
    @Test(arguments: [
        [String](),
        ["#"],
        ["."],
        ["#..#", ".##.", "...."],
        ["#", ".", "#"],
        ["..#.#.##"],
    ])
    func asciiRoundTrip(rows: [String]) {
        let mask = BinaryMask(ascii: rows)
        #expect(mask.ascii == rows)
        #expect(mask.height == rows.count)
        #expect(mask.width == (rows.first?.count ?? 0))
        #expect(mask.foregroundCount == rows.joined().filter { $0 == "#" }.count)
    }

    @Test func asciiPlacesXRightAndYDown() {
        let mask = BinaryMask(ascii: ["...",
                                      "..#"])
        #expect(mask[x: 2, y: 1])
        #expect(mask.pixels.firstIndex(of: true) == 1 * 3 + 2)
        #expect(!mask[x: 1, y: 1] && !mask[x: 2, y: 0])
    }

    @Test(arguments: [(1, 1), (1, 6), (6, 1), (4, 7), (9, 3)])
    func transposedMirrorsAboutTheDiagonal(width: Int, height: Int) {
        let raster = Raster<Int>(width: width, height: height, pixels: (0..<(width * height)).map { $0 * 7 + 3 })
        let t = raster.transposed()
        #expect(t.width == height && t.height == width)
        for y in 0..<height {
            for x in 0..<width { #expect(t[x: y, y: x] == raster[x: x, y: y]) }
        }
        #expect(t.transposed() == raster)
    }

    @Test(arguments: [(0, 0), (0, 4), (5, 0)])
    func transposedEmpty(width: Int, height: Int) {
        let t = BinaryMask(width: width, height: height, repeating: true).transposed()
        #expect(t.width == height && t.height == width && t.pixels.isEmpty)
    }
}

// MARK: - Gaussian blur

@Suite("Gaussian blur")
struct GaussianBlurTests {
    /// Direct 2D convolution with a separately built kernel (truncated at ceil(3 sigma), at
    /// least 1, normalised), reaching outside the image as `border` says.
    private func referenceBlur(_ image: GrayImage, sigma: Double, border: BorderMode) -> [Double] {
        let radius = Swift.max(1, Int((3 * sigma).rounded(.up)))
        var weights = (-radius...radius).map { Foundation.exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        func sample(_ x: Int, _ y: Int) -> Double {
            switch border {
            case .replicate:
                return Double(image[x: Swift.min(image.width - 1, Swift.max(0, x)),
                                    y: Swift.min(image.height - 1, Swift.max(0, y))])
            case .zero:
                return image.contains(x: x, y: y) ? Double(image[x: x, y: y]) : 0
            }
        }
        var out: [Double] = []
        for y in 0..<image.height {
            for x in 0..<image.width {
                var sum = 0.0
                for j in -radius...radius {
                    for i in -radius...radius { sum += weights[i + radius] * weights[j + radius] * sample(x + i, y + j) }
                }
                out.append(sum)
            }
        }
        return out
    }

    @Test(arguments: [1.0, 1.5, 2.0, 3.0])
    func impulseKeepsItsMassAndSpreadsBySigma(sigma: Double) {
        let size = 31, centre = 15
        var image = GrayImage(width: size, height: size, repeating: 0)
        image[x: centre, y: centre] = 1000
        for border in [BorderMode.replicate, .zero] {
            let blurred = image.gaussianBlurred(sigma: sigma, border: border)
            var mass = 0.0, mx = 0.0, my = 0.0
            for y in 0..<size {
                for x in 0..<size {
                    let v = Double(blurred[x: x, y: y])
                    mass += v
                    mx += v * Double(x)
                    my += v * Double(y)
                }
            }
            mx /= mass
            my /= mass
            var vx = 0.0, vy = 0.0
            for y in 0..<size {
                for x in 0..<size {
                    let v = Double(blurred[x: x, y: y])
                    vx += v * (Double(x) - mx) * (Double(x) - mx)
                    vy += v * (Double(y) - my) * (Double(y) - my)
                }
            }
            #expect(abs(mass - 1000) < 1000 * 1e-4)
            #expect(abs(mx - Double(centre)) < 1e-3 && abs(my - Double(centre)) < 1e-3)
            // The sampled Gaussian truncated at 3 sigma has a variance within 1 % of sigma^2
            // for sigma >= 1 (0.996 sigma^2 at sigma = 1).
            #expect(abs(vx / mass - sigma * sigma) < 0.02 * sigma * sigma, "variance x \(vx / mass)")
            #expect(abs(vy / mass - sigma * sigma) < 0.02 * sigma * sigma, "variance y \(vy / mass)")
            // Rotational symmetry of the separable kernel.
            #expect(abs(blurred[x: centre + 2, y: centre + 1] - blurred[x: centre - 1, y: centre - 2]) < 1e-4)
        }
    }

    @Test(arguments: [0.5, 1.0, 2.7, 6.0])
    func constantImageIsUnchangedWithReplicate(sigma: Double) {
        for (w, h) in [(12, 9), (3, 2), (1, 1), (1, 8)] {
            let image = GrayImage(width: w, height: h, repeating: 37.5)
            let blurred = image.gaussianBlurred(sigma: sigma, border: .replicate)
            #expect(blurred.width == w && blurred.height == h)
            #expect(blurred.pixels.allSatisfy { abs($0 - 37.5) < 1e-3 }, "\(w)x\(h): \(blurred.pixels)")
        }
    }

    @Test func zeroBorderDarkensTheEdgeOnly() {
        let image = GrayImage(width: 30, height: 30, repeating: 10)
        let blurred = image.gaussianBlurred(sigma: 2, border: .zero)
        #expect(abs(blurred[x: 15, y: 15] - 10) < 1e-4)
        // At a corner about a quarter of the kernel lies inside (a bit more: the centre row/column).
        #expect(blurred[x: 0, y: 0] > 2.5 && blurred[x: 0, y: 0] < 4)
        #expect(blurred[x: 0, y: 15] > 5 && blurred[x: 0, y: 15] < 6.5)
    }

    @Test(arguments: [0.0, -1.0])
    func nonPositiveSigmaIsIdentity(sigma: Double) {
        var rng = TestRNG(seed: 11)
        let image = rng.image(width: 7, height: 5)
        #expect(image.gaussianBlurred(sigma: sigma) == image)
        #expect(image.gaussianBlurred(sigma: sigma, border: .zero) == image)
    }

    @Test(arguments: [(0, 0), (0, 3), (4, 0)])
    func emptyImageStaysEmpty(width: Int, height: Int) {
        let blurred = GrayImage(width: width, height: height, repeating: 0).gaussianBlurred(sigma: 2)
        #expect(blurred.width == width && blurred.height == height && blurred.pixels.isEmpty)
    }

    @Test(arguments: [(1, 1), (1, 9), (9, 1), (2, 2), (6, 11), (13, 4)], [0.6, 1.3, 2.5])
    func matchesDirectConvolution(size: (Int, Int), sigma: Double) {
        var rng = TestRNG(seed: UInt64(size.0 * 100 + size.1))
        let image = rng.image(width: size.0, height: size.1)
        for border in [BorderMode.replicate, .zero] {
            let blurred = image.gaussianBlurred(sigma: sigma, border: border)
            let reference = referenceBlur(image, sigma: sigma, border: border)
            #expect(blurred.width == image.width && blurred.height == image.height)
            let worst = zip(blurred.pixels, reference).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst < 1e-3, "\(size) sigma \(sigma) \(border): worst error \(worst)")
        }
    }

    @Test func rowAndColumnImagesAgreeUnderTransposition() {
        var rng = TestRNG(seed: 5)
        let row = rng.image(width: 17, height: 1)
        let column = row.transposed()
        for border in [BorderMode.replicate, .zero] {
            let a = row.gaussianBlurred(sigma: 1.7, border: border)
            let b = column.gaussianBlurred(sigma: 1.7, border: border).transposed()
            #expect(zip(a.pixels, b.pixels).allSatisfy { abs($0 - $1) < 1e-4 })
        }
    }
}

// MARK: - Maximum filter

@Suite("Maximum filter")
struct MaximumFilterTests {
    @Test(arguments: [(1, 1), (1, 12), (12, 1), (5, 5), (17, 9), (8, 23)], [1, 2, 3, 7, 30])
    func matchesBruteForce(size: (Int, Int), radius: Int) {
        var rng = TestRNG(seed: UInt64(size.0 * 1000 + size.1 * 10 + radius))
        let (w, h) = size
        // Integer values in a small range give many ties.
        var image = rng.image(width: w, height: h, range: -20...20)
        for i in 0..<image.count { image.pixels[i] = image.pixels[i].rounded() }
        let filtered = image.maximumFiltered(radius: radius)
        #expect(filtered.width == w && filtered.height == h)
        for y in 0..<h {
            for x in 0..<w {
                var best = -Float.infinity
                for ny in Swift.max(0, y - radius)...Swift.min(h - 1, y + radius) {
                    for nx in Swift.max(0, x - radius)...Swift.min(w - 1, x + radius) { best = Swift.max(best, image[x: nx, y: ny]) }
                }
                #expect(filtered[x: x, y: y] == best, "(\(x), \(y)) radius \(radius)")
            }
        }
    }

    @Test func radiusZeroAndEmptyAreIdentity() {
        var rng = TestRNG(seed: 3)
        let image = rng.image(width: 6, height: 4)
        #expect(image.maximumFiltered(radius: 0) == image)
        #expect(GrayImage(width: 0, height: 5, repeating: 0).maximumFiltered(radius: 2).height == 5)
    }
}

// MARK: - Distance transform

@Suite("Euclidean distance transform")
struct DistanceTransformTests {
    @Test(arguments: [(1, 1), (1, 13), (13, 1), (9, 9), (24, 17), (31, 6)], [0.02, 0.2, 0.6])
    func distanceToForegroundMatchesBruteForce(size: (Int, Int), density: Double) {
        let (w, h) = size
        for seed in 0..<3 {
            var rng = TestRNG(seed: UInt64(seed * 7919 + w * 31 + h))
            let mask = rng.mask(width: w, height: h, density: density)
            let map = mask.distanceToForeground()
            let features = (0..<mask.count).filter { mask.pixels[$0] }
            for y in 0..<h {
                for x in 0..<w {
                    let i = y * w + x
                    let best = features.map { f -> Int in
                        let dx = f % w - x, dy = f / w - y
                        return dx * dx + dy * dy
                    }.min()
                    let d2 = map.squaredDistance[x: x, y: y]
                    let nearest = Int(map.nearest[x: x, y: y])
                    guard let best else {
                        #expect(d2 == .infinity && nearest == -1)
                        continue
                    }
                    #expect(d2 == Float(best), "(\(x), \(y)) in \(w)x\(h): \(d2) vs \(best)")
                    #expect(map.distance(x: x, y: y) == Float(best).squareRoot())
                    // The reported nearest pixel is foreground and really at that distance.
                    #expect(nearest >= 0 && nearest < mask.count && mask.pixels[nearest])
                    if nearest >= 0 {
                        let dx = nearest % w - x, dy = nearest / w - y
                        #expect(Float(dx * dx + dy * dy) == d2)
                    }
                    if mask.pixels[i] { #expect(d2 == 0 && nearest == i) }
                }
            }
        }
    }

    @Test(arguments: [(0, 0), (1, 1), (6, 4)])
    func noForegroundIsInfinitelyFar(width: Int, height: Int) {
        let map = BinaryMask(width: width, height: height, repeating: false).distanceToForeground()
        #expect(map.squaredDistance.width == width && map.squaredDistance.height == height)
        #expect(map.squaredDistance.pixels.allSatisfy { $0 == .infinity })
        #expect(map.nearest.pixels.allSatisfy { $0 == -1 })
    }

    @Test func singlePixelGivesEuclideanRings() {
        let mask = BinaryMask(ascii: [".....",
                                      ".....",
                                      "..#..",
                                      ".....",
                                      "....."])
        let map = mask.distanceToForeground()
        #expect(map.squaredDistance[x: 0, y: 0] == 8)
        #expect(map.squaredDistance[x: 4, y: 1] == 5)
        #expect(map.squaredDistance[x: 2, y: 4] == 4)
        #expect(map.nearest.pixels.allSatisfy { $0 == 12 })
    }

    @Test(arguments: [(1, 1), (1, 9), (9, 1), (12, 12), (23, 14)], [0.5, 0.8, 0.97])
    func distanceToBackgroundMatchesBruteForce(size: (Int, Int), density: Double) {
        let (w, h) = size
        var rng = TestRNG(seed: UInt64(w * 131 + h * 17) &+ UInt64(density * 1000))
        let mask = rng.mask(width: w, height: h, density: density)
        let distance = mask.distanceToBackground()
        #expect(distance.width == w && distance.height == h)
        for y in 0..<h {
            for x in 0..<w {
                guard mask[x: x, y: y] else {
                    #expect(distance[x: x, y: y] == 0)
                    continue
                }
                // Outside the image is background: the nearest outside pixel is straight across an edge.
                var best = [x + 1, y + 1, w - x, h - y].map { $0 * $0 }.min() ?? 0
                for by in 0..<h {
                    for bx in 0..<w where !mask[x: bx, y: by] {
                        best = Swift.min(best, (bx - x) * (bx - x) + (by - y) * (by - y))
                    }
                }
                #expect(distance[x: x, y: y] == Float(best).squareRoot(), "(\(x), \(y))")
            }
        }
    }

    @Test func allForegroundMeasuresToTheImageEdge() {
        let distance = BinaryMask(width: 7, height: 4, repeating: true).distanceToBackground()
        #expect(distance[x: 0, y: 0] == 1)
        #expect(distance[x: 3, y: 1] == 2)
        #expect(distance[x: 6, y: 2] == 1)
        #expect(BinaryMask(width: 0, height: 3, repeating: true).distanceToBackground().pixels.isEmpty)
    }
}

// MARK: - Connected components

@Suite("Connected-component labelling")
struct LabelingTests {
    @Test func diagonalNeighboursJoinOnlyWithEightConnectivity() {
        let mask = BinaryMask(ascii: ["#...",
                                      ".#..",
                                      "..#.",
                                      "...#"])
        #expect(mask.labeled(connectivity: .eight).count == 1)
        let four = mask.labeled(connectivity: .four)
        #expect(four.count == 4)
        #expect(four.labels[x: 0, y: 0] == 1 && four.labels[x: 3, y: 3] == 4)
    }

    @Test func antiDiagonalNeedsTheUpperRightNeighbour() {
        let mask = BinaryMask(ascii: ["...#",
                                      "..#.",
                                      ".#..",
                                      "#..."])
        #expect(mask.labeled(connectivity: .eight).count == 1)
        #expect(mask.labeled(connectivity: .four).count == 4)
    }

    /// Shapes whose branches get different provisional labels and must be merged later.
    @Test(arguments: [
        ["#.#.#.#.#",
         "#.#.#.#.#",
         "#########"],
        ["#...#",
         "#...#",
         "#.#.#",
         "#.#.#",
         "#####"],
        ["#########",
         "#.......#",
         "#.#####.#",
         "#.#...#.#",
         "#.#.#.#.#",
         "#.#.###.#",
         "#.#.....#",
         "#.#######"],
        ["....#",
         "...#.",
         "#.#..",
         ".#..."],
        ["#.#.#",
         ".#.#.",
         "#.#.#"],
    ])
    func mergesBecomeOneLabel(rows: [String]) {
        let mask = BinaryMask(ascii: rows)
        let (labels, count) = mask.labeled(connectivity: .eight)
        #expect(count == 1)
        for i in 0..<mask.count { #expect(labels.pixels[i] == (mask.pixels[i] ? 1 : 0)) }
    }

    @Test func spiralIsOneComponentWithFourConnectivity() {
        let mask = BinaryMask(ascii: ["#########",
                                      "........#",
                                      "######..#",
                                      "#....#..#",
                                      "#.##.#..#",
                                      "#..#....#",
                                      "####.####"])
        #expect(mask.labeled(connectivity: .four).count == 2)
        #expect(mask.labeled(connectivity: .eight).count == 2)
    }

    @Test func edgeCases() {
        #expect(BinaryMask(width: 0, height: 0, repeating: true).labeled().count == 0)
        #expect(BinaryMask(width: 5, height: 3, repeating: false).labeled().count == 0)
        let full = BinaryMask(width: 5, height: 3, repeating: true).labeled(connectivity: .four)
        #expect(full.count == 1 && full.labels.pixels.allSatisfy { $0 == 1 })
        let row = BinaryMask(ascii: ["##.#..###.#"]).labeled(connectivity: .eight)
        #expect(row.count == 4 && row.labels.pixels == [1, 1, 0, 2, 0, 0, 3, 3, 3, 0, 4])
        let one = BinaryMask(ascii: ["#"]).labeled()
        #expect(one.count == 1 && one.labels.pixels == [1])
    }

    @Test(arguments: [0.3, 0.45, 0.6], [Connectivity.four, .eight])
    func matchesFloodFillOnRandomMasks(density: Double, connectivity: Connectivity) {
        for seed in 0..<6 {
            var rng = TestRNG(seed: UInt64(seed) &* 104_729 &+ UInt64(density * 100))
            let w = 5 + rng.index(below: 30), h = 1 + rng.index(below: 25)
            let mask = rng.mask(width: w, height: h, density: density)
            let (labels, count) = mask.labeled(connectivity: connectivity)
            let reference = OperatorReference.components(mask, eight: connectivity == .eight)
            #expect(count == reference.count)
            // The reference numbers components in raster order of their first pixel, as promised.
            #expect(labels.pixels.map(Int.init) == reference.ids, "seed \(seed) \(w)x\(h)")
            let used = Set(labels.pixels.filter { $0 > 0 })
            #expect(used == Set((0..<count).map { Int32($0 + 1) }))
            let lists = labels.pixelLists(count: count)
            #expect(lists.count == count + 1 && lists[0].isEmpty)
            #expect(lists.map(\.count).reduce(0, +) == mask.foregroundCount)
            for (label, list) in lists.enumerated() { #expect(list.allSatisfy { labels.pixels[$0] == Int32(label) }) }
        }
    }
}

// MARK: - Hysteresis, opening, small components

@Suite("Segmentation operators")
struct SegmentationOperatorTests {
    /// Pixels >= low in an 8-connected region of pixels >= low that holds a pixel >= high.
    private func referenceHysteresis(_ image: GrayImage, low: Float, high: Float) -> BinaryMask {
        let (ids, count) = OperatorReference.components(width: image.width, height: image.height, eight: true) {
            image[x: $0, y: $1] >= low
        }
        var seeded = [Bool](repeating: false, count: count + 1)
        for i in 0..<image.count where image.pixels[i] >= high { seeded[ids[i]] = true }
        return BinaryMask(width: image.width, height: image.height, pixels: ids.map { $0 > 0 && seeded[$0] })
    }

    @Test func hysteresisKeepsFaintPixelsTouchingASeed() {
        let image = GrayImage(width: 9, height: 3, pixels: [
            0, 6, 6, 0, 0, 0, 6, 0, 9,
            0, 0, 6, 12, 0, 0, 0, 6, 0,
            6, 0, 0, 0, 0, 6, 0, 0, 0,
        ])
        let mask = image.hysteresisMask(low: 5, high: 10)
        #expect(mask.ascii == [".##......",
                               "..##.....",
                               "........."])
        // The 9 at the right is below high, so its faint chain (6s, joined diagonally) goes too;
        // with high 9 it becomes a seed and takes the chain with it.
        #expect(image.hysteresisMask(low: 5, high: 9).ascii == [".##...#.#",
                                                               "..##...#.",
                                                               "........."])
    }

    @Test(arguments: [(2.0, 8.0), (5.0, 5.0), (3.0, 9.5), (0.0, 10.0)])
    func hysteresisMatchesFloodFill(low: Float, high: Float) {
        for seed in 0..<5 {
            var rng = TestRNG(seed: UInt64(seed) &+ 977)
            let w = 1 + rng.index(below: 30), h = 1 + rng.index(below: 30)
            let image = rng.image(width: w, height: h, range: 0...10)
            let mask = image.hysteresisMask(low: low, high: high)
            #expect(mask == referenceHysteresis(image, low: low, high: high), "seed \(seed) \(w)x\(h)")
            if low == high { #expect(mask == image.thresholded(atLeast: low)) }
        }
        #expect(GrayImage(width: 0, height: 2, repeating: 0).hysteresisMask(low: 1, high: 2).height == 2)
    }

    /// Opening by the digital disc {d : |d| <= radius}, from its definition; outside the image
    /// is background for the erosion.
    private func referenceOpening(_ mask: BinaryMask, radius: Double) -> BinaryMask {
        let r = Int(radius.rounded(.down))
        var disc: [(Int, Int)] = []
        for dy in -r...r {
            for dx in -r...r where Double(dx * dx + dy * dy) <= radius * radius { disc.append((dx, dy)) }
        }
        var eroded = BinaryMask(width: mask.width, height: mask.height, repeating: false)
        for y in 0..<mask.height {
            for x in 0..<mask.width {
                eroded[x: x, y: y] = disc.allSatisfy { mask.contains(x: x + $0.0, y: y + $0.1) && mask[x: x + $0.0, y: y + $0.1] }
            }
        }
        var opened = BinaryMask(width: mask.width, height: mask.height, repeating: false)
        for y in 0..<mask.height {
            for x in 0..<mask.width where eroded[x: x, y: y] {
                for (dx, dy) in disc where mask.contains(x: x + dx, y: y + dy) { opened[x: x + dx, y: y + dy] = true }
            }
        }
        return opened
    }

    @Test func openingRemovesAThinLineAndKeepsAWideDisc() {
        var mask = BinaryMask(width: 40, height: 30, repeating: false)
        for x in 0..<40 { mask[x: x, y: 3] = true }  // 1 px line
        for i in 0..<20 { mask[x: 5 + i, y: 8 + i / 2] = true }  // 1 px slanted line
        for y in 0..<30 {
            for x in 0..<40 where (x - 25) * (x - 25) + (y - 18) * (y - 18) <= 64 { mask[x: x, y: y] = true }
        }
        let opened = mask.opened(radius: 2)
        #expect(!opened[x: 2, y: 3] && !opened[x: 38, y: 3])
        #expect(!opened[x: 5, y: 8] && !opened[x: 14, y: 12])
        // The disc of radius 8 contains every disc of radius 2 centred within 6 of its centre.
        for y in 0..<30 {
            for x in 0..<40 where (x - 25) * (x - 25) + (y - 18) * (y - 18) <= 36 { #expect(opened[x: x, y: y]) }
        }
        #expect(opened.foregroundCount > 180)
        #expect(opened == referenceOpening(mask, radius: 2))
    }

    @Test(arguments: [1.0, 1.5, 2.0, 2.9])
    func openingMatchesDefinitionAndIsIdempotent(radius: Double) {
        for seed in 0..<4 {
            var rng = TestRNG(seed: UInt64(seed) &+ 4242)
            let mask = rng.blobs(width: 28, height: 22, shapes: 7)
            let opened = mask.opened(radius: radius)
            #expect(opened == referenceOpening(mask, radius: radius), "seed \(seed) radius \(radius)")
            #expect(zip(opened.pixels, mask.pixels).allSatisfy { !$0 || $1 }, "opening grew the mask")
            #expect(opened.opened(radius: radius) == opened, "opening is not idempotent")
        }
        // Random speckle too, where most structure is thinner than the disc.
        var rng = TestRNG(seed: 99)
        let speckle = rng.mask(width: 20, height: 20, density: 0.7)
        #expect(speckle.opened(radius: radius) == referenceOpening(speckle, radius: radius))
        #expect(speckle.opened(radius: radius).opened(radius: radius) == speckle.opened(radius: radius))
    }

    @Test func openingEdgeCases() {
        let mask = BinaryMask(ascii: ["#.#", "###"])
        #expect(mask.opened(radius: 0) == mask)
        #expect(BinaryMask(width: 0, height: 0, repeating: false).opened(radius: 2).isEmpty)
        // All foreground: the outside is background, so only the corners, where no disc of
        // radius 2 inside the 7x7 square reaches, are lost (3 pixels each).
        #expect(BinaryMask(width: 7, height: 7, repeating: true).opened(radius: 2).foregroundCount == 49 - 4 * 3)
        #expect(BinaryMask(width: 3, height: 9, repeating: true).opened(radius: 2).foregroundCount == 0)
    }

    @Test func removingSmallComponentsDrawn() {
        let mask = BinaryMask(ascii: ["#..##...#",
                                      "...#...#.",
                                      "......#..",
                                      "##......#"])
        #expect(mask.removingSmallComponents(minimumPixels: 3).ascii == ["...##...#",
                                                                         "...#...#.",
                                                                         "......#..",
                                                                         "........."])
        #expect(mask.removingSmallComponents(minimumPixels: 3, connectivity: .four).ascii == ["...##....",
                                                                                              "...#.....",
                                                                                              ".........",
                                                                                              "........."])
        #expect(mask.removingSmallComponents(minimumPixels: 1) == mask)
        #expect(mask.removingSmallComponents(minimumPixels: 0) == mask)
    }

    @Test(arguments: [2, 5, 12])
    func removingSmallComponentsMatchesFloodFill(minimumPixels: Int) {
        var rng = TestRNG(seed: UInt64(minimumPixels) &* 31)
        let mask = rng.mask(width: 25, height: 19, density: 0.4)
        for connectivity in [Connectivity.four, .eight] {
            let (ids, count) = OperatorReference.components(mask, eight: connectivity == .eight)
            var sizes = [Int](repeating: 0, count: count + 1)
            for id in ids where id > 0 { sizes[id] += 1 }
            let expected = BinaryMask(width: 25, height: 19, pixels: ids.map { $0 > 0 && sizes[$0] >= minimumPixels })
            #expect(mask.removingSmallComponents(minimumPixels: minimumPixels, connectivity: connectivity) == expected)
        }
    }
}

// MARK: - Background and noise

@Suite("Background and noise estimation")
struct BackgroundEstimatorTests {
    @Test(arguments: [0.3, 0.5])
    func backgroundRecoversARampUnderSparseLines(percentile: Double) {
        let w = 96, h = 80, block = 16
        let gx: Float = 0.25, gy: Float = 0.15
        func ramp(_ x: Int, _ y: Int) -> Float { 50 + gx * Float(x) + gy * Float(y) }
        var image = GrayImage(width: w, height: h, repeating: 0)
        var lineCount = 0
        for y in 0..<h {
            for x in 0..<w {
                // Bright 1 px lines every 19 rows and 23 columns, and one diagonal: ~10 % of pixels.
                let onLine = y % 19 == 7 || x % 23 == 5 || x == y
                if onLine { lineCount += 1 }
                image[x: x, y: y] = ramp(x, y) + (onLine ? 120 : 0)
            }
        }
        #expect(Double(lineCount) / Double(w * h) > 0.09)
        let background = BackgroundEstimator.background(of: image, blockSize: block, percentile: percentile)
        // A block's percentile of a plane sits below the block centre's value by a fixed offset
        // (0 for the median, by symmetry); lines shift it a little.
        var blockValues: [Float] = []
        for y in 0..<block {
            for x in 0..<block { blockValues.append(gx * (Float(x) - 7.5) + gy * (Float(y) - 7.5)) }
        }
        blockValues.sort()
        let offset = blockValues[Int((percentile * Double(blockValues.count - 1)).rounded())]
        var worstInside: Float = 0, worst: Float = 0
        for y in 0..<h {
            for x in 0..<w {
                let error = abs(background[x: x, y: y] - (ramp(x, y) + offset))
                worst = Swift.max(worst, error)
                // Between the centres of the second and second-last blocks, the 3x3 block median
                // of a plane is exact and bilinear interpolation reproduces a plane.
                if x >= block + block / 2, x < w - block - block / 2, y >= block + block / 2, y < h - block - block / 2 {
                    worstInside = Swift.max(worstInside, error)
                }
            }
        }
        #expect(worstInside < 0.6, "interior error \(worstInside)")
        // At the edges the estimate is held constant beyond the outer block centres (off by up to
        // half a block's rise) and the block median is over 4 or 6 blocks, whose upper median is
        // a neighbour's value (up to one block's rise): 1.5 rises in all, far below the lines.
        #expect(worst < 1.5 * (gx + gy) * Float(block), "edge error \(worst)")
    }

    @Test func backgroundOfSmallAndConstantImages() {
        let constant = GrayImage(width: 10, height: 3, repeating: 42)
        #expect(BackgroundEstimator.background(of: constant, blockSize: 16, percentile: 0.3) == constant)
        let single = GrayImage(width: 1, height: 1, repeating: 7)
        #expect(BackgroundEstimator.background(of: single, blockSize: 8, percentile: 0.1).pixels == [7])
        #expect(BackgroundEstimator.background(of: GrayImage(width: 0, height: 0, repeating: 0),
                                               blockSize: 8, percentile: 0.5).isEmpty)
    }

    /// Gaussian noise of a seeded sigma around 100, optionally with bright signal (8 to 40
    /// sigma above the background, so "signal only adds intensity") in a fraction of pixels.
    private func noisyImage(seed: UInt64, foregroundFraction: Double) -> (image: GrayImage, sigma: Double) {
        var rng = TestRNG(seed: seed &* 6_700_417)
        let sigma = 4.0 + 8 * rng.unit()
        var image = GrayImage(width: 128, height: 128, repeating: 0)
        for i in 0..<image.count {
            var v = 100 + sigma * rng.gaussian()
            if rng.chance(foregroundFraction) { v += sigma * (8 + 32 * rng.unit()) }
            image.pixels[i] = Float(v)
        }
        return (image, sigma)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func noiseSigmaRecoversGaussianNoise(seed: UInt64) {
        let (image, sigma) = noisyImage(seed: seed, foregroundFraction: 0)
        let estimate = Double(BackgroundEstimator.noiseSigma(of: image))
        #expect(abs(estimate / sigma - 1) < 0.1, "sigma \(sigma), estimated \(estimate)")
    }

    /// With 20 % of the pixels bright the median of all pixels would be the noise's 62.5 %
    /// quantile and sigma would come out about 20 % high; kappa-sigma clipping of the bright side keeps bright foreground out of the estimate.
    @Test(arguments: [UInt64(1), 2, 3])
    func noiseSigmaIgnoresBrightForeground(seed: UInt64) {
        let (image, sigma) = noisyImage(seed: seed, foregroundFraction: 0.2)
        let estimate = Double(BackgroundEstimator.noiseSigma(of: image))
        #expect(abs(estimate / sigma - 1) < 0.1, "sigma \(sigma), estimated \(estimate)")
    }

    /// Quantised data: 40 % of pixels at 1, 30 % at 2, 30 % bright. The noise is real (two
    /// levels), so the estimate must not be 0, as it would if the bright side were clipped
    /// away and the ties at 1 left no spread below the median.
    @Test func noiseSigmaSurvivesQuantisedData() {
        var rng = TestRNG(seed: 8)
        var pixels = [Float](repeating: 1, count: 400) + [Float](repeating: 2, count: 300) + [Float](repeating: 100, count: 300)
        for i in stride(from: pixels.count - 1, to: 0, by: -1) { pixels.swapAt(i, rng.index(below: i + 1)) }
        let sigma = BackgroundEstimator.noiseSigma(of: GrayImage(width: 40, height: 25, pixels: pixels))
        #expect(sigma > 0.5 && sigma < 2)
    }

    @Test func noiseSigmaEdgeCases() {
        #expect(BackgroundEstimator.noiseSigma(of: GrayImage(width: 1, height: 1, repeating: 5)) == 0)
        #expect(BackgroundEstimator.noiseSigma(of: GrayImage(width: 9, height: 9, repeating: 5)) == 0)
        #expect(BackgroundEstimator.noiseSigma(of: GrayImage(width: 0, height: 0, repeating: 0)) == 0)
    }

    @Test(arguments: [0.0, 0.1, 0.3, 0.5, 0.77, 1.0])
    func quantileMatchesSorting(q: Double) {
        var rng = TestRNG(seed: UInt64(q * 1000) &+ 1)
        for count in [1, 2, 3, 10, 101] {
            // Few distinct values: ties stress the partition.
            var values = (0..<count).map { _ in Float(rng.index(below: 7)) }
            let sorted = values.sorted()
            let expected = sorted[Int((q * Double(count - 1)).rounded())]
            #expect(OrderStatistics.quantile(&values, q) == expected)
            #expect(values.sorted() == sorted, "quantile lost or duplicated values")
        }
        var empty: [Float] = []
        #expect(OrderStatistics.quantile(&empty, q) == 0)
    }
}
