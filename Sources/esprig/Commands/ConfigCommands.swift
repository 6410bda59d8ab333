import ArgumentParser
import Foundation
import EsprigFirmware
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            abstract: "Change a firmware config header (mqtt_config.h): show the change, apply it, or undo it.",
            discussion: """
            Values are checked against the NONOS SDK MQTT demo's limits before anything is written, and \
            CFG_HOLDER is bumped whenever another value changes, so the board reloads its defaults.
            """,
            subcommands: [Diff.self, SetValues.self, Revert.self]
        )
    }
}

/// Header path, `--set`/`--add` assignments and the rule set, shared by `config diff` and `config set`.
struct HeaderChangeOptions: ParsableArguments {
    @Argument(help: "The config header, e.g. include/mqtt_config.h.")
    var header: String

    @Option(name: .customLong("set"), help: "NAME=VALUE for a name the header already has (repeatable). Flags take on/off.")
    var assignments: [String] = []

    @Option(name: .customLong("add"), help: "NAME=VALUE, appended after the last setting when the header lacks NAME (repeatable).")
    var additions: [String] = []

    @Option(help: "Which limits apply: demo (the SDK MQTT demo's) or plain (C syntax only, no CFG_HOLDER).")
    var rules: HeaderRules = .demo

    func validate() throws {
        if assignments.isEmpty && additions.isEmpty { throw ValidationError("give at least one --set NAME=VALUE or --add NAME=VALUE") }
    }

    func parsed(_ header: ConfigHeader) throws -> [ConfigAssignment] {
        try assignments.map { try ConfigAssignment(parsing: $0, in: header, rules: rules.rules) }
            + additions.map { try ConfigAssignment(parsing: $0, in: header, rules: rules.rules, addIfMissing: true) }
    }
}

enum HeaderRules: String, ExpressibleByArgument, CaseIterable {
    case demo, plain
    var rules: ConfigRules { self == .demo ? .mqttDemo : .plain }
}

extension Esprig.Config {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the change as a unified diff (secrets masked) without writing.")
        @OptionGroup var change: HeaderChangeOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try HeaderCommand.run(output: output) {
                let header = try ConfigHeaderFile(path: change.header).load()
                let patch = try header.patched(change.parsed(header), rules: change.rules.rules)
                return HeaderCommand.result("config diff", patch, path: change.header, written: false)
            }
        }
    }

    struct SetValues: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Apply the change (a pristine copy is kept for revert); nothing is written when nothing changes.")
        @OptionGroup var change: HeaderChangeOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try HeaderCommand.run(output: output) {
                let file = ConfigHeaderFile(path: change.header)
                let patch = try file.apply(change.parsed(try file.load()), rules: change.rules.rules)
                return HeaderCommand.result("config set", patch, path: change.header, written: patch.hasChanges)
            }
        }
    }

    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore the header's bytes from before esprig first changed it.")
        @Argument(help: "The config header esprig changed.")
        var header: String
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try HeaderCommand.run(output: output) {
                let file = ConfigHeaderFile(path: header)
                try file.revert()
                return (HeaderReport(command: "config revert", path: header), "restored \(header) from \(file.backupPath)")
            }
        }
    }
}

/// Runs a header command: prints its text (or JSON) and turns refusals into exit codes
/// (1 for bad input, 2 when the file cannot be written).
enum HeaderCommand {
    static func run(output: OutputOptions, _ body: () throws -> (json: HeaderReport, text: String)) throws {
        do {
            let (json, text) = try body()
            if output.json {
                emitJSON(json)
            } else if !text.isEmpty {
                FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
            }
        } catch let error as FirmwareConfigError {
            throw CLIFailure(error, status: ExitStatus.usage).exit(json: output.json)
        }
    }

    static func result(_ command: String, _ patch: ConfigPatch, path: String, written: Bool) -> (json: HeaderReport, text: String) {
        let diff = patch.diff(path: path)
        var json = HeaderReport(command: command, path: path)
        json.changed = patch.hasChanges
        json.written = written
        json.diff = diff
        json.changes = patch.changes.map { .init(name: $0.name, line: $0.line + 1, added: $0.old == nil) }
        return (json, patch.hasChanges ? diff : "no change: \(path) already holds these values")
    }
}

/// `config diff|set|revert --json`.
struct HeaderReport: Encodable {
    struct Change: Encodable {
        var name: String
        var line: Int
        var added: Bool
    }
    var ok = true
    var command: String
    var path: String
    var changed: Bool?
    var written: Bool?
    var diff: String?
    var changes: [Change]?
}
