/// Runs blocking compute (a backward pass) on its own thread, off the cooperative pool.
public actor ComputeWorker {
    private nonisolated let thread: ComputeThread

    /// A worker with a thread named `name`.
    public init(name: String) { thread = ComputeThread(name: name) }

    deinit { thread.shutdown() }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// Runs `body` on the worker's thread and returns its result.
    public func run<T: Sendable>(_ body: @Sendable () throws -> T) throws -> T { try body() }
}
