import Foundation

/// Why a report could not be written. Each case prints a sentence naming the path.
public struct ReportWriteError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "cannot write '\(path)': \(reason)" }
}

/// Writes a set of report files so that they replace the previous ones only together,
/// after the whole run has finished.
///
/// Each file is first written under a temporary name in its final folder (the same
/// file system, so the later `rename(2)` is atomic) and only `commit` renames them
/// all. An interrupted or failed run calls `abort`, which deletes the temporary
/// files and leaves the previous report as it was. Safe to use from several
/// threads: workers stage overlays while the run goes on, and a signal handler may
/// abort at any moment; a file is never half-written when `abort` returns.
public final class ReportTransaction: @unchecked Sendable {
    /// Marks temporary files, so that a leftover one (after `kill -9`) is easy to recognise.
    public static let temporaryMarker = ".spinecount-tmp-"
    /// Marks an earlier report file set aside during a commit; never swept as a leftover, so
    /// that a commit killed part-way leaves the earlier report recoverable.
    public static let setAsideMarker = ".spinecount-old-"
    /// Tests only: the index of the staged file whose rename `commit` fails, to show that a
    /// failure part-way leaves the earlier report as it was.
    var failsRenameAt: Int?

    public enum State: Sendable, Equatable {
        case open
        case committed
        case aborted
    }

    /// The report folder.
    public let directory: URL
    private let lock = NSLock()
    private let token: String
    /// Files staged so far, with the stream still writing one (see `stream(as:)`).
    private var staged: [(temporary: URL, final: URL, stream: StagedStream?)] = []
    /// Subfolders known to exist, and those this transaction created (removed again on abort).
    private var knownFolders: Set<String> = []
    private var createdFolders: [URL] = []
    private var stateValue = State.open

    /// Starts a transaction in `directory`, which must already exist (see `prepareDirectory`).
    public init(directory: URL) {
        self.directory = directory.standardizedFileURL
        token = Self.ownerTag(processID: getpid()) + "-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// The start of every temporary name's token: this machine (a hash of its host name) and
    /// the process, `<host>p<pid>`, so that a later run can tell a leftover of a killed run
    /// (`kill -9` leaves its temporary files behind) from one of a run still going.
    static func ownerTag(processID: Int32) -> String {
        "\(hostTag)p\(processID)"
    }

    /// FNV-1a of the host name, in base 36: temporary files on a shared disk name the machine
    /// whose process wrote them, and only that machine can see whether the process lives.
    static let hostTag: String = {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(cString: name) : ""
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in host.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash % 2_176_782_336, radix: 36)  // six base-36 digits at most
    }()

    /// Deletes temporary files in `folder` left by a run of this machine whose process no
    /// longer exists. Files of running processes, of other machines, and names this version
    /// did not write are left alone.
    static func removeLeftovers(in folder: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        let prefix = temporaryMarker + hostTag + "p"
        for name in names {
            guard let range = name.range(of: prefix) else { continue }
            let digits = name[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            guard let pid = Int32(digits), pid > 0, pid != getpid(),
                  name[range.upperBound...].dropFirst(digits.count).hasPrefix("-"),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    public var state: State { locked { stateValue } }

    /// Free space below which a report folder is refused before any work (1 MiB): the
    /// CSV files of a small run fit, but a disk this full would fail part-way through.
    public static let minimumFreeBytes = 1 << 20

    /// Longest temporary file name, in UTF-8 bytes: the common `NAME_MAX` of 255 leaves
    /// room for the marker and token, so a long image name still gets its overlay.
    static let temporaryNameMaxBytes = 255

    /// Creates `directory` if needed and proves it writable by creating, syncing and
    /// deleting a small file there, and checks that its disk has at least
    /// `minimumFreeBytes` free, so that a run fails before any work rather than after it.
    public static func prepareDirectory(_ directory: URL) throws(ReportWriteError) {
        let path = directory.path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
            throw ReportWriteError(path: path, reason: "it exists and is not a folder")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportWriteError(path: path, reason: "the folder cannot be created: " + diagnosis(of: directory, error))
        }
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ReportWriteError(path: path, reason: "it exists and is not a folder")
        }
        let probe = directory.appendingPathComponent(temporaryMarker + "probe-\(UInt32.random(in: 0...UInt32.max))")
        if let code = writeFile(Array("probe".utf8), to: probe.path) {
            let full = code == ENOSPC || code == EDQUOT
            throw ReportWriteError(path: path, reason: (full ? "its disk is full: " : "the folder is not writable: ")
                                   + systemMessage(code))
        }
        unlink(probe.path)
        var disk = statvfs()
        if statvfs(path, &disk) == 0 {
            let freeBytes = Int(clamping: UInt64(disk.f_bavail) &* UInt64(disk.f_frsize))
            if freeBytes < minimumFreeBytes {
                throw ReportWriteError(
                    path: path,
                    reason: "its disk is full or nearly so (\(freeBytes / 1024) KiB free, at least "
                        + "\(minimumFreeBytes / 1024) KiB needed)")
            }
        }
    }

    /// Writes `bytes` to a new file at `path` and flushes it to the disk, so that a later
    /// rename can never put an empty or partial file in place of a report, even after a
    /// power cut. Returns the `errno` of the first failure (ENOSPC, EACCES...), nil on success.
    static func writeFile(_ bytes: [UInt8], to path: String) -> Int32? {
        bytes.withUnsafeBytes { writeFile($0, to: path) }
    }

    /// `writeFile` from any contiguous bytes (a report's text in place, without a copy).
    static func writeFile(_ buffer: UnsafeRawBufferPointer, to path: String) -> Int32? {
        writeFile(to: path) { write in write(buffer) }
    }

    /// `writeFile` of the bytes that `produce` hands to the function it is given, in as many
    /// pieces as it likes; pieces after a failure are dropped.
    static func writeFile(to path: String, _ produce: ((UnsafeRawBufferPointer) -> Void) -> Void) -> Int32? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return errno }
        var failure: Int32?
        produce { buffer in
            if failure == nil { failure = writeAll(buffer, to: descriptor) }
        }
        failure = flushAndClose(descriptor, failure: failure)
        if failure != nil { unlink(path) }
        return failure
    }

    /// Writes all of `buffer` to `descriptor`, resuming after short writes and signals;
    /// the `errno` of a failure, nil on success.
    static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return written < 0 ? errno : EIO
            }
        }
        return nil
    }

    /// Flushes `descriptor` to the disk and closes it; `failure` if there already was one,
    /// else the `errno` of a failure here. A full disk or a network file system may report
    /// a failed write only at this point.
    static func flushAndClose(_ descriptor: Int32, failure: Int32?) -> Int32? {
        var failure = failure
        if failure == nil, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == nil, errno != EINTR { failure = errno }
        return failure
    }

    static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// Writes `bytes` under a temporary name for `relativePath` (e.g. `spines.csv` or
    /// `overlays/a/b.png`), creating subfolders as needed. Replaces an earlier staging
    /// of the same path. Throws when the transaction is no longer open.
    public func stage(_ bytes: [UInt8], as relativePath: String) throws(ReportWriteError) {
        try stage(as: relativePath) { Self.writeFile(bytes, to: $0) }
    }

    /// Stages the file that `write` writes at the path it is given (returning an `errno`
    /// or nil), under the transaction's lock.
    private func stage(as relativePath: String, by write: (String) -> Int32?) throws(ReportWriteError) {
        // The write happens under the lock so that `abort` never races a file into
        // existence after it has cleaned up.
        try locked { () throws(ReportWriteError) in
            let (temporary, final) = try temporaryFile(for: relativePath)
            if let code = write(temporary.path) {
                throw ReportWriteError(path: final.path, reason: Self.systemMessage(code))
            }
            staged.removeAll { $0.final == final }
            staged.append((temporary, final, nil))
        }
    }

    /// Opens `relativePath` for writing piece by piece while the run goes on (spines.csv,
    /// as the batch's images finish), under a temporary name like any staged file: `abort`
    /// deletes it, and `commit` refuses to rename anything until the stream is finished.
    public func stream(as relativePath: String) throws(ReportWriteError) -> StagedStream {
        try locked { () throws(ReportWriteError) in
            let (temporary, final) = try temporaryFile(for: relativePath)
            let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw ReportWriteError(path: final.path, reason: Self.systemMessage(errno)) }
            let stream = StagedStream(descriptor: descriptor, path: final.path)
            staged.removeAll { $0.final == final }
            staged.append((temporary, final, stream))
            return stream
        }
    }

    /// The temporary file for `relativePath` (its folders created), while the transaction is
    /// open; called under the lock.
    private func temporaryFile(for relativePath: String) throws(ReportWriteError) -> (temporary: URL, final: URL) {
        let final = directory.appendingPathComponent(relativePath)
        let folder = final.deletingLastPathComponent()
        guard stateValue == .open else {
            throw ReportWriteError(path: final.path, reason: "the run was stopped")
        }
        if !knownFolders.contains(folder.path) {
            var missing: [URL] = []
            var ancestor = folder
            while ancestor.path.count > directory.path.count,
                  !FileManager.default.fileExists(atPath: ancestor.path) {
                missing.append(ancestor)
                ancestor = ancestor.deletingLastPathComponent()
            }
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw ReportWriteError(path: folder.path, reason: Self.reasonText(error))
            }
            createdFolders += missing
            knownFolders.insert(folder.path)
        }
        // A restaging of the same path reuses its temporary file; otherwise a new,
        // numbered one, so that two long names cut to the same prefix cannot collide.
        let temporary = staged.first { $0.final == final }?.temporary
            ?? folder.appendingPathComponent(Self.temporaryName(for: final.lastPathComponent,
                                                                token: token + "-\(staged.count)"))
        return (temporary, final)
    }

    /// `.<name>.spinecount-tmp-<token>`, the name cut (at a character boundary) so that
    /// the whole stays within `temporaryNameMaxBytes`.
    static func temporaryName(for name: String, token: String, marker: String = temporaryMarker) -> String {
        let suffix = marker + token
        let room = temporaryNameMaxBytes - 1 - suffix.utf8.count
        var kept = ""
        var used = 0
        for character in name {
            let size = character.utf8.count
            if used + size > room { break }
            kept.append(character)
            used += size
        }
        return "." + kept + suffix
    }

    /// Text staged as UTF-8, written from the string's own storage: a batch's spines.csv
    /// runs to tens of megabytes, and a copy of it would set the run's peak memory.
    public func stage(text: String, as relativePath: String) throws(ReportWriteError) {
        var text = text
        try stage(as: relativePath) { path in text.withUTF8 { Self.writeFile(UnsafeRawBufferPointer($0), to: path) } }
    }

    /// The relative paths staged so far, in staging order.
    public var stagedPaths: [String] {
        locked {
            staged.map { String($0.final.path.dropFirst(directory.path.count + 1)) }
        }
    }

    /// Renames every staged file to its final name, replacing older files.
    ///
    /// Each earlier file is first set aside under a hidden name, so that a rename failing
    /// part-way (the folder vanished, the disk failed) can put every one of them back: the
    /// previous report is then exactly as it was, as the error message says. A final name that
    /// is a folder stops the commit before anything is renamed. The set-aside files are deleted
    /// once every new file is in place.
    public func commit() throws(ReportWriteError) {
        try locked { () throws(ReportWriteError) in
            guard stateValue == .open else {
                throw ReportWriteError(path: directory.path, reason: "the run was stopped")
            }
            // A stream still open may be short of its last rows or not yet on the disk.
            if let unfinished = staged.first(where: { $0.stream.map { !$0.isFinished } ?? false }) {
                throw ReportWriteError(path: unfinished.final.path, reason: "it was not finished")
            }
            defer { staged.removeAll() }
            func fail(_ path: URL, _ reason: String, from index: Int) -> ReportWriteError {
                for rest in staged[index...] { try? FileManager.default.removeItem(at: rest.temporary) }
                stateValue = .aborted
                return ReportWriteError(path: path.path, reason: reason)
            }
            for file in staged {
                var status = stat()
                if lstat(file.final.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
                    throw fail(file.final, "it is a folder", from: 0)
                }
            }
            var placed: [(final: URL, earlier: URL?)] = []
            /// Puts back what `placed` replaced, newest first.
            func restore() {
                for entry in placed.reversed() {
                    if let earlier = entry.earlier { rename(earlier.path, entry.final.path) } else { unlink(entry.final.path) }
                }
            }
            for (index, file) in staged.enumerated() {
                var earlier: URL?
                // Anything at the final name, a dangling link included, is set aside.
                var status = stat()
                if lstat(file.final.path, &status) == 0 || errno != ENOENT {
                    let aside = file.final.deletingLastPathComponent().appendingPathComponent(
                        Self.temporaryName(for: file.final.lastPathComponent, token: token + "-\(index)", marker: Self.setAsideMarker))
                    guard rename(file.final.path, aside.path) == 0 else {
                        let reason = String(cString: strerror(errno))
                        restore()
                        throw fail(file.final, reason, from: index)
                    }
                    earlier = aside
                }
                if index == failsRenameAt || rename(file.temporary.path, file.final.path) != 0 {
                    let reason = index == failsRenameAt ? "injected failure" : String(cString: strerror(errno))
                    if let earlier { rename(earlier.path, file.final.path) }
                    restore()
                    throw fail(file.final, reason, from: index)
                }
                placed.append((file.final, earlier))
            }
            for entry in placed { if let earlier = entry.earlier { unlink(earlier.path) } }
            stateValue = .committed
            for folder in Set(staged.map { $0.final.deletingLastPathComponent() } + [directory]) {
                Self.removeLeftovers(in: folder)
            }
        }
    }

    /// Of `earlier` (paths relative to the report folder that an earlier run's run.json lists
    /// as its overlays), those this run may delete as stale: not written again now
    /// (`written`), present, and safe to delete. Safe means spinecount's own drawing and
    /// nothing else: a path of the form `overlays/.../NAME.png` with no empty, `.` or `..`
    /// part and no link on the way (a hand-edited or foreign run.json must not reach a
    /// user's file or leave the folder), and not an input (`protected`, compared as files).
    /// The run lists them in its own run.json before its commit, so that a run stopped
    /// between the commit and the deletion leaves them to the next one.
    public func staleOverlays(_ earlier: Set<String>, keeping written: Set<String>, protected: Set<String>) -> [String] {
        let inputs = Set(protected.map(InputCollection.identity(of:)))
        return earlier.subtracting(written).sorted().filter { path in
            isOwnOverlay(path) && !inputs.contains(InputCollection.identity(of: directory.appendingPathComponent(path).path))
        }
    }

    /// Deletes `stale` (from `staleOverlays(_:keeping:protected:)`, checked again) after the
    /// commit, except a file this run wrote under another spelling (`written`, compared as
    /// files: on a case-insensitive disk `overlays/A.png` is this run's `overlays/a.png`),
    /// then the folders left empty between them and the report folder. After it the report
    /// folder describes one run: an earlier run's overlays no longer sit beside this run's as
    /// if they belonged to it.
    public func removeStaleOverlays(_ stale: [String], written: Set<String>, protected: Set<String>) {
        let kept = Set((protected + written.map { directory.appendingPathComponent($0).path }).map(InputCollection.identity(of:)))
        var folders = Set<String>()
        for path in stale where isOwnOverlay(path) {
            let url = directory.appendingPathComponent(path)
            guard !kept.contains(InputCollection.identity(of: url.path)) else { continue }
            try? FileManager.default.removeItem(at: url)
            let parts = path.split(separator: "/")
            for depth in 1..<parts.count { folders.insert(parts.prefix(depth).joined(separator: "/")) }
        }
        // Deepest first; `rmdir` leaves any folder that is not empty.
        for folder in folders.sorted(by: { $0.count > $1.count }) { rmdir(directory.appendingPathComponent(folder).path) }
    }

    /// Whether `path` (relative to the report folder) can only be one of spinecount's overlay
    /// files: `overlays/.../NAME.png`, no empty, `.` or `..` part, no temporary file, an
    /// existing regular file reached without a link.
    func isOwnOverlay(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "overlays", InputCollection.hasPNGExtension(String(parts[parts.count - 1])),
              !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              !path.contains(Self.temporaryMarker) else { return false }
        var url = directory
        for (k, part) in parts.enumerated() {
            url = url.appendingPathComponent(String(part))
            var info = stat()
            guard lstat(url.path, &info) == 0 else { return false }
            let type = info.st_mode & S_IFMT
            guard k == parts.count - 1 ? type == S_IFREG : type == S_IFDIR else { return false }
        }
        return true
    }

    /// Deletes every temporary file and refuses further staging. Leaves the previous
    /// report untouched. Safe to call more than once and from a signal handler's queue.
    public func abort() {
        locked {
            guard stateValue == .open else { return }
            for file in staged {
                file.stream?.close()
                try? FileManager.default.removeItem(at: file.temporary)
            }
            staged.removeAll()
            // Deepest first; `rmdir` leaves any folder that is not empty.
            for folder in createdFolders.sorted(by: { $0.path.count > $1.path.count }) { rmdir(folder.path) }
            createdFolders.removeAll()
            stateValue = .aborted
        }
    }

    private func locked<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The operating system's reason (`Permission denied`, `No space left on device`)
    /// when Foundation wraps one, else Foundation's own text.
    static func reasonText(_ error: any Error) -> String {
        // Foundation reports a full disk as its own code, without the POSIX error.
        if let cocoa = error as? CocoaError, cocoa.code == .fileWriteOutOfSpace { return systemMessage(ENOSPC) }
        var current = error as NSError
        for _ in 0..<4 {
            if current.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(current.code))) }
            guard let underlying = current.userInfo[NSUnderlyingErrorKey] as? NSError else { break }
            current = underlying
        }
        return (error as NSError).localizedDescription
    }

    /// Why `directory` could not be created, found by looking at its nearest existing
    /// ancestor, because Foundation's own error often says only "error 512".
    static func diagnosis(of directory: URL, _ error: any Error) -> String {
        var ancestor = directory.standardizedFileURL
        while ancestor.path != "/" {
            ancestor = ancestor.deletingLastPathComponent()
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isFolder) else { continue }
            if !isFolder.boolValue { return "'\(ancestor.path)' is a file, not a folder" }
            if access(ancestor.path, W_OK) != 0 { return "'\(ancestor.path)' is not writable" }
            break
        }
        return reasonText(error)
    }
}

/// A staged report written piece by piece (see `ReportTransaction.stream(as:)`). Safe to use
/// from several threads; the pieces land in the order the calls to `write` are made.
public final class StagedStream: @unchecked Sendable {
    /// The report's final path, for error messages.
    public let path: String
    private let lock = NSLock()
    private var descriptor: Int32
    /// The `errno` of the first failed write; later pieces are dropped.
    private var failure: Int32?
    private var finished = false

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Appends `text` as UTF-8. A failure (a full disk) is kept for `finish` to report,
    /// so that the batch goes on and the error comes out where the reports are written.
    public func write(_ text: String) {
        var text = text
        lock.withLock {
            guard descriptor >= 0, failure == nil else { return }
            failure = text.withUTF8 { ReportTransaction.writeAll(UnsafeRawBufferPointer($0), to: descriptor) }
        }
    }

    /// Flushes the file to the disk and closes it; throws the first failure of any write.
    public func finish() throws(ReportWriteError) {
        let failure: Int32? = lock.withLock {
            guard descriptor >= 0 else { return self.failure ?? EBADF }
            let failure = ReportTransaction.flushAndClose(descriptor, failure: self.failure)
            descriptor = -1
            finished = failure == nil
            return failure
        }
        if let failure { throw ReportWriteError(path: path, reason: ReportTransaction.systemMessage(failure)) }
    }

    /// Whether `finish` succeeded.
    var isFinished: Bool { lock.withLock { finished } }

    /// Closes the file without flushing it (the run was stopped and the file is deleted).
    /// Later writes are dropped, so none can reach another file given the same descriptor.
    func close() {
        lock.withLock {
            guard descriptor >= 0 else { return }
            _ = Glibc.close(descriptor)
            descriptor = -1
            if failure == nil { failure = ECANCELED }
        }
    }
}
