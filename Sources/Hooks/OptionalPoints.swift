/// Which optional hook points the computation running in this task must produce.
///
/// Some points cost memory or time to produce (attention probabilities are
/// batch · heads · seq² floats), so a block produces them only when someone will take them. The
/// pipeline sets ``wanted`` around each block it computes (from ``HookBus/wants(_:)``); a
/// block asks with ``wants(_:)`` right before it would fire the point. Outside the pipeline
/// (a bare forward pass) nothing optional is wanted.
public enum OptionalPoints {
    /// Answers whether a point is wanted; by default nothing is.
    @TaskLocal public static var wanted = Wanted { _ in false }

    /// The closure wrapped in a struct: with the closure itself as the task-local value, release
    /// builds crashed in swift_task_localValuePush (Swift 6.3.1, seen here).
    public struct Wanted: Sendable {
        public let test: @Sendable (HookPoint) -> Bool
        public init(_ test: @escaping @Sendable (HookPoint) -> Bool) { self.test = test }
    }

    /// Whether `point` is wanted by the computation running in this task.
    public static func wants(_ point: HookPoint) -> Bool { wanted.test(point) }
}
