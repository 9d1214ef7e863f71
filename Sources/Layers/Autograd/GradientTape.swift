import Synchronization

/// Maps the gradient of an operation's result to the gradients of its inputs, in input order;
/// nil for an input that needs none (a constant). Runs during backward on untracked tensors only.
typealias Pullback = @Sendable (Tensor) -> [Tensor?]

/// One recorded value: where it came from and how to send its gradient back.
struct TapeNode: Sendable {
    /// The node of each input of the operation, nil for a constant input.
    var inputs: [Int?]
    /// Nil for leaves (watched tensors) and for nodes whose saved values were freed.
    var pullback: Pullback?
    /// Set when a backward without `retainGraph` dropped the pullback (and what it captured).
    var isFreed = false
}

/// Numbers tapes so node ids from different tapes never compare equal.
private let nextTapeID = Atomic<UInt64>(1)

/// Records operations on tracked tensors; one per trace that wants gradients.
///
/// ``watch(_:)`` makes a tensor a leaf on the tape; every operation with a tracked input then
/// records its result as a node holding its inputs' ids and a pullback closure that captures
/// what the backward pass needs. Operations whose inputs are all untracked record nothing.
/// ``backward(_:retainGraph:gradientEdits:)`` walks the nodes from a scalar down to the
/// earliest one that receives a gradient.
///
/// Recording is thread-safe (a mutex guards the node list), though a trace records from one
/// place at a time. Pullbacks compute first-order gradients only: they run on constants, so
/// the backward pass is not itself recorded (no higher-order gradients).
///
/// Model code and the bus use it; users take gradients through a trace (`gradients:`,
/// `t.backward`).
package final class GradientTape: Sendable {
    struct State: Sendable {
        var nodes: [TapeNode] = []
        /// The shape of each node's value, for zero gradients and shape checks.
        var shapes: [[Int]] = []
        /// Watched parameters by name.
        var parameters: [String: Int] = [:]
    }

    /// This tape's unique number (part of every ``GradientNodeID`` on it).
    package let id: UInt64
    /// Whether model parameters should be watched (``watchParameter(_:name:)``) so that their
    /// gradients are computed. Off by default: weight gradients cost as much as the input ones.
    package let parameterGradients: Bool
    private let state = Mutex(State())

    /// A new, empty tape. With `parameterGradients`, ``watchParameter(_:name:)`` tracks the
    /// tensors it is given; without, it returns them untouched (constants, no extra cost).
    package init(parameterGradients: Bool = false) {
        self.id = nextTapeID.add(1, ordering: .relaxed).oldValue
        self.parameterGradients = parameterGradients
    }

    /// Number of nodes recorded so far (leaves included).
    package var nodeCount: Int { state.withLock { $0.nodes.count } }

    /// A leaf: `tensor` as a tracked value on this tape (gradients can be asked for it).
    ///
    /// Watching a tensor already tracked on this tape records an identity node after it, so the
    /// result's gradient still flows to what the tensor came from. A tensor tracked on another
    /// tape becomes a fresh leaf here. O(1): the values are shared, not copied.
    package func watch(_ tensor: Tensor) -> Tensor {
        if let link = tensor.link, link.tape === self {
            return append(tensor, inputs: [link.index], pullback: { [$0] })
        }
        return append(tensor, inputs: [], pullback: nil)
    }

    /// Watches a model parameter under `name` when ``parameterGradients`` is on (its gradient
    /// is then in ``Gradients/parameterGradient(_:)``); returns `tensor` unchanged otherwise.
    package func watchParameter(_ tensor: Tensor, name: String) -> Tensor {
        guard parameterGradients else { return tensor }
        let watched = watch(tensor)
        if let index = watched.link?.index { state.withLock { $0.parameters[name] = index } }
        return watched
    }

    /// Appends a node for `value` and returns `value` tracked on it.
    func append(_ value: Tensor, inputs: [Int?], pullback: Pullback?) -> Tensor {
        let index = state.withLock { s in
            s.nodes.append(TapeNode(inputs: inputs, pullback: pullback))
            s.shapes.append(value.shape)
            return s.nodes.count - 1
        }
        var tracked = value
        tracked.link = GradientLink(tape: self, index: index)
        return tracked
    }

    /// Backward from a scalar (shape `[]` or `[1]`) tracked on this tape.
    ///
    /// Walks node ids downward from the scalar's node, summing each node's gradient over its
    /// uses, and stops at the lowest node that received a gradient (nodes that lead nowhere are
    /// not visited). Gradients are those of Float32 math with PyTorch's formulas.
    ///
    /// - Parameters:
    ///   - retainGraph: keep the saved values so that another backward can walk the same nodes.
    ///     Without it, every node this walk went through drops its saved tensors, and a later
    ///     backward reaching one of them throws ``AutogradError/graphFreed``.
    ///   - gradientEdits: called with the complete gradient of a node when the walk reaches it,
    ///     before it propagates further (to zero or scale the gradient flowing through one
    ///     activation). The edited gradient is what flows on and what ``Gradients`` reports for
    ///     that node. Nodes that receive no gradient are not reached, so their edits never run.
    ///   - floor: the earliest node whose gradient anyone will ask for. Nodes before it are not
    ///     visited, which is what makes a gradient at layer 1 cheaper than one at the embeddings.
    ///     Nil walks as far as gradients reach (always so when parameters are watched).
    /// - Throws: ``AutogradError`` if `scalar` is not a scalar tracked on this tape, if an edit
    ///   changes a shape or throws itself, or if the graph was freed.
    /// - Complexity: each reached node's pullback once (about twice the forward cost of the
    ///   operations between the scalar and the earliest reached node).
    package func backward(
        _ scalar: Tensor, retainGraph: Bool = false,
        gradientEdits: [GradientNodeID: @Sendable (inout Tensor) throws -> Void] = [:],
        floor: GradientNodeID? = nil
    ) throws -> Gradients {
        let floorIndex = parameterGradients ? 0 : (floor.map { $0.tapeID == id ? $0.index : 0 } ?? 0)
        guard let link = scalar.link else { throw AutogradError.notTracked }
        guard link.tape === self else { throw AutogradError.differentTape }
        guard scalar.count == 1, scalar.rank <= 1 else { throw AutogradError.notScalar(shape: scalar.shape) }
        var edits: [Int: @Sendable (inout Tensor) throws -> Void] = [:]
        for (node, edit) in gradientEdits {
            guard node.tapeID == id else { throw AutogradError.differentTape }
            edits[node.index] = edit
        }
        // A snapshot: the walk runs without the lock (pullbacks may take long, and the arrays
        // are copy-on-write, so recording meanwhile does not disturb it).
        let (nodes, shapes, parameters) = state.withLock { ($0.nodes, $0.shapes, $0.parameters) }

        var gradients: [Int: Tensor] = [link.index: Tensor(uncheckedShape: scalar.shape, repeating: 1)]
        var reached: [Int] = []
        var lowest = link.index
        var i = link.index
        while i >= lowest {
            defer { i -= 1 }
            guard var g = gradients[i] else { continue }
            if let edit = edits[i] {
                try edit(&g)
                guard g.shape == shapes[i] else {
                    throw AutogradError.editChangedShape(node: i, expected: shapes[i], got: g.shape)
                }
                g = g.detached()
                gradients[i] = g
            }
            let node = nodes[i]
            if node.isFreed { throw AutogradError.graphFreed }
            guard let pullback = node.pullback else { continue }
            reached.append(i)
            for (input, inputGradient) in zip(node.inputs, pullback(g)) {
                guard let input, let inputGradient, input >= floorIndex else { continue }
                // Internal invariant: a pullback returns gradients of its inputs' shapes (user edits are checked above).
                precondition(inputGradient.shape == shapes[input],
                             "pullback of node \(i) gave a gradient of shape \(inputGradient.shape) for node \(input) of shape \(shapes[input])")
                if gradients[input] == nil {
                    gradients[input] = inputGradient
                } else {
                    // Copy-on-write makes this safe when the gradient shares storage elsewhere.
                    gradients[input]?.accumulate(inputGradient)
                }
                lowest = Swift.min(lowest, input)
            }
        }
        if !retainGraph {
            state.withLock { s in
                for r in reached {
                    s.nodes[r].pullback = nil
                    s.nodes[r].isFreed = true
                }
            }
        }
        return Gradients(tapeID: id, gradients: gradients, shapes: shapes, parameters: parameters)
    }
}
