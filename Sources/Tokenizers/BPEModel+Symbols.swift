extension BPEModel {
    /// The symbols a piece starts as, before any merge: one per scalar (with the continuing
    /// prefix on all but the first and the end-of-word suffix on the last), each looked up in
    /// the vocabulary; a scalar that is not in it becomes `<0xXX>` byte tokens under byte
    /// fallback, else the unknown token (fused with a preceding one under `fuseUnknown`), else
    /// nothing.
    ///
    /// This follows Hugging Face's `BPE::merge_word` step by step, including its ordering
    /// when byte-fallback tokens follow a pending unknown token.
    func initialSymbols(of word: String) -> [UInt32] {
        let scalars = Array(word.unicodeScalars)
        var symbols: [UInt32] = []
        symbols.reserveCapacity(scalars.count)
        var pendingUnknown: UInt32?
        for (index, scalar) in scalars.enumerated() {
            var piece = String(scalar)
            if index > 0, let prefix = options.continuingSubwordPrefix { piece = prefix + piece }
            if index == scalars.count - 1, let suffix = options.endOfWordSuffix { piece += suffix }

            if let id = vocabulary[TokenKey(piece)] {
                if let unknown = pendingUnknown {
                    symbols.append(unknown)
                    pendingUnknown = nil
                }
                symbols.append(id)
                continue
            }
            if options.byteFallback, let bytes = byteFallbackIDs(piece) {
                symbols.append(contentsOf: bytes)
                continue
            }
            if let unknownID {
                if let unknown = pendingUnknown, !options.fuseUnknown {
                    symbols.append(unknown)
                }
                pendingUnknown = unknownID
            }
        }
        if let unknown = pendingUnknown { symbols.append(unknown) }
        return symbols
    }

    /// The ids of the `<0xXX>` tokens for the bytes of `piece`, or `nil` when one is missing.
    private func byteFallbackIDs(_ piece: String) -> [UInt32]? {
        var ids: [UInt32] = []
        for byte in piece.utf8 {
            guard let id = vocabulary[TokenKey(Self.byteFallbackToken(byte))] else { return nil }
            ids.append(id)
        }
        return ids
    }

    /// The byte-fallback token for `byte`, such as `<0x0A>`.
    static func byteFallbackToken(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        var text = String.UnicodeScalarView()
        text.append(contentsOf: "<0x".unicodeScalars)
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
        text.append(">")
        return String(text)
    }
}
