/// Which layers of a model attend through a sliding window: a rule, not a per-layer list, so a
/// config's layer count allocates nothing before the checkpoint confirms it.
package enum SlidingWindowLayout: Sendable, Equatable {
    /// Every layer fully causal.
    case fullyCausal
    /// Every layer with this window (Mistral).
    case everyLayer(Int)
    /// Layers from `first` on with `window` (Qwen2's `max_window_layers`).
    case fromLayer(Int, window: Int)
    /// Even layers (0, 2, …) with this window, odd ones fully causal (Gemma 2's default
    /// `layer_types`).
    case alternating(Int)
    /// One entry per layer (Qwen2's `layer_types`, as long as the file's list).
    case perLayer([Int?])

    /// The window of layer `layer`, nil where it is fully causal.
    package func window(forLayer layer: Int) -> Int? {
        switch self {
        case .fullyCausal: nil
        case .everyLayer(let window): window
        case let .fromLayer(first, window): layer >= first ? window : nil
        case .alternating(let window): layer % 2 == 0 ? window : nil
        case .perLayer(let windows): windows.indices.contains(layer) ? windows[layer] : nil
        }
    }
}
