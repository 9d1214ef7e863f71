/// The element types a safetensors file may declare that this library reads.
///
/// The raw value is the spelling used in the header's `"dtype"` field. Floating-point types
/// load as ``Tensor`` (converted to Float32); integer and boolean types load as `[Int64]`.
package enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// IEEE 754 binary32.
    case float32 = "F32"
    /// IEEE 754 binary16.
    case float16 = "F16"
    /// bfloat16: the top half of a binary32.
    case bfloat16 = "BF16"
    /// IEEE 754 binary64.
    case float64 = "F64"
    /// Signed 64-bit integer.
    case int64 = "I64"
    /// Signed 32-bit integer.
    case int32 = "I32"
    /// Signed 16-bit integer.
    case int16 = "I16"
    /// Signed 8-bit integer.
    case int8 = "I8"
    /// Unsigned 8-bit integer.
    case uint8 = "U8"
    /// Boolean, one byte per element (zero is false).
    case bool = "BOOL"

    /// Bytes per element in the file.
    package var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// Whether the type loads as a Float32 ``Tensor`` (otherwise it loads as integers).
    package var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64: true
        case .int64, .int32, .int16, .int8, .uint8, .bool: false
        }
    }

    /// The header spelling, such as `F32`.
    package var description: String { rawValue }
}
