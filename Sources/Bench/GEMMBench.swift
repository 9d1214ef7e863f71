import Foundation
import SwiftSight
import SwiftSightLayers

/// `swiftsight bench-gemm`: Linear's products on GPT-2-small shapes, timed through
/// `cblas_sgemm`/`sgemv` and through the packed kernel (Float32 and BF16 weights).
package struct GEMMBench: Sendable {
    /// The products of a GPT-2-small forward pass: name, in, out, weight layout.
    static let shapes: [(String, Int, Int, Linear.Layout)] = [
        ("attn.c_attn", 768, 2304, .inputMajor), ("attn.c_proj", 768, 768, .inputMajor),
        ("mlp.c_fc", 768, 3072, .inputMajor), ("mlp.c_proj", 3072, 768, .inputMajor),
        ("lm_head", 768, 50257, .outputMajor),
    ]

    /// The most rows a case may ask for: 65,536 rows of the head's 50,257 outputs are 13 GB.
    package static let maxRows = 8192

    /// Row counts (m), each from 1 to `maxRows` (the command checks them).
    let rowCounts: [Int]
    /// Timed runs per case.
    let runs: Int
    /// Untimed warm-up runs per case.
    let warmup: Int
    /// Print one JSON object per case instead of the table.
    let json: Bool

    package init(rowCounts: [Int], runs: Int, warmup: Int, json: Bool) {
        (self.rowCounts, self.runs, self.warmup, self.json) = (rowCounts, runs, warmup, json)
    }

    /// Times every shape at every row count, printing a line (or a JSON object) per case.
    package func run() throws {
        if !json {
            print(BLASRuntime.current)
            print("packed kernel: \(PackedWeights.hasVectorKernel ? "AVX-512" : "portable C (Float32 stays on OpenBLAS)"), \(Parallel.workers) workers")
            print("Wall-clock medians; the last three columns are the process's CPU time per product (all threads,")
            print("spinning included), steadier than wall time on a shared machine.")
            print("shape                   m     OpenBLAS ms   GF/s  | packed F32 ms  GF/s  ratio | packed BF16 ms  GF/s  ratio | CPU ms: OpenBLAS  F32  BF16")
        }
        var generator = SplitMix64(seed: 1)
        for (name, k, n, layout) in Self.shapes {
            let shape = layout == .inputMajor ? [k, n] : [n, k]
            let weight = try Tensor(shape: shape, values: (0..<(k * n)).map { _ in generator.nextSigned() * 0.05 })
            let bias = layout == .inputMajor ? try Tensor(shape: [n], values: (0..<n).map { _ in generator.nextSigned() * 0.1 }) : nil
            let plain = Linear(weight: weight, bias: bias, layout: layout)
            let variants = [plain, plain.packed(.float32), plain.packed(.bfloat16)]
            for m in rowCounts {
                let x = try Tensor(shape: [m, k], values: (0..<(m * k)).map { _ in generator.nextSigned() })
                var times = [[Double]](repeating: [], count: variants.count)
                var cpu = [[Double]](repeating: [], count: variants.count)
                // One variant at a time, each after its own warm-up, OpenBLAS last and then a pause:
                // its idle threads keep spinning (about 0.1 s) after its calls and would take a core
                // from whatever runs right after.
                for v in [1, 2, 0] {
                    let layer = variants[v]
                    for run in 0..<(warmup + runs) {
                        let (start, cpuStart) = (ContinuousClock.now, Self.processCPUms())
                        _ = layer(x)
                        if run >= warmup {
                            times[v].append((ContinuousClock.now - start).milliseconds)
                            cpu[v].append(Self.processCPUms() - cpuStart)
                        }
                    }
                }
                Thread.sleep(forTimeInterval: 0.3)
                let medians = times.map { $0.sorted()[$0.count / 2] }
                let cpuMedians = cpu.map { $0.sorted()[$0.count / 2] }
                let flops = 2 * Double(m) * Double(k) * Double(n)
                let gflops = medians.map { flops / $0 / 1e6 }
                if json {
                    print("{\"shape\": \"\(name)\", \"m\": \(m), \"k\": \(k), \"n\": \(n), \"openblas_ms\": \(f3(medians[0])), "
                        + "\"packed_f32_ms\": \(f3(medians[1])), \"packed_bf16_ms\": \(f3(medians[2])), "
                        + "\"openblas_cpu_ms\": \(f3(cpuMedians[0])), \"packed_f32_cpu_ms\": \(f3(cpuMedians[1])), "
                        + "\"packed_bf16_cpu_ms\": \(f3(cpuMedians[2]))}")
                } else {
                    let label = "\(name) \(k)x\(n)".padding(toLength: 22, withPad: " ", startingAt: 0)
                    print("\(label) \(String(format: "%4d", m))  \(String(format: "%11.3f %6.1f", medians[0], gflops[0]))  | "
                        + "\(String(format: "%11.3f %6.1f %5.2fx", medians[1], gflops[1], medians[0] / medians[1])) | "
                        + "\(String(format: "%12.3f %6.1f %5.2fx", medians[2], gflops[2], medians[0] / medians[2])) | "
                        + "\(String(format: "%9.3f %9.3f %9.3f", cpuMedians[0], cpuMedians[1], cpuMedians[2]))")
                }
            }
        }
    }

    private func f3(_ x: Double) -> String { String(format: "%.3f", x) }

    /// CPU time used so far by every thread of this process, in milliseconds.
    static func processCPUms() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
    }
}

/// A small deterministic generator for benchmark operands (SplitMix64).
extension SplitMix64 {
    /// Uniform in [-1, 1).
    mutating func nextSigned() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}
