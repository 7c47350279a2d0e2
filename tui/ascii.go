package tui

import "strings"

// asciiGlyphs turns every non-ASCII glyph the TUI draws (box drawing,
// graph curves, arrows, the ellipsis, bullets) into one ASCII character of
// the same width, for terminals without UTF-8 (--ascii, or a locale such
// as LANG=C). Styling sequences are ASCII and pass unchanged.
var asciiGlyphs = strings.NewReplacer(
	"─", "-", "│", "|", "┤", "|", "├", "|", "┼", "+", "┬", "+", "┴", "+",
	"╭", ".", "╮", ".", "╰", "`", "╯", "'", "┌", "+", "┐", "+", "└", "+", "┘", "+",
	"…", "~", "•", "*", "·", ".", "↓", "v", "↑", "^", "←", "<", "→", ">", "▸", ">", "█", "#",
	"░", ".", "▒", ":", "▓", "#", "✓", "v", "×", "x", "–", "-", "—", "-",
	"▲", "^", "“", `"`, "”", `"`, "〃", `" `, // 〃 is two cells wide
)

// toASCII draws s with ASCII glyphs only.
func toASCII(s string) string { return asciiGlyphs.Replace(s) }
