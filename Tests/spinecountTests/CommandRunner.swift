import Foundation
import Testing

/// Runs the built `spinecount` executable as a user would.
enum CommandRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    /// The executable built beside the test bundle. `swift test` builds every product
    /// into the same folder as the test bundle, whatever the scratch path.
    static let executable: URL? = {
        var starts: [URL] = [URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()]
        starts.append(Bundle.main.bundleURL)
        for bundle in Bundle.allBundles { starts.append(bundle.bundleURL) }
        for start in starts {
            var folder = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = folder.appendingPathComponent("spinecount")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                folder = folder.deletingLastPathComponent()
            }
        }
        return nil
    }()

    /// Runs `spinecount arguments` in `directory` and waits for it to finish.
    /// `whileRunning` is called with the process once it has started and with each
    /// chunk of its standard error as it arrives. A non-empty `launcher` (a program and
    /// its arguments, e.g. `["/bin/sh", "-c", "ulimit -v 3000000; exec \"$0\" \"$@\""]`)
    /// is run instead, with the spinecount path and `arguments` appended.
    static func run(_ arguments: [String], in directory: String, launcher: [String] = [],
                    onStderr: (@Sendable (String, Process) -> Void)? = nil) throws -> Result {
        guard let executable else {
            Issue.record("the spinecount executable was not found next to the test bundle")
            return Result(status: -1, stdout: "", stderr: "")
        }
        let process = Process()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "dumb"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice

        let collected = Collector()
        let outCollected = Collector()
        // A handler can be running on its own queue when the process exits: it may have read
        // a chunk and not yet stored it. Reading and storing under one lock, which the final
        // drain below also takes, keeps such a chunk from being lost.
        let drain = NSLock()
        err.fileHandleForReading.readabilityHandler = { handle in
            drain.lock()
            let data = handle.availableData
            if !data.isEmpty { collected.append(String(decoding: data, as: UTF8.self)) }
            drain.unlock()
            if !data.isEmpty { onStderr?(collected.text, process) }
        }
        out.fileHandleForReading.readabilityHandler = { handle in
            drain.lock()
            let data = handle.availableData
            if !data.isEmpty { outCollected.append(String(decoding: data, as: UTF8.self)) }
            drain.unlock()
        }
        try process.run()
        process.waitUntilExit()
        err.fileHandleForReading.readabilityHandler = nil
        out.fileHandleForReading.readabilityHandler = nil
        // Whatever was still in the pipes after the last handler call.
        drain.lock()
        collected.append(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        outCollected.append(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        drain.unlock()
        return Result(status: process.terminationStatus, stdout: outCollected.text, stderr: collected.text)
    }

    private final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var buffer = ""
        func append(_ text: String) {
            lock.lock(); buffer += text; lock.unlock()
        }
        var text: String {
            lock.lock(); defer { lock.unlock() }
            return buffer
        }
    }
}
