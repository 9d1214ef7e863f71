import SwiftSightCheckpoint
import Foundation

/// A heatmap as a standalone SVG file: a grid of cells coloured by value, a label in each cell,
/// row and column labels.
struct SVGHeatmap {
    /// The colour scale's range, from values that may not be numbers: `lowest...highest` over the
    /// finite ones, widened to at least `minimum` (a range such as `0...NaN` traps).
    static func range(of values: [[Float]], from lowest: Float, atLeast minimum: Float) -> ClosedRange<Float> {
        let highest = values.joined().filter(\.isFinite).max() ?? minimum
        return lowest...max(highest, minimum, lowest)
    }

    let title: String
    let rowLabels: [String]
    let columnLabels: [String]
    /// values[row][column]; the colour scale runs from `range.lowerBound` (white) to
    /// `range.upperBound` (dark blue), or through white at 0 for a diverging scale.
    let values: [[Float]]
    let cellLabels: [[String]]
    let range: ClosedRange<Float>
    var diverging = false

    var rendered: String {
        let (cellWidth, cellHeight, left, top) = (92, 30, 110, 56)
        let width = left + cellWidth * columnLabels.count + 20
        let height = top + cellHeight * rowLabels.count + 20
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="monospace" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="18" font-size="13">\(Self.escape(title))</text>

        """
        for (c, label) in columnLabels.enumerated() {
            svg += "<text x=\"\(left + c * cellWidth + cellWidth / 2)\" y=\"\(top - 8)\" text-anchor=\"middle\">\(Self.escape(label))</text>\n"
        }
        for (r, label) in rowLabels.enumerated() {
            let y = top + r * cellHeight
            svg += "<text x=\"\(left - 8)\" y=\"\(y + cellHeight / 2 + 4)\" text-anchor=\"end\">\(Self.escape(label))</text>\n"
            for c in columnLabels.indices {
                let value = values[r][c]
                let (fill, dark) = colour(value)
                let x = left + c * cellWidth
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cellWidth)\" height=\"\(cellHeight)\" fill=\"\(fill)\" stroke=\"white\">"
                    + "<title>\(Self.escape(cellLabels[r][c])) \(String(format: "%.4f", value))</title></rect>\n"
                svg += "<text x=\"\(x + cellWidth / 2)\" y=\"\(y + cellHeight / 2 + 4)\" text-anchor=\"middle\" fill=\"\(dark ? "white" : "black")\">"
                    + "\(Self.escape(cellLabels[r][c]))</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// The fill for `value`, and whether it is dark enough to need white text. A value that is
    /// not a number (a checkpoint with NaN or infinite weights makes them) is grey.
    private func colour(_ value: Float) -> (String, Bool) {
        guard value.isFinite else { return ("rgb(190,190,190)", false) }
        let span = max(range.upperBound - range.lowerBound, .leastNormalMagnitude)
        if diverging {
            let scale = max(abs(range.lowerBound), abs(range.upperBound), .leastNormalMagnitude)
            let t = max(-1, min(1, value / scale))
            let fade = Int((1 - abs(t)) * 255)
            return (t >= 0 ? "rgb(\(fade),\(fade),255)" : "rgb(255,\(fade),\(fade))", abs(t) > 0.6)
        }
        let t = value.isFinite ? max(0, min(1, (value - range.lowerBound) / span)) : 0
        let (r, g, b) = (Int(255 - t * 247), Int(255 - t * 207), Int(255 - t * 148))
        return ("rgb(\(r),\(g),\(b))", t > 0.55)
    }

    /// Text made safe for XML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Writes the SVG to `path` (a file, or straight into `/dev/stdout` or a pipe).
    func write(to path: String) throws {
        fflush(nil)   // the table printed before it goes first when both go to standard output
        try OutputFile.write(Array(rendered.utf8), to: path)
    }
}

/// A token's text for a table cell or plot label: quoted, escapes visible (`" rich"`, `"\n"`).
func tokenLabel(_ text: String) -> String {
    text.debugDescription
}

/// Writes a progress line to stderr.
func progressLine(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
