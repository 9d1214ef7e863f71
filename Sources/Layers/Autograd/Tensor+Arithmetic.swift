import SwiftSightCKernels
import Foundation

/// Element-wise arithmetic with NumPy broadcasting, differentiable (PyTorch's formulas).
extension Tensor {
    package enum BinaryOperator: Sendable {
        case add, subtract, multiply, divide

        /// The operator as users write it, for error messages.
        var symbol: String {
            switch self {
            case .add: "+"
            case .subtract: "-"
            case .multiply: "*"
            case .divide: "/"
            }
        }
    }

    /// How `a` and `b` broadcast, and the result's shape; nil if they do not.
    static func broadcast(_ a: Tensor, _ b: Tensor) -> (plan: BroadcastPlan, shape: [Int])? {
        // Equal shapes are one flat run, whatever their rank.
        if a.shape == b.shape { return BroadcastPlan([a.count], [b.count]).map { ($0, a.shape) } }
        return BroadcastPlan(a.shape, b.shape).map { ($0, $0.shape) }
    }

    /// `a op b` with broadcasting, untracked. O(result elements).
    static func elementwise(_ a: Tensor, _ b: Tensor, _ op: BinaryOperator,
                            _ planned: (plan: BroadcastPlan, shape: [Int])) -> Tensor {
        let plan = planned.plan
        let n = plan.innerLength
        let (sa, sb) = plan.innerStrides
        return Tensor(uncheckedShape: planned.shape) { out in
            a.withUnsafeBuffer { ab in
                b.withUnsafeBuffer { bb in
                    let (ap, bp, op0) = (ab.baseAddress!, bb.baseAddress!, out.baseAddress!)
                    plan.forEachRun { ao, bo, oo in
                        let (x, y, o) = (ap + ao, bp + bo, op0 + oo)
                        switch op {
                        case .add: for j in 0..<n { o[j] = x[j * sa] + y[j * sb] }
                        case .subtract: for j in 0..<n { o[j] = x[j * sa] - y[j * sb] }
                        case .multiply: for j in 0..<n { o[j] = x[j * sa] * y[j * sb] }
                        case .divide: for j in 0..<n { o[j] = x[j * sa] / y[j * sb] }
                        }
                    }
                }
            }
        }
    }

    /// The public operators' path: shapes and tapes checked, then computed.
    /// - Throws: ``TensorError/shapesDoNotBroadcast(operation:_:_:)``, ``TensorError/differentTapes(operation:)``.
    static func checkedBinary(_ a: Tensor, _ b: Tensor, _ op: BinaryOperator) throws(TensorError) -> Tensor {
        guard let planned = broadcast(a, b) else { throw .shapesDoNotBroadcast(operation: op.symbol, a.shape, b.shape) }
        if a.isTracked && b.isTracked { try checkSameTape([a, b], op.symbol) }
        return binary(a, b, op, planned)
    }

    /// `a op b` for operands that broadcast (and share a tape) by construction: pullbacks and
    /// model code. Recorded when either side is tracked.
    package static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOperator) -> Tensor {
        guard let planned = broadcast(a, b) else {
            preconditionFailure(TensorError.shapesDoNotBroadcast(operation: op.symbol, a.shape, b.shape).description)
        }
        return binary(a, b, op, planned)
    }

    private static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOperator,
                               _ planned: (plan: BroadcastPlan, shape: [Int])) -> Tensor {
        if op == .add && a.shape == b.shape && !a.isTracked && !b.isTracked {
            // The residual-add kernel, on a copy of `a` (copy-on-write).
            var r = a
            r.add(unchecked: b)
            return r
        }
        let result = elementwise(a, b, op, planned)
        guard a.isTracked || b.isTracked else { return result }
        let (x, y) = (a.detached(), b.detached())
        let (needA, needB) = (a.isTracked, b.isTracked)
        return recorded(result, from: [a, b]) { g in
            switch op {
            case .add:
                return [needA ? g.summed(toShape: x.shape) : nil, needB ? g.summed(toShape: y.shape) : nil]
            case .subtract:
                return [needA ? g.summed(toShape: x.shape) : nil, needB ? (-g).summed(toShape: y.shape) : nil]
            case .multiply:
                return [needA ? binary(g, y, .multiply).summed(toShape: x.shape) : nil,
                        needB ? binary(g, x, .multiply).summed(toShape: y.shape) : nil]
            case .divide:
                // torch: grad / other, and -grad * ((self / other) / other).
                return [needA ? binary(g, y, .divide).summed(toShape: x.shape) : nil,
                        needB ? binary(-g, binary(binary(x, y, .divide), y, .divide), .multiply).summed(toShape: y.shape) : nil]
            }
        }
    }

    /// Applies `f` to every element, untracked. O(n).
    @inline(__always)
    func map(_ f: (Float) -> Float) -> Tensor {
        Tensor(uncheckedShape: shape) { out in
            withUnsafeBuffer { x in for i in 0..<x.count { out[i] = f(x[i]) } }
        }
    }

    /// `f` of every element, recorded with the element-wise derivative `derivative(x, y)`
    /// (`x` the input, `y` the output) when `self` is tracked.
    @inline(__always)
    func unary(_ f: (Float) -> Float, derivative: @escaping @Sendable (Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
        let result = map(f)
        guard isTracked else { return result }
        let (x, y) = (detached(), result)
        return Tensor.recorded(result, from: [self]) { g in [derivative(g, x, y)] }
    }

    // Between two tensors the operators throw ``TensorError`` for shapes that do not broadcast
    // (`try a + b`); with a scalar they cannot fail and do not throw.

    /// Element-wise sum with broadcasting. Differentiable.
    /// - Throws: ``TensorError/shapesDoNotBroadcast(operation:_:_:)``; ``TensorError/differentTapes(operation:)``.
    public static func + (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try checkedBinary(lhs, rhs, .add) }
    /// Element-wise difference with broadcasting. Differentiable.
    /// - Throws: ``TensorError`` as `+` does.
    public static func - (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try checkedBinary(lhs, rhs, .subtract) }
    /// Element-wise product with broadcasting. Differentiable.
    /// - Throws: ``TensorError`` as `+` does.
    public static func * (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try checkedBinary(lhs, rhs, .multiply) }
    /// Element-wise quotient with broadcasting. Differentiable.
    /// - Throws: ``TensorError`` as `+` does.
    public static func / (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try checkedBinary(lhs, rhs, .divide) }

    /// `lhs = lhs + rhs` (recorded out of place when tracked). Throws as `+`.
    public static func += (lhs: inout Tensor, rhs: Tensor) throws(TensorError) { lhs = try lhs + rhs }
    /// `lhs = lhs - rhs`. Throws as `-`.
    public static func -= (lhs: inout Tensor, rhs: Tensor) throws(TensorError) { lhs = try lhs - rhs }
    /// `lhs = lhs * rhs`. Throws as `*`.
    public static func *= (lhs: inout Tensor, rhs: Tensor) throws(TensorError) { lhs = try lhs * rhs }
    /// `lhs = lhs / rhs`. Throws as `/`.
    public static func /= (lhs: inout Tensor, rhs: Tensor) throws(TensorError) { lhs = try lhs / rhs }

    /// `lhs = lhs + rhs` for a scalar.
    public static func += (lhs: inout Tensor, rhs: Float) { lhs = lhs + rhs }
    /// `lhs = lhs - rhs` for a scalar.
    public static func -= (lhs: inout Tensor, rhs: Float) { lhs = lhs - rhs }
    /// `lhs = lhs * rhs` for a scalar.
    public static func *= (lhs: inout Tensor, rhs: Float) { lhs = lhs * rhs }
    /// `lhs = lhs / rhs` for a scalar.
    public static func /= (lhs: inout Tensor, rhs: Float) { lhs = lhs / rhs }

    /// Negation. Differentiable.
    public static prefix func - (x: Tensor) -> Tensor { x.unary({ -$0 }) { g, _, _ in -g } }

    /// Adds a scalar to every element. Differentiable.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.unary({ $0 + rhs }) { g, _, _ in g } }
    /// Adds a scalar to every element. Differentiable.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs + lhs }
    /// Subtracts a scalar from every element. Differentiable.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.unary({ $0 - rhs }) { g, _, _ in g } }
    /// A scalar minus every element. Differentiable.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { rhs.unary({ lhs - $0 }) { g, _, _ in -g } }
    /// Multiplies every element by a scalar. Differentiable.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.unary({ $0 * rhs }) { g, _, _ in g * rhs } }
    /// Multiplies every element by a scalar. Differentiable.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }
    /// Divides every element by a scalar. Differentiable.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.unary({ $0 / rhs }) { g, _, _ in g / rhs } }
    /// A scalar divided by every element. Differentiable.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor {
        // d(s/x)/dx = -s/x² = -y/x.
        rhs.unary({ lhs / $0 }) { g, x, y in binary(-g, binary(y, x, .divide), .multiply) }
    }

    /// e^x for every element (vectorised). Differentiable: the gradient is g·e^x.
    public func exp() -> Tensor {
        let source = detached()
        let result = Tensor(uncheckedShape: shape) { out in
            source.withUnsafeBuffer { ss_exp($0.baseAddress, out.baseAddress, $0.count) }
        }
        guard isTracked else { return result }
        return Tensor.recorded(result, from: [self]) { g in [Tensor.binary(g, result, .multiply)] }
    }

    /// The natural logarithm of every element. Differentiable: the gradient is g / x.
    public func log() -> Tensor { unary({ Foundation.log($0) }) { g, x, _ in Tensor.binary(g, x, .divide) } }

    /// Every element to the power `exponent`. Differentiable: the gradient is
    /// g·p·x^(p-1) (zero for p = 0), as in PyTorch.
    public func pow(_ exponent: Float) -> Tensor {
        unary({ Foundation.pow($0, exponent) }) { g, x, _ in
            exponent == 0 ? Tensor.zeros(unchecked: x.shape) : Tensor.binary(g, x.map { exponent * Foundation.pow($0, exponent - 1) }, .multiply)
        }
    }
}

/// `base` to the power `exponent`, element-wise. Differentiable (see ``Tensor/pow(_:)``).
public func pow(_ base: Tensor, _ exponent: Float) -> Tensor { base.pow(exponent) }
/// e^x element-wise. Differentiable (see ``Tensor/exp()``).
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// The natural logarithm element-wise. Differentiable (see ``Tensor/log()``).
public func log(_ x: Tensor) -> Tensor { x.log() }
