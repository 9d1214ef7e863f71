import Foundation

/// The token ids of recently seen pieces, shared by every task that uses a tokenizer.
///
/// Lookups and insertions take a lock; the BPE work itself runs outside it. Like Hugging
/// Face's cache it holds at most `capacity` pieces and then stops growing, and it only keeps
/// pieces shorter than ``maximumPieceLength`` bytes.
final class WordCache: @unchecked Sendable {
    /// Pieces this long or longer are not cached.
    static let maximumPieceLength = 256

    private let lock = NSLock()
    private var entries: [TokenKey: [UInt32]] = [:]
    private let capacity: Int

    /// An empty cache for up to `capacity` pieces.
    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The ids cached for `key`.
    func ids(for key: TokenKey) -> [UInt32]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[key]
    }

    /// Caches `ids` for `key` unless the cache is full.
    func insert(_ ids: [UInt32], for key: TokenKey) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count < capacity { entries[key] = ids }
    }
}
