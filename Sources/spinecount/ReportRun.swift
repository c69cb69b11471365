import ArgumentParser
import Foundation
import SpineKit

/// One `compare` or `analyze` run: find the images, check the output folder, analyse
/// the batch, write the reports together, print the summary.
struct ReportRun {
    enum Command: String {
        case compare
        case analyze
    }

    var command: Command
    /// Each group's name (`before`, `after`, `set`) and its command-line paths.
    var groups: [(name: String, paths: [String])]
    var options: ReportOptions

    func execute() throws {
        let start = Date()
        let outputURL = URL(fileURLWithPath: options.output)

        // Usage problems are found before any work: images first, then the output folder.
        var inputs: [BatchInput] = []
        var notes: [String] = []
        for (name, paths) in groups {
            let found: [(image: String, path: String)]
            do {
                // The output folder's overlays are its own drawings even before it holds a run.json.
                let collected = try InputCollection.collected(in: paths, recursive: options.recursive,
                                                              excluding: [outputURL], reports: [outputURL])
                found = collected.images
                let group = command == .compare ? " in --\(name)" : ""
                if let first = collected.repeated.first {
                    notes.append("\(collected.repeated.count) path(s)\(group) lead to an image already listed and are "
                                 + "analysed once (first: '\(first)')")
                }
                for folder in collected.skippedOverlays {
                    notes.append("'\(folder)'\(group) is left out: it holds the overlays of a spinecount report")
                }
            } catch {
                throw UsageFailure("no images: \(error)")
            }
            if found.isEmpty {
                let flag = command == .compare ? "--\(name) " : ""
                let hint = options.recursive ? "" : " (use --recursive to search subfolders)"
                throw UsageFailure("no PNG images found in \(flag)\(paths.joined(separator: " "))\(hint)")
            }
            inputs += found.map { BatchInput(group: name, image: $0.image, path: $0.path) }
        }
        if command == .compare, let shared = Self.sharedFile(between: inputs) {
            notes.append("'\(shared.before)' (before) and '\(shared.after)' (after) are the same file")
        }
        for note in notes { StandardError.write("spinecount: warning: \(note)\n") }
        do {
            try ReportTransaction.prepareDirectory(outputURL)
        } catch {
            throw UsageFailure("the output folder is not usable: \(error)")
        }

        let transaction = ReportTransaction(directory: outputURL)
        let configuration = options.batchConfiguration
        let runner = BatchRunner(inputs: inputs, configuration: configuration, transaction: transaction)
        let reportFiles = ["spines.csv", "images.csv", "dendrites.csv", "summary.csv", "run.json"]
            + (configuration.writesOverlays ? runner.overlayPaths : [])
        if let clash = Self.inputReplaced(by: reportFiles, in: outputURL, inputs: inputs) {
            throw UsageFailure("the report file '\(clash.report)' would replace the input '\(clash.input)'; "
                               + "choose another --output")
        }
        let progress = TerminalProgress(mode: TerminalProgress.Mode(quiet: options.quiet), total: inputs.count,
                                        showsGroup: command == .compare)
        // The handler only deletes temporary files and reports; the process exits right
        // after it, so the workers need not be waited for.
        let trap = SignalTrap { signalNumber in
            // `abort` waits for a commit under way, so the state tells what is on disk.
            transaction.abort()
            let name = (signalNumber == SIGINT ? "interrupted (" : "terminated (")
                + SignalTrap.name(of: signalNumber) + ")"
            if transaction.state == .committed {
                progress.interrupted("spinecount: \(name) after the reports were written to '\(options.output)'")
            } else {
                progress.interrupted("spinecount: \(name); the run was stopped and the previous report in "
                                     + "'\(options.output)' is unchanged")
            }
        }
        trap.install()
        // spines.csv is written as the images finish, in input order, so the batch keeps only
        // each image's counts; like every report it appears only when the run commits.
        let spineTable: SpineTableStream
        do {
            spineTable = try SpineTableStream(transaction: transaction)
        } catch {
            transaction.abort()
            throw UsageFailure("the output folder is not usable: \(error)")
        }
        progress.started(threads: runner.workerCount, output: options.output)

        let crashNote = CrashNote(concurrentImages: runner.workerCount,
                                  outputFolder: options.output)
        crashNote.install()
        let paths = inputs.map(\.path)
        let records = runner.run(onEvent: { event in
                                     crashNote.end(event.index)
                                     progress.handle(event)
                                 },
                                 onStart: { crashNote.begin($0, name: paths[$0]) },
                                 inOrder: spineTable.append)
        crashNote.uninstall()
        progress.finished()
        // An overlay that could not be staged means the report folder cannot hold the report
        // (a full disk): writing the rest would replace the previous report with one that
        // lacks it, or, as it once did, with one that leaves those images out.
        if let unwritten = records.first(where: { $0.overlayFailure != nil }), let reason = unwritten.overlayFailure {
            throw Self.reportsNotWritten("the overlay of \(unwritten.input.image) could not be written: \(reason) "
                                         + "(make room for them, or use --no-overlays)", transaction: transaction)
        }

        let failed = records.filter { !$0.status.isOK }.count
        // Such an image is analysed, but its empty density is easy to miss among the rows.
        let untraced = records.filter { $0.status.isOK && $0.dendrites.isEmpty }
        if let first = untraced.first {
            StandardError.write("spinecount: warning: \(untraced.count) image(s) analysed without a dendrite traced, so "
                                + "without a density (first: '\(first.input.image)')\n")
        }
        let exitStatus: Int32 = failed > 0 ? 1 : 0
        let keyPattern = try options.groupBy.map { pattern in try ClusterKeyPattern(pattern) }
        let clusterKeys = records.map { keyPattern?.key(for: $0.input.image) }

        let summaryCSV: CSVWriter
        let summaryTable: String
        var bootstrap: Bootstrap?
        var resamplesTaken: Int?, bootstrapMethod: String?
        switch command {
        case .compare:
            let used = Bootstrap(seed: options.seed ?? SplitMix64.defaultSeed)
            bootstrap = used
            var before: [ImageMeasures] = [], after: [ImageMeasures] = []
            for (record, key) in zip(records, clusterKeys) where record.status.isOK {
                if record.input.group == "before" {
                    before.append(record.measures(clusterKey: key))
                } else {
                    after.append(record.measures(clusterKey: key))
                }
            }
            let comparison = GroupComparison(before: before, after: after, bootstrap: used)
            resamplesTaken = comparison.resamples
            bootstrapMethod = comparison.method
            summaryCSV = ReportTables.summary(comparison)
            summaryTable = SummaryText.comparison(comparison, failedImages: failed)
        case .analyze:
            let measures = records.filter(\.status.isOK).map { $0.measures() }
            let set = SetSummary(images: measures)
            summaryCSV = ReportTables.summary(set)
            summaryTable = SummaryText.set(set, failedImages: failed)
        }

        let parameters = RunManifest.Parameters(
            pixelSizeMicrons: options.pixelSizeMicrons, channel: options.channel,
            analysis: configuration.parameters, overlays: options.overlays, threads: configuration.threads,
            recursive: options.recursive, maxPixels: options.maxPixels, groupBy: options.groupBy,
            bootstrapSeed: bootstrap?.seed, bootstrapResamples: resamplesTaken, bootstrapMethod: bootstrapMethod,
            outputDirectory: options.output)
        var manifest = RunManifest(command: command.rawValue, commandLine: CommandLine.arguments,
                                   workingDirectory: FileManager.default.currentDirectoryPath, start: start,
                                   end: Date(), exitStatus: Int(exitStatus), parameters: parameters, records: records)
        let protectedInputs = inputs.map(\.path)
        do {
            try spineTable.finish()
            try transaction.stage(text: ReportTables.images(records, clusterKeys: clusterKeys).text, as: "images.csv")
            try transaction.stage(text: ReportTables.dendrites(records).text, as: "dendrites.csv")
            try transaction.stage(text: summaryCSV.text, as: "summary.csv")
            // The folder will hold this run's reports; overlays of an earlier run would pass for
            // this run's (with --no-overlays, or for images not in it). Read before the commit
            // replaces the earlier run.json, and listed in this one.
            let written = Set(transaction.stagedPaths + ["run.json"])
            manifest.staleOverlays = transaction.staleOverlays(RunManifest.overlays(listedIn: outputURL), keeping: written,
                                                                protected: Set(protectedInputs))
            try transaction.stage(text: try manifest.jsonText(), as: "run.json")
            try transaction.commit()
            transaction.removeStaleOverlays(manifest.staleOverlays, written: written, protected: Set(protectedInputs))
        } catch {
            throw Self.reportsNotWritten("\(error)", transaction: transaction)
        }
        trap.uninstall()

        print(summaryTable, terminator: "")
        progress.summary(total: records.count, failed: failed, seconds: Date().timeIntervalSince(start),
                         output: options.output)
        if exitStatus != 0 { throw ExitCode(exitStatus) }
    }

    /// Abandons `transaction`, says why the reports were not written, and gives the exit to
    /// throw (status 1): the previous report stays as it was.
    static func reportsNotWritten(_ reason: String, transaction: ReportTransaction) -> ExitCode {
        transaction.abort()
        StandardError.write("spinecount: error: the reports could not be written, the previous ones are unchanged: \(reason)\n")
        return ExitCode(1)
    }

    /// The first file that is both a `before` and an `after` input (paths with their links
    /// resolved), or nil: such a comparison measures no change.
    static func sharedFile(between inputs: [BatchInput]) -> (before: String, after: String)? {
        var before: [String: String] = [:]
        for input in inputs where input.group == "before" { before[InputCollection.identity(of: input.path)] = input.path }
        for input in inputs where input.group == "after" {
            if let match = before[InputCollection.identity(of: input.path)] { return (match, input.path) }
        }
        return nil
    }

    /// The first input that a report file would replace (`--output` pointing into an input
    /// folder, e.g. `analyze out/overlays --output out`), comparing paths with their
    /// folders resolved; nil when none would. A report file whose folder does not exist
    /// yet cannot be an input.
    static func inputReplaced(by reportFiles: [String], in directory: URL,
                              inputs: [BatchInput]) -> (report: String, input: String)? {
        func key(_ path: String) -> String? {
            let url = URL(fileURLWithPath: path)
            guard let folder = realpath(url.deletingLastPathComponent().path, nil) else { return nil }
            defer { free(folder) }
            return String(cString: folder) + "/" + url.lastPathComponent
        }
        var inputKeys: [String: String] = [:]
        for input in inputs {
            if let key = key(input.path) { inputKeys[key] = input.path }
        }
        for file in reportFiles {
            if let key = key(directory.appendingPathComponent(file).path), let input = inputKeys[key] {
                return (file, input)
            }
        }
        return nil
    }
}
