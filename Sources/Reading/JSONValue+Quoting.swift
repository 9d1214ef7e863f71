extension JSONValue {
    /// `text` as a JSON string literal: in double quotes, with quotes, backslashes and control
    /// characters (and DEL, invisible in a terminal) escaped; cut to `limit` scalars and an
    /// ellipsis when longer (80 by default, for messages; the writer passes `.max`).
    ///
    /// The one quoting function: the safetensors writer writes names with it (its output must
    /// read back as the same string), and error messages quote values with it, so what a
    /// message shows is what the file would say.
    package static func quoted(_ text: String, limit: Int = 80) -> String {
        var out = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                out += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
