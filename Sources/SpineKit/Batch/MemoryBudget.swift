import Foundation

/// How much memory the images analysed at the same time may take, so that a batch stays
/// within the machine's memory and any limit put on the process (`ulimit -v`, a container).
///
/// Each image's need is estimated from its header before its pixels are decoded (see
/// `estimatedBytes`). An image is analysed once its estimate fits beside those already
/// running; one that could never fit fails with a reason instead of the whole run
/// being killed when an allocation fails.
public final class MemoryBudget: @unchecked Sendable {
    /// Peak memory of the analysis per pixel, decoded samples excluded. Peak resident size of
    /// `spinecount analyze` on 4096 x 4096 images, overlay included, whole process (twelfth
    /// session): 32 bytes a pixel on 16 real 8-bit confocal images tiled, 39 on the 16-bit
    /// synthetic-dev images tiled, 37 on those dimmed into the noise-limited search, 43 on a
    /// field of four overlapping renders tiled (dendrites everywhere). 64 leaves half as much
    /// again: an image is refused only when it could not fit, and runs out of memory never.
    /// (96 until then, from 75 measured on an earlier engine, refused a 15000 x 15000 image
    /// that needed 6.5 GB on a 23 GB machine.) Re-measure with
    /// `/usr/bin/time -f %M spinecount analyze BIG.png --threads 1`.
    public static let analysisBytesPerPixel = 64

    /// Share of the memory found by `forThisProcess` that a run may plan to use: the rest
    /// is left for the process itself, the operating system and other programs.
    public static let usableFraction = 0.8

    /// Address space each worker thread reserves besides its images: its stack
    /// (`BatchRunner.workerStackBytes`) and a glibc malloc arena (64 MiB), which count
    /// against `ulimit -v` though little of them is ever touched.
    public static let perThreadReserveBytes = BatchRunner.workerStackBytes + (64 << 20)

    /// Bytes the batch may plan to use at once.
    public let totalBytes: Int
    /// Where `totalBytes` came from, for messages (e.g. "the address-space limit (ulimit -v)").
    public let source: String

    private let condition = NSCondition()
    private var bytesInUse = 0

    public init(totalBytes: Int, source: String) {
        precondition(totalBytes > 0, "a memory budget must be positive, got \(totalBytes)")
        self.totalBytes = totalBytes
        self.source = source
    }

    /// The memory an image of `header` needs while it is decoded and analysed: the file
    /// itself, the decoded samples (2 bytes each) and the analysis.
    public static func estimatedBytes(of header: PNGCodec.Header, fileBytes: Int) -> Int {
        let (pixels, overflow0) = header.width.multipliedReportingOverflow(by: header.height)
        let (samples, overflow1) = pixels.multipliedReportingOverflow(by: 2 * header.channels)
        let (analysis, overflow2) = pixels.multipliedReportingOverflow(by: analysisBytesPerPixel)
        // The sum saturates: a wrapped, negative estimate would pass every budget.
        let (partial, overflow3) = fileBytes.addingReportingOverflow(samples)
        let (total, overflow4) = partial.addingReportingOverflow(analysis)
        guard !overflow0, !overflow1, !overflow2, !overflow3, !overflow4 else { return Int.max }
        return total
    }

    /// Waits until `bytes` fit beside the images already running and takes them; returns
    /// `false` at once when they exceed the whole budget and so never could.
    public func acquire(_ bytes: Int) -> Bool {
        guard bytes <= totalBytes else { return false }
        condition.lock()
        defer { condition.unlock() }
        while bytesInUse > 0 && bytesInUse + bytes > totalBytes { condition.wait() }
        bytesInUse += bytes
        return true
    }

    /// Gives back what `acquire` took.
    public func release(_ bytes: Int) {
        condition.lock()
        bytesInUse -= bytes
        condition.broadcast()
        condition.unlock()
    }

    /// The failure reason of an image whose estimate exceeds the whole budget.
    public func refusal(neededBytes: Int, header: PNGCodec.Header) -> String {
        "the image (\(header.width) x \(header.height) pixels) needs about \(Self.gibibytes(neededBytes)) of memory "
            + "to analyse, more than the \(Self.gibibytes(totalBytes)) this run may use (\(source)); "
            + "crop or bin it, or run on a machine with more memory"
    }

    static func gibibytes(_ bytes: Int) -> String {
        ReportNumber.fixed(Double(bytes) / Double(1 << 30), places: 1) + " GiB"
    }

    /// The most worker threads whose reserves (`perThreadReserveBytes`) take at most half of
    /// what the address-space or data limit leaves the process, or nil without such a limit.
    /// Each worker's stack and malloc arena count against `ulimit -v`: with all of a large
    /// machine's cores as workers, their reserves alone can take the whole limit, and every
    /// image was then refused as needing more than the 0.0 GiB left.
    public static func maximumWorkers() -> Int? {
        let free = [limitAddressSpace, limitData].compactMap(softLimit).map { $0 - currentAddressSpaceBytes() }.min()
        return free.map { max(1, $0 / (2 * perThreadReserveBytes)) }
    }

    /// A budget from the smallest of the machine's memory, a container's memory limit and
    /// the process's address-space and data limits (less what the process and `threads`
    /// worker threads already take), times `usableFraction`.
    public static func forThisProcess(threads: Int) -> MemoryBudget {
        var candidates: [(bytes: Int, source: String)] = []
        let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))
        let physicalPages = Int(sysconf(Int32(_SC_PHYS_PAGES)))
        if pageBytes > 0, physicalPages > 0 {
            candidates.append((physicalPages.multipliedReportingOverflow(by: pageBytes).partialValue,
                               "the machine's memory"))
        }
        if let limit = containerMemoryLimit() { candidates.append((limit, "the container's memory limit")) }
        let reserved = currentAddressSpaceBytes()
            + max(1, threads) * perThreadReserveBytes
        for (resource, name) in [(limitAddressSpace, "the address-space limit (ulimit -v)"),
                                 (limitData, "the data-size limit (ulimit -d)")] {
            if let limit = softLimit(resource) { candidates.append((max(0, limit - reserved), name)) }
        }
        guard let smallest = candidates.min(by: { $0.bytes < $1.bytes }) else {
            return MemoryBudget(totalBytes: Int.max, source: "no known limit")
        }
        let usable = Int(Double(smallest.bytes) * usableFraction)
        return MemoryBudget(totalBytes: max(1, usable), source: smallest.source)
    }

    #if canImport(Glibc)
    private static let limitAddressSpace = Int32(RLIMIT_AS.rawValue)
    private static let limitData = Int32(RLIMIT_DATA.rawValue)
    #else
    private static let limitAddressSpace = RLIMIT_AS
    private static let limitData = RLIMIT_DATA
    #endif

    private static func softLimit(_ resource: Int32) -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        guard getrlimit(__rlimit_resource_t(UInt32(resource)), &limit) == 0 else { return nil }
        #else
        guard getrlimit(resource, &limit) == 0 else { return nil }
        #endif
        // RLIM_INFINITY is the largest value (Linux) or 2^63 - 1 (Darwin).
        guard limit.rlim_cur < rlim_t(Int.max) else { return nil }
        return Int(limit.rlim_cur)
    }

    /// The process's virtual size now (Linux `/proc/self/statm`); 0 where unknown.
    private static func currentAddressSpaceBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// A cgroup memory limit (v2 `memory.max`, v1 `memory.limit_in_bytes`), when one is set.
    private static func containerMemoryLimit() -> Int? {
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            // "max" (v2) or a huge number (v1) mean no limit.
            if let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), value < (1 << 60) {
                return value
            }
        }
        return nil
    }
}
