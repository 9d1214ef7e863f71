import FuzzEntryPoints

/// libFuzzer's entry point: one input, read as FuzzTarget.tokenizer reads it (Docs/Fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = FuzzTarget.tokenizer.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
