import SwiftSightFuzzEntryPoints

/// libFuzzer's entry point: one input, read as FuzzTarget.tokenizer reads it (Docs/Fuzzing.md). Built
/// by Scripts/fuzz.sh with `--sanitize=fuzzer`, which links libFuzzer's `main` and compiles
/// this file as a library.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = FuzzTarget.tokenizer.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
