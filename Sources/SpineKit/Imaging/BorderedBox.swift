/// A grid over the bounding box of some pixels with one empty slot of border on every side,
/// so that the eight neighbours of any of those pixels are always on the grid, at fixed
/// offsets from its slot, with no test against the box or the image's edges (a neighbour
/// beyond an edge is a border slot): a region never wraps from one row's end to the next.
struct BorderedBox {
    let imageWidth: Int
    let minX: Int
    let minY: Int
    /// Slots per grid row: the box's width plus the two border columns.
    let columns: Int
    /// Slots in the whole grid.
    let slotCount: Int
    /// Slot offsets of the eight neighbours, in the order dy = -1, 0, 1, then dx = -1, 0, 1.
    let neighbourOffsets: [Int]

    /// The grid over `pixels` (indices `y * imageWidth + x`; not empty).
    init(_ pixels: [Int], imageWidth w: Int) {
        var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
        for p in pixels {
            let x = p % w, y = p / w
            minX = Swift.min(minX, x)
            maxX = Swift.max(maxX, x)
            minY = Swift.min(minY, y)
            maxY = Swift.max(maxY, y)
        }
        let columns = maxX - minX + 3
        self.imageWidth = w
        self.minX = minX
        self.minY = minY
        self.columns = columns
        slotCount = columns * (maxY - minY + 3)
        neighbourOffsets = [-columns - 1, -columns, -columns + 1, -1, 1, columns - 1, columns, columns + 1]
    }

    /// The slot of pixel index `p`.
    @inline(__always) func slot(of p: Int) -> Int {
        (p / imageWidth - minY + 1) * columns + (p % imageWidth - minX + 1)
    }
}
