import Foundation

/// Reading a vocabulary object: token to id.
enum VocabularyReading {
    /// The entries of `object`, in file order.
    static func entries(of object: JSONCursor) throws(TokenizerError) -> [(token: String, id: UInt32)] {
        let members = try object.members()
        var entries: [(token: String, id: UInt32)] = []
        entries.reserveCapacity(members.count)
        for member in members {
            guard case .integer(let number) = member.value, let id = UInt32(exactly: number) else {
                throw TokenizerError.invalidValue(
                    object.file, key: object.path(ofMember: member.key), expected: "a token id from 0 to 4294967295",
                    found: member.value.summary)
            }
            entries.append((member.key, id))
        }
        return entries
    }
}
