/// Identifies one recorded value on one ``GradientTape``.
///
/// Ids on a tape increase in recording order, so a value's inputs always have smaller ids.
package struct GradientNodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The tape's unique number (tapes are numbered as they are created).
    package let tapeID: UInt64
    /// The position of the node on its tape, from 0 in recording order.
    package let index: Int

    /// Orders ids on a tape by recording order.
    package static func < (a: GradientNodeID, b: GradientNodeID) -> Bool {
        (a.tapeID, a.index) < (b.tapeID, b.index)
    }

    /// `tape#node`.
    package var description: String { "\(tapeID)#\(index)" }
}

/// What a tracked ``Tensor`` carries: its tape and its node there.
///
/// A class so that `Tensor` grows by one optional reference only, and untracked tensors pay a
/// nil check.
@usableFromInline final class GradientLink: Sendable {
    let tape: GradientTape
    let index: Int

    init(tape: GradientTape, index: Int) {
        self.tape = tape
        self.index = index
    }

    var id: GradientNodeID { GradientNodeID(tapeID: tape.id, index: index) }
}
