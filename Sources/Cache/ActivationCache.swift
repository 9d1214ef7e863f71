import SwiftSightHooks
import SwiftSightLayers

/// Activations collected during a forward pass, keyed by the original module names.
///
/// Keys are nnsight envoy paths (`model.transformer.h.0`); lookups also accept the path
/// without `model.`. Each entry holds the module's output and, when recorded, its input.
/// Entries keep forward order.
public struct ActivationCache: Sendable {
    /// What was recorded for one module.
    public struct Entry: Sendable {
        /// The module's input, if it was recorded.
        public var input: Tensor?
        /// The module's output, if it was recorded.
        public var output: Tensor?
    }

    /// The naming table the keys come from.
    package let naming: ModuleNaming
    private var entries: [String: Entry] = [:]
    private var order: [String] = []

    /// An empty cache for a model named by `naming`.
    package init(naming: ModuleNaming) { self.naming = naming }

    /// Module paths in forward order (`model.transformer.wte`, `model.transformer.h.0`, ...).
    public var keys: [String] { order }

    /// The entry of a module, by envoy path with or without the `model.` prefix. O(1).
    public subscript(module: String) -> Entry? {
        entries[module] ?? entries["model." + module]
    }

    /// The value recorded for a hook point, if any. O(1).
    public subscript(point: HookPoint) -> Tensor? {
        let (path, side) = naming.module(of: point)
        let entry = entries["model." + path]
        return side == .input ? entry?.input : entry?.output
    }

    /// Records `value` for `point` (the value is shared, not copied: tensors are copy-on-write).
    package mutating func record(_ value: Tensor, at point: HookPoint) {
        let (path, side) = naming.module(of: point)
        let key = "model." + path
        if entries[key] == nil { order.append(key) }
        switch side {
        case .input: entries[key, default: Entry()].input = value
        case .output: entries[key, default: Entry()].output = value
        }
    }

    /// Every recorded value as (envoy key, tensor), such as (`model.transformer.h.0.output`, ...),
    /// in forward order, inputs before outputs.
    package var flattened: [(key: String, value: Tensor)] {
        order.flatMap { key -> [(key: String, value: Tensor)] in
            let e = entries[key]
            return [e?.input.map { (key + ".input", $0) }, e?.output.map { (key + ".output", $0) }].compactMap { $0 }
        }
    }
}
