/// Everything that can go wrong while reading or writing a checkpoint.
///
/// Every message names the file at fault and the key, tensor or value involved, in plain
/// English, so a user holding a broken download can tell what is wrong without a debugger.
/// Paths are stored as strings (not `URL`) so errors compare and print predictably.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The checkpoint directory does not exist.
    case directoryNotFound(path: String)
    /// The path exists but is a file, not a directory.
    case notADirectory(path: String)
    /// A file that must exist does not.
    case fileNotFound(path: String)
    /// The directory holds neither `model.safetensors` nor `model.safetensors.index.json`.
    case missingWeights(directory: String)
    /// The file exists but cannot be opened, examined or mapped; `reason` is the system's text.
    case unreadable(path: String, reason: String)
    /// The file ends before the bytes its own header promises.
    case truncatedFile(path: String, needed: Int, actual: Int)
    /// The 8-byte header length is beyond the limit that the safetensors format allows.
    case headerTooLarge(path: String, length: UInt64, limit: Int)
    /// The JSON header of a safetensors file is not what the format requires.
    case malformedHeader(path: String, detail: String)
    /// `model.safetensors.index.json` is not what the format requires.
    case malformedIndex(path: String, detail: String)
    /// A tensor is stored in a dtype this library does not read.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// A tensor's byte range does not match its shape times its dtype size.
    case tensorSizeMismatch(path: String, tensor: String, dtype: String, shape: [Int], expectedBytes: Int, begin: Int, end: Int)
    /// A tensor's byte range reaches past the end of the file's data region.
    case tensorOutOfBounds(path: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors claim some of the same bytes.
    case overlappingTensors(path: String, first: String, second: String)
    /// A tensor was requested as floats but holds integers, or the other way round.
    case wrongDType(path: String, tensor: String, dtype: String, expected: String)
    /// A tensor's shape is not the one the model needs.
    case wrongShape(path: String, key: String, expected: [Int], actual: [Int])
    /// A tensor is absent from `file`; `index` is set when a shard index said it would be there.
    case missingTensor(key: String, file: String, index: String?)
    /// A shard index names a shard file that does not exist.
    case missingShard(index: String, shard: String, key: String)
    /// An entry given to ``SafetensorsWriter`` cannot be written.
    case invalidEntry(path: String, name: String, reason: String)
    /// Writing a file failed; `reason` is the system's text.
    case writeFailed(path: String, reason: String)
    /// A JSON file (such as config.json) is not valid JSON.
    case invalidJSON(path: String, detail: String)
    /// A JSON file's top level is not an object; `found` describes what it is.
    case notAJSONObject(path: String, found: String)
    /// None of `keys` is present (or all are null) in a config file.
    case missingConfigField(path: String, keys: [String])
    /// A config value has the wrong JSON type.
    case wrongConfigType(path: String, key: String, found: String, expected: String)
    /// A config value has the right type but a value the model cannot use.
    case invalidConfigValue(path: String, key: String, value: String, reason: String)
    /// The config's `model_type` (or equivalent) is not one this library implements.
    case unsupportedModelType(path: String, value: String, supported: [String])
    /// A config value the checkpoint's weights do not have: more layers than it holds, a width
    /// or vocabulary its tensors lack. `detail` names the tensor and the file.
    case configDisagreesWithWeights(path: String, key: String, value: String, detail: String)

    /// A plain-English explanation naming the file and the key or value at fault.
    public var description: String {
        switch self {
        case .directoryNotFound(let path):
            return "Checkpoint directory not found: \(path)"
        case .notADirectory(let path):
            return "\(path) is not a directory; pass the checkpoint folder that holds config.json and the weights"
        case .fileNotFound(let path):
            return "File not found: \(path)"
        case .missingWeights(let directory):
            return "No weights in \(directory): expected model.safetensors or model.safetensors.index.json "
                + "(PyTorch .bin checkpoints are not supported; convert them to safetensors)"
        case .unreadable(let path, let reason):
            return "Cannot read \(path): \(reason)"
        case .truncatedFile(let path, let needed, let actual):
            return "\(path) is truncated: its header needs at least \(needed) bytes but the file has only \(actual)"
        case .headerTooLarge(let path, let length, let limit):
            return "\(path): the header length field says \(length) bytes, more than the safetensors limit of "
                + "\(limit); the file is corrupt or not a safetensors file"
        case .malformedHeader(let path, let detail):
            return "\(path): malformed safetensors header: \(detail)"
        case .malformedIndex(let path, let detail):
            return "\(path): malformed shard index: \(detail)"
        case .unsupportedDType(let path, let tensor, let dtype):
            let known = DType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(path): tensor \"\(tensor)\" has dtype \"\(dtype)\", which is not supported (supported: \(known))"
        case .tensorSizeMismatch(let path, let tensor, let dtype, let shape, let expectedBytes, let begin, let end):
            return "\(path): tensor \"\(tensor)\" (\(dtype), shape \(shape)) needs \(expectedBytes) bytes but its "
                + "data_offsets [\(begin), \(end)] cover \(end &- begin)"
        case .tensorOutOfBounds(let path, let tensor, let begin, let end, let dataSize):
            return "\(path): tensor \"\(tensor)\" has data_offsets [\(begin), \(end)] outside the data region of "
                + "\(dataSize) bytes; the file is truncated or corrupt"
        case .overlappingTensors(let path, let first, let second):
            return "\(path): tensors \"\(first)\" and \"\(second)\" overlap in the data region"
        case .wrongDType(let path, let tensor, let dtype, let expected):
            return "\(path): tensor \"\(tensor)\" has dtype \(dtype), but \(expected) was requested"
        case .wrongShape(let path, let key, let expected, let actual):
            return "\(path): tensor \"\(key)\" has shape \(actual) but the model expects \(expected)"
        case .missingTensor(let key, let file, let index):
            if let index {
                return "Tensor \"\(key)\" not found in \(file), although \(index) says it is there"
            }
            return "Tensor \"\(key)\" not found in \(file)"
        case .missingShard(let index, let shard, let key):
            return "\(index) places tensor \"\(key)\" in \(shard), which does not exist"
        case .invalidEntry(let path, let name, let reason):
            return "Cannot write \(path): entry \"\(name)\" \(reason)"
        case .writeFailed(let path, let reason):
            return "Cannot write \(path): \(reason)"
        case .invalidJSON(let path, let detail):
            return "\(path) is not valid JSON: \(detail)"
        case .notAJSONObject(let path, let found):
            return "\(path) must hold a JSON object at the top level, but holds \(found)"
        case .missingConfigField(let path, let keys):
            if keys.count == 1, let key = keys.first {
                return "\(path) has no \"\(key)\" field"
            }
            let names = keys.map { "\"\($0)\"" }.joined(separator: " or ")
            return "\(path) has none of the fields \(names)"
        case .wrongConfigType(let path, let key, let found, let expected):
            return "\(path): field \"\(key)\" should be \(expected), but is \(found)"
        case .invalidConfigValue(let path, let key, let value, let reason):
            return "\(path): field \"\(key)\" has invalid value \(value): \(reason)"
        case .unsupportedModelType(let path, let value, let supported):
            return "\(path): model type \"\(value)\" is not supported (supported: \(supported.joined(separator: ", ")))"
        case .configDisagreesWithWeights(let path, let key, let value, let detail):
            return "\(path): field \"\(key)\" is \(value), but the weights disagree: \(detail)"
        }
    }
}
