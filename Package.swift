// swift-tools-version: 6.0
import PackageDescription

// Layers, bottom to top: shims → transport → framing → protocol → operations (loader,
// simulator) → commands (the esprig executable). Imports only point downward.
let package = Package(
    name: "esprig",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "esprig", targets: ["esprig"]),
        // What another Swift program imports: the loader with its transports (flash a board from a
        // test rig), the image tools, and the workflows the CLI runs (flash a profile, a bench).
        .library(name: "EsprigLoader", targets: ["EsprigLoader", "EsprigTransport", "EsprigSimHost"]),
        .library(name: "EsprigImage", targets: ["EsprigImage"]),
        .library(name: "EsprigWorkflows", targets: ["EsprigWorkflows"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.3"),
    ],
    targets: [
        // C interop that Swift cannot express: termios2/BOTHER, modem-line ioctls, ptys.
        .target(name: "CEsprigShims"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),

        // The error model every module shares: one code/message/hint/cause shape, a domain per module.
        .target(name: "EsprigCore"),
        // Side effects that are not serial: running programs.
        .target(name: "EsprigSystem", dependencies: ["EsprigCore"]),
        .target(name: "EsprigFraming"),
        .target(name: "EsprigProtocol"),
        .target(name: "EsprigCodecs", dependencies: ["CZlib"]),
        .target(name: "EsprigTransport", dependencies: ["CEsprigShims", "EsprigCore"]),
        // Serial port discovery (libudev), classification, selection (auto, usb-serial:, usb-path:), hotplug.
        .target(name: "EsprigPorts", dependencies: ["CUdev", "EsprigCore", "EsprigTransport", "EsprigProtocol"]),
        // The bench's record of boards, attempts and steps (SQLite through GRDB).
        .target(name: "EsprigLedger", dependencies: ["EsprigCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // The same ledger on a PostgreSQL server that many stations share (postgres-nio); its own
        // target so that a program using only the SQLite ledger does not link postgres-nio.
        .target(name: "EsprigLedgerPostgres", dependencies: [
            "EsprigCore", "EsprigLedger",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EsprigLoader", dependencies: [
            "EsprigCore", "EsprigTransport", "EsprigFraming", "EsprigProtocol", "EsprigCodecs",
        ]),
        // The ESP8266's Xtensa LX106 core: an interpreter that reaches memory and devices through a
        // small Bus protocol. Knows nothing of UARTs, flash or the ROM.
        .target(name: "EsprigXtensa"),
        // The ESP8266 around that core: memory map, mask-ROM functions in Swift, UART0, watchdog,
        // booting the image in flash. The simulated board runs its app on it.
        .target(name: "EsprigESP8266", dependencies: ["EsprigXtensa"]),
        .target(name: "EsprigSimulator", dependencies: [
            "EsprigCore", "EsprigFraming", "EsprigProtocol", "EsprigCodecs", "EsprigESP8266",
        ]),
        // Firmware images: ELF reading, elf2image, image-info, merge-bin. Values in, values out.
        .target(name: "EsprigImage", dependencies: ["EsprigCore", "EsprigProtocol", "EsprigCodecs"]),
        // Firmware config headers (mqtt_config.h): parse, patch, validate, diff, revert.
        .target(name: "EsprigFirmware", dependencies: ["EsprigCore", "EsprigSystem", "EsprigProtocol", "EsprigCodecs"]),
        // Profiles/*.toml → resolved, validated profiles (extends, ${env:…}, file:line errors).
        .target(name: "EsprigProfiles", dependencies: ["EsprigCore", "EsprigProtocol", "EsprigTransport", .product(name: "TOMLKit", package: "TOMLKit")]),
        // MQTT 3.1.1 over mutual TLS: packet codec (values), a small swift-nio client with deadlines,
        // TLS/MQTT failure diagnosis, the preflight sequence and mosquitto config/ACL text.
        .target(name: "EsprigMQTT", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // Certificate material: issue (CA, server, device), the SDK cert-sector format, doctor findings.
        .target(name: "EsprigCerts", dependencies: [
            "EsprigCore", "EsprigFirmware",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        // Serves a SimulatedBoard as a SerialPort in-process, or to other programs over a pty or TCP.
        .target(name: "EsprigSimHost", dependencies: [
            "EsprigCore", "EsprigSimulator", "EsprigTransport", "CEsprigShims",
        ]),
        // Serial monitor: bytes → lines, boot-rate switching, crash decoding, reconnect.
        .target(name: "EsprigMonitor", dependencies: ["EsprigCore", "EsprigSystem", "EsprigTransport", "EsprigProtocol"]),
        // The product's workflows as a library: flash a profile (build → patch → certs → doctor →
        // plan → write → verify → reset → watch) and provision a bench; they report typed events
        // to the caller's observer and never print.
        .target(name: "EsprigWorkflows", dependencies: [
            "EsprigCore", "EsprigSystem", "EsprigLoader", "EsprigTransport", "EsprigPorts", "EsprigProtocol", "EsprigProfiles",
            "EsprigFirmware", "EsprigImage", "EsprigCerts", "EsprigLedger", "EsprigMonitor", "EsprigSimHost", "EsprigSimulator", "EsprigCodecs",
        ]),
        .executableTarget(name: "esprig", dependencies: [
            "EsprigWorkflows", "EsprigCore", "EsprigSystem", "EsprigLoader", "EsprigSimulator", "EsprigSimHost", "EsprigTransport", "EsprigImage", "EsprigFirmware", "EsprigProfiles",
            "EsprigPorts", "EsprigLedger", "EsprigLedgerPostgres", "EsprigCerts", "EsprigMQTT", "EsprigMonitor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The README's library example: flash a file to sim://esp8266 and print the events.
        .executableTarget(name: "esprig-example-flash-file", dependencies: ["EsprigLoader", "EsprigWorkflows"], path: "Examples/FlashFile"),

        .target(name: "EsprigTestSupport", dependencies: ["EsprigSimulator", "EsprigSimHost", "EsprigTransport", "EsprigLoader"],
                path: "Tests/EsprigTestSupport"),
        .testTarget(name: "EsprigFramingTests", dependencies: ["EsprigFraming", "EsprigTestSupport"]),
        .testTarget(name: "EsprigProtocolTests", dependencies: ["EsprigProtocol", "EsprigCodecs", "EsprigTestSupport"]),
        .testTarget(name: "EsprigTransportTests", dependencies: ["EsprigTransport", "CEsprigShims", "EsprigTestSupport"]),
        .testTarget(name: "EsprigSimulatorTests", dependencies: ["EsprigSimulator", "EsprigSimHost", "EsprigImage", "EsprigTestSupport"]),
        .testTarget(name: "EsprigESP8266Tests", dependencies: ["EsprigESP8266", "EsprigTestSupport"]),
        .testTarget(name: "EsprigLoaderTests", dependencies: ["EsprigLoader", "EsprigSimulator", "EsprigSimHost", "EsprigTestSupport"]),
        .testTarget(name: "EsprigImageTests", dependencies: ["EsprigImage", "EsprigCodecs", "EsprigTestSupport"]),
        .testTarget(name: "EsprigFirmwareTests", dependencies: ["EsprigFirmware", "EsprigSystem", "EsprigTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "EsprigCertsTests", dependencies: ["EsprigCerts", "EsprigFirmware", "EsprigProfiles", "EsprigWorkflows", "EsprigTestSupport"]),
        .testTarget(name: "EsprigWorkflowsTests", dependencies: ["EsprigWorkflows", "EsprigCerts", "EsprigProfiles", "EsprigLoader", "EsprigLedger", "EsprigPorts", "EsprigSimHost", "EsprigTestSupport"]),
        .testTarget(name: "EsprigProfilesTests", dependencies: ["EsprigProfiles", "EsprigTransport", "EsprigTestSupport"]),
        .testTarget(name: "EsprigPortsTests", dependencies: ["EsprigPorts", "EsprigTransport", "EsprigTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "EsprigLedgerTests", dependencies: ["EsprigLedger", "EsprigTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        // Against a real PostgreSQL server the tests start (Debian's postgresql package).
        .testTarget(name: "EsprigLedgerPostgresTests", dependencies: ["EsprigLedger", "EsprigLedgerPostgres", "EsprigTestSupport"]),
        // Writes a ledger and is SIGKILLed mid-step by EsprigLedgerTests.
        .executableTarget(name: "esprig-ledger-crash-helper", dependencies: ["EsprigLedger", .product(name: "GRDB", package: "GRDB.swift")],
                          path: "Tests/LedgerCrashHelper"),
        .testTarget(name: "EsprigInteropTests", dependencies: ["EsprigCodecs", "EsprigImage", "EsprigLoader", "EsprigSimulator", "EsprigSimHost", "EsprigTransport", "EsprigFirmware", "EsprigPorts", "EsprigLedger", "EsprigLedgerPostgres", "EsprigCerts", "EsprigTestSupport"]),
        .testTarget(name: "EsprigMQTTTests", dependencies: ["EsprigMQTT", "EsprigCerts", "EsprigProfiles", "EsprigTestSupport"]),
        .testTarget(name: "EsprigXtensaTests", dependencies: ["EsprigXtensa", "EsprigESP8266", "EsprigImage", "EsprigTestSupport"],
                    exclude: ["Programs"]),
        // Benchmarks/xtensa_speed.py runs this (release build) on Benchmarks/XtensaBench/workload.c.
        .executableTarget(name: "esprig-xtensa-bench", dependencies: ["EsprigXtensa", "EsprigImage"],
                          path: "Benchmarks/XtensaBench", exclude: ["workload.c", "bench.ld"]),
        // Ledger operations per second and per-board cost, SQLite and PostgreSQL (Benchmarks/LedgerBench/main.swift).
        .executableTarget(name: "esprig-ledger-bench", dependencies: ["EsprigLedger", "EsprigLedgerPostgres", "EsprigTestSupport"],
                          path: "Benchmarks/LedgerBench"),
        .testTarget(name: "EsprigMonitorTests", dependencies: ["EsprigMonitor", "EsprigSystem", "CEsprigShims", "EsprigSimulator", "EsprigSimHost", "EsprigTransport", "EsprigFirmware", "EsprigTestSupport"]),
    ]
)
