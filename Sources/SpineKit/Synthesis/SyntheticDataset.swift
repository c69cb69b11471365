import Foundation

/// What a treatment does to spines between a `before` and an `after` group.
public struct TreatmentEffect: Sendable, Codable, Equatable {
    /// Change of spine density, percent (+25 means 25 % more spines per micron).
    public var densityChangePercent: Double
    /// Class proportions of the `after` group.
    public var afterClassMix: SpineClassMix

    public init(densityChangePercent: Double, afterClassMix: SpineClassMix) {
        self.densityChangePercent = densityChangePercent
        self.afterClassMix = afterClassMix
    }

    /// +25 % density and a shift towards mushroom spines, like the reference set.
    public static let standard = TreatmentEffect(densityChangePercent: 25, afterClassMix: .afterTreatment)
}

/// Sets of synthetic images with their truth tables, for accuracy tests and benchmarks.
///
/// Each image is rendered from a seed derived from the set's seed, its group and its
/// number, so any one image can be rendered alone, in any order or in parallel, and the
/// same seed always gives the same set.
public enum SyntheticDataset {
    /// One image to render: its group, file name and how to draw it.
    public struct Item: Sendable, Equatable {
        /// `before`, `after` or `set`.
        public var group: String
        /// File name, e.g. `before_000.png`.
        public var fileName: String
        public var settings: SynthesisSettings
        public var seed: UInt64
        public var densityMultiplier: Double
        public var classMix: SpineClassMix

        /// The image's scene alone, without pixels: its truth is the rendered image's.
        public func scene() -> SyntheticScene {
            SpineSynthesizer.scene(settings: settings, seed: seed, densityMultiplier: densityMultiplier,
                                   classMix: classMix).scene
        }

        public func render() -> RenderedImage {
            SpineSynthesizer.render(settings: settings, seed: seed, densityMultiplier: densityMultiplier,
                                    classMix: classMix)
        }
    }

    /// `count` images of one group `set`, named `image_000.png`, ....
    public static func single(settings: SynthesisSettings, count: Int, seed: UInt64) -> [Item] {
        (0..<Swift.max(0, count)).map { k in
            Item(group: "set", fileName: String(format: "image_%03d.png", k), settings: settings,
                 seed: SynthesisRNG.derivedSeed(seed, stream: 10, index: UInt64(k)),
                 densityMultiplier: 1, classMix: settings.classMix)
        }
    }

    /// `count` images in each of the groups `before` (the settings as they are) and
    /// `after` (density and class mix changed by `effect`).
    public static func beforeAfter(settings: SynthesisSettings, effect: TreatmentEffect = .standard, count: Int,
                                   seed: UInt64) -> [Item] {
        let groups: [(String, UInt64, Double, SpineClassMix)] = [
            ("before", 11, 1, settings.classMix),
            ("after", 12, 1 + effect.densityChangePercent / 100, effect.afterClassMix),
        ]
        return groups.flatMap { group, stream, multiplier, mix in
            (0..<Swift.max(0, count)).map { k in
                Item(group: group, fileName: group + String(format: "_%03d.png", k), settings: settings,
                     seed: SynthesisRNG.derivedSeed(seed, stream: stream, index: UInt64(k)),
                     densityMultiplier: multiplier, classMix: mix)
            }
        }
    }

    /// The header of `truthCSV`: the `evaluate` contract's columns, then `dendrite_id`.
    public static let truthHeader = ["group", "image", "head_x_px", "head_y_px", "class", "base_x_px", "base_y_px",
                                     "tip_x_px", "tip_y_px", "length_um", "head_diameter_um", "neck_diameter_um",
                                     "dendrite_id"]

    /// The header of `dendritesCSV`: the reference set's columns, then class counts,
    /// PSF sigma and the density asked for.
    public static let dendritesHeader = ["group", "image", "pixel_size_um", "dendrite_length_um", "spines",
                                         "mushroom", "thin", "stubby", "psf_sigma_um", "requested_density_per_um"]

    /// Rows of `truth.csv` for one rendered image (no header), RFC 4180.
    public static func truthRows(group: String, fileName: String, image: RenderedImage) -> String {
        var text = ""
        for spine in image.spines {
            let fields = [group, fileName, fixed(spine.head.x, 3), fixed(spine.head.y, 3), spine.spineClass.rawValue,
                          fixed(spine.base.x, 3), fixed(spine.base.y, 3), fixed(spine.tip.x, 3), fixed(spine.tip.y, 3),
                          fixed(spine.lengthMicrons, 4), fixed(spine.headDiameterMicrons, 4),
                          fixed(spine.neckDiameterMicrons, 4), String(spine.dendriteID)]
            text += csvLine(fields)
        }
        return text
    }

    /// One row of `dendrites.csv` for one rendered image, RFC 4180.
    public static func dendritesRow(group: String, fileName: String, image: RenderedImage) -> String {
        let spines = image.spines
        func count(_ c: SpineClass) -> String { String(spines.filter { $0.spineClass == c }.count) }
        return csvLine([group, fileName, fixed(image.micronsPerPixel, 4), fixed(image.shaftLengthMicrons, 3),
                        String(spines.count), count(.mushroom), count(.thin), count(.stubby),
                        fixed(image.psfSigmaMicrons, 4), image.densityPerMicron.map { fixed($0, 4) } ?? ""])
    }

    /// A CSV line ending in CRLF; fields holding a comma, quote or line break are quoted
    /// with inner quotes doubled (RFC 4180 section 2).
    public static func csvLine(_ fields: [String]) -> String {
        fields.map { field in
            // Bytes, not Characters: "\r\n" is a single Character in Swift.
            let needsQuotes = field.utf8.contains {
                $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n")
            }
            guard needsQuotes else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }

    /// `value` with `digits` decimals and a `.` decimal point, whatever the locale.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", locale: Locale(identifier: "en_US_POSIX"), value)
    }
}
