// swift-tools-version: 6.0
import PackageDescription

// Layers, bottom to top: shims → transport → framing → protocol → operations (loader,
// simulator) → commands (the esprig executable). Imports only point downward.
let package = Package(
    name: "esprig",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "esprig", targets: ["esprig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C interop that Swift cannot express: termios2/BOTHER, modem-line ioctls, ptys.
        .target(name: "CEsprigShims"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "EsprigFraming"),
        .target(name: "EsprigProtocol"),
        .target(name: "EsprigCodecs", dependencies: ["CZlib"]),
        .target(name: "EsprigTransport", dependencies: ["CEsprigShims"]),
        .target(name: "EsprigLoader", dependencies: [
            "EsprigTransport", "EsprigFraming", "EsprigProtocol", "EsprigCodecs",
        ]),
        .target(name: "EsprigSimulator", dependencies: [
            "EsprigFraming", "EsprigProtocol", "EsprigCodecs",
        ]),
        // Firmware images: ELF reading, elf2image, image-info, merge-bin. Values in, values out.
        .target(name: "EsprigImage", dependencies: ["EsprigProtocol", "EsprigCodecs"]),
        // Firmware config headers (mqtt_config.h): parse, patch, validate, diff, revert.
        .target(name: "EsprigFirmware", dependencies: ["EsprigProtocol", "EsprigCodecs"]),
        // Profiles/*.toml → resolved, validated profiles (extends, ${env:…}, file:line errors).
        .target(name: "EsprigProfiles", dependencies: ["EsprigProtocol", .product(name: "TOMLKit", package: "TOMLKit")]),
        // Serves a SimulatedBoard as a SerialPort in-process, or to other programs over a pty or TCP.
        .target(name: "EsprigSimHost", dependencies: [
            "EsprigSimulator", "EsprigTransport", "CEsprigShims",
        ]),
        // Serial monitor: bytes → lines, boot-rate switching, crash decoding, reconnect.
        .target(name: "EsprigMonitor", dependencies: ["EsprigTransport", "EsprigProtocol", "EsprigFirmware"]),
        .executableTarget(name: "esprig", dependencies: [
            "EsprigLoader", "EsprigSimulator", "EsprigSimHost", "EsprigTransport", "EsprigImage", "EsprigFirmware", "EsprigProfiles",
            "EsprigMonitor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "EsprigTestSupport", dependencies: ["EsprigSimulator", "EsprigSimHost", "EsprigTransport", "EsprigLoader"],
                path: "Tests/EsprigTestSupport"),
        .testTarget(name: "EsprigFramingTests", dependencies: ["EsprigFraming", "EsprigTestSupport"]),
        .testTarget(name: "EsprigProtocolTests", dependencies: ["EsprigProtocol", "EsprigCodecs", "EsprigTestSupport"]),
        .testTarget(name: "EsprigTransportTests", dependencies: ["EsprigTransport", "CEsprigShims", "EsprigTestSupport"]),
        .testTarget(name: "EsprigSimulatorTests", dependencies: ["EsprigSimulator", "EsprigSimHost", "EsprigTestSupport"]),
        .testTarget(name: "EsprigLoaderTests", dependencies: ["EsprigLoader", "EsprigSimulator", "EsprigSimHost", "EsprigTestSupport"]),
        .testTarget(name: "EsprigImageTests", dependencies: ["EsprigImage", "EsprigCodecs", "EsprigTestSupport"]),
        .testTarget(name: "EsprigFirmwareTests", dependencies: ["EsprigFirmware", "EsprigTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "EsprigProfilesTests", dependencies: ["EsprigProfiles", "EsprigTestSupport"]),
        .testTarget(name: "EsprigMonitorTests", dependencies: ["EsprigMonitor", "CEsprigShims", "EsprigSimulator", "EsprigSimHost", "EsprigTransport", "EsprigFirmware", "EsprigTestSupport"]),
        .testTarget(name: "EsprigInteropTests", dependencies: ["EsprigCodecs", "EsprigLoader", "EsprigSimulator", "EsprigSimHost", "EsprigTransport", "EsprigTestSupport"]),
    ]
)
