import Dispatch
import Foundation

/// Stops a run cleanly on SIGINT (Ctrl-C) or SIGTERM: the handler deletes the run's
/// temporary files, a message is printed, and the process exits with 128 + the
/// signal number (130 or 143), the shell convention. The previous report is never
/// touched, because reports are only renamed into place after the whole run.
final class SignalTrap: @unchecked Sendable {
    static let signals: [Int32] = [SIGINT, SIGTERM]

    private let onSignal: @Sendable (Int32) -> Void
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "spinecount.signals")

    /// `onSignal` runs on a private queue before the process exits.
    init(onSignal: @escaping @Sendable (Int32) -> Void) {
        self.onSignal = onSignal
    }

    func install() {
        for number in Self.signals {
            // The default action would kill the process before the handler runs.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [onSignal] in
                onSignal(number)
                fflush(nil)
                _exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default actions, once the reports are in place.
    func uninstall() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in Self.signals { signal(number, SIG_DFL) }
    }
}
