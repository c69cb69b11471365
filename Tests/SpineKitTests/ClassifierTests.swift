import Testing
@testable import SpineKit

// NeuronStudio's and Harris's rules on measured sizes (microns).

@Suite("Spine classifier")
struct ClassifierTests {
    let neuronstudio = SpineClassifier(rules: .neuronstudio)
    let harris = SpineClassifier(rules: .harris)

    @Test func neuronstudioRules() {
        // Necked (head / neck >= 1.1): mushroom from a 0.35 um head, thin below it.
        #expect(neuronstudio.classify(headDiameterMicrons: 0.6, neckDiameterMicrons: 0.2, lengthMicrons: 1.5) == .mushroom)
        #expect(neuronstudio.classify(headDiameterMicrons: 0.35, neckDiameterMicrons: 0.3, lengthMicrons: 1.0) == .mushroom)
        #expect(neuronstudio.classify(headDiameterMicrons: 0.3, neckDiameterMicrons: 0.1, lengthMicrons: 1.5) == .thin)
        // A neck below resolution (0) is a neck.
        #expect(neuronstudio.classify(headDiameterMicrons: 0.5, neckDiameterMicrons: 0, lengthMicrons: 0.8) == .mushroom)
        // No neck (head / neck < 1.1, or none measured): thin when long for its width.
        #expect(neuronstudio.classify(headDiameterMicrons: 0.5, neckDiameterMicrons: 0.48, lengthMicrons: 0.6) == .stubby)
        #expect(neuronstudio.classify(headDiameterMicrons: 0.5, neckDiameterMicrons: nil, lengthMicrons: 1.2) == .stubby)
        #expect(neuronstudio.classify(headDiameterMicrons: 0.4, neckDiameterMicrons: nil, lengthMicrons: 1.0) == .thin)
        // A head below resolution on a spine of countable length: thin, never stubby.
        #expect(neuronstudio.classify(headDiameterMicrons: 0, neckDiameterMicrons: 0, lengthMicrons: 1.4) == .thin)
        #expect(neuronstudio.classify(headDiameterMicrons: 0, neckDiameterMicrons: nil, lengthMicrons: 0.5) == .thin)
    }

    @Test func harrisRules() {
        // Stubby when no longer than wide; mushroom needs a head over 0.6 um and a neck.
        #expect(harris.classify(headDiameterMicrons: 0.7, neckDiameterMicrons: 0.7, lengthMicrons: 0.6) == .stubby)
        #expect(harris.classify(headDiameterMicrons: 0.7, neckDiameterMicrons: 0.2, lengthMicrons: 1.5) == .mushroom)
        #expect(harris.classify(headDiameterMicrons: 0.5, neckDiameterMicrons: 0.2, lengthMicrons: 1.5) == .thin)
        #expect(harris.classify(headDiameterMicrons: 0, neckDiameterMicrons: 0, lengthMicrons: 1.4) == .thin)
    }

    @Test func overriddenThresholdsApply() {
        var rules = SpineClassifier.Rules.neuronstudio
        rules.mushroomHeadMicrons = 0.5
        let strict = SpineClassifier(rules: rules)
        #expect(strict.classify(headDiameterMicrons: 0.45, neckDiameterMicrons: 0.2, lengthMicrons: 1.5) == .thin)
        #expect(neuronstudio.classify(headDiameterMicrons: 0.45, neckDiameterMicrons: 0.2, lengthMicrons: 1.5) == .mushroom)
    }
}
