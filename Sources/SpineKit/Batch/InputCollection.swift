import Foundation

/// A command-line path that names no image. Prints a sentence naming the path.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "'\(path)': \(reason)" }
}

/// Turns the paths given on the command line into the list of images to analyse.
///
/// A file is taken as it is (whatever its extension: the user named it). A folder
/// stands for every `*.png` directly in it (extension compared case-insensitively),
/// sorted by name; with `recursive` its subfolders are searched too, depth first in
/// name order, so the list is the same on every machine. An entry named `*.png` that
/// cannot be an image (a broken link; a folder, when not recursive) is still listed, so
/// that the batch reports it as failed rather than silently leaving it out. Hidden entries (names
/// starting with `.`, e.g. macOS `._x.png` resource forks and spinecount's own
/// temporary files) are skipped, and so are the `excluding` folders and the `overlays`
/// folder of any spinecount report met in a recursive search (a folder holding
/// spinecount's `run.json`): a report kept among the data must not feed its drawings back in
/// as images.
/// A file reached more than once (named twice, or through overlapping folders or links) is
/// analysed once: each copy would count as another independent image in the statistics.
public enum InputCollection {
    /// What `collected(in:recursive:excluding:)` found.
    public struct Collected: Sendable {
        /// The images in argument order, each folder's sorted, each file once.
        public var images: [(image: String, path: String)]
        /// Paths left out because they lead to a file already listed.
        public var repeated: [String]
        /// `overlays` folders left out because they belong to a spinecount report.
        public var skippedOverlays: [String]
    }

    /// The images under `paths`, in argument order, each folder's images sorted.
    public static func images(in paths: [String], recursive: Bool,
                              excluding excluded: [URL] = []) throws(InputError) -> [(image: String, path: String)] {
        try collected(in: paths, recursive: recursive, excluding: excluded).images
    }

    /// The images under `paths` (as `images(in:recursive:excluding:)`) and what was left out.
    /// `reports` are folders to treat as spinecount reports whether or not they hold a
    /// run.json yet (the run's own output folder).
    public static func collected(in paths: [String], recursive: Bool, excluding excluded: [URL] = [],
                                 reports: [URL] = []) throws(InputError) -> Collected {
        let excludedFolders = Set(excluded.map { identity(of: $0.path) })
        let reportFolders = Set(reports.map { identity(of: $0.path) })
        var found: [(image: String, path: String)] = []
        var skippedOverlays: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw InputError(path: path, reason: "no such file or folder")
            }
            if isFolder.boolValue {
                var visited = Set<String>()
                try collect(folder: path, prefix: "", recursive: recursive, excluding: excludedFolders,
                            reports: reportFolders, visited: &visited, skippedOverlays: &skippedOverlays, into: &found)
            } else {
                found.append((URL(fileURLWithPath: path).lastPathComponent, path))
            }
        }
        var seen = Set<String>()
        var repeated: [String] = []
        found.removeAll { entry in
            guard seen.insert(identity(of: entry.path)).inserted else {
                repeated.append(entry.path)
                return true
            }
            return false
        }
        return Collected(images: distinguishingNames(found), repeated: repeated, skippedOverlays: skippedOverlays)
    }

    /// What makes two paths one file: its device and inode, so that links, `..` after a link
    /// and hard links are resolved by the system; for a path that names nothing (a broken
    /// link) the path itself, made absolute.
    public static func identity(of path: String) -> String {
        var info = stat()
        if stat(path, &info) == 0 { return "\(info.st_dev):\(info.st_ino)" }
        return "path:" + URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// `found` with names that two different files share (`image_000.png` in `mouse1/` and in
    /// `mouse2/`) replaced by each file's path below the deepest folder they have in common
    /// (`mouse1/image_000.png`), so that every row of the reports names one file. A new name
    /// can meet a third file's (`m1/x.png` from `p/m1/` and `q/m1/`, beside `m1/x.png` found
    /// in `q/`): the names are compared again until none is shared, each round naming the
    /// clashing files by more of their paths (each file is listed once by then).
    static func distinguishingNames(_ found: [(image: String, path: String)]) -> [(image: String, path: String)] {
        var result = found
        // Every round lengthens a clashing name by at least one folder (a name taken from a real
        // path shorter than the name it had shrinks once, to that whole path), so the loop ends
        // at the latest when names reach whole real paths, which two different files cannot share.
        while true {
            var renamed = false
            for indices in Dictionary(grouping: result.indices, by: { result[$0].image }).values where indices.count > 1 {
                // Paths are resolved only for the names that clash, through their links as the
                // system resolves them (as files are told apart), so that two files never share a
                // full path.
                let paths = indices.map { realComponents(of: result[$0].path) }
                var common = paths[0].count - 1
                for components in paths {
                    var shared = 0
                    while shared < min(common, components.count - 1), components[shared] == paths[0][shared] { shared += 1 }
                    common = shared
                }
                for (k, components) in zip(indices, paths) {
                    // The path below the shared folder, or one folder more than the name had when
                    // an earlier round already named it by more than that.
                    // Never the root: a name is a relative path, however far it grows.
                    let parts = components.first == "/" ? Array(components.dropFirst()) : components
                    let below = components.count - common
                    let current = result[k].image.split(separator: "/").count
                    let name = parts.suffix(min(parts.count, max(below, current + 1))).joined(separator: "/")
                    if name != result[k].image {
                        result[k].image = name
                        renamed = true
                    }
                }
            }
            if !renamed { return result }
        }
    }

    /// Whether `name` has the extension `.png` in any letter case.
    public static func hasPNGExtension(_ name: String) -> Bool {
        name.count > 4 && name.lowercased().hasSuffix(".png")
    }

    private static func collect(folder: String, prefix: String, recursive: Bool, excluding: Set<String>,
                                reports: Set<String>, visited: inout Set<String>, skippedOverlays: inout [String],
                                into found: inout [(image: String, path: String)]) throws(InputError) {
        // Symbolic links may loop back to a folder already searched.
        guard visited.insert(identity(of: folder)).inserted else { return }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw InputError(path: folder, reason: "the folder cannot be read")
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                // A broken (or looping) link named like an image was meant to be one: it is
                // listed so that it gets an error row instead of vanishing from the reports.
                if hasPNGExtension(name) && isSymbolicLink(path) { found.append((prefix + name, path)) }
                continue
            }
            if isFolder.boolValue {
                guard !excluding.contains(identity(of: path)) else { continue }
                if recursive {
                    if name == "overlays" && (reports.contains(identity(of: folder)) || isReport(folder: folder)) {
                        skippedOverlays.append(path)
                        continue
                    }
                    try collect(folder: path, prefix: prefix + name + "/", recursive: true, excluding: excluding,
                                reports: reports, visited: &visited, skippedOverlays: &skippedOverlays, into: &found)
                } else if hasPNGExtension(name) {
                    // Likewise a folder named like an image: its row says it is a folder.
                    found.append((prefix + name, path))
                }
            } else if hasPNGExtension(name) {
                found.append((prefix + name, path))
            }
        }
    }

    /// The components of `path` with every link resolved (`realpath`); for a path that names
    /// nothing (a broken link), its folder's real path and its own name; failing that, the
    /// path as written, made absolute.
    static func realComponents(of path: String) -> [String] {
        func real(_ p: String) -> String? {
            guard let resolved = realpath(p, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let url = URL(fileURLWithPath: path)
        if let resolved = real(url.path) { return URL(fileURLWithPath: resolved).pathComponents }
        if let folder = real(url.deletingLastPathComponent().path) {
            return URL(fileURLWithPath: folder).appendingPathComponent(url.lastPathComponent).pathComponents
        }
        return url.standardizedFileURL.pathComponents
    }

    /// Whether `folder` holds a spinecount report: a `run.json` whose `tool` is spinecount.
    public static func isReport(folder: String) -> Bool {
        let manifest = URL(fileURLWithPath: folder).appendingPathComponent("run.json")
        // A manifest lists each input in a few hundred bytes: anything larger is not one.
        guard let size = (try? FileManager.default.attributesOfItem(atPath: manifest.path))?[.size] as? Int,
              size <= 1 << 28,
              let data = try? Data(contentsOf: manifest),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["tool"] as? String == "spinecount"
    }

    private static func isSymbolicLink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
    }

}
