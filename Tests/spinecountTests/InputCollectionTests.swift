import Foundation
import Testing
import SpineKit

@Suite("Finding the input images")
struct InputCollectionTests {
    /// b.png, A.PNG, c.txt, .hidden.png, notes.png.txt, sub/d.png, sub/deeper/e.Png, zz/ (empty)
    private func makeTree() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        for name in ["in/b.png", "in/A.PNG", "in/c.txt", "in/.hidden.png", "in/notes.png.txt",
                     "in/sub/d.png", "in/sub/deeper/e.Png", "in/a1.png"] {
            try folder.write([0], to: name)
        }
        try folder.makeFolder("in/zz")
        return folder
    }

    @Test func folderMeansItsPNGsSortedByName() throws {
        let folder = try makeTree()
        defer { folder.remove() }
        let found = try InputCollection.images(in: [folder.path("in")], recursive: false)
        #expect(found.map(\.image) == ["A.PNG", "a1.png", "b.png"])
        #expect(found.map(\.path) == ["A.PNG", "a1.png", "b.png"].map { folder.path("in") + "/" + $0 })
    }

    @Test func recursiveDescendsDepthFirstInNameOrder() throws {
        let folder = try makeTree()
        defer { folder.remove() }
        let found = try InputCollection.images(in: [folder.path("in")], recursive: true)
        #expect(found.map(\.image) == ["A.PNG", "a1.png", "b.png", "sub/d.png", "sub/deeper/e.Png"])
        // The report folder inside an input folder is not searched.
        let excluded = try InputCollection.images(in: [folder.path("in")], recursive: true,
                                                  excluding: [URL(fileURLWithPath: folder.path("in/sub"))])
        #expect(excluded.map(\.image) == ["A.PNG", "a1.png", "b.png"])
    }

    /// Two folders holding the same names (one per animal) would give rows that cannot be told
    /// apart; such names become the paths below the folder the files share.
    @Test func namesSharedByTwoFilesNameTheirFolders() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for name in ["data/mouse1/img.png", "data/mouse2/img.png", "data/mouse2/other.png", "elsewhere/deep/img.png"] {
            try folder.write([0], to: name)
        }
        let found = try InputCollection.images(in: [folder.path("data/mouse1"), folder.path("data/mouse2")], recursive: false)
        #expect(found.map(\.image) == ["mouse1/img.png", "mouse2/img.png", "other.png"])
        let three = try InputCollection.images(in: [folder.path("data/mouse1"), folder.path("elsewhere/deep/img.png")],
                                               recursive: false)
        #expect(three.map(\.image) == ["data/mouse1/img.png", "elsewhere/deep/img.png"])
    }

    /// Renaming two clashing files can give a name a third file already has; the names are
    /// compared again until no two files share one.
    @Test func renamedFilesDoNotClashWithAThird() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for name in ["p/m1/x.png", "p/m2/x.png", "q/m1/x.png"] { try folder.write([0], to: name) }
        let found = try InputCollection.images(in: [folder.path("q"), folder.path("p/m1/x.png"), folder.path("p/m2/x.png")],
                                               recursive: true)
        #expect(found.map(\.path) == [folder.path("q") + "/m1/x.png", folder.path("p/m1/x.png"), folder.path("p/m2/x.png")])
        #expect(found.map(\.image) == ["q/m1/x.png", "p/m1/x.png", "m2/x.png"])
    }

    /// A name an earlier round made longer than the clashing files' shared folder allows must
    /// still grow (found by a review: two rows named images/x.png).
    @Test func namesKeepGrowingUntilUnique() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for name in ["images/x.png", "images/images/x.png", "extra/x.png"] { try folder.write([0], to: name) }
        let found = try InputCollection.images(in: [folder.path("images"), folder.path("extra/x.png")], recursive: true)
        #expect(found.count == 3)
        #expect(Set(found.map(\.image)).count == 3, "\(found.map(\.image))")
        for entry in found { #expect(entry.path.hasSuffix("/" + entry.image), "\(entry)") }
    }

    /// `..` after a link leads where the system says, not where the text does: two different
    /// files, not one file twice.
    @Test func dotDotAfterALinkIsAnotherFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for name in ["cwd/x.png", "other/x.png", "other/sub/keep"] { try folder.write([0], to: name) }
        try FileManager.default.createSymbolicLink(atPath: folder.path("cwd/link"), withDestinationPath: folder.path("other/sub"))
        let found = try InputCollection.collected(in: [folder.path("cwd/x.png"), folder.path("cwd/link/../x.png")],
                                                  recursive: false)
        #expect(found.images.count == 2 && found.repeated.isEmpty)
        // Named by where they really are, so that the two rows can be told apart.
        #expect(found.images.map(\.image) == ["cwd/x.png", "other/x.png"])
        #expect(InputCollection.identity(of: folder.path("cwd/link/../x.png")) == InputCollection.identity(of: folder.path("other/x.png")))
    }

    /// A name taken from a real path shorter than the searched one (a link to a folder near the
    /// root) is still relative: a name starting with "/" made two overlays one file (found by
    /// a review).
    @Test func namesAreNeverAbsolute() throws {
        let folder = try TemporaryFolder(), elsewhere = try TemporaryFolder()
        defer { folder.remove(); elsewhere.remove() }
        try elsewhere.write([1], to: "q/x.png")
        try FileManager.default.createDirectory(atPath: folder.path("in1/a"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.path("in1/a/b"), withDestinationPath: elsewhere.path("q"))
        try folder.write([2], to: "in2/a/b/x.png")
        // A folder inside in3 that spells out where `elsewhere` is.
        let mirror = "in3" + elsewhere.path("q")
        try folder.write([3], to: mirror + "/x.png")
        let found = try InputCollection.images(in: [folder.path("in1"), folder.path("in2"), folder.path("in3")], recursive: true)
        #expect(found.count == 3)
        #expect(Set(found.map(\.image)).count == 3, "\(found.map(\.image))")
        #expect(found.allSatisfy { !$0.image.hasPrefix("/") && !$0.image.contains("//") }, "\(found.map(\.image))")
        #expect(Set(BatchRunner.overlayPaths(for: found.map { BatchInput(group: "set", image: $0.image, path: $0.path) })).count == 3)
    }

    /// A file reached twice would count as two independent images in the statistics: it is
    /// listed once, and the other paths to it are returned.
    @Test func aFileReachedTwiceIsListedOnce() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for name in ["data/a/x.png", "data/y.png"] { try folder.write([0], to: name) }
        try FileManager.default.createSymbolicLink(atPath: folder.path("data/link"), withDestinationPath: folder.path("data/a"))
        let twice = try InputCollection.collected(in: [folder.path("data/y.png"), folder.path("data/y.png")], recursive: false)
        #expect(twice.images.map(\.image) == ["y.png"])
        #expect(twice.repeated == [folder.path("data/y.png")])
        // Overlapping folders, and a link to a folder already searched.
        let overlapping = try InputCollection.collected(in: [folder.path("data/a"), folder.path("data")], recursive: true)
        #expect(overlapping.images.map(\.image) == ["x.png", "y.png"])
        #expect(overlapping.repeated.count == 1)
    }

    /// A spinecount report kept among the data (a folder with spinecount's run.json) has its
    /// overlays left out of a recursive search; another folder named overlays is searched.
    @Test func overlaysOfAReportAreNotInputs() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for name in ["data/cell1/a.png", "data/results/overlays/cell1/a.png", "data/results/spines.csv",
                     "data/other/overlays/b.png", "data/other/run.json"] {
            try folder.write([0], to: name)
        }
        try folder.write(Array(#"{"tool" : "spinecount", "command" : "analyze"}"#.utf8), to: "data/results/run.json")
        let found = try InputCollection.images(in: [folder.path("data")], recursive: true)
        #expect(found.map(\.image) == ["cell1/a.png", "other/overlays/b.png"])
    }

    @Test func filesAreTakenAsGivenInArgumentOrder() throws {
        let folder = try makeTree()
        defer { folder.remove() }
        let found = try InputCollection.images(in: [folder.path("in/c.txt"), folder.path("in/sub"),
                                                    folder.path("in/b.png")], recursive: false)
        #expect(found.map(\.image) == ["c.txt", "d.png", "b.png"])
        #expect(try InputCollection.images(in: [folder.path("in/zz")], recursive: true).isEmpty)
    }

    @Test func missingPathIsNamed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(throws: InputError(path: folder.path("nope"), reason: "no such file or folder")) {
            try InputCollection.images(in: [folder.path("nope")], recursive: false)
        }
    }

    @Test func pngExtensionIsCaseInsensitive() {
        #expect(InputCollection.hasPNGExtension("x.PnG"))
        #expect(!InputCollection.hasPNGExtension(".png"))
        #expect(!InputCollection.hasPNGExtension("x.png.gz"))
    }

    @Test func overlayPathsKeepFoldersAndNeverCollide() {
        let set = [BatchInput(group: "set", image: "sub/a.png", path: "1"),
                   BatchInput(group: "set", image: "a.png", path: "2"),
                   BatchInput(group: "set", image: "A.png", path: "3"),
                   BatchInput(group: "set", image: "a.png", path: "4"),
                   BatchInput(group: "set", image: "raw.tif", path: "5")]
        #expect(BatchRunner.overlayPaths(for: set)
                == ["overlays/sub/a.png", "overlays/a.png", "overlays/A-2.png", "overlays/a-3.png",
                    "overlays/raw.tif.png"])
        let compare = [BatchInput(group: "before", image: "cell.png", path: "1"),
                       BatchInput(group: "after", image: "cell.png", path: "2")]
        #expect(BatchRunner.overlayPaths(for: compare) == ["overlays/before/cell.png", "overlays/after/cell.png"])
    }
}
