import Foundation
#if canImport(Glibc)
import Glibc
#endif

#if os(Linux)
private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

/// Memory and CPU time of this process, as the kernel counts them.
enum ResourceUsage {
    /// Resident memory now and its peak, bytes (`/proc/self/status` VmRSS and VmHWM on
    /// Linux; elsewhere both are getrusage's peak, `ru_maxrss`).
    static func residentBytes() -> (current: Int, peak: Int) {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            var current = 0, peak = 0
            for line in status.split(separator: "\n") {
                // "VmRSS:\t   24160 kB": a tab, then spaces.
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count >= 2, let kib = Int(fields[1]) else { continue }
                if fields[0] == "VmRSS:" { current = kib * 1024 }
                if fields[0] == "VmHWM:" { peak = kib * 1024 }
            }
            if peak > 0 { return (current, peak) }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF_WHO, &usage)
        #if os(Linux)
        let peak = Int(usage.ru_maxrss) * 1024
        #else
        let peak = Int(usage.ru_maxrss)
        #endif
        return (peak, peak)
    }

    /// Resets the peak resident size to the current one (Linux 4.0+, `clear_refs` value 5),
    /// so that a phase's peak is its own. Returns `false` where that is not possible; the
    /// peak is then the whole process's.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// User plus system CPU seconds of all threads so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF_WHO, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// CPU seconds used by the calling thread so far: unlike wall-clock time, not inflated
/// when other processes share the cores.
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The 1-minute load average (runnable processes), `nil` where /proc is missing.
func currentLoadAverage() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
          let first = text.split(separator: " ").first else { return nil }
    return Double(first)
}

/// Seconds of wall-clock time since `start`.
func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// A byte count in MiB with one decimal.
func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
