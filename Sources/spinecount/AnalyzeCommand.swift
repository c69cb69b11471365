import ArgumentParser
import SpineKit

/// `spinecount analyze PATH...`: classifies one image set, no comparison.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Classify the spines of one image set, without a comparison.",
        discussion: "Writes spines.csv, images.csv, dendrites.csv, summary.csv (measure, value) and run.json."
    )

    @Argument(help: ArgumentHelp("PNG files or folders.", valueName: "PATH"))
    var paths: [String] = []

    @OptionGroup var options: ReportOptions

    func run() throws {
        // Checked here rather than in validate(), which ArgumentParser runs before it
        // reports an unknown option.
        if paths.isEmpty { throw UsageFailure("missing PATH...: give PNG files or folders to analyse") }
        try ReportRun(command: .analyze, groups: [("set", paths)], options: options).execute()
    }
}
