// `import SwiftSight` is the one import users write. It re-exports the modules whose public
// declarations users touch: Tensor and its errors (Layers), HookPoint, ModuleNaming and
// TraceError (Hooks), ActivationCache (Cache), ModelInfo, ModelError and TokenBatch (Models),
// the Tokenizer protocol (Tokenizers) and CheckpointError (Checkpoint). Everything else in
// them is `package`; Actors has nothing public and is not re-exported.
@_exported import SwiftSightCache
@_exported import SwiftSightCheckpoint
@_exported import SwiftSightHooks
@_exported import SwiftSightLayers
@_exported import SwiftSightModels
@_exported import SwiftSightTokenizers
