import Foundation

#if os(Linux)
import Glibc
#endif

/// Names the images being analysed when spinecount crashes.
///
/// A Swift runtime trap (an index out of range in the analysis, say) cannot be caught and
/// ends the whole run; the previous report stays as it was, but a batch of hundreds of
/// images gives no hint of which one did it. Before the runtime's own crash report this
/// prints the images then in flight, so that the user can set the file aside and report it.
///
/// The signal handler uses only async-signal-safe calls (`write`, `sigaction`) on memory
/// allocated up front, then puts back the handler it replaced (Swift's backtracer, or the
/// default action) and returns: the faulting instruction runs again and that handler
/// reports the crash as before. Linux only; elsewhere it does nothing.
final class CrashNote: @unchecked Sendable {
    /// The signals of a crash: Swift traps are SIGILL (x86) or SIGTRAP (ARM).
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE]
    /// Bytes kept of each image name, the terminating NUL included.
    static let slotBytes = 512

    private let lock = NSLock()
    private let slotCount: Int
    private var slotOfImage: [Int: Int] = [:]
    private var freeSlots: [Int]

    /// Room for `concurrentImages` names; `outputFolder` is named in the message.
    init(concurrentImages: Int, outputFolder: String) {
        slotCount = max(1, concurrentImages)
        freeSlots = Array((0..<slotCount).reversed())
        #if os(Linux)
        let slots = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * Self.slotBytes)
        slots.initialize(repeating: 0, count: slotCount * Self.slotBytes)
        CrashNoteState.slots = slots
        CrashNoteState.slotCount = slotCount
        CrashNoteState.prefix = Self.cString("\nspinecount: crashed while analysing '")
        CrashNoteState.separator = Self.cString("', '")
        CrashNoteState.previous.initialize(repeating: sigaction(), count: CrashNoteState.signalLimit)
        CrashNoteState.suffix = Self.cString(
            "'; the run stopped and the previous report in '\(outputFolder)' is unchanged. This is a bug in "
                + "spinecount: please report it with the image that causes it (run alone, each named image "
                + "shows whether it does), and leave that image out to analyse the others.\n")
        #endif
    }

    /// Installs the handler for every crash signal, remembering the ones it replaces.
    func install() {
        #if os(Linux)
        for number in Self.signals where Int(number) < CrashNoteState.signalLimit {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = crashNoteHandler
            action.sa_flags = SA_SIGINFO | SA_ONSTACK
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, CrashNoteState.previous + Int(number))
        }
        #endif
    }

    /// Puts back the handlers `install` replaced.
    func uninstall() {
        #if os(Linux)
        for number in Self.signals where Int(number) < CrashNoteState.signalLimit {
            sigaction(number, CrashNoteState.previous + Int(number), nil)
        }
        #endif
    }

    /// Records that image `index`, called `name`, is being analysed.
    func begin(_ index: Int, name: String) {
        lock.lock()
        defer { lock.unlock() }
        guard let slot = freeSlots.popLast() else { return }
        slotOfImage[index] = slot
        #if os(Linux)
        guard let slots = CrashNoteState.slots else { return }
        let start = slots + slot * Self.slotBytes
        let bytes = Array(name.utf8.prefix(Self.slotBytes - 1))
        for (offset, byte) in bytes.enumerated() { start[offset] = CChar(bitPattern: byte) }
        start[bytes.count] = 0
        #endif
    }

    /// Records that image `index` is finished.
    func end(_ index: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard let slot = slotOfImage.removeValue(forKey: index) else { return }
        #if os(Linux)
        CrashNoteState.slots?[slot * Self.slotBytes] = 0
        #endif
        freeSlots.append(slot)
    }

    private static func cString(_ text: String) -> (pointer: UnsafeMutablePointer<CChar>, count: Int) {
        let bytes = Array(text.utf8)
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        for (offset, byte) in bytes.enumerated() { pointer[offset] = CChar(bitPattern: byte) }
        return (pointer, bytes.count)
    }
}

#if os(Linux)
/// What the handler reads: plain memory, set up before it is installed and never freed.
private enum CrashNoteState {
    nonisolated(unsafe) static var slots: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var slotCount = 0
    nonisolated(unsafe) static var prefix: (pointer: UnsafeMutablePointer<CChar>, count: Int)?
    nonisolated(unsafe) static var separator: (pointer: UnsafeMutablePointer<CChar>, count: Int)?
    nonisolated(unsafe) static var suffix: (pointer: UnsafeMutablePointer<CChar>, count: Int)?
    /// Signal numbers below this have room in `previous`.
    static let signalLimit = 32
    /// The replaced actions, by signal number: raw memory, so the handler never touches
    /// a Swift array (whose access checks are not async-signal-safe).
    nonisolated(unsafe) static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: signalLimit)
}

private func crashNoteHandler(_ number: Int32, _ info: UnsafeMutablePointer<siginfo_t>?,
                              _ context: UnsafeMutableRawPointer?) {
    if let prefix = CrashNoteState.prefix, let separator = CrashNoteState.separator,
       let suffix = CrashNoteState.suffix, let slots = CrashNoteState.slots {
        _ = write(STDERR_FILENO, prefix.pointer, prefix.count)
        var named = false
        for slot in 0..<CrashNoteState.slotCount {
            let name = slots + slot * CrashNote.slotBytes
            let length = strlen(name)
            guard length > 0 else { continue }
            if named { _ = write(STDERR_FILENO, separator.pointer, separator.count) }
            _ = write(STDERR_FILENO, name, length)
            named = true
        }
        _ = write(STDERR_FILENO, suffix.pointer, suffix.count)
    }
    // Put back the replaced handler and return: the faulting instruction runs again.
    if Int(number) < CrashNoteState.signalLimit { _ = sigaction(number, CrashNoteState.previous + Int(number), nil) }
}
#endif
