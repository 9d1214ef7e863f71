import Foundation
import SwiftSight

extension ModelSource {
    /// The small GPT-2 trained on the King James Bible (4 layers, 5.7 MB; see Docs/Models.md).
    ///
    /// It is a resource of this module, the `SwiftSightEmbeddedModel` product, rather than of
    /// `SwiftSight`, so that an app linking the library ships the model's 5.7 MB only if it asks
    /// for it. If the resource bundle's folder is missing, loading names the path it looked for.
    public static var embedded: ModelSource {
        .directory(Bundle.module.url(forResource: "EmbeddedModel", withExtension: nil)
                   ?? Bundle.module.bundleURL.appendingPathComponent("EmbeddedModel"))
    }
}
