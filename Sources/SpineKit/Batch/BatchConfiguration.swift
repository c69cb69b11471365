import Foundation

/// How every image of a batch is read and analysed.
public struct BatchConfiguration: Sendable {
    /// Microns per pixel from `--pixel-size`; when `nil`, each PNG's pHYs chunk is used.
    public var pixelSizeMicrons: Double?
    /// How colour images become one intensity channel.
    public var channel: ChannelSelection
    public var parameters: AnalysisParameters
    /// Images with more pixels are refused before their pixels are decoded.
    public var maxPixels: Int
    /// Images analysed at the same time.
    public var threads: Int
    /// Whether to write an annotated PNG for each analysed image.
    public var writesOverlays: Bool
    public var overlayStyle: OverlayStyle

    public init(pixelSizeMicrons: Double? = nil, channel: ChannelSelection = .max,
                parameters: AnalysisParameters = AnalysisParameters(),
                maxPixels: Int = PNGCodec.defaultMaxPixels,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                writesOverlays: Bool = true, overlayStyle: OverlayStyle = OverlayStyle()) {
        self.pixelSizeMicrons = pixelSizeMicrons
        self.channel = channel
        self.parameters = parameters
        self.maxPixels = maxPixels
        self.threads = threads
        self.writesOverlays = writesOverlays
        self.overlayStyle = overlayStyle
    }
}
