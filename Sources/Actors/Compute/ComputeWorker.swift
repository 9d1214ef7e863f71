/// Runs blocking compute (a backward pass) on its own thread, off the cooperative pool.
package actor ComputeWorker {
    private nonisolated let thread: ComputeThread

    /// A worker with a thread named `name`.
    package init(name: String) { thread = ComputeThread(name: name) }

    deinit { thread.shutdown() }

    package nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// Runs `body` on the worker's thread and returns its result.
    package func run<T: Sendable>(_ body: @Sendable () throws -> T) throws -> T { try body() }
}
