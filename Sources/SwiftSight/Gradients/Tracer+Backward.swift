import SwiftSightHooks
import SwiftSightLayers

extension Tracer {
    /// Runs a backward pass from `scalar` (built from values read in this trace), like
    /// nnsight's `with loss.backward():`.
    ///
    /// - Parameters:
    ///   - retainGraph: keep what backward needs so another backward can follow; without it, a
    ///     second backward fails with ``AutogradError/graphFreed``.
    ///   - editing: changes the gradient flowing through a point this invoke has read (e.g.
    ///     `[.mlpOutput(1): { $0 = try Tensor.zeros($0.shape) }]`); gradients upstream of it see the change.
    /// - Returns: gradients of the values read before this call (``TraceGradients/gradient(at:)``)
    ///   and of any value they were computed from or into.
    /// - Throws: ``TraceError/gradientsNotRecorded`` if the trace was not started with gradients;
    ///   ``TraceError/notReadBeforeBackward(_:)`` for an edit at a point not read; ``AutogradError``
    ///   (``AutogradError/notScalar(shape:)`` for a `scalar` of another shape,
    ///   ``AutogradError/editChangedShape(node:expected:got:)`` for an edit that changes a shape);
    ///   what an edit throws, such as a ``TensorError``. The model stays usable after any of them.
    public func backward(_ scalar: Tensor, retainGraph: Bool = false,
                         editing: [HookPoint: @Sendable (inout Tensor) throws -> Void] = [:]) async throws -> TraceGradients {
        guard let tape = bus.tape else { throw TraceError.gradientsNotRecorded }
        let reads = bus.reads(invoke: invoke)
        var edits: [GradientNodeID: @Sendable (inout Tensor) throws -> Void] = [:]
        for (point, edit) in editing {
            guard let node = reads[point]?.gradientNode else { throw TraceError.notReadBeforeBackward(point) }
            edits[node] = edit
        }
        // Gradients can only be asked for values read before this backward (nnsight's rule), so
        // the walk can stop at the earliest of them, across every invoke of the trace.
        let floor = bus.allReads().compactMap(\.gradientNode).min()
        let nodeEdits = edits
        let gradients = try await worker.run {
            try tape.backward(scalar, retainGraph: retainGraph, gradientEdits: nodeEdits, floor: floor)
        }
        return TraceGradients(gradients: gradients, reads: reads)
    }
}
