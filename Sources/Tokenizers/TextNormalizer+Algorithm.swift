extension TextNormalizer {
    // Hangul syllable arithmetic (Unicode §3.12).
    private static let syllableBase: UInt32 = 0xAC00
    private static let leadingBase: UInt32 = 0x1100
    private static let vowelBase: UInt32 = 0x1161
    private static let trailingBase: UInt32 = 0x11A7
    private static let vowelCount: UInt32 = 21
    private static let trailingCount: UInt32 = 28
    private static let syllableCount: UInt32 = 11_172

    /// The full decomposition of `values`, canonically ordered.
    static func decompose(_ values: [UInt32], compatibility: Bool) -> [UInt32] {
        let tables = NormalizationTables.shared
        var out: [UInt32] = []
        out.reserveCapacity(values.count)
        for value in values {
            if value < 0xA0 {
                out.append(value)
            } else if value >= syllableBase && value < syllableBase + syllableCount {
                let index = value - syllableBase
                out.append(leadingBase + index / (vowelCount * trailingCount))
                out.append(vowelBase + (index % (vowelCount * trailingCount)) / trailingCount)
                let trailing = index % trailingCount
                if trailing != 0 { out.append(trailingBase + trailing) }
            } else if let mapping = tables.decomposition(of: value, compatibility: compatibility) {
                out.append(contentsOf: mapping)
            } else {
                out.append(value)
            }
        }
        reorder(&out, tables: tables)
        return out
    }

    /// Sorts each run of non-starters by combining class, keeping equal classes in order.
    private static func reorder(_ values: inout [UInt32], tables: NormalizationTables) {
        var index = 0
        while index < values.count {
            guard tables.combiningClass(values[index]) != 0 else {
                index += 1
                continue
            }
            var end = index + 1
            while end < values.count, tables.combiningClass(values[end]) != 0 { end += 1 }
            if end - index > 1 {
                // Insertion sort: stable, and runs are short.
                for position in (index + 1)..<end {
                    let value = values[position]
                    let valueClass = tables.combiningClass(value)
                    var target = position
                    while target > index, tables.combiningClass(values[target - 1]) > valueClass {
                        values[target] = values[target - 1]
                        target -= 1
                    }
                    values[target] = value
                }
            }
            index = end
        }
    }

    /// Canonical composition of decomposed, canonically ordered `values`.
    static func compose(_ values: [UInt32]) -> [UInt32] {
        let tables = NormalizationTables.shared
        var out: [UInt32] = []
        out.reserveCapacity(values.count)
        var starter: Int?
        var lastClass: UInt8?
        for value in values {
            let valueClass = tables.combiningClass(value)
            if let starter {
                let blocked = lastClass.map { $0 >= valueClass } ?? false
                if !blocked, let composite = composite(out[starter], value, tables: tables) {
                    out[starter] = composite
                    continue
                }
            }
            if valueClass == 0 {
                starter = out.count
                lastClass = nil
            } else {
                lastClass = valueClass
            }
            out.append(value)
        }
        return out
    }

    /// The primary composite of `first` followed by `second`, if any.
    private static func composite(_ first: UInt32, _ second: UInt32, tables: NormalizationTables) -> UInt32? {
        if first >= leadingBase && first < leadingBase + 19 && second >= vowelBase && second < vowelBase + vowelCount {
            return syllableBase + ((first - leadingBase) * vowelCount + (second - vowelBase)) * trailingCount
        }
        if first >= syllableBase && first < syllableBase + syllableCount && (first - syllableBase) % trailingCount == 0
            && second > trailingBase && second < trailingBase + trailingCount
        {
            return first + (second - trailingBase)
        }
        return tables.composite(first, second)
    }
}
