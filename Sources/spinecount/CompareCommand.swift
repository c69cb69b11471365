import ArgumentParser
import SpineKit

/// `spinecount --before PATH... --after PATH...`: compares two image sets.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two image sets (the default command).",
        discussion: """
            Writes spines.csv, images.csv, dendrites.csv, summary.csv (measure, before, after, change_pct, \
            ci95_low_pct, ci95_high_pct, p_value) and run.json, and prints the summary table.
            """
    )

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("PNG files or folders of the first set.", valueName: "PATH"))
    var before: [String] = []

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("PNG files or folders of the second set.", valueName: "PATH"))
    var after: [String] = []

    @OptionGroup var options: ReportOptions

    func run() throws {
        // Checked here rather than in validate(), which ArgumentParser runs before it
        // reports an unknown option: `spinecount --bogus` should name `--bogus`.
        switch (before.isEmpty, after.isEmpty) {
        case (true, true): throw UsageFailure("missing --before PATH... and --after PATH...")
        case (true, false): throw UsageFailure("missing --before PATH...")
        case (false, true): throw UsageFailure("missing --after PATH...")
        case (false, false): break
        }
        try ReportRun(command: .compare, groups: [("before", before), ("after", after)], options: options).execute()
    }
}
