import SwiftSightCKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a layer's weights are stored for its forward products.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// Float32, as in the checkpoint (or widened from F16/BF16): the default.
    case float32
    /// Each weight rounded to bfloat16 (to nearest, ties to even): half the memory traffic,
    /// widened back to Float32 in registers, so activations and accumulation stay Float32.
    /// Opt-in; how far logits move is in Docs/Numerics.md.
    case bfloat16
}

/// A weight matrix W [k, n] packed once for `C = A·W` products (the kernel in `CKernels/gemm.c`).
///
/// The packed form is panels of ``panelWidth`` output columns, each stored k-major, so a product
/// streams every weight once per block of rows without re-packing it on every call, as
/// `cblas_sgemm` does. The backward pass's dX = G·Wᵀ runs on a second copy, Wᵀ packed the same
/// way from the original weight the first time a gradient needs it (``transposed(from:)``).
package final class PackedWeights: @unchecked Sendable {
    // @unchecked: `storage` is written only in init, then only read (by any number of threads).
    /// Input features (k).
    package let inputSize: Int
    /// Output features (n).
    package let outputSize: Int
    /// The element type of the packed copy.
    package let precision: WeightPrecision
    let storage: UnsafeMutableRawPointer
    /// How the original was stored, for the benchmark's replay of the same product through
    /// `cblas_sgemm` (``GEMM/Recording``).
    private let originalTransposed: Bool
    /// Wᵀ packed in Float32, made on first use by ``transposed(from:)``.
    private let transposedCopy = Mutex<PackedWeights?>(nil)
    /// The bfloat16 screen of ``argmaxOfRows(rows:a:lda:bias:)``, made on first use
    /// (`.some(nil)`: W is not finite, so every column is computed).
    private let argmaxScreen = Mutex<ArgmaxScreen??>(nil)

    /// Output columns per packed panel.
    package static let panelWidth = Int(SS_GEMM_NR)

    /// Whether Float32 layers use the packed kernel: this CPU runs its vector code (AVX-512)
    /// and the environment variable `SWIFTSIGHT_PACKED_GEMM` is not `0`. Elsewhere a Float32
    /// product is better left to OpenBLAS (see ``Linear/packed(_:)``); the variable lets a
    /// benchmark compare both paths in one build.
    package static let hasVectorKernel = ss_gemm_has_avx512() != 0
        && getenv("SWIFTSIGHT_PACKED_GEMM").map { String(cString: $0) != "0" } ?? true

    /// Packs `weight`, stored [k, n] (`transposed` false) or [n, k] (`transposed` true). O(k·n),
    /// spread over the cores.
    package init(_ weight: Tensor, transposed: Bool, precision: WeightPrecision) {
        // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
        // model passes its own activations. Intervention code uses the throwing tensor operations.
        precondition(weight.rank == 2, "PackedWeights of a rank-\(weight.rank) tensor")
        let (k, n) = transposed ? (weight.shape[1], weight.shape[0]) : (weight.shape[0], weight.shape[1])
        let count = ss_gemm_packed_count(k, n)
        let bytes = count * (precision == .float32 ? 4 : 2)
        guard let storage = ss_gemm_alloc_packed(bytes) else {
            fatalError("PackedWeights: out of memory for \(bytes) bytes")
        }
        let panels = (n + Self.panelWidth - 1) / Self.panelWidth
        let (strideK, strideN) = transposed ? (1, k) : (n, 1)
        weight.withUnsafeBuffer { w in
            let src = w.baseAddress!
            Parallel.forRanges(panels, costPerItem: k * Self.panelWidth) { r in
                switch precision {
                case .float32:
                    ss_gemm_pack_f32(src, k, n, strideK, strideN, storage.assumingMemoryBound(to: Float.self),
                                     r.lowerBound, r.upperBound)
                case .bfloat16:
                    ss_gemm_pack_bf16(src, k, n, strideK, strideN, storage.assumingMemoryBound(to: UInt16.self),
                                      r.lowerBound, r.upperBound)
                }
            }
        }
        // The products now read only the packed copy: a memory-mapped original leaves the resident
        // set (gradients and embedding lookups fault back in what they read).
        weight.storage.releaseResidentPages(offset: weight.offset, count: weight.count)
        self.storage = storage
        inputSize = k
        outputSize = n
        self.precision = precision
        originalTransposed = transposed
    }

    /// The same weight rounded to bfloat16 from this Float32 copy (no need for the original). O(k·n).
    init(roundingToBFloat16 source: PackedWeights) {
        precondition(source.precision == .float32, "rounding a \(source.precision) copy")
        let count = ss_gemm_packed_count(source.inputSize, source.outputSize)
        guard let storage = ss_gemm_alloc_packed(count * 2) else {
            fatalError("PackedWeights: out of memory for \(count * 2) bytes")
        }
        let from = UnsafePointer(source.storage.assumingMemoryBound(to: Float.self))
        Parallel.forRanges(count, costPerItem: 4) { r in
            ss_gemm_round_packed_to_bf16(from, r.lowerBound, r.upperBound, storage.assumingMemoryBound(to: UInt16.self))
        }
        self.storage = storage
        (inputSize, outputSize, precision, originalTransposed) = (source.inputSize, source.outputSize, .bfloat16,
                                                                  source.originalTransposed)
    }

    deinit { ss_gemm_free_packed(storage) }

    /// The screen of ``argmaxOfRows(rows:a:lda:bias:)``, made from this copy on the first call
    /// and kept.
    var screen: ArgmaxScreen? {
        argmaxScreen.withLock { screen in
            if let screen { return screen }
            let made = ArgmaxScreen(self)
            screen = .some(made)
            return made
        }
    }

    /// Wᵀ [n, k] packed in Float32 for the backward pass's dX = G·Wᵀ, packed from `original`
    /// (the weight this copy was packed from, as stored) on the first call and kept.
    ///
    /// Float32 whatever ``precision`` is, so gradients use the checkpoint's values as before.
    /// Costs a second packed copy (4 bytes per weight), made once: O(k·n) then.
    package func transposed(from original: Tensor) -> PackedWeights {
        precondition(original.count == inputSize * outputSize, "PackedWeights.transposed: \(original.shape) for \(inputSize)x\(outputSize)")
        return transposedCopy.withLock { copy in
            if let copy { return copy }
            let made = PackedWeights(original.detached(), transposed: !originalTransposed, precision: .float32)
            copy = made
            return made
        }
    }

    /// The bfloat16 bit pattern `.bfloat16` stores for `value`: rounded to nearest, ties to even
    /// (as torch's `.to(torch.bfloat16)`); NaN stays NaN.
    package static func bfloat16Bits(_ value: Float) -> UInt16 { ss_float_to_bf16(value) }

    /// Bytes held by the packed copy.
    package var byteCount: Int { ss_gemm_packed_count(inputSize, outputSize) * (precision == .float32 ? 4 : 2) }

    /// `c[m, n] = a[m, k]·W (+ bias[n])`, row-major, `a` with leading dimension `lda`, `c` with `ldc`.
    ///
    /// Complexity: O(m·k·n), the output panels split over the cores.
    package func multiply(rows m: Int, a: UnsafePointer<Float>, lda: Int, bias: UnsafePointer<Float>?,
                         c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0 else { return }
        let (k, n) = (inputSize, outputSize)
        // Recorded like every product while `swiftsight bench` measures GEMM throughput.
        let recordingSince: ContinuousClock.Instant? = GEMM.Recording.isOn ? .now : nil
        defer {
            if let recordingSince {
                GEMM.Recording.append(GEMM.Call(m: m, n: n, k: k, opA: .plain, opB: originalTransposed ? .transposed : .plain,
                                                lda: lda, ldb: originalTransposed ? k : n, ldc: ldc,
                                                seconds: recordingSince.secondsElapsed))
            }
        }
        let packedA = UnsafeMutablePointer<Float>.allocate(capacity: max(ss_gemm_packed_a_count(m, k), 1))
        defer { packedA.deallocate() }
        // Blocks of 8 rows, split over the cores when there are several.
        let blocks = (m + 7) / 8
        Parallel.forRanges(blocks, costPerItem: 8 * k) { r in
            let first = r.lowerBound * 8
            ss_gemm_pack_a(min(m, r.upperBound * 8) - first, k, a + first * lda, lda, packedA + first * k)
        }
        let panels = (n + Self.panelWidth - 1) / Self.panelWidth
        let (storage, precision) = (storage, precision)
        let ap = UnsafePointer(packedA)
        // Several ranges per core: each is independent (its own panels of W, all of A, which
        // every core keeps in its L2), so a finer split costs nothing and evens out a core
        // that other work on the machine holds up.
        Parallel.forRanges(panels, costPerItem: m * k * Self.panelWidth, tasksPerWorker: 8) { r in
            switch precision {
            case .float32:
                ss_gemm_packed_f32(m, n, k, ap, storage.assumingMemoryBound(to: Float.self), bias, c, ldc,
                                   r.lowerBound, r.upperBound)
            case .bfloat16:
                ss_gemm_packed_bf16(m, n, k, ap, storage.assumingMemoryBound(to: UInt16.self), bias, c, ldc,
                                    r.lowerBound, r.upperBound)
            }
        }
    }
}
