extension SpineClassifier {
    /// The class of a spine with the given head diameter, neck diameter (`nil` when the spine
    /// is too short to show a neck) and length, all in microns.
    public func classify(headDiameterMicrons head: Double, neckDiameterMicrons neck: Double?,
                         lengthMicrons length: Double) -> SpineClass {
        let hasNeck: Bool
        if let neck, neck > 0 {
            hasNeck = head / neck >= rules.neckRatio
        } else {
            hasNeck = neck == 0 && head > 0
        }
        switch rules.scheme {
        case .neuronstudio:
            if hasNeck { return head >= rules.mushroomHeadMicrons ? .mushroom : .thin }
            // A head narrower than the blur resolves (0) on a spine of countable length is
            // infinitely long for its width: thin, as Harris's rules also call it.
            guard head > 0 else { return .thin }
            return length / head >= rules.thinRatio ? .thin : .stubby
        case .harris:
            let width = Swift.max(head, neck ?? head)
            if width > 0, length / width <= rules.thinRatio { return .stubby }
            if head > rules.mushroomHeadMicrons && hasNeck { return .mushroom }
            return .thin
        }
    }
}
