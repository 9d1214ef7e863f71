/// Whether a trace records what backward passes need.
///
/// Recording keeps the values every operation's gradient needs until the trace ends, so it is
/// off unless asked for: traces without it cost nothing extra.
public enum GradientMode: Sendable, Equatable {
    /// No recording (the default).
    case off
    /// Gradients of activations and of values computed from them.
    case activations
    /// Activations and every model parameter (by checkpoint name, e.g. `transformer.h.1.mlp.c_fc.weight`).
    case parameters
}
