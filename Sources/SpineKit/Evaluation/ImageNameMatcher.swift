/// Finds the report image an annotation file means by an image name.
///
/// Names are compared exactly first; when nothing matches, by their last path component on both
/// sides (a truth file may say `img1.png` where the report says `set1/img1.png`, or the reverse).
/// When several images match and the annotation names a group, the one of that group is taken.
struct ImageNameMatcher {
    enum Outcome: Equatable {
        case found(Int)
        case none
        case ambiguous([Int])
    }

    private var byName = [String: [Int]]()
    private var byLastComponent = [String: [Int]]()
    private var groups: [String?]

    /// `entries` are the candidates' (group, image name), indexed by position.
    init(entries: [(group: String?, image: String)]) {
        groups = entries.map(\.group)
        for (index, entry) in entries.enumerated() {
            byName[entry.image, default: []].append(index)
            byLastComponent[Self.lastComponent(entry.image), default: []].append(index)
        }
    }

    func find(image: String, group: String?) -> Outcome {
        var candidates = byName[image] ?? []
        if candidates.isEmpty { candidates = byLastComponent[Self.lastComponent(image)] ?? [] }
        if candidates.count > 1, let group {
            let sameGroup = candidates.filter { groups[$0] == group }
            if !sameGroup.isEmpty { candidates = sameGroup }
        }
        switch candidates.count {
        case 0: return .none
        case 1: return .found(candidates[0])
        default: return .ambiguous(candidates)
        }
    }

    static func lastComponent(_ name: String) -> String {
        String(name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? Substring(name))
    }
}
