import ArgumentParser
import Foundation
import SpineKit

/// `spinecount`: counts and classifies dendritic spines in PNG microscopy images.
///
/// The root command only dispatches; `compare` is the default. `main` is replaced so
/// that every usage error (unknown option, failed `validate()`, no images, output
/// folder not writable) prints one line on standard error and exits with status 2,
/// as the contract says, instead of ArgumentParser's usage block and status 64.
@main
struct Spinecount: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spinecount",
        abstract: "Count and classify dendritic spines in PNG microscopy images.",
        discussion: """
            Without a subcommand, compares two image sets:
              spinecount --before PATH... --after PATH... [options]
            PATH is a PNG file or a folder (every *.png directly in it; --recursive descends).
            Reports (spines.csv, images.csv, dendrites.csv, summary.csv, run.json, overlays/) go to --output.
            Exit status: 0 all images analysed, 1 some images failed, 2 bad usage.
            """,
        version: SpinecountVersion.current,
        subcommands: [CompareCommand.self, AnalyzeCommand.self, EvaluateCommand.self, SynthCommand.self],
        defaultSubcommand: CompareCommand.self
    )

    /// The exit status of every kind of bad usage.
    static let usageExitStatus: Int32 = 2

    static func main() {
        AllocatorTuning.keepFreedImagesForReuse()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as UsageFailure {
            exitWithUsageError(failure.message)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                exitWithUsageError(message(for: error))
            }
            exit(withError: error)
        }
    }

    /// Prints `spinecount: error: <message>` as one line and exits with status 2.
    static func exitWithUsageError(_ message: String) -> Never {
        let oneLine = message.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
        var line = "spinecount: error: "
        line += oneLine.isEmpty ? "bad usage" : oneLine
        if !line.contains("--help") { line += " (see 'spinecount --help')" }
        StandardError.write(line + "\n")
        Foundation.exit(usageExitStatus)
    }
}

/// Bad usage found after parsing (no images, output folder not writable): exit status 2.
struct UsageFailure: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
