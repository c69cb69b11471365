import Foundation
import Testing
@testable import SpineKit

// Widths measured straight across a process (Tracing/CrossSection.swift).

@Suite("Cross-section widths")
struct CrossSectionTests {
    /// A vertical line of Gaussian profile (sigma in pixels) centred at column `centre`.
    static func line(width: Int = 40, height: Int = 40, centre: Double, sigma: Double) -> GrayImage {
        var image = GrayImage(width: width, height: height, repeating: 0)
        for y in 0..<height {
            for x in 0..<width {
                let d = Double(x) - centre
                image[x: x, y: y] = Float(1000 * exp(-d * d / (2 * sigma * sigma)))
            }
        }
        return image
    }

    /// The centreline as a tracer on whole pixels gives it: straight down column `column`.
    static func path(column: Int, height: Int = 40) -> ShaftTracer.Path {
        let points = (2..<(height - 2)).map { PixelPoint(x: Double(column), y: Double($0)) }
        return ShaftTracer.Path(pixels: points.map { Int($0.y) * 40 + column }, points: points,
                                lengthPixels: ShaftTracer.arcLength(points))
    }

    @Test(arguments: [0.0, 0.3, 0.5])
    func theHalfWidthDoesNotDependOnWhereTheCentrelineSits(offset: Double) throws {
        let sigma = 1.2
        let image = Self.line(centre: 20 + offset, sigma: sigma)
        let halfWidth = try #require(CrossSection.medianHalfWidth(along: Self.path(column: 20), in: image,
                                                                  tangentHalfWindow: 2, reachPixels: 10))
        // HWHM of a Gaussian: sigma sqrt(2 ln 2). Bilinear samples lower a peak that lies
        // between pixels (to 0.92 of it here, with the line half a pixel off), which widens
        // the half maximum by up to 0.09 px; a centreline half a pixel off the middle widened
        // the shaft model's pooled radius by about half a pixel.
        let expected = sigma * (2 * log(2.0)).squareRoot()
        #expect(abs(halfWidth - expected) < 0.1, "half width \(halfWidth) px with the line \(offset) px off, expected \(expected)")
    }

    @Test func aProfileThatNeverFallsToHalfHasNoWidth() {
        let flat = GrayImage(width: 40, height: 40, repeating: 500)
        #expect(CrossSection.medianHalfWidth(along: Self.path(column: 20), in: flat, tangentHalfWindow: 2, reachPixels: 10) == nil)
        // Nor does an empty image (no peak above zero).
        let dark = GrayImage(width: 40, height: 40, repeating: 0)
        #expect(CrossSection.medianHalfWidth(along: Self.path(column: 20), in: dark, tangentHalfWindow: 2, reachPixels: 10) == nil)
    }

    @Test func aLineBeyondTheReachHasNoWidth() {
        // Half maximum 3.5 px out; the profile is followed only 2 px.
        let image = Self.line(centre: 20, sigma: 3)
        #expect(CrossSection.medianHalfWidth(along: Self.path(column: 20), in: image, tangentHalfWindow: 2, reachPixels: 2) == nil)
    }

    @Test func notANumberInTheProfileIsSkipped() throws {
        var image = Self.line(centre: 20, sigma: 1.2)
        for y in 0..<40 { image[x: 21, y: y] = .nan }
        // Every profile crosses the NaN column on one side: no point gives a width.
        #expect(CrossSection.medianHalfWidth(along: Self.path(column: 20), in: image, tangentHalfWindow: 2, reachPixels: 10) == nil)
        // With NaN in a few rows only, the others give the width.
        var some = Self.line(centre: 20, sigma: 1.2)
        for y in 0..<5 { some[x: 21, y: y] = .nan }
        let halfWidth = try #require(CrossSection.medianHalfWidth(along: Self.path(column: 20), in: some,
                                                                  tangentHalfWindow: 2, reachPixels: 10))
        #expect(halfWidth.isFinite && abs(halfWidth - 1.2 * (2 * log(2.0)).squareRoot()) < 0.1)
    }
}
