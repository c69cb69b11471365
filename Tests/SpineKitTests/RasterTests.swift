import Testing
@testable import SpineKit

@Test func rasterAsciiRoundTrip() {
    let m = BinaryMask(ascii: ["..#", "###"])
    #expect(m.ascii == ["..#", "###"])
    #expect(m.foregroundCount == 4)
}
