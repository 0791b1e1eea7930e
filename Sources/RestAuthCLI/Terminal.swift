import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading answers from the user, and writing to standard error.
///
/// Prompts go to standard error, so that standard output carries only results. When standard
/// input is not a terminal (a pipe, a file) nothing is prompted: each answer is the next
/// line of input, which lets a script pipe in a password without putting it in the process list.
enum Terminal {
    /// Whether standard input is a terminal (a person typing).
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// Writes `text` and a newline to standard error, after what standard output holds.
    static func error(_ text: String) {
        writeError(text + "\n")
    }

    /// One line of input, echoed as typed, without surrounding spaces.
    /// - Parameter what: what the answer is, for the error when there is no input left.
    static func readLine(prompt: String, what: String) throws -> String {
        if isInteractive { writeError(prompt) } else { fflush(nil) }
        guard let line = Swift.readLine(strippingNewline: true) else {
            throw CLIError("No \(what) given: standard input is empty.")
        }
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// One line of input, not echoed when typed at a terminal (as `getpass` and
    /// `readpassphrase` read it: echo off on the terminal until the line ends, restored
    /// even when Control-C interrupts the prompt). Kept as typed, spaces included.
    static func readSecret(prompt: String, what: String) throws -> String {
        var original = termios()
        guard isInteractive, tcgetattr(STDIN_FILENO, &original) == 0 else {
            // What was printed so far reaches a pipe before the tool waits (a script may need it to answer).
            fflush(nil)
            guard let line = Swift.readLine(strippingNewline: true) else {
                throw CLIError("No \(what) given: standard input is empty.")
            }
            return line
        }
        writeError(prompt)
        savedTerminal = original
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        let previousHandler = signal(SIGINT, restoreTerminalAndReraise)
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        let line = Swift.readLine(strippingNewline: true)
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
        _ = signal(SIGINT, previousHandler)
        // The Return the user typed was not echoed either.
        writeError("\n")
        guard let line else { throw CLIError("No \(what) given.") }
        return line
    }

    private static func writeError(_ text: String) {
        // What `print` buffered goes first, so the two streams stay in order on a terminal.
        fflush(nil)
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// The terminal's settings while echo is off, for the SIGINT handler (which can capture nothing).
nonisolated(unsafe) private var savedTerminal = termios()

/// Control-C at a secret prompt: echo back on, then the default action of the signal.
private func restoreTerminalAndReraise(_ signalNumber: Int32) {
    _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal)
    _ = signal(signalNumber, SIG_DFL)
    _ = raise(signalNumber)
}
