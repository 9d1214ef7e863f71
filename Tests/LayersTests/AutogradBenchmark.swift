import Foundation
import Testing
@testable import SwiftSightLayers

/// Cost of recording and of the backward pass on a GPT-2-small-sized MLP projection
/// (768 → 3072, 128 rows). Opt-in: `SWIFTSIGHT_AUTOGRAD_BENCH=1 swift test -c release --filter AutogradBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SWIFTSIGHT_AUTOGRAD_BENCH"] != nil))
struct AutogradBenchmark {
    func milliseconds(_ runs: Int = 15, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[runs / 2]
    }

    @Test func linearRecordingAndBackward() throws {
        var r = TestRandom(seed: 60)
        let (rows, k, n) = (128, 768, 3072)
        let x = try r.tensor([rows, k]), w = try r.tensor([k, n], -0.05, 0.05), b = try r.tensor([n])
        let plain = Linear(weight: w, bias: b, layout: .inputMajor)
        let untracked = milliseconds { _ = plain(x) }
        let tape = GradientTape()
        let xt = tape.watch(x)
        let recorded = milliseconds { _ = plain(xt) }
        let y = plain(xt)
        let seed = y.sum()
        let backwardX = try milliseconds { _ = try tape.backward(seed, retainGraph: true) }
        let params = GradientTape(parameterGradients: true)
        let withParams = Linear(weight: params.watchParameter(w, name: "w"), bias: params.watchParameter(b, name: "b"), layout: .inputMajor)
        let y2 = withParams(params.watch(x)).sum()
        let backwardAll = try milliseconds { _ = try params.backward(y2, retainGraph: true) }
        print("Linear \(rows)x\(k) -> \(n): forward untracked \(untracked) ms, recorded \(recorded) ms, backward dX \(backwardX) ms (incl. sum), dX+dW+db \(backwardAll) ms")
    }
}
