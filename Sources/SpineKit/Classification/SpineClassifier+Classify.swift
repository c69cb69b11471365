extension SpineClassifier {
    /// Relative slack of the ratio tests (1e-9): far below any measurable difference, above
    /// the rounding of a division.
    static let ratioTolerance = 1e-9

    /// The class of a spine with the given head diameter, neck diameter (`nil` when the spine
    /// is too short to show a neck) and length, all in microns.
    public func classify(headDiameterMicrons head: Double, neckDiameterMicrons neck: Double?,
                         lengthMicrons length: Double) -> SpineClass {
        /// `a / b` at least (at most) `ratio`, allowing for rounding: in binary floating point
        /// 0.44 / 0.40 is 1.0999999999999999, and a ratio that is the threshold must meet it.
        func ratio(_ a: Double, _ b: Double, atLeast ratio: Double) -> Bool { a >= ratio * b * (1 - Self.ratioTolerance) }
        func ratio(_ a: Double, _ b: Double, atMost ratio: Double) -> Bool { a <= ratio * b * (1 + Self.ratioTolerance) }
        let hasNeck: Bool
        if let neck, neck > 0 {
            hasNeck = ratio(head, neck, atLeast: rules.neckRatio)
        } else {
            hasNeck = neck == 0 && head > 0
        }
        switch rules.scheme {
        case .neuronstudio:
            if hasNeck { return head >= rules.mushroomHeadMicrons ? .mushroom : .thin }
            // A head narrower than the blur resolves (0) on a spine of countable length is
            // infinitely long for its width: thin, as Harris's rules also call it.
            guard head > 0 else { return .thin }
            return ratio(length, head, atLeast: rules.thinRatio) ? .thin : .stubby
        case .harris:
            let width = Swift.max(head, neck ?? head)
            if width > 0, ratio(length, width, atMost: rules.thinRatio) { return .stubby }
            if head > rules.mushroomHeadMicrons && hasNeck { return .mushroom }
            return .thin
        }
    }
}
