/// A two-dimensional image stored row by row in one contiguous array.
///
/// `x` grows to the right and `y` downwards, both 0-based, as in the CSV reports.
/// Hot loops should use `withUnsafeBufferPointer` rather than the bounds-checked
/// subscript.
public struct Raster<Pixel>: Sendable where Pixel: Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [Pixel]

    /// An image of `width` x `height` pixels, all set to `value`.
    public init(width: Int, height: Int, repeating value: Pixel) {
        precondition(width >= 0 && height >= 0, "negative raster size \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = Array(repeating: value, count: width * height)
    }

    /// Wraps `pixels`, which must hold exactly `width * height` values in row order.
    public init(width: Int, height: Int, pixels: [Pixel]) {
        precondition(pixels.count == width * height,
                     "raster \(width)x\(height) needs \(width * height) pixels, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public var count: Int { width * height }
    public var isEmpty: Bool { width == 0 || height == 0 }

    @inlinable
    public subscript(x x: Int, y y: Int) -> Pixel {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    @inlinable
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// The same geometry with every pixel transformed.
    public func mapped<T>(_ transform: (Pixel) throws -> T) rethrows -> Raster<T> {
        Raster<T>(width: width, height: height, pixels: try pixels.map(transform))
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Pixel>) throws -> R) rethrows -> R {
        try pixels.withUnsafeBufferPointer(body)
    }

    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Pixel>) throws -> R
    ) rethrows -> R {
        try pixels.withUnsafeMutableBufferPointer(body)
    }
}

extension Raster: Equatable where Pixel: Equatable {}

/// Intensities as floating point, in the file's own scale (0...255 or 0...65535).
public typealias GrayImage = Raster<Float>
/// Foreground (`true`) and background (`false`).
public typealias BinaryMask = Raster<Bool>
/// Connected-component labels: 0 is background, objects are 1...n.
public typealias LabelImage = Raster<Int32>

extension Raster where Pixel == Bool {
    /// A mask drawn as text, one string per row: `#` is foreground, anything else background.
    ///
    ///     BinaryMask(ascii: ["..#..",
    ///                        ".###."])
    public init(ascii rows: [String]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "ragged ASCII mask")
        self.init(width: width, height: rows.count,
                  pixels: rows.flatMap { row in row.map { $0 == "#" } })
    }

    /// The mask drawn back as text, the inverse of `init(ascii:)`.
    public var ascii: [String] {
        (0..<height).map { y in
            String((0..<width).map { x in self[x: x, y: y] ? "#" : "." })
        }
    }

    public var foregroundCount: Int { pixels.reduce(0) { $0 + ($1 ? 1 : 0) } }
}

/// A point in pixel coordinates, sub-pixel, x right and y down.
public struct PixelPoint: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    public func distance(to other: PixelPoint) -> Double {
        ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot()
    }
}
