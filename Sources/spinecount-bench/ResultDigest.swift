import SpineKit

/// A SHA-256 over every number an analysis reports, bit for bit: two builds whose digests
/// agree found exactly the same spines and dendrites, so a speed-up can be checked to
/// change no result.
struct ResultDigest {
    private var hasher = SHA256()

    mutating func add(_ analysis: ImageAnalysis) {
        add(analysis.width)
        add(analysis.height)
        add(analysis.micronsPerPixel)
        add(analysis.psfFWHMMicrons)
        add(analysis.dendrites.count)
        for d in analysis.dendrites {
            add(d.id)
            add(d.lengthMicrons)
            add(d.radiusMicrons)
            add(d.centerline.count)
            for p in d.centerline { add(p) }
        }
        add(analysis.spines.count)
        for s in analysis.spines {
            add(s.id)
            add(s.dendriteID)
            hasher.update(Array(s.spineClass.rawValue.utf8))
            add(s.head)
            add(s.base)
            add(s.tip)
            add(s.lengthMicrons)
            add(s.headDiameterMicrons)
            add(s.neckDiameterMicrons)
            add(s.isAttached ? 1 : 0)
            // `arcMicrons` follows from the centreline and the base, both added above, and
            // `headSNR` and `headContrast` are the readings the acceptance test of every spine
            // above passed on: left out so that digests stay comparable with those recorded
            // before they existed.
        }
    }

    mutating func finalize() -> String { SHA256.hex(hasher.finalize()) }

    private mutating func add(_ p: PixelPoint) {
        add(p.x)
        add(p.y)
    }

    private mutating func add(_ value: Double) { add(UInt64(value.bitPattern)) }
    private mutating func add(_ value: Int) { add(UInt64(bitPattern: Int64(value))) }
    private mutating func add(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { hasher.update($0) }
    }
}
