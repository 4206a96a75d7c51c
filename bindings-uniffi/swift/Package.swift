// swift-tools-version:6.0
// The Swift package of the Antonnia SDK: `Antonnia` (generated bindings +
// the Swift layer) over `AntonniaFFI` (the native library's C header).
// Run `bash bindings-uniffi/scripts/build-swift.sh` first: it builds the
// native library into lib/ and generates the sources this package compiles.
import Foundation
import PackageDescription

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let libDir = ProcessInfo.processInfo.environment["ANTONNIA_LIB_DIR"] ?? "\(here)/lib"

let package = Package(
    name: "Antonnia",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [.library(name: "Antonnia", targets: ["Antonnia"])],
    targets: [
        .systemLibrary(name: "AntonniaFFI", path: "Sources/AntonniaFFI"),
        .target(
            name: "Antonnia",
            dependencies: ["AntonniaFFI"],
            path: "Sources/Antonnia",
            // Swift 6's region checker crashes swift-frontend 6.0.3 on uniffi's
            // generated foreign-trait glue (TransferNonSendable, a compiler
            // assertion), so this target compiles in the Swift 5 language mode.
            swiftSettings: [.swiftLanguageMode(.v5)],
            linkerSettings: [
                .unsafeFlags(["-L\(libDir)", "-lantonnia_uniffi", "-Xlinker", "-rpath", "-Xlinker", libDir])
            ]),
        // The overhead figures of BENCHMARKS.md (scripts/bench-swift.sh).
        .executableTarget(name: "AntonniaBench", dependencies: ["Antonnia"], path: "Sources/AntonniaBench"),
        // The tests share fakes across tasks the way an app would; Swift 5
        // mode keeps them free of annotations that only satisfy the checker.
        .testTarget(
            name: "AntonniaTests", dependencies: ["Antonnia"], path: "Tests/AntonniaTests",
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
