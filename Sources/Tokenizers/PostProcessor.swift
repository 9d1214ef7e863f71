/// What the `post_processor` of a `tokenizer.json` does to the ids of one text: the
/// `single` template of `TemplateProcessing` (such as `<|begin_of_text|> $A` or `<s> $A`),
/// with the special tokens' ids around the text's ids when special tokens are asked for.
///
/// `ByteLevel` post-processing only moves offsets, so it leaves ids as they are; a `Sequence`
/// of processors composes their templates.
struct PostProcessor: Sendable, Equatable {
    /// One part of the template.
    enum Part: Sendable, Equatable {
        /// The text's own ids (`$A`).
        case text
        /// The ids of a special token (`SpecialToken`), left out without special tokens.
        case specialTokens([UInt32])
    }

    /// The parts, in order.
    let parts: [Part]

    /// The post-processor that adds nothing.
    static let identity = PostProcessor(parts: [.text])

    /// Whether any ids are added when special tokens are asked for.
    var addsTokens: Bool {
        parts.contains { if case .specialTokens(let ids) = $0 { !ids.isEmpty } else { false } }
    }

    /// This post-processor followed by `next`: `next`'s template with this one's output in
    /// place of its text.
    func followed(by next: PostProcessor) -> PostProcessor {
        PostProcessor(parts: next.parts.flatMap { part -> [Part] in
            if case .text = part { return parts }
            return [part]
        })
    }

    /// `ids` as the template arranges them; special tokens are left out unless
    /// `addSpecialTokens`.
    func apply(to ids: [Int], addSpecialTokens: Bool) -> [Int] {
        if parts == [.text] { return ids }
        var out: [Int] = []
        out.reserveCapacity(ids.count + parts.count)
        for part in parts {
            switch part {
            case .text:
                out.append(contentsOf: ids)
            case .specialTokens(let special):
                if addSpecialTokens { out.append(contentsOf: special.lazy.map(Int.init)) }
            }
        }
        return out
    }
}
