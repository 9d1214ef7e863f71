import Hooks
import Layers
import Models

/// Runs forward passes of one model on a dedicated compute thread.
///
/// The runner is an actor so forward passes of one model never overlap (OpenBLAS already uses
/// every core for one large product); it runs on its own ``ComputeThread`` so the blocking BLAS
/// work stays off the cooperative thread pool.
public actor ModelRunner {
    /// The model this runner computes.
    public nonisolated let model: any TransformerModel
    private nonisolated let thread: ComputeThread

    /// A runner for `model` with its own compute thread.
    public init(model: any TransformerModel) {
        self.model = model
        self.thread = ComputeThread(name: "swiftsight.\(model.info.modelType)")
    }

    deinit { thread.shutdown() }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// The logits of `batch`, [batch, length, vocab]; `hook` sees every point in forward order.
    public func forward(_ batch: TokenBatch, hook: HookHandler = { _, _ in }) async throws -> Tensor {
        try batch.validate(for: model.info)
        return try await ForwardPass.run(model, batch, hook: hook)
    }
}
