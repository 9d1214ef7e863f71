import Foundation

/// Peak resident memory of this process, per case: Linux's VmHWM, reset between cases by
/// writing 5 to /proc/self/clear_refs (which sets the high-water mark back to the current size).
enum PeakMemory {
    /// Sets the peak back to the current resident size. False where the kernel does not allow it.
    @discardableResult
    static func reset() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// The peak resident size since the last reset, MiB; nil without /proc.
    static func peakMB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let kB = vmHWMKilobytes(in: status) else { return nil }
        return Double(kB) / 1024
    }

    /// The kB figure of the `VmHWM:` line of a /proc/<pid>/status text.
    static func vmHWMKilobytes(in status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace)
            guard fields.count == 2, fields[1] == "kB" else { return nil }
            return Int(fields[0])
        }
        return nil
    }
}
