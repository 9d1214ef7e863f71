import SwiftSightLayers

/// One tensor to be written by ``SafetensorsWriter``.
package struct SafetensorsEntry: Sendable {
    /// The elements, row-major, and the dtype they are stored as.
    package enum Payload: Sendable {
        /// Stored as F32.
        case float32([Float])
        /// Stored as I64.
        case int64([Int64])
    }

    /// The tensor's key in the file.
    package var name: String
    /// The extent of each axis; the product must equal the payload's element count.
    package var shape: [Int]
    /// The elements.
    package var payload: Payload

    /// An entry with explicit shape and payload.
    package init(name: String, shape: [Int], payload: Payload) {
        self.name = name
        self.shape = shape
        self.payload = payload
    }

    /// An F32 entry holding a copy of `tensor`.
    package init(name: String, tensor: Tensor) {
        self.init(name: name, shape: tensor.shape, payload: .float32(tensor.scalars))
    }

    /// The dtype written to the header.
    var dtype: DType {
        switch payload {
        case .float32: .float32
        case .int64: .int64
        }
    }

    /// Number of elements in the payload.
    var elementCount: Int {
        switch payload {
        case .float32(let values): values.count
        case .int64(let values): values.count
        }
    }
}
