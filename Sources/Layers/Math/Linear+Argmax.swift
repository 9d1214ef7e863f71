extension Linear {
    /// For each row of x ([rows, in]), the index of the largest output: exactly the first argmax
    /// of the row of `self(x)`, without computing every output where the layer has a Float32
    /// packed copy (``PackedWeights/argmaxOfRows(rows:a:lda:bias:)``: a bfloat16
    /// screen, then the few candidate columns in Float32). Untracked.
    ///
    /// Complexity: O(rows · in · out), reading about half the weight bytes on the packed path.
    package func argmaxOfRows(_ x: Tensor) -> [Int] {
        // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
        // model passes its own activations. Intervention code uses the throwing tensor operations.
        precondition(x.shape.last == inputSize, "Linear \(inputSize)->\(outputSize) applied to \(x.shape)")
        let input = x.detached()
        let rows = input.count / inputSize
        guard rows > 0 else { return [] }
        if let packedWeights, packedWeights.precision == .float32 {
            return input.withUnsafeBuffer { xs in
                func run(_ b: UnsafePointer<Float>?) -> [Int] {
                    packedWeights.argmaxOfRows(rows: rows, a: xs.baseAddress!, lda: inputSize, bias: b)
                }
                if let bias { return bias.withUnsafeBuffer { run($0.baseAddress!) } }
                return run(nil)
            }
        }
        return self(input).withUnsafeBuffer { $0.firstIndicesOfMaximum(rowWidth: outputSize) }
    }
}
