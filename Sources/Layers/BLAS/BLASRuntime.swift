import SwiftSightCOpenBLAS

/// What OpenBLAS is running with, and how its kernel was chosen.
public struct BLASRuntime: Sendable, CustomStringConvertible {
    /// How the active kernel was chosen.
    public enum Origin: String, Sendable {
        /// OpenBLAS recognised the CPU itself.
        case openBLAS = "detected by OpenBLAS"
        /// The user's `OPENBLAS_CORETYPE` was respected.
        case environment = "from OPENBLAS_CORETYPE"
        /// SwiftSight replaced OpenBLAS's generic fallback with a kernel matching the CPU.
        case swiftSight = "selected by SwiftSight"
    }

    /// The active kernel, as `openblas_get_corename()` reports it (e.g. `Cooperlake`).
    public let coreName: String
    /// How `coreName` was chosen.
    public let origin: Origin
    /// The kernel OpenBLAS had picked before SwiftSight replaced it, if it did.
    public let replacedCoreName: String?
    /// OpenBLAS worker threads.
    public let threads: Int
    /// OpenBLAS's build configuration string.
    public let configuration: String

    /// The runtime as it is now. Reading it makes sure the kernel choice has happened.
    public static var current: BLASRuntime {
        let origin = swiftsight_openblas_select_core()
        let replaced = String(cString: swiftsight_openblas_original_core())
        return BLASRuntime(
            coreName: openblas_get_corename().map { String(cString: $0) } ?? "unknown",
            origin: origin == swiftsight_core_selected ? .swiftSight
                : origin == swiftsight_core_environment ? .environment : .openBLAS,
            replacedCoreName: replaced.isEmpty ? nil : replaced,
            threads: Int(openblas_get_num_threads()),
            configuration: openblas_get_config().map { String(cString: $0) } ?? "unknown")
    }

    /// One line such as `OpenBLAS core Cooperlake (selected by SwiftSight, replacing Prescott), 2 threads`.
    public var description: String {
        let replaced = replacedCoreName.map { ", replacing \($0)" } ?? ""
        return "OpenBLAS core \(coreName) (\(origin.rawValue)\(replaced)), \(threads) threads"
    }
}
