/// The three morphological classes of Peters & Kaiserman-Abramof (1970), as used by
/// NeuronStudio (Rodriguez et al. 2008) and Harris et al. (1992).
public enum SpineClass: String, Sendable, CaseIterable, Codable, Hashable {
    case mushroom
    case thin
    case stubby
}
