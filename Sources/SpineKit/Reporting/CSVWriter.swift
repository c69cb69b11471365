/// Builds comma-separated text the way RFC 4180 describes it.
///
/// Fields holding a comma, a double quote, a carriage return or a line feed are
/// enclosed in double quotes, with inner quotes doubled; every record, the header
/// included, ends in CRLF. Text is UTF-8 when written with `utf8Bytes`. Callers
/// format numbers with `ReportNumber` so that the decimal point is always `.` and
/// undefined values are empty fields.
public struct CSVWriter: Sendable {
    /// RFC 4180, section 2, rule 1: records end in CRLF.
    public static let lineTerminator = "\r\n"

    public let header: [String]
    public private(set) var text: String
    public private(set) var rowCount = 0

    public init(header: [String]) {
        self.header = header
        text = Self.line(header)
    }

    /// Appends one record; it must have as many fields as the header.
    public mutating func appendRow(_ fields: [String]) {
        precondition(fields.count == header.count,
                     "CSV row has \(fields.count) fields, header has \(header.count)")
        text += Self.line(fields)
        rowCount += 1
    }

    /// The text formatted so far, which the writer then forgets (rows keep counting): a
    /// long table goes to its file in pieces instead of being held whole.
    public mutating func takeText() -> String {
        defer { text = "" }
        return text
    }

    /// The text as UTF-8 bytes, ready for a file.
    public var utf8Bytes: [UInt8] { Array(text.utf8) }

    /// One record with its terminator.
    public static func line(_ fields: [String]) -> String {
        fields.map(escaped).joined(separator: ",") + lineTerminator
    }

    /// `field` quoted when RFC 4180 requires it, otherwise unchanged.
    public static func escaped(_ field: String) -> String {
        // Check the UTF-8 bytes: a "\r\n" pair is one Character in Swift, so a
        // Character-level test for "\n" would miss it.
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"")
            || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
