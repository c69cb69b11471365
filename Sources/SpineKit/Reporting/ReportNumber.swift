import Foundation

/// Number formatting for the reports: fixed decimals, `.` as the decimal point,
/// and an empty string for values that are undefined.
///
/// An undefined value (`nil`, NaN or an infinity, e.g. a density over zero traced
/// length) becomes an empty field, which spreadsheet programs, R and pandas read
/// as missing; the text never holds `nan` or `inf`. Negative zero prints as zero.
public enum ReportNumber {
    /// Decimal places for lengths and widths in microns: 1 nm steps, far below the
    /// optical resolution (~0.2 um).
    public static let micronPlaces = 3
    /// Decimal places for pixel coordinates: 1/100 pixel, below any sub-pixel precision claimed.
    public static let pixelPlaces = 2
    /// Decimal places for the pixel size: pHYs stores whole pixels per metre, so
    /// 0.0651 um/px needs at least four; six keep the value exact to 1 pm.
    public static let pixelSizePlaces = 6
    /// Decimal places for densities (spines per micron, typically 0.5 to 5) and fractions.
    public static let densityPlaces = 4
    /// Decimal places for percentages (change and confidence limits).
    public static let percentPlaces = 2
    /// Decimal places for ratios to the noise (signal-to-noise, typically 4 to 100): the tests
    /// they are read against step in whole or half deviations.
    public static let snrPlaces = 2

    /// `value` with exactly `places` decimals, or "" when it is undefined.
    public static func fixed(_ value: Double?, places: Int) -> String {
        precondition((0...12).contains(places), "decimal places \(places) out of range 0...12")
        guard let value, value.isFinite else { return "" }
        var scale: Double = 1
        for _ in 0..<places { scale *= 10 }
        let magnitude = (value.magnitude * scale).rounded(.toNearestOrAwayFromZero)
        // Integer arithmetic keeps the text independent of any locale; beyond 2^53
        // the value has no exact decimals anyway, so the C formatter is used.
        guard magnitude < 9.0e15 else {
            return String(format: "%.\(places)f", value)
        }
        let scaled = UInt64(magnitude)
        let divisor = UInt64(scale)
        let whole = scaled / divisor
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
        if places > 0 {
            let fraction = String(scaled % divisor)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return text
    }

    /// Lengths and widths in microns.
    public static func microns(_ value: Double?) -> String { fixed(value, places: micronPlaces) }
    /// Pixel coordinates.
    public static func pixels(_ value: Double?) -> String { fixed(value, places: pixelPlaces) }
    /// Densities per micron and fractions.
    public static func density(_ value: Double?) -> String { fixed(value, places: densityPlaces) }
    /// Percentages.
    public static func percent(_ value: Double?) -> String { fixed(value, places: percentPlaces) }

    /// A p-value with four significant digits; plain decimals down to 0.0001, then
    /// exponent notation (`1.234e-07`), which every CSV reader parses as a number.
    public static func pValue(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        // Rounded to four significant digits first, so that the form follows the digits
        // printed: 0.099996 is 0.1000 (not 0.10000), 9.9996e-05 is 0.0001000 as 0.0001 is.
        let rounded = Double(String(format: "%.3e", value)) ?? value
        if rounded == 0 { return "0" }
        if rounded >= 0.0001 { return fixed(rounded, places: 4 + max(0, -Int(log10(rounded).rounded(.down)) - 1)) }
        return String(format: "%.3e", rounded)
    }
}
