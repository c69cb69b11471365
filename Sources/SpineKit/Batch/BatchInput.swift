/// One image to analyse: where it is and how the reports name it.
public struct BatchInput: Sendable, Hashable, Codable {
    /// `before`, `after`, or `set` for `analyze` (the `group` column).
    public var group: String
    /// The name in the reports: the path relative to the input folder that was given,
    /// or the file name when the file itself was given (the `image` column).
    public var image: String
    /// The path to read, as found (relative paths stay relative to the working folder).
    public var path: String

    public init(group: String, image: String, path: String) {
        self.group = group
        self.image = image
        self.path = path
    }
}
