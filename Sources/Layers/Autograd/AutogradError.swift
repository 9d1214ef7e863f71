/// Why a gradient could not be computed or looked up.
public enum AutogradError: Error, CustomStringConvertible, Equatable {
    /// `backward` needs a single value (shape `[]` or `[1]`); this tensor has another shape.
    case notScalar(shape: [Int])
    /// The tensor is a constant for autodiff: not watched, and not computed from a watched one.
    case notTracked
    /// The tensor or node was recorded on another ``GradientTape`` than the one asked.
    case differentTape
    /// An earlier `backward` without `retainGraph: true` freed the values this walk needs.
    case graphFreed
    /// The node was recorded after the `backward` that produced these gradients.
    case recordedAfterBackward(node: Int)
    /// A gradient edit returned a tensor of another shape than the node's value.
    case editChangedShape(node: Int, expected: [Int], got: [Int])
    /// No parameter of that name was watched on the tape.
    case unknownParameter(String)

    /// What went wrong and why, in one sentence.
    public var description: String {
        switch self {
        case .notScalar(let shape):
            return "backward needs a scalar (shape [] or [1]), got shape \(shape); reduce it first, e.g. with sum() or mean()"
        case .notTracked:
            return "the tensor is not tracked: it was neither watched on a GradientTape nor computed from a watched tensor"
        case .differentTape:
            return "the tensor was recorded on a different GradientTape than the one asked"
        case .graphFreed:
            return "the graph was freed by an earlier backward; pass retainGraph: true to the first backward to run backward again"
        case .recordedAfterBackward(let node):
            return "node \(node) was recorded after the backward that computed these gradients"
        case .editChangedShape(let node, let expected, let got):
            return "a gradient edit at node \(node) changed the gradient's shape from \(expected) to \(got)"
        case .unknownParameter(let name):
            return "no parameter named \"\(name)\" was watched on this tape"
        }
    }
}
