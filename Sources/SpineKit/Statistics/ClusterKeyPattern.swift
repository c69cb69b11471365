/// Derives an image's cluster key (animal, cell, culture) from its name, for `--group-by REGEX`.
///
/// The key is the first capture group of the first match in the image name (the name as
/// reported, which may include folders), or the whole match when the pattern has no group.
/// A name that does not match gets no key and stays a unit of its own. Without `--group-by`
/// there is no pattern and every image is its own unit.
///
/// Example: `--group-by '^(mouse[0-9]+)_'` puts `mouse3_cell1.png` and `mouse3_cell2.png` in
/// cluster `mouse3`; `--group-by '^[^/]+'` groups by the first folder.
public struct ClusterKeyPattern {
    /// The pattern as given, in Swift `Regex` syntax (compatible with PCRE for common use).
    public let pattern: String
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `pattern`; throws `ClusterKeyPatternError` when it is not a valid expression.
    public init(_ pattern: String) throws(ClusterKeyPatternError) {
        self.pattern = pattern
        do {
            regex = try Regex(pattern)
        } catch {
            throw ClusterKeyPatternError(pattern: pattern, reason: "\(error)")
        }
    }

    /// The cluster key of `imageName`, or `nil` when the pattern does not match it (or the
    /// capture group took part in no match, or matched nothing).
    public func key(for imageName: String) -> String? {
        guard let match = try? regex.firstMatch(in: imageName) else { return nil }
        let output = match.output
        let captured = output.count > 1 ? output[1].substring : output[0].substring
        guard let captured, !captured.isEmpty else { return nil }
        return String(captured)
    }

    /// `images` with their `clusterKey` set from their names (`nil` where the name does not match).
    public func assigningKeys(to images: [ImageMeasures]) -> [ImageMeasures] {
        images.map { image in
            var keyed = image
            keyed.clusterKey = key(for: image.imageName)
            return keyed
        }
    }
}

/// A `--group-by` pattern that is not a valid regular expression.
public struct ClusterKeyPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    public var pattern: String
    public var reason: String

    public var description: String {
        "The --group-by pattern '\(pattern)' is not a valid regular expression: \(reason)."
    }
}
