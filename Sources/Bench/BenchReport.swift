import Foundation

/// One side's whole run: what `Scripts/bench_reference.py` prints and `swiftsight bench --json`
/// prints, in the same shape.
struct BenchReport: Codable, Equatable, Sendable {
    /// "nnsight/HF" or "SwiftSight".
    var side: String
    /// Library versions (torch, transformers, nnsight; or SwiftSight and OpenBLAS).
    var versions: [String: String]
    /// Threads the side computes with.
    var threads: Int
    var inputs: BenchInputIDs
    var cases: [String: BenchMeasurement]
    /// SwiftSight only: the achieved GEMM throughput of the 128-token forward.
    var gemm: GEMMThroughput?

    /// Reads the JSON a side printed. Errors name the file and what is wrong with it.
    static func read(path: String) throws(BenchError) -> BenchReport {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadableReference(path: path, reason: error.localizedDescription)
        }
        return try decode(data, path: path)
    }

    /// Decodes a side's JSON; `path` is only for the error message.
    static func decode(_ data: Data, path: String) throws(BenchError) -> BenchReport {
        do {
            return try JSONDecoder().decode(BenchReport.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .unreadableReference(path: path, reason: "no key \(Self.path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .unreadableReference(path: path, reason: "wrong type at \(Self.path(context.codingPath))")
        } catch let DecodingError.dataCorrupted(context) {
            throw .unreadableReference(path: path, reason: "not JSON (\(context.debugDescription)) at \(Self.path(context.codingPath))")
        } catch {
            throw .unreadableReference(path: path, reason: "\(error)")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// Several rounds of one side as one: for each case, the round with the lowest median (the
    /// one least disturbed by other work on the host); the GEMM figure of the round whose
    /// recorded forwards were fastest. Versions, threads and inputs are the first round's.
    static func best(of rounds: [BenchReport]) -> BenchReport {
        guard var best = rounds.first else { preconditionFailure("best(of:) needs at least one round") }
        for round in rounds.dropFirst() {
            best.cases.merge(round.cases) { $1.medianMs < $0.medianMs ? $1 : $0 }
            if let g = round.gemm, g.forwardMs < best.gemm?.forwardMs ?? .infinity { best.gemm = g }
        }
        return best
    }

    /// One line of JSON, keys sorted.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// Number formatting shared by the text lines and the Markdown table.
enum Format {
    static func ms(_ value: Double) -> String { String(format: value >= 1000 ? "%.0f" : "%.1f", value) }
    static func ratio(_ value: Double) -> String { String(format: "%.2f", value) }
    static func mb(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "—" }
    static func rate(_ value: Double) -> String { String(format: "%.0f", value) }
    static func padded(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
    static func right(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}

/// One case of the side-by-side comparison.
struct ComparisonRow: Equatable, Sendable {
    let name: String
    let title: String
    let reference: BenchMeasurement?
    let swift: BenchMeasurement
    let bar: Bar?

    /// SwiftSight's median over the reference's (below 1: SwiftSight is faster).
    var ratio: Double? { reference.map { swift.medianMs / $0.medianMs } }
    var met: Bool? { if let ratio, let bar { bar.isMet(by: ratio) } else { nil } }

    /// The text line `swiftsight bench` prints for the case.
    var line: String {
        var s = Format.padded(name, 26) + " median " + Format.right(Format.ms(swift.medianMs), 8) + " ms"
            + "   min " + Format.right(Format.ms(swift.minMs), 8) + " ms   peak RSS " + Format.right(Format.mb(swift.peakRSSMB), 5) + " MB"
        if let rate = swift.tokensPerSecond { s += "   " + Format.rate(rate) + " tok/s" }
        if let reference, let ratio {
            s += "   | ref " + Format.ms(reference.medianMs) + " ms, ratio " + Format.ratio(ratio)
            if let bar, let met { s += " (bar \(bar.text): \(met ? "met" : "NOT met"))" }
        }
        return s
    }

    /// The Markdown row: case, reference median, SwiftSight median, ratio, bar, met?, peak RSS both sides.
    var markdown: String {
        func time(_ m: BenchMeasurement?) -> String {
            guard let m else { return "—" }
            return Format.ms(m.medianMs) + (m.tokensPerSecond.map { " (" + Format.rate($0) + " tok/s)" } ?? "")
        }
        let cells = [title, time(reference), time(swift), ratio.map(Format.ratio) ?? "—", bar?.text ?? "—",
                     met.map { $0 ? "yes" : "**no**" } ?? "—", Format.mb(reference?.peakRSSMB), Format.mb(swift.peakRSSMB)]
        return "| " + cells.joined(separator: " | ") + " |"
    }

    static let markdownHeader = """
        | case | nnsight/HF median ms | SwiftSight median ms | ratio | bar | met? | peak RSS nnsight/HF MB | peak RSS SwiftSight MB |
        | --- | ---: | ---: | ---: | --- | --- | ---: | ---: |
        """
}

/// One of SwiftSight's own ratios with its bar, computed from two of its cases.
struct OwnRatioRow: Equatable, Sendable {
    let title: String
    let value: Double
    let bar: Bar

    var line: String { Format.padded(title, 58) + " " + Format.ratio(value) + "  (bar \(bar.text): \(bar.isMet(by: value) ? "met" : "NOT met"))" }
    var markdown: String { "| \(title) | \(Format.ratio(value)) | \(bar.text) | \(bar.isMet(by: value) ? "yes" : "**no**") |" }

    static let markdownHeader = """
        | SwiftSight ratio | value | bar | met? |
        | --- | ---: | --- | --- |
        """
}

/// The Markdown section the side-by-side script writes.
enum BenchMarkdown {
    static func render(rows: [ComparisonRow], own: [OwnRatioRow], gemm: GEMMThroughput?,
                       swift: BenchReport, reference: BenchReport, rounds: (reference: Int, swift: Int) = (1, 1)) -> String {
        var out: [String] = []
        if rounds != (1, 1) {
            out += ["Each side's figure per case is its lowest median over \(rounds.reference) rounds (nnsight/HF) "
                    + "and \(rounds.swift) rounds (SwiftSight), run alternately.", ""]
        }
        out += [ComparisonRow.markdownHeader] + rows.map(\.markdown)
        out.append("")
        out.append(OwnRatioRow.markdownHeader)
        out += own.map(\.markdown)
        if let gemm { out.append(gemm.markdown) }
        out.append("")
        func versions(_ r: BenchReport) -> String {
            r.versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        out.append("SwiftSight: \(versions(swift)), \(swift.threads) threads. "
                   + "nnsight/HF: \(versions(reference)), \(reference.threads) threads.")
        return out.joined(separator: "\n") + "\n"
    }
}
