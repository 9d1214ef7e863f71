import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Testing

/// The bound every reference comparison of the suite uses: max error <= 1e-4 of the reference's
/// largest magnitude (so elements that cancel to near zero are judged at the tensor's scale),
/// with an absolute floor of 1e-5 where the whole reference is tiny.
func expectClose(_ a: Tensor, _ b: Tensor, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(a.shape == b.shape, "\(label): shape \(a.shape) vs \(b.shape)", sourceLocation: sourceLocation)
    guard a.shape == b.shape else { return }
    let scale = b.withUnsafeBuffer { $0.reduce(0) { max($0, abs($1)) } }
    let error = try a.maxAbsDifference(b)
    #expect(error <= max(1e-4 * scale, 1e-5), "\(label): error \(error) at scale \(scale)", sourceLocation: sourceLocation)
}
