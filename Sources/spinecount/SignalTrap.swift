import Dispatch
import Foundation

/// Stops a run cleanly on SIGINT (Ctrl-C), SIGTERM or SIGHUP (the terminal went away):
/// the handler deletes the run's temporary files, a message is printed, and the process
/// exits with 128 + the signal number (130, 143, 129), the shell convention. SIGPIPE (the
/// reader of the progress went away, as in `spinecount ... 2>&1 | head -1`) is ignored while
/// the run goes on: progress is then dropped, and the reports are still written. The previous
/// report is never touched, because reports are only renamed into place after the whole run.
///
/// SIGHUP stays ignored when it was ignored at start (`nohup spinecount ...`), as the user
/// intended; SIGINT and SIGTERM are always trapped, so that a run can always be stopped cleanly.
final class SignalTrap: @unchecked Sendable {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private let onSignal: @Sendable (Int32) -> Void
    private var sources: [any DispatchSourceSignal] = []
    private var trapped: [Int32] = []
    private let queue = DispatchQueue(label: "spinecount.signals")

    /// `onSignal` runs on a private queue before the process exits.
    init(onSignal: @escaping @Sendable (Int32) -> Void) {
        self.onSignal = onSignal
    }

    /// The name used in messages, e.g. `SIGINT`.
    static func name(of signalNumber: Int32) -> String {
        switch signalNumber {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(signalNumber)"
        }
    }

    func install() {
        signal(SIGPIPE, SIG_IGN)
        for number in Self.signals {
            // The default action would kill the process before the handler runs; setting
            // SIG_IGN also tells whether the signal was already ignored.
            let previous = signal(number, SIG_IGN)
            if number == SIGHUP && Self.address(of: previous) == Self.address(of: SIG_IGN) { continue }
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [onSignal] in
                onSignal(number)
                fflush(nil)
                _exit(128 + number)
            }
            source.resume()
            sources.append(source)
            trapped.append(number)
        }
    }

    /// A signal disposition as a number: C function pointers are not Equatable in Swift.
    private static func address(of handler: (@convention(c) (Int32) -> Void)?) -> UInt {
        handler.map { unsafeBitCast($0, to: UInt.self) } ?? 0
    }

    /// Restores the default actions, once the reports are in place.
    func uninstall() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in trapped + [SIGPIPE] { signal(number, SIG_DFL) }
        trapped.removeAll()
    }
}
