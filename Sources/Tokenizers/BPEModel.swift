import Foundation
import SwiftSightReading

/// A byte-pair-encoding model: a vocabulary and ranked merges, with Hugging Face's options.
///
/// ``tokenize(_:)`` splits one pre-tokenized piece exactly as `tokenizers`' `BPE` model does:
/// it starts from one symbol per scalar and applies the lowest-ranked applicable merge first
/// (leftmost first among equals) until none applies.
struct BPEModel: Sendable {
    /// How a `BPE` model of Hugging Face `tokenizers` is configured, besides its vocabulary.
    struct Options: Sendable, Equatable {
        /// The token for scalars not in the vocabulary (`unk_token`); without one, such
        /// scalars are dropped.
        var unknownToken: String?
        /// Prepended to every symbol that does not start a piece (`continuing_subword_prefix`).
        var continuingSubwordPrefix: String?
        /// Appended to the last symbol of a piece (`end_of_word_suffix`).
        var endOfWordSuffix: String?
        /// Whether consecutive unknown scalars become one unknown token (`fuse_unk`).
        var fuseUnknown: Bool
        /// Whether unknown scalars become `<0xXX>` byte tokens when the vocabulary has them
        /// (`byte_fallback`).
        var byteFallback: Bool
        /// Whether a piece that is itself a token is emitted as is, without merging
        /// (`ignore_merges`).
        var ignoreMerges: Bool

        /// Options; the defaults are those of GPT-2.
        init(
            unknownToken: String? = nil, continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil,
            fuseUnknown: Bool = false, byteFallback: Bool = false, ignoreMerges: Bool = false
        ) {
            self.unknownToken = unknownToken
            self.continuingSubwordPrefix = continuingSubwordPrefix
            self.endOfWordSuffix = endOfWordSuffix
            self.fuseUnknown = fuseUnknown
            self.byteFallback = byteFallback
            self.ignoreMerges = ignoreMerges
        }
    }

    /// A merge's rank (its position in the merges list) and the id of the token it makes.
    struct Merge: Sendable {
        let rank: UInt32
        let newID: UInt32
    }

    /// The options.
    let options: Options
    /// Token to id.
    let vocabulary: [TokenKey: UInt32]
    /// Id to token.
    let tokensByID: [UInt32: String]
    /// Merges by pair of ids (`left << 32 | right`).
    let merges: [UInt64: Merge]
    /// The id of ``Options/unknownToken``.
    let unknownID: UInt32?

    /// The number of tokens in the vocabulary.
    var count: Int { vocabulary.count }

    /// Builds a model, checking every merge against the vocabulary.
    ///
    /// When a token appears twice in `vocabulary`, or a pair twice in `merges`, the last one
    /// wins, as in Hugging Face.
    /// - Parameters:
    ///   - vocabulary: Tokens and their ids.
    ///   - merges: Pairs of tokens, highest priority first.
    ///   - file: The file the model comes from, for errors.
    ///   - optionsKey: The key path of the options' object in `file`, for errors.
    ///   - mergeLocation: Where merge `index` is in `file`, such as `line 13`.
    init(
        vocabulary: [(token: String, id: UInt32)], merges: [(String, String)], options: Options,
        file: URL, optionsKey: String, mergeLocation: (Int) -> String
    ) throws(TokenizerError) {
        self.options = options
        var vocab: [TokenKey: UInt32] = [:]
        vocab.reserveCapacity(vocabulary.count)
        for (token, id) in vocabulary { vocab[TokenKey(token)] = id }
        var byID: [UInt32: String] = [:]
        byID.reserveCapacity(vocab.count)
        for (token, id) in vocabulary where vocab[TokenKey(token)] == id { byID[id] = token }
        self.vocabulary = vocab
        self.tokensByID = byID

        if let unknown = options.unknownToken {
            guard let id = vocab[TokenKey(unknown)] else {
                throw TokenizerError.invalidValue(
                    file, key: optionsKey.isEmpty ? "unk_token" : optionsKey + ".unk_token",
                    expected: "a token of the vocabulary", found: JSONValue.quoted(unknown))
            }
            unknownID = id
        } else {
            unknownID = nil
        }

        let prefix = Array((options.continuingSubwordPrefix ?? "").utf8)
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let leftID = vocab[TokenKey(left)] else {
                throw TokenizerError.mergeTokenNotInVocabulary(file, location: mergeLocation(rank), token: left)
            }
            guard let rightID = vocab[TokenKey(right)] else {
                throw TokenizerError.mergeTokenNotInVocabulary(file, location: mergeLocation(rank), token: right)
            }
            var merged = Array(left.utf8)
            let rightBytes = Array(right.utf8)
            if !prefix.isEmpty, rightBytes.starts(with: prefix) {
                merged.append(contentsOf: rightBytes[prefix.count...])
            } else {
                merged.append(contentsOf: rightBytes)
            }
            guard let newID = merged.withUnsafeBufferPointer({ vocab[TokenKey($0)] }) else {
                throw TokenizerError.mergeTokenNotInVocabulary(
                    file, location: mergeLocation(rank), token: String(decoding: merged, as: UTF8.self))
            }
            table[Self.pairKey(leftID, rightID)] = Merge(rank: UInt32(truncatingIfNeeded: rank), newID: newID)
        }
        self.merges = table
    }

    /// The dictionary key of the pair `(left, right)`.
    @inline(__always)
    static func pairKey(_ left: UInt32, _ right: UInt32) -> UInt64 {
        UInt64(left) << 32 | UInt64(right)
    }

    /// The id of `token`, compared byte for byte.
    func id(forToken token: String) -> Int? {
        vocabulary[TokenKey(token)].map(Int.init)
    }

    /// The token with id `id`.
    func token(forID id: Int) -> String? {
        guard let key = UInt32(exactly: id) else { return nil }
        return tokensByID[key]
    }

    /// The id of the token whose UTF-8 bytes are `key`.
    func id(for key: TokenKey) -> UInt32? {
        vocabulary[key]
    }

    /// The token ids of one pre-tokenized piece (for byte-level BPE, already spelled with
    /// ``ByteLevel`` scalars).
    func tokenize(_ word: String) -> [Int] {
        tokenizeToIDs(word).map(Int.init)
    }

    /// The token ids of one piece, as ``tokenize(_:)`` but without converting ids.
    func tokenizeToIDs(_ word: String) -> [UInt32] {
        if word.isEmpty { return [] }
        if options.ignoreMerges, let id = vocabulary[TokenKey(word)] { return [id] }
        var symbols = initialSymbols(of: word)
        mergeAll(&symbols)
        return symbols
    }
}
