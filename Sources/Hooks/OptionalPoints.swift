/// Which optional hook points the computation running in this task must produce.
///
/// Some points cost memory or time to produce (attention probabilities are
/// batch · heads · seq² floats), so a block produces them only when someone will take them. The
/// pipeline sets ``wanted`` around each block it computes (from ``HookBus/wants(_:)``); a
/// block asks with ``wants(_:)`` right before it would fire the point. Outside the pipeline
/// (a bare forward pass) nothing optional is wanted.
public enum OptionalPoints {
    /// Answers whether a point is wanted; by default nothing is.
    @TaskLocal public static var wanted: @Sendable (HookPoint) -> Bool = { _ in false }

    /// Whether `point` is wanted by the computation running in this task.
    public static func wants(_ point: HookPoint) -> Bool { wanted(point) }
}
