import EsprigLoader
import EsprigWorkflows

// Flash a file at 0x0 of the built-in simulated ESP8266, printing every event.
let path = CommandLine.arguments.dropFirst().first ?? "app.bin"
let write = FlashWrite(address: 0x0, data: try readInputFile(path), source: path)
let board = BoardFlash(portName: "sim://esp8266", options: SessionOptions(), after: .hardReset,
                       observer: { event in print(event) })
let outcome = try board.run(planned: [write], flashSize: nil)
try outcome.opened.close()
print(outcome.report.regions.map { "\($0.source): \($0.result)" })
