import Foundation
import Testing

@testable import SwiftSightTokenizers

/// A by-hand measurement of encoding speed, not a timed test: it only runs when
/// `SWIFTSIGHT_TOKENIZER_SPEED=1` is set, and prints tokens per second. For a meaningful
/// figure build in release mode:
///
///     SWIFTSIGHT_TOKENIZER_SPEED=1 swift test -c release --filter EncodeSpeedCheck
@Suite("Encode speed (by hand)")
struct EncodeSpeedCheck {
    @Test(
        "Tokens per second on a long text",
        .enabled(if: ProcessInfo.processInfo.environment["SWIFTSIGHT_TOKENIZER_SPEED"] == "1"),
        arguments: ["gpt2"] + FamilyFixtures.names)
    func measure(_ family: String) throws {
        let tokenizer = family == "gpt2" ? try #require(Fixtures.fromTokenizerJSON) : try FamilyFixtures.tokenizer(family)
        // About 2 MB: the reference corpus with numbered lines, so that pieces vary.
        var text = ""
        var line = 0
        while text.utf8.count < 2_000_000 {
            for reference in Fixtures.cases {
                line += 1
                text += "\(line): \(reference.text) word\(line % 997)\n"
            }
        }
        _ = tokenizer.encode(String(text.prefix(10_000)))  // warm up
        let clock = ContinuousClock()
        var count = 0
        let elapsed = clock.measure { count = tokenizer.encode(text).count }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perSecond = Double(count) / seconds
        let megabytesPerSecond = Double(text.utf8.count) / seconds / 1e6
        print("\(family) encode speed: \(count) tokens from \(text.utf8.count) bytes in \(String(format: "%.3f", seconds)) s = \(Int(perSecond)) tokens/s, \(String(format: "%.1f", megabytesPerSecond)) MB/s")
        #expect(count > 0)
    }
}
