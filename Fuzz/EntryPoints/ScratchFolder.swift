import Foundation

/// A fresh folder for the one file an input becomes, removed afterwards.
///
/// The readers take paths (they map or read files, as they do for users), so each input is
/// written to a file first. In memory (`/dev/shm`) where there is one: the fuzzers write one
/// file per execution. One folder per call, so the corpus tests may run in parallel.
enum ScratchFolder {
    static func with<T, E: Error>(file name: String, holding input: UnsafeRawBufferPointer,
                                  _ body: (URL, URL) throws(E) -> T) throws(E) -> T {
        let base = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array("\(base)/swiftsight-fuzz-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            fatalError("cannot create a scratch folder in \(base): errno \(errno)")  // the harness, not the input
        }
        let folder = URL(fileURLWithPath: String(cString: created), isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: file.path, contents: Data(input)) else {
            fatalError("cannot write \(file.path)")  // the harness, not the input
        }
        return try body(folder, file)
    }
}
