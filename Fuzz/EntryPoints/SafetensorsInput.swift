import SwiftSightCheckpoint
import Foundation

/// A `model.safetensors` file read as a checkpoint folder's only weights file: the header is
/// validated on open, then every tensor is read back (floating-point ones as Float32, integer
/// ones widened), which would fault if the validated offsets were wrong.
enum SafetensorsInput {
    static func read(_ input: UnsafeRawBufferPointer) throws(CheckpointError) -> String {
        try ScratchFolder.with(file: CheckpointWeights.singleFileName, holding: input) { folder, _ throws(CheckpointError) in
            let weights = try CheckpointWeights(directory: folder)
            var elements = 0
            for key in weights.keys {
                guard let info = weights.info(key) else { continue }
                switch info.dtype {
                case .float32, .float16, .bfloat16, .float64:
                    elements += try weights.tensor(key).count
                case .int64, .int32, .int16, .int8, .uint8, .bool:
                    elements += try weights.int64s(key).count
                }
            }
            return "\(weights.keys.count) tensors, \(elements) elements"
        }
    }
}
