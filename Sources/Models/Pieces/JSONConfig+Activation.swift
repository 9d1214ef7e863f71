import SwiftSightCheckpoint
import SwiftSightLayers

extension JSONConfig {
    /// The activation named at `key` (`hidden_act`, `activation_function`), `defaultName` when
    /// absent; an unknown name is an error naming the key and listing the supported ones.
    func activation(_ key: String, default defaultName: String) throws(CheckpointError) -> Activation {
        let name = try string(key, default: defaultName)
        guard let activation = Activation(configName: name) else {
            throw invalid(key, name, "supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return activation
    }
}
