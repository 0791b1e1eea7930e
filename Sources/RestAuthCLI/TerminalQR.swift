import RestAuthQRCode

/// Draws a ``RestAuthQRCode/QRCode`` as text, for an authenticator app to scan off the screen.
///
/// Each character cell holds two modules of one column, one above the other, with the
/// Unicode half blocks: `▀` (upper ink), `▄` (lower ink), `█` (both) and a space (neither).
/// So the symbol keeps its square shape in a terminal whose cells are about twice as tall as
/// they are wide, and a version 5 symbol with its quiet zone takes 41 columns by 21 lines.
///
/// A reader wants dark modules on a light ground, but a glyph's ink is the terminal's
/// foreground colour, which is light on the usual dark theme. With ``Background/dark`` (the
/// default) the ink therefore draws the *light* modules and the quiet zone, and the dark
/// modules are the terminal's own background showing through: a dark-on-light symbol on a
/// dark terminal. This was chosen over ANSI inverse colours because it needs no escape
/// sequences (it survives `less`, logs and terminals without colour) and it scans. On a
/// terminal with dark text on a light background, ``Background/light`` makes the ink draw
/// the dark modules instead.
enum TerminalQR {
    /// The terminal's background, behind the glyphs.
    enum Background: Sendable {
        /// Light text on a dark background: the ink draws the light modules.
        case dark
        /// Dark text on a light background: the ink draws the dark modules.
        case light
    }

    /// The symbol, surrounded by `quietZone` light modules, as lines of half blocks, each
    /// ending in a newline. The standard asks for a quiet zone of 4; 2 is enough for phone
    /// readers and keeps the picture small. When the height is odd, the last line's lower
    /// half is left to the terminal's background (the quiet zone ends on the upper half).
    static func render(_ qr: QRCode, quietZone: Int = 2, background: Background = .dark) -> String {
        let first = -quietZone
        let end = qr.size + quietZone  // one past the last module drawn, across and down
        /// Whether the glyph's ink covers module (x, y).
        func ink(_ x: Int, _ y: Int) -> Bool {
            guard y < end else { return false }  // below the picture: the terminal's own background
            let dark = qr.isDark(x: x, y: y)  // the quiet zone, outside the symbol, is light
            return background == .dark ? !dark : dark
        }
        var text = ""
        for y in stride(from: first, to: end, by: 2) {
            for x in first..<end {
                switch (ink(x, y), ink(x, y + 1)) {
                case (true, true): text += "█"
                case (true, false): text += "▀"
                case (false, true): text += "▄"
                case (false, false): text += " "
                }
            }
            text += "\n"
        }
        return text
    }
}
