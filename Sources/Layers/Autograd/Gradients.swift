/// The result of one ``GradientTape/backward(_:retainGraph:gradientEdits:)``: d(scalar)/d(value)
/// for every value recorded on the tape up to then.
package struct Gradients: Sendable {
    let tapeID: UInt64
    let gradients: [Int: Tensor]
    let shapes: [[Int]]
    let parameters: [String: Int]

    /// d(scalar)/d(tensor) for a tensor tracked on this tape, of the tensor's shape; zeros if it
    /// did not influence the scalar.
    /// - Throws: ``AutogradError/notTracked`` for an untracked tensor,
    ///   ``AutogradError/differentTape`` for one tracked elsewhere.
    package func gradient(of tensor: Tensor) throws -> Tensor {
        guard let node = tensor.gradientNode else { throw AutogradError.notTracked }
        return try gradient(of: node)
    }

    /// d(scalar)/d(value of `node`); zeros if it did not influence the scalar.
    /// - Throws: ``AutogradError/differentTape`` for a node of another tape,
    ///   ``AutogradError/recordedAfterBackward(node:)`` for one recorded after the backward.
    package func gradient(of node: GradientNodeID) throws -> Tensor {
        guard node.tapeID == tapeID else { throw AutogradError.differentTape }
        guard node.index >= 0, node.index < shapes.count else {
            throw AutogradError.recordedAfterBackward(node: node.index)
        }
        return gradients[node.index] ?? Tensor.zeros(unchecked: shapes[node.index])
    }

    /// Names of the parameters watched with ``GradientTape/watchParameter(_:name:)``, sorted.
    package var parameterNames: [String] { parameters.keys.sorted() }

    /// The gradient of the parameter watched under `name`; zeros if it did not influence the scalar.
    /// - Throws: ``AutogradError/unknownParameter(_:)`` if no parameter has that name.
    package func parameterGradient(_ name: String) throws -> Tensor {
        guard let index = parameters[name] else { throw AutogradError.unknownParameter(name) }
        return gradients[index] ?? Tensor.zeros(unchecked: shapes[index])
    }

    /// Every watched parameter's gradient by name (zeros for those that did not influence the
    /// scalar, allocated here). O(total parameter elements) for the zeros.
    package var parameterGradients: [String: Tensor] {
        parameters.mapValues { gradients[$0] ?? Tensor.zeros(unchecked: shapes[$0]) }
    }
}
