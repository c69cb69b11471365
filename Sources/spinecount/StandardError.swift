import Foundation

/// Messages for people: progress, failures and usage errors go to standard error,
/// unbuffered, so they appear at once and never mix into the summary on standard output.
enum StandardError {
    /// Writes `text` with `write(2)`. A reader that went away (`spinecount ... 2>&1 | head -1`)
    /// ends the write quietly: `FileHandle` traps on the error, which took the process down
    /// mid-run and left its temporary files behind (`SignalTrap` ignores SIGPIPE during a run).
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            guard var next = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let written = writeToDescriptor(STDERR_FILENO, next, left)
                if written > 0 {
                    next += written
                    left -= written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

/// `write(2)`, under a name the enum's own `write` does not hide.
private func writeToDescriptor(_ descriptor: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
