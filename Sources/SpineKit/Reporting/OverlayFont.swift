/// A 5 x 7 pixel bitmap font with just the capitals the overlay legend uses.
///
/// Drawn by hand for this project; each glyph is seven rows of five cells, `#` lit.
enum OverlayFont {
    static let glyphWidth = 5
    static let glyphHeight = 7
    /// Blank columns between glyphs.
    static let spacing = 1

    private static let glyphs: [Character: [String]] = [
        "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
        "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
        "D": ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
        "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
        "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "I": [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "M": ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
        "N": ["#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "#...#"],
        "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
        "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
        "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
        "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "Y": ["#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."],
    ]

    /// Whether the cell at column `x`, row `y` of `character` is lit. Unknown
    /// characters (and the space) are blank.
    static func isLit(_ character: Character, x: Int, y: Int) -> Bool {
        guard let rows = glyphs[character], y >= 0, y < rows.count else { return false }
        let row = Array(rows[y])
        return x >= 0 && x < row.count && row[x] == "#"
    }

    static func hasGlyph(_ character: Character) -> Bool { glyphs[character] != nil }

    /// Width in cells of `text`, spacing included, before scaling.
    static func width(of text: String) -> Int {
        text.isEmpty ? 0 : text.count * (glyphWidth + spacing) - spacing
    }
}
