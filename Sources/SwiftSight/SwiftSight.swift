@_exported import SwiftSightActors
@_exported import SwiftSightCache
@_exported import SwiftSightCheckpoint
@_exported import SwiftSightHooks
@_exported import SwiftSightLayers
@_exported import SwiftSightModels
@_exported import SwiftSightTokenizers
