import SwiftSightCKernels

/// Vectorised transcendental functions (the kernels behind the activations and softmax).
///
/// glibc's scalar `expf`/`tanhf` cost 5–10 ns each and do not vectorise; for GPT-2 small's
/// MLP that is tens of milliseconds per forward pass. These are branch-free polynomial forms
/// compiled for AVX-512, AVX2 and baseline x86-64 (chosen at load time): `exp` has a relative
/// error below 2e-7, `tanh` and `erf` an absolute error below 3e-7 (tested against glibc).
enum VectorMath {
    /// e^x for each element.
    static func exp(_ x: [Float]) -> [Float] { map(x, ss_exp) }
    /// tanh(x) for each element.
    static func tanh(_ x: [Float]) -> [Float] { map(x, ss_tanh) }
    /// erf(x) for each element.
    static func erf(_ x: [Float]) -> [Float] { map(x, ss_erf) }

    private static func map(_ x: [Float], _ kernel: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, count in
            x.withUnsafeBufferPointer { kernel($0.baseAddress, out.baseAddress, x.count) }
            count = x.count
        }
    }
}
