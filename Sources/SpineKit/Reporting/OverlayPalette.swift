/// An 8-bit sRGB colour for overlays.
public struct OverlayColor: Sendable, Equatable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }
}

/// The overlay colours: the Okabe-Ito palette, distinguishable with every common
/// form of colour blindness (Okabe & Ito 2008, "Color Universal Design"; Wong 2011,
/// Nature Methods 8:441).
///
/// The three classes use the palette's most saturated members that stay visible on
/// a grey image from black to white: orange, sky blue and reddish purple. Shafts use
/// bluish green, so that no class colour is confused with a shaft.
public enum OverlayPalette {
    public static let mushroom = OverlayColor(red: 230, green: 159, blue: 0)     // orange
    public static let thin = OverlayColor(red: 86, green: 180, blue: 233)        // sky blue
    public static let stubby = OverlayColor(red: 204, green: 121, blue: 167)     // reddish purple
    public static let dendrite = OverlayColor(red: 0, green: 158, blue: 115)     // bluish green
    public static let legendText = OverlayColor(red: 255, green: 255, blue: 255)

    public static func color(for spineClass: SpineClass) -> OverlayColor {
        switch spineClass {
        case .mushroom: mushroom
        case .thin: thin
        case .stubby: stubby
        }
    }
}
