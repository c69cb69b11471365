import Foundation

/// Messages for people: progress, failures and usage errors go to standard error,
/// unbuffered, so they appear at once and never mix into the summary on standard output.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
