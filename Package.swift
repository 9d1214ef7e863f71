// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "SwiftSight",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwiftSight", targets: ["SwiftSight"]),
        // The 5.7 MB demo model, `ModelSource.embedded`: a product of its own, so an app that
        // links SwiftSight ships it only if it asks for it.
        .library(name: "SwiftSightEmbeddedModel", targets: ["SwiftSightEmbeddedModel"]),
        .executable(name: "swiftsight", targets: ["swiftsight"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
    ],
    targets: [
        // OpenBLAS, plus the load-time choice of its kernel (see Docs/Numerics.md).
        .target(
            name: "SwiftSightCOpenBLAS",
            path: "Sources/COpenBLAS",
            linkerSettings: [.linkedLibrary("openblas")]
        ),
        // Tensors and the math of every layer; the only code that touches BLAS.
        // Vectorised element-wise kernels (exp, GELU, softmax, LayerNorm) in C, one build per ISA level.
        .target(name: "SwiftSightCKernels", path: "Sources/CKernels"),
        .target(name: "SwiftSightLayers", dependencies: ["SwiftSightCOpenBLAS", "SwiftSightCKernels"], path: "Sources/Layers"),
        // Reading untrusted files, one of each: the JSON reader, the file reader, the folder check, quoting.
        .target(name: "SwiftSightReading", path: "Sources/Reading"),
        // Text to token ids and back.
        .target(name: "SwiftSightTokenizers", dependencies: ["SwiftSightReading"], path: "Sources/Tokenizers"),
        // Reading Hugging Face checkpoint folders: safetensors and config.json.
        .target(name: "SwiftSightCheckpoint", dependencies: ["SwiftSightLayers", "SwiftSightReading"], path: "Sources/Checkpoint"),
        // Hook points: names, sequence numbers, module paths.
        .target(name: "SwiftSightHooks", dependencies: ["SwiftSightLayers"], path: "Sources/Hooks"),
        // Activations collected by module name.
        .target(name: "SwiftSightCache", dependencies: ["SwiftSightHooks", "SwiftSightLayers"], path: "Sources/Cache"),
        // Architectures: configs, checkpoint key maps, forward passes built from Layers.
        .target(name: "SwiftSightModels", dependencies: ["SwiftSightLayers", "SwiftSightCheckpoint", "SwiftSightHooks"], path: "Sources/Models"),
        // Execution: where forward passes run.
        .target(name: "SwiftSightActors", dependencies: [
            "SwiftSightModels", "SwiftSightHooks", "SwiftSightCache", "SwiftSightLayers",
            .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
        ], path: "Sources/Actors"),
        // The public library: one import for users.
        .target(
            name: "SwiftSight",
            dependencies: [
                "SwiftSightActors", "SwiftSightModels", "SwiftSightHooks", "SwiftSightCache", "SwiftSightLayers",
                "SwiftSightTokenizers", "SwiftSightCheckpoint",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ]
        ),
        // The embedded demo model (Docs/Models.md): its files as resources, and `ModelSource.embedded`.
        .target(
            name: "SwiftSightEmbeddedModel",
            dependencies: ["SwiftSight"],
            path: "Sources/EmbeddedModel",
            resources: [.copy("Resources/EmbeddedModel")]
        ),
        // The benchmark harness behind `swiftsight bench` and `bench-gemm` (Docs/Benchmarks.md),
        // kept out of the library and of the user commands' sources.
        .target(name: "SwiftSightBench", dependencies: ["SwiftSight", "SwiftSightCheckpoint"], path: "Sources/Bench"),
        .executableTarget(
            name: "swiftsight",
            dependencies: [
                "SwiftSight", "SwiftSightEmbeddedModel", "SwiftSightBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CLI"
        ),
        .testTarget(name: "LayersTests", dependencies: ["SwiftSightLayers"]),
        .testTarget(name: "ReadingTests", dependencies: ["SwiftSightReading"]),
        .testTarget(name: "TokenizersTests", dependencies: ["SwiftSightTokenizers", "SwiftSightReading"]),
        // The hook bus on its own: its state machine and a fake forward pass (Docs/HookBus.md).
        .testTarget(name: "HooksTests", dependencies: ["SwiftSightHooks", "SwiftSightLayers"]),
        // The activation cache as a bus observer, without a model.
        // The pipeline with a weightless model (no checkpoint).
        .testTarget(name: "ActorsTests", dependencies: ["SwiftSightActors", "SwiftSightModels", "SwiftSightHooks", "SwiftSightLayers"]),
        .testTarget(name: "CacheTests", dependencies: ["SwiftSightCache", "SwiftSightHooks", "SwiftSightLayers"]),
        .testTarget(name: "CheckpointTests", dependencies: ["SwiftSightCheckpoint", "SwiftSightLayers"]),
        // Code only the tests use (the sequential `ForwardPass`), kept out of the library.
        .target(name: "SwiftSightTestSupport", dependencies: ["SwiftSightModels", "SwiftSightHooks", "SwiftSightLayers"],
                path: "Tests/Support"),
        .testTarget(name: "ModelsTests", dependencies: [
            "SwiftSightModels", "SwiftSightCheckpoint", "SwiftSightHooks", "SwiftSightCache", "SwiftSightActors",
            "SwiftSightTestSupport",
        ]),
        .testTarget(name: "SwiftSightTests", dependencies: ["SwiftSight", "SwiftSightEmbeddedModel", "SwiftSightTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["swiftsight", "SwiftSightBench"]),
        // What the fuzzers feed to the readers of untrusted files (Docs/Fuzzing.md); the tests
        // replay the committed corpus and every crash found through it.
        .target(name: "SwiftSightFuzzEntryPoints", dependencies: ["SwiftSightCheckpoint", "SwiftSightModels", "SwiftSightTokenizers"],
                path: "Fuzz/EntryPoints"),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["SwiftSightFuzzEntryPoints", "SwiftSightModels"]),
    ]
)

// The libFuzzer executables, only for Scripts/fuzz.sh (SWIFTSIGHT_FUZZ=1): they have no `main`
// but libFuzzer's, which only `--sanitize=fuzzer` links, so a normal build leaves them out.
if Context.environment["SWIFTSIGHT_FUZZ"] != nil {
    for name in ["FuzzSafetensorsHeader", "FuzzConfig", "FuzzTokenizer"] {
        package.targets.append(.executableTarget(name: name, dependencies: ["SwiftSightFuzzEntryPoints"], path: "Fuzz/\(name)"))
    }
}
