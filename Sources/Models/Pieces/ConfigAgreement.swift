import SwiftSightCheckpoint
import Foundation

/// Checks a config's sizes against the checkpoint's tensors, which each model runs before it
/// builds anything sized by the config.
///
/// The tensors' shapes come from the safetensors headers, already read and bounded, so these
/// checks cost a few dictionary lookups. A layer count, width or vocabulary the weights do not
/// have becomes ``CheckpointError/configDisagreesWithWeights(path:key:value:detail:)`` naming
/// the config key and the tensor, instead of a loop over two billion layers or a table sized by
/// a `head_dim` no tensor has. A tensor that is absent is left to the load that follows, which
/// names it.
struct ConfigAgreement {
    let weights: CheckpointWeights

    /// The config.json beside the weights, where the values came from.
    var configPath: String { weights.directory.appendingPathComponent("config.json").path }

    /// Throws unless the checkpoint has `probe(i)` for every layer i below `count` (the config's
    /// `key`). At most one more probe than the checkpoint has tensors, however large `count`:
    /// the probes name distinct tensors, so one of the first `keys.count + 1` must be missing.
    func layers(_ count: Int, key: String, probe: (Int) -> String) throws(CheckpointError) {
        for layer in 0..<min(count, weights.keys.count + 1) where !weights.contains(probe(layer)) {
            throw .configDisagreesWithWeights(
                path: configPath, key: key, value: String(count),
                detail: "\(weights.source.path) has no tensor \"\(probe(layer))\", so layer \(layer) is missing "
                    + "(the checkpoint has \(layer == 1 ? "1 layer" : "\(layer) layers") before it)")
        }
    }

    /// Throws unless axis `axis` of `tensor` is `expected`, the config's `key` (whose value is
    /// `value`, when `expected` is computed from it, as `what`).
    func extent(_ tensor: String, axis: Int, is expected: Int, key: String, value: Int? = nil,
                as what: String? = nil) throws(CheckpointError) {
        guard let shape = weights.info(tensor)?.shape else { return }
        guard axis < shape.count, shape[axis] == expected else {
            let file = weights.file(for: tensor)?.path ?? weights.source.path
            throw .configDisagreesWithWeights(
                path: configPath, key: key, value: String(value ?? expected),
                detail: "\(what.map { "\($0) is \(expected), but " } ?? "")tensor \"\(tensor)\" in \(file) has shape \(shape)"
                    + (axis < shape.count ? " (\(shape[axis]) on axis \(axis))" : ""))
        }
    }
}
