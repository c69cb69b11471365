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

    /// Sizes read back from the CSV (three decimals) can sit exactly on a threshold, where the
    /// division's rounding must not decide: 0.44 / 0.40 is 1.0999999999999999 in binary.
    @Test func ratiosOnAThresholdMeetIt() {
        #expect(neuronstudio.classify(headDiameterMicrons: 0.44, neckDiameterMicrons: 0.40, lengthMicrons: 0.8) == .mushroom)
        #expect(neuronstudio.classify(headDiameterMicrons: 0.44, neckDiameterMicrons: 0.401, lengthMicrons: 0.8) == .stubby)
        // length / head = 2.5 exactly, for a head without a neck: thin.
        #expect(neuronstudio.classify(headDiameterMicrons: 0.3, neckDiameterMicrons: nil, lengthMicrons: 0.75) == .thin)
        // Harris: length / width = 1 exactly is stubby.
        #expect(harris.classify(headDiameterMicrons: 0.7, neckDiameterMicrons: 0.7, lengthMicrons: 0.7) == .stubby)
        var pairs = 0, failures = 0
        for neck in stride(from: 100, through: 599, by: 10) {
            // Pairs exactly at 1.1 in decimal (three places), as a report gives them.
            let n = Double(neck) / 1000, head = Double(11 * neck / 10) / 1000
            pairs += 1
            // Short, so that no neck would make it stubby rather than thin by its length.
            let expected: SpineClass = head >= 0.35 ? .mushroom : .thin
            if neuronstudio.classify(headDiameterMicrons: head, neckDiameterMicrons: n, lengthMicrons: 0.5) != expected {
                failures += 1
            }
        }
        #expect(pairs == 50 && failures == 0, "\(failures) of \(pairs)")
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
