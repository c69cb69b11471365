import Foundation
import SpineKit

/// Progress on standard error: a live line on a terminal, plain lines otherwise,
/// only failures with `--quiet`. Failing images are always named with their reason.
final class TerminalProgress: @unchecked Sendable {
    enum Mode {
        /// One line redrawn in place (`\r`), on a terminal.
        case live
        /// One line per image, no escape codes: logs and pipes.
        case plain
        /// Failures only.
        case quiet

        init(quiet: Bool) {
            if quiet {
                self = .quiet
            } else if isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" {
                self = .live
            } else {
                self = .plain
            }
        }
    }

    /// Shortest time between two redraws of the live line.
    private static let redrawIntervalSeconds = 0.1

    let mode: Mode
    let total: Int
    let showsGroup: Bool
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var lineShown = false

    init(mode: Mode, total: Int, showsGroup: Bool) {
        self.mode = mode
        self.total = total
        self.showsGroup = showsGroup
    }

    func started(threads: Int, output: String) {
        guard mode != .quiet else { return }
        write("spinecount: \(total) image\(total == 1 ? "" : "s") on \(threads) thread\(threads == 1 ? "" : "s"), "
              + "reports to '\(output)'\n")
        if mode == .live {
            lock.lock()
            defer { lock.unlock() }
            write("\r\u{1B}[2K" + ProgressLine.live(completed: 0, total: total, failed: 0, elapsedSeconds: 0))
            lineShown = true
            lastDraw = Date()
        }
    }

    /// Called by the batch runner after each image, one call at a time.
    func handle(_ event: BatchEvent) {
        let record = event.record
        switch mode {
        case .plain:
            write(ProgressLine.plain(completed: event.completed, total: event.total, record: record,
                                     showsGroup: showsGroup) + "\n")
        case .quiet:
            if !record.status.isOK { write(failureLine(record)) }
        case .live:
            lock.lock()
            defer { lock.unlock() }
            var text = ""
            if !record.status.isOK {
                text += (lineShown ? "\r\u{1B}[2K" : "") + failureLine(record)
                lineShown = false
            }
            let now = Date()
            if !lineShown || now.timeIntervalSince(lastDraw) >= Self.redrawIntervalSeconds
                || event.completed == event.total {
                text += "\r\u{1B}[2K" + ProgressLine.live(completed: event.completed, total: event.total,
                                                         failed: event.failed, elapsedSeconds: event.elapsedSeconds)
                lastDraw = now
                lineShown = true
            }
            write(text)
        }
    }

    /// Ends the live line so that what follows starts on a fresh one.
    func finished() {
        lock.lock()
        defer { lock.unlock() }
        if mode == .live && lineShown {
            write("\n")
            lineShown = false
        }
    }

    func summary(total: Int, failed: Int, seconds: Double, output: String) {
        guard mode != .quiet else { return }
        var text = "spinecount: \(total - failed) of \(total) images analysed in "
            + ReportNumber.fixed(seconds, places: 1) + " s"
        if failed > 0 { text += ", \(failed) failed (see images.csv)" }
        write(text + "; reports in '\(output)'\n")
    }

    /// Called from the signal handler: ends the live line and prints `message`.
    func interrupted(_ message: String) {
        // No lock: a worker may hold it while the signal arrives, and the process
        // exits right after this message.
        write((mode == .live ? "\r\u{1B}[2K" : "\n") + message + "\n")
    }

    private func failureLine(_ record: ImageRecord) -> String {
        "spinecount: " + ProgressLine.displayName(of: record.input, showsGroup: showsGroup) + ": "
            + record.status.text + "\n"
    }

    private func write(_ text: String) {
        StandardError.write(text)
    }
}
