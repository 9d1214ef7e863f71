/// The error a run that failed with `error` reports: `CancellationError` when the calling task
/// has been cancelled, `error` otherwise.
///
/// Cancellation reaches the parts of a run (the stage tasks, the interventions, the bus's waits)
/// in no fixed order, so the first error a task group sees may be a consequence of the
/// cancellation rather than the cancellation itself: an intervention's request failing because
/// the pass ended, an intervention's own error when its `Task.sleep` threw. The caller asked to
/// cancel, and that is what it is told.
package func cancellationOr(_ error: any Error) -> any Error {
    Task.isCancelled ? CancellationError() : error
}
