import CKernels
import Foundation

/// Element-wise arithmetic with NumPy broadcasting, differentiable (PyTorch's formulas).
extension Tensor {
    enum BinaryOperator { case add, subtract, multiply, divide }

    /// `a op b` with broadcasting, untracked. O(result elements).
    static func elementwise(_ a: Tensor, _ b: Tensor, _ op: BinaryOperator) -> Tensor {
        let plan = a.shape == b.shape ? BroadcastPlan([a.count], [b.count]) : BroadcastPlan(a.shape, b.shape)
        let outShape = a.shape == b.shape ? a.shape : plan.shape
        let n = plan.innerLength
        let (sa, sb) = plan.innerStrides
        return Tensor(uninitializedShape: outShape) { out in
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

    /// `a op b` recorded when either side is tracked.
    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOperator) -> Tensor {
        let result = elementwise(a, b, op)
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
                return [needA ? (g * y).summed(toShape: x.shape) : nil, needB ? (g * x).summed(toShape: y.shape) : nil]
            case .divide:
                // torch: grad / other, and -grad * ((self / other) / other).
                return [needA ? (g / y).summed(toShape: x.shape) : nil,
                        needB ? (-g * ((x / y) / y)).summed(toShape: y.shape) : nil]
            }
        }
    }

    /// Applies `f` to every element, untracked. O(n).
    @inline(__always)
    func map(_ f: (Float) -> Float) -> Tensor {
        Tensor(uninitializedShape: shape) { out in
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

    /// Element-wise sum with broadcasting. Differentiable.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        if lhs.shape == rhs.shape && !lhs.isTracked && !rhs.isTracked {
            var r = lhs
            r.add(rhs)
            return r
        }
        return binary(lhs, rhs, .add)
    }
    /// Element-wise difference with broadcasting. Differentiable.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { binary(lhs, rhs, .subtract) }
    /// Element-wise product with broadcasting. Differentiable.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { binary(lhs, rhs, .multiply) }
    /// Element-wise quotient with broadcasting. Differentiable.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { binary(lhs, rhs, .divide) }

    /// `lhs = lhs + rhs` (recorded out of place when tracked).
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    /// `lhs = lhs - rhs`.
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    /// `lhs = lhs * rhs`.
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    /// `lhs = lhs / rhs`.
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }

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
        rhs.unary({ lhs / $0 }) { g, x, y in -g * (y / x) }
    }

    /// e^x for every element (vectorised). Differentiable: the gradient is g·e^x.
    public func exp() -> Tensor {
        let source = detached()
        let result = Tensor(uninitializedShape: shape) { out in
            source.withUnsafeBuffer { ss_exp($0.baseAddress, out.baseAddress, $0.count) }
        }
        guard isTracked else { return result }
        return Tensor.recorded(result, from: [self]) { g in [g * result] }
    }

    /// The natural logarithm of every element. Differentiable: the gradient is g / x.
    public func log() -> Tensor { unary({ Foundation.log($0) }) { g, x, _ in g / x } }

    /// Every element to the power `exponent`. Differentiable: the gradient is
    /// g·p·x^(p-1) (zero for p = 0), as in PyTorch.
    public func pow(_ exponent: Float) -> Tensor {
        unary({ Foundation.pow($0, exponent) }) { g, x, _ in
            exponent == 0 ? Tensor.zeros(x.shape) : g * x.map { exponent * Foundation.pow($0, exponent - 1) }
        }
    }
}

/// `base` to the power `exponent`, element-wise. Differentiable (see ``Tensor/pow(_:)``).
public func pow(_ base: Tensor, _ exponent: Float) -> Tensor { base.pow(exponent) }
/// e^x element-wise. Differentiable (see ``Tensor/exp()``).
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// The natural logarithm element-wise. Differentiable (see ``Tensor/log()``).
public func log(_ x: Tensor) -> Tensor { x.log() }
