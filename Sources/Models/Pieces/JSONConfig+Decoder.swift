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

extension JSONConfig {
    /// `head_dim` when the config has it, else `hidden_size / num_attention_heads` (which must
    /// divide); the query width heads × head_dim is checked for overflow, so the model's
    /// products of them cannot trap. Errors name the key.
    func headDim(heads: Int, hiddenSize: Int) throws(CheckpointError) -> Int {
        let explicit = contains("head_dim")
        let headDim: Int
        if explicit {
            headDim = try positiveInt("head_dim")
        } else {
            guard hiddenSize % heads == 0 else {
                throw invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not divisible by it")
            }
            headDim = hiddenSize / heads
        }
        _ = try product(heads, headDim, key: explicit ? "head_dim" : "num_attention_heads",
                        value: explicit ? headDim : heads, "the query width num_attention_heads × head_dim")
        return headDim
    }
}
