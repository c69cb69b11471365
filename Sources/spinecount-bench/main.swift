import Foundation
import SpineKit

// spinecount-bench: how fast spinecount is on this machine, and where the time goes.
//
//     swift run -c release spinecount-bench            # the full benchmark
//     swift run -c release spinecount-bench --quick    # a shorter one
//
// Targets (issue 6): one thread >= 30 MP/s end to end; two threads >= 1.7 x one; peak
// memory <= 64 bytes per pixel of the largest image per worker, flat over 1000 images.

/// The figures the project aims for, printed beside the measured ones.
enum BenchTargets {
    static let megapixelsPerSecondOneThread = 30.0
    static let twoThreadSpeedup = 1.7
    static let bytesPerPixelPerWorker = 64.0
}

/// Exit status of the memory-only run when the batch needed more memory than the target.
let memoryOverTargetStatus: Int32 = 3

func printOut(_ text: String) {
    // Whole lines straight to the file descriptor: progress shows even when piped.
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func load() -> String { currentLoadAverage().map { fixed($0, 2) } ?? "-" }

func runBenchmark(_ options: BenchOptions) throws -> Int32 {
    let bench = try Benchmark(options: options)
    defer { if !options.keepFiles { bench.removeFiles() } }
    if options.memoryOnly {
        guard let source = options.imagesFolder else { throw BenchFailure("--memory-only needs --images-from") }
        try bench.useImages(in: source)
        return try memoryBatch(bench, options: options)
    }
    #if DEBUG
    if !options.digestOnly {
        printOut("warning: this is a debug build; timings mean nothing (use `swift run -c release spinecount-bench`)\n")
    }
    #endif

    var renderSeconds: Double?
    if let source = options.imagesFolder {
        try bench.useImages(in: source)
    } else {
        renderSeconds = try bench.render()
    }
    if options.digestOnly {
        printOut(try onWorkerThread { try bench.digestOnly() })
        return 0
    }
    let mp = bench.meanMegapixelsPerImage
    let cores = ProcessInfo.processInfo.activeProcessorCount
    printOut("spinecount-bench \(SpinecountVersion.current)")
    printOut("machine: \(Benchmark.machineDescription())")
    if let renderSeconds {
        printOut("images: \(options.images) rendered, \(options.sizePixels) x \(options.sizePixels) px, 16-bit, "
                 + "0.08 um/px, seed \(options.seed) (rendering took \(fixed(renderSeconds, 1)) s, not counted)")
    } else {
        printOut("images: \(bench.imagePaths.count) from \(options.imagesFolder ?? ""), \(fixed(mp, 2)) MP on average")
    }
    printOut("load average at start: \(load()) on \(cores) cores (above \(cores), other processes slow the "
             + "wall-clock figures; CPU figures are what this process itself used)\n")

    // Reading.
    let decode = try onWorkerThread { try bench.measureDecoding() }
    var table = BenchTable("Reading (per image, best of 3 passes)", header: ["step", "wall ms", "CPU ms", "MP/s (CPU)"])
    for (name, cost) in [("PNGCodec.read (\(decode.fileBytes / 1024) KiB file)", decode.read),
                         ("DecodedImage.grayImage", decode.gray), ("SHA-256 of the file (run.json)", decode.sha256)] {
        table.add([name, fixed(cost.wall * 1e3, 1), fixed(cost.cpu * 1e3, 1), fixed(mp / cost.cpu, 1)])
    }
    printOut(table.text)

    // Stages.
    let stages = try onWorkerThread { try bench.measureStages(repetitions: options.repetitions) }
    let stageSum = stages.stageSeconds.reduce(0) { $0 + $1.1 }
    table = BenchTable("Analysis by stage (one thread, per image, fastest of \(options.repetitions) per stage, "
                       + "\(bench.imagePaths.count) images)", header: ["stage", "ms", "share", "MP/s"])
    for (stage, seconds) in stages.stageSeconds {
        table.add([stage, fixed(seconds * 1e3, 1), fixed(100 * seconds / stageSum, 1) + " %", fixed(mp / seconds, 1)])
    }
    table.add(["analysis, wall", fixed(stages.total.wall * 1e3, 1), "", fixed(mp / stages.total.wall, 2)])
    table.add(["analysis, CPU", fixed(stages.total.cpu * 1e3, 1), "", fixed(mp / stages.total.cpu, 2)])
    let endToEnd = stages.total.cpu + decode.read.cpu + decode.gray.cpu + decode.sha256.cpu
    table.add(["+ read, grey, SHA-256, CPU", fixed(endToEnd * 1e3, 1), "", fixed(mp / endToEnd, 2)])
    printOut(table.text)
    printOut("found \(stages.spines) spines on \(stages.dendrites) dendrites; result digest \(stages.digest)\n"
             + "\(stages.noisyImages) of \(bench.imagePaths.count) images noisy enough to be searched at the wider smoothing (a second shaft model each)"
             + (stages.repeatable ? "" : "\nWARNING: repeated analyses of one image gave different results") + "\n")

    // Operators.
    let operators = try onWorkerThread { try bench.measureOperators() }
    table = BenchTable("Operators on image 1 (fastest of 3)", header: ["operator", "stage", "wall ms", "CPU ms", "MP/s (CPU)"])
    for op in operators {
        table.add([op.name, op.stage, fixed(op.cost.wall * 1e3, 1), fixed(op.cost.cpu * 1e3, 1), fixed(mp / op.cost.cpu, 1)])
    }
    printOut(table.text)

    // End to end.
    var batches: [Benchmark.BatchFigures] = []
    let batchMP = bench.megapixels(inBatchOf: options.endToEndImages)
    table = BenchTable("End to end: BatchRunner, reports written, overlays off, \(options.endToEndImages) images per batch",
                       header: ["threads", "wall s", "MP/s", "speed-up", "CPU s", "MP/s idle est.", "speed-up est.",
                                "in flight", "reports ms/image", "load", "peak RSS", "failed"])
    // A batch first, not counted, so that every measured batch finds the heap already grown
    // (otherwise the first one alone pays for the page faults of fresh memory).
    let most = options.threads.max() ?? 1
    _ = try bench.runBatch(threads: most, count: Swift.min(options.endToEndImages, 2 * most), label: "warm-up")
    for threads in options.threads {
        let figures = try bench.runBatch(threads: threads, count: options.endToEndImages, label: "threads-\(threads)")
        batches.append(figures)
        let base = batches[0]
        // On an idle machine the CPU time would spread over min(threads, cores) cores.
        func idleRate(_ f: Benchmark.BatchFigures) -> Double {
            batchMP * Double(Swift.min(f.threads, cores)) / f.cpuSeconds
        }
        table.add(["\(threads)", fixed(figures.wallSeconds, 2), fixed(batchMP / figures.wallSeconds, 2),
                   fixed(base.wallSeconds / figures.wallSeconds, 2) + "x", fixed(figures.cpuSeconds, 2),
                   fixed(idleRate(figures), 2), fixed(idleRate(figures) / idleRate(base), 2) + "x",
                   fixed(figures.concurrency, 2), fixed(figures.reportSeconds * 1e3 / Double(figures.images), 2),
                   figures.loadAverage.map { fixed($0, 2) } ?? "-",
                   mebibytes(figures.peakBytes), "\(figures.failed)"])
    }
    printOut(table.text)
    printOut("MP/s idle est.: the batch's CPU time spread over min(threads, cores) cores, i.e. the rate on an "
             + "otherwise idle machine. In flight: images being analysed at once, on average. Reports: images.csv, "
             + "dendrites.csv, summary.csv and run.json built and written after the batch, and the rest of spines.csv "
             + "(written in input order during it), inside the wall time, per image.")
    let sameReports = Set(batches.map(\.reportDigest)).count == 1
    printOut("spines.csv and images.csv identical at every thread count: \(sameReports ? "yes" : "NO")\n")

    // Memory, in a fresh process so that nothing measured above counts.
    var memoryStatus: Int32?
    if options.memoryBatchImages > 0 {
        memoryStatus = try runMemoryChild(bench, options: options)
    }

    // Verdict.
    table = BenchTable("Targets", header: ["target", "measured", "idle estimate", "goal", "met"])
    if let one = batches.first(where: { $0.threads == 1 }) {
        let rate = batchMP / one.wallSeconds, idle = batchMP / one.cpuSeconds
        table.add(["one thread, end to end", fixed(rate, 2) + " MP/s", fixed(idle, 2) + " MP/s",
                   ">= \(fixed(BenchTargets.megapixelsPerSecondOneThread, 0)) MP/s",
                   idle >= BenchTargets.megapixelsPerSecondOneThread ? "yes" : "no"])
        if let two = batches.first(where: { $0.threads == 2 }) {
            let speedup = one.wallSeconds / two.wallSeconds
            let idleSpeedup = Double(Swift.min(2, cores)) * one.cpuSeconds / two.cpuSeconds
            table.add(["two threads / one", fixed(speedup, 2) + "x", fixed(idleSpeedup, 2) + "x",
                       ">= \(fixed(BenchTargets.twoThreadSpeedup, 1))x",
                       idleSpeedup >= BenchTargets.twoThreadSpeedup ? "yes" : "no"])
        }
    }
    if let memoryStatus {
        let ok = memoryStatus == 0
        table.add(["peak memory per pixel per worker", ok ? "within" : "over", "", "<= \(fixed(BenchTargets.bytesPerPixelPerWorker, 0)) B",
                   ok ? "yes" : "no"])
    }
    table.add(["results independent of threads", sameReports ? "identical" : "differ", "", "identical", sameReports ? "yes" : "no"])
    printOut(table.text)
    if options.keepFiles { printOut("kept: \(bench.folder.path)") }
    return sameReports && stages.repeatable ? 0 : 1
}

/// Starts this program again with `--memory-only` on the same images; its output goes
/// straight to ours. Returns its exit status.
func runMemoryChild(_ bench: Benchmark, options: BenchOptions) throws -> Int32 {
    guard let executable = Bundle.main.executableURL else { throw BenchFailure("cannot find this program to run it again") }
    let folder = URL(fileURLWithPath: bench.imagePaths[0]).deletingLastPathComponent().path
    let process = Process()
    process.executableURL = executable
    process.arguments = ["--memory-only", "--images-from", folder, "--memory-batch", "\(options.memoryBatchImages)",
                         "--threads", "\(options.threads.max() ?? 1)"]
    try process.run()
    process.waitUntilExit()
    let status = process.terminationStatus
    guard status == 0 || status == memoryOverTargetStatus else {
        throw BenchFailure("the memory batch failed with exit status \(status)")
    }
    return status
}

/// The memory batch: `memoryBatchImages` images (the set repeated) on the largest thread
/// count, resident memory sampled as it goes.
func memoryBatch(_ bench: Benchmark, options: BenchOptions) throws -> Int32 {
    let threads = options.threads.max() ?? 1
    let n = options.memoryBatchImages
    let workers = Swift.min(threads, n)
    let marks = Set([1, n / 20, n / 10, n / 4, n / 2, 3 * n / 4, n].filter { $0 > 0 })
    let before = ResourceUsage.residentBytes().current
    let figures = try bench.runBatch(threads: threads, count: n, label: "memory", checkpoints: marks)
    let budget = Double(bench.largestImagePixels * workers)
    var table = BenchTable("Memory over a \(n)-image batch in a fresh process (\(threads) threads, \(bench.imagePaths.count) "
                           + "images repeated, largest \(bench.largestImagePixels) px; RSS at start \(mebibytes(before)))",
                           header: ["images done", "RSS", "peak RSS", "peak B/px/worker", "above start B/px/worker"])
    for point in figures.checkpoints {
        table.add([point.completed > n ? "reports written" : "\(point.completed)", mebibytes(point.current),
                   mebibytes(point.peak), fixed(Double(point.peak) / budget, 1),
                   fixed(Double(point.peak - before) / budget, 1)])
    }
    printOut(table.text)
    let early = figures.checkpoints.first { $0.completed >= n / 10 }?.current ?? 0
    let late = figures.checkpoints.last { $0.completed <= n }?.current ?? 0
    let perPixel = Double(figures.peakBytes) / budget
    printOut("batch: \(fixed(figures.wallSeconds, 1)) s (\(fixed(bench.megapixels(inBatchOf: n) / figures.wallSeconds, 2)) MP/s, "
             + "load \(figures.loadAverage.map { fixed($0, 2) } ?? "-")); RSS after 10 %: \(mebibytes(early)), at the end: "
             + "\(mebibytes(late)) (change \(mebibytes(late - early))); peak \(fixed(perPixel, 1)) B/px/worker "
             + "(goal <= \(fixed(BenchTargets.bytesPerPixelPerWorker, 0)))\n")
    return perPixel <= BenchTargets.bytesPerPixelPerWorker ? 0 : memoryOverTargetStatus
}

switch BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .failure(let error):
    if !error.message.isEmpty { FileHandle.standardError.write(Data("spinecount-bench: \(error.message)\n".utf8)) }
    FileHandle.standardError.write(Data((BenchOptions.usage + "\n").utf8))
    exit(error.message.isEmpty ? 0 : 2)
case .success(let options):
    // As `spinecount` does, so that the figures are the program's.
    AllocatorTuning.keepFreedImagesForReuse()
    do {
        exit(try runBenchmark(options))
    } catch {
        FileHandle.standardError.write(Data("spinecount-bench: \(error)\n".utf8))
        exit(1)
    }
}
