import Foundation

/// The benchmark's command line: `spinecount-bench [--images N] [--size PX] [--threads 1,2] ...`.
///
/// Parsed by hand so that the benchmark depends on SpineKit alone.
struct BenchOptions {
    /// Distinct images rendered and analysed.
    var images = 8
    /// Side of the square images, pixels.
    var sizePixels = 1024
    /// Worker counts for the end-to-end batch; the memory batch uses the largest.
    var threads = [1, 2]
    /// Images in each end-to-end batch (the rendered ones repeated); 0 means twice `images`.
    var endToEndImages = 0
    /// Images in the memory batch (the rendered ones repeated); 0 skips it.
    var memoryBatchImages = 1000
    /// Seed of the rendered set, so every run measures the same images.
    var seed: UInt64 = 2024
    /// Keep the temporary folder and print its path.
    var keepFiles = false
    /// Print only the result digest (for checking that a speed-up changed no result).
    var digestOnly = false
    /// Analyse the PNGs in this folder instead of rendering images.
    var imagesFolder: String?
    /// Repetitions of each image's analysis in the stage table (the fastest is kept).
    var repetitions = 3
    /// Internal: run only the memory batch (the benchmark starts itself again with this,
    /// so that the batch's memory is measured in a fresh process).
    var memoryOnly = false

    static let usage = """
        usage: spinecount-bench [options]   (build with -c release; debug timings mean nothing)
          --images N          distinct rendered images (default 8)
          --size PX           image side in pixels (default 1024; 0.08 um/px, 16-bit)
          --threads LIST      worker counts for the end-to-end batch, e.g. 1,2 (default 1,2)
          --batch N           images per end-to-end batch, repeating the rendered ones (default 2 x images)
          --memory-batch N    images in the memory batch (default 1000; 0 skips it)
          --quick             4 images and a memory batch of 100 (a few minutes less)
          --seed S            seed of the rendered images (default 2024)
          --images-from DIR   benchmark the PNGs in DIR instead of rendered images
          --repeat R          analyses of each image in the stage table, fastest kept (default 3)
          --digest            print only the digest of the analysis results and exit
          --keep              keep the rendered images and reports, print where they are
        """

    /// Parses `arguments` (without the program name); returns a message for bad usage.
    static func parse(_ arguments: [String]) -> Result<BenchOptions, BenchUsageError> {
        var options = BenchOptions()
        var rest = arguments[...]
        func value(_ flag: String) throws(BenchUsageError) -> String {
            guard let v = rest.popFirst() else { throw BenchUsageError("\(flag) needs a value") }
            return v
        }
        func positive(_ flag: String, allowZero: Bool = false) throws(BenchUsageError) -> Int {
            let text = try value(flag)
            guard let n = Int(text), n > 0 || (allowZero && n == 0) else {
                throw BenchUsageError("\(flag) needs a \(allowZero ? "non-negative" : "positive") whole number, got '\(text)'")
            }
            return n
        }
        do throws(BenchUsageError) {
            while let flag = rest.popFirst() {
                switch flag {
                case "--images": options.images = try positive(flag)
                case "--size": options.sizePixels = try positive(flag)
                case "--batch": options.endToEndImages = try positive(flag)
                case "--memory-batch": options.memoryBatchImages = try positive(flag, allowZero: true)
                case "--threads":
                    let text = try value(flag)
                    let list = text.split(separator: ",").compactMap { Int($0) }
                    guard !list.isEmpty, list.allSatisfy({ $0 > 0 }) else {
                        throw BenchUsageError("--threads needs positive whole numbers separated by commas, got '\(text)'")
                    }
                    options.threads = list
                case "--seed":
                    let text = try value(flag)
                    guard let s = UInt64(text) else { throw BenchUsageError("--seed needs a whole number, got '\(text)'") }
                    options.seed = s
                case "--quick":
                    options.images = 4
                    options.memoryBatchImages = 100
                    options.repetitions = 1
                case "--digest": options.digestOnly = true
                case "--images-from": options.imagesFolder = try value(flag)
                case "--repeat": options.repetitions = try positive(flag)
                case "--memory-only": options.memoryOnly = true
                case "--keep": options.keepFiles = true
                case "-h", "--help": throw BenchUsageError("")
                default: throw BenchUsageError("unknown option '\(flag)'")
                }
            }
        } catch {
            return .failure(error)
        }
        if options.endToEndImages == 0 { options.endToEndImages = 2 * options.images }
        return .success(options)
    }
}

/// Bad usage of the benchmark; an empty message asks for the help text only.
struct BenchUsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
