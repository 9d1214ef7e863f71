@_exported import Actors
@_exported import Cache
@_exported import Checkpoint
@_exported import Hooks
@_exported import Layers
@_exported import Models
@_exported import Tokenizers
