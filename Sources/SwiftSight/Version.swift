/// The library's version.
public enum SwiftSightVersion {
    /// Semantic version of this release.
    public static let string = "0.1.0"
}
