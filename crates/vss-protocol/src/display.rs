//! Text from outside (a page, a file, a file name, a certificate, a token) made safe to show:
//! the one rule for dialogs, consent summaries, terminals and logs.
//!
//! One classification ([`class`]) decides what every character is, from Unicode's own
//! properties rather than a list of characters someone thought of:
//! - **hidden** — `Default_Ignorable_Code_Point` (zero-width characters, bidi marks and
//!   overrides, variation selectors, tag characters, the Hangul fillers, musical formatting,
//!   the combining grapheme joiner, …), the general categories Cc (controls, ESC included), Cf
//!   (format), Co (private use), Cs and Cn (unassigned: their look is not known), and the blank
//!   Braille pattern U+2800, which renders as an empty cell though it is a symbol;
//! - **space** — every `White_Space` character: tab, line ends, NEL, U+2028/U+2029 and every Zs;
//! - **mark** — a combining mark (Mn, Me): kept up to [`MAX_COMBINING_MARKS`] in a row, so
//!   Vietnamese (at most two marks on a letter, even decomposed) reads as written while a tower
//!   of marks cannot paint over the lines above and below;
//! - **visible** — everything else.
//!
//! Two renderings use it: [`clean`] (dialogs, summaries: hidden characters removed, spaces
//! collapsed, cut to a length) and [`escape`] (terminals, logs, file names: nothing removed,
//! every hidden or space character but U+0020 written as `\u{…}`, so no line, colour or
//! reordering can be forged and the user still sees that something was there).
//!
//! The properties come from ICU4X's `icu_properties` (the Unicode Consortium's own Rust
//! library, compiled-in data). It was already in the build through `url` → `idna`, so it added
//! no crate and no compile time; the three tables used add 19 KiB to a stripped release binary
//! (measured with and without them). The
//! alternative `unicode-properties` has no Default_Ignorable_Code_Point.

use std::borrow::Cow;
use std::fmt;

use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory, WhiteSpace};
use icu_properties::{CodePointMapData, CodePointSetData};

pub use crate::limits::MAX_COMBINING_MARKS;

/// What one character is when shown (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    Visible,
    Space,
    Mark,
    Hidden,
}

/// The Hangul fillers (also Default_Ignorable; named for the reader of this rule).
const HANGUL_FILLERS: [char; 4] = ['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}'];
/// BRAILLE PATTERN BLANK: a symbol (So) that renders as nothing.
const BLANK_BRAILLE: char = '\u{2800}';

/// The class of `c`.
pub fn class(c: char) -> CharClass {
    if c.is_ascii() {
        return match c {
            ' ' | '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}' => CharClass::Space,
            c if c.is_ascii_control() => CharClass::Hidden,
            _ => CharClass::Visible,
        };
    }
    if CodePointSetData::new::<WhiteSpace>().contains(c) {
        return CharClass::Space;
    }
    if HANGUL_FILLERS.contains(&c)
        || c == BLANK_BRAILLE
        || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
    {
        return CharClass::Hidden;
    }
    match CodePointMapData::<GeneralCategory>::new().get(c) {
        GeneralCategory::Control
        | GeneralCategory::Format
        | GeneralCategory::PrivateUse
        | GeneralCategory::Surrogate
        | GeneralCategory::Unassigned => CharClass::Hidden,
        GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark => CharClass::Mark,
        _ => CharClass::Visible,
    }
}

/// Whether `c` is hidden: removed by [`clean`], written as `\u{…}` by [`escape`].
pub fn is_hidden(c: char) -> bool {
    class(c) == CharClass::Hidden
}

/// Removes hidden characters, turns every run of white space into one space (none at the
/// ends), keeps at most [`MAX_COMBINING_MARKS`] marks in a row and cuts to `max_chars`
/// characters, marking a cut with `…`. For dialogs and consent summaries.
pub fn clean(input: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    let mut marks = 0;
    for c in input.chars() {
        match class(c) {
            CharClass::Hidden => continue,
            CharClass::Space => {
                pending_space = !out.is_empty();
                marks = 0;
                continue;
            }
            CharClass::Mark => {
                if marks == MAX_COMBINING_MARKS {
                    continue;
                }
                marks += 1;
            }
            CharClass::Visible => marks = 0,
        }
        if pending_space {
            if count == max_chars {
                out.push('…');
                return out;
            }
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        if count == max_chars {
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// `input` with every hidden character, every white space but U+0020 and every mark past
/// [`MAX_COMBINING_MARKS`] in a row written as `\u{hex}`: one line, nothing reordered or
/// recoloured, nothing lost. For terminals, logs and file names.
pub fn escape(input: &str) -> Cow<'_, str> {
    let mut marks = 0;
    let unsafe_at = input.char_indices().find(|&(_, c)| {
        let keep = keep_as_is(c, &mut marks);
        !keep
    });
    let Some((start, _)) = unsafe_at else {
        return Cow::Borrowed(input);
    };
    let mut out = String::with_capacity(input.len() + 16);
    out.push_str(&input[..start]);
    // Recount the marks just before `start` so the limit holds across the split.
    marks = input[..start]
        .chars()
        .rev()
        .take_while(|c| class(*c) == CharClass::Mark)
        .count();
    for c in input[start..].chars() {
        if keep_as_is(c, &mut marks) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

fn keep_as_is(c: char, marks: &mut usize) -> bool {
    match class(c) {
        CharClass::Visible => {
            *marks = 0;
            true
        }
        CharClass::Space => {
            *marks = 0;
            c == ' '
        }
        CharClass::Mark => {
            *marks += 1;
            *marks <= MAX_COMBINING_MARKS
        }
        CharClass::Hidden => {
            *marks = 0;
            false
        }
    }
}

/// Bytes that may not be UTF-8 (a Linux file name), shown lossily and escaped.
pub fn escape_lossy(bytes: &[u8]) -> String {
    escape(&String::from_utf8_lossy(bytes)).into_owned()
}

/// A path as a user may be shown it: lossy where it is not UTF-8, escaped.
pub fn path(path: &std::path::Path) -> String {
    escape(&path.to_string_lossy()).into_owned()
}

/// `value` as JSON text (pretty or one line) in which every string keeps its exact value but
/// every character [`escape`] would write as `\u{…}` is written as a JSON `\uXXXX` escape:
/// a program reading the JSON gets the true text; a terminal showing it sees no bidi override,
/// line separator, control or tower of marks (JSON itself escapes C0 controls and quotes).
pub fn json_text(value: &serde_json::Value, pretty: bool) -> String {
    let mut out = Vec::new();
    let written = if pretty {
        let mut ser = serde_json::Serializer::with_formatter(
            &mut out,
            EscapingFormatter {
                inner: serde_json::ser::PrettyFormatter::new(),
                marks: 0,
            },
        );
        serde::Serialize::serialize(value, &mut ser)
    } else {
        let mut ser = serde_json::Serializer::with_formatter(
            &mut out,
            EscapingFormatter {
                inner: serde_json::ser::CompactFormatter,
                marks: 0,
            },
        );
        serde::Serialize::serialize(value, &mut ser)
    };
    match written {
        // Only UTF-8 is ever written (strings, escapes, ASCII punctuation).
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// A serde_json formatter that escapes hidden characters inside strings (see [`json_text`]).
struct EscapingFormatter<F> {
    inner: F,
    marks: usize,
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for EscapingFormatter<F> {
    fn begin_string<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.marks = 0;
        self.inner.begin_string(w)
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if keep_as_is(c, &mut self.marks) {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{:04x}", unit)?;
            }
            start = at + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        self.marks = 0;
        self.inner.write_char_escape(w, escape)
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.inner.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.inner.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_object_value(w)
    }
}

/// Displays a string escaped (see [`escape`]): for log fields (`id = %Escaped(&id)`).
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_zero_width_soft_hyphen_and_controls_are_removed() {
        let evil = "Tờ khai\u{202E}cod.exe\u{200B}\u{0007}\nD02\u{00AD}-TS\u{061C}\u{2061}";
        assert_eq!(clean(evil, 200), "Tờ khaicod.exe D02-TS");
    }

    /// Each padding that once reached the dialog, alone and between two words.
    #[test]
    fn invisible_padding_of_every_kind_is_removed() {
        let mut hidden: Vec<char> = vec![
            '\u{2800}',
            '\u{3164}',
            '\u{115F}',
            '\u{1160}',
            '\u{FFA0}',
            '\u{180E}',
            '\u{034F}',
            '\u{E0001}',
            '\u{FE0F}',
            '\u{FE00}',
            '\u{E0100}',
            '\u{E000}',
            '\u{F8FF}',
            '\u{F0000}',
            '\u{10FFFD}',
            '\u{0378}',
            '\u{E0080}',
            '\u{1BCA0}',
            '\u{FFF9}',
            '\u{1B}',
            '\u{7F}',
            '\u{9B}',
        ];
        hidden.extend('\u{E0020}'..='\u{E007F}');
        hidden.extend('\u{1D173}'..='\u{1D17A}');
        for c in hidden {
            assert_eq!(class(c), CharClass::Hidden, "U+{:04X}", c as u32);
            let padded = format!("Người{}{c}{c}ký", c);
            assert_eq!(clean(&padded, 200), "Ngườiký", "U+{:04X}", c as u32);
            assert_eq!(
                escape(&padded),
                format!("Người\\u{{{0:x}}}\\u{{{0:x}}}\\u{{{0:x}}}ký", c as u32)
            );
        }
    }

    #[test]
    fn every_white_space_is_one_space() {
        for c in [
            '\t', '\n', '\r', '\u{0B}', '\u{0C}', '\u{A0}', '\u{1680}', '\u{2000}', '\u{200A}',
            '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{3000}', '\u{85}',
        ] {
            assert_eq!(class(c), CharClass::Space, "U+{:04X}", c as u32);
            assert_eq!(clean(&format!("a{c}{c} {c}b"), 200), "a b");
            assert!(!escape(&format!("a{c}b")).contains(c) || c == ' ');
        }
        assert_eq!(clean("  lề  ", 200), "lề");
    }

    /// A page builds a second "signer" line out of blank padding that a word-wrapping dialog
    /// would push to a line of its own.
    #[test]
    fn a_fake_signer_line_made_of_padding_stays_on_the_page_line() {
        let padding: String = ['\u{2800}', '\u{3164}', '\u{115F}', '\u{FFA0}', '\u{E0020}']
            .iter()
            .cycle()
            .take(150)
            .collect();
        let title = format!(
            "Tờ khai D02-TS{padding}Người ký: CÔNG TY KHÁC{padding}\u{2028}MST: 0000000000"
        );
        let shown = clean(&title, 200);
        assert_eq!(
            shown,
            "Tờ khai D02-TSNgười ký: CÔNG TY KHÁC MST: 0000000000"
        );
        assert!(!escape(&title).contains('\u{2028}'));
    }

    #[test]
    fn vietnamese_keeps_its_marks_and_towers_of_marks_are_cut() {
        // Decomposed "Việt": e + circumflex + dot below.
        let decomposed = "Vie\u{0302}\u{0323}t Nam";
        assert_eq!(clean(decomposed, 200), decomposed);
        assert_eq!(escape(decomposed), decomposed);
        let tower = format!("a{}b", "\u{0301}".repeat(500));
        let cleaned = clean(&tower, 200);
        assert_eq!(
            cleaned,
            format!("a{}b", "\u{0301}".repeat(MAX_COMBINING_MARKS))
        );
        assert_eq!(
            escape(&tower).matches('\u{0301}').count(),
            MAX_COMBINING_MARKS
        );
    }

    #[test]
    fn terminal_escapes_cannot_repaint_or_add_lines() {
        let cn = "x\u{1b}[2K\r\u{1b}[32mVALID — trusted ✓\u{1b}[0m\nnext";
        let shown = escape(cn);
        assert!(!shown.contains('\u{1b}') && !shown.contains('\n') && !shown.contains('\r'));
        assert_eq!(
            shown,
            "x\\u{1b}[2K\\u{d}\\u{1b}[32mVALID — trusted ✓\\u{1b}[0m\\u{a}next"
        );
        assert!(matches!(escape("ho-so 01.xml"), Cow::Borrowed(_)));
        assert_eq!(escape_lossy(b"h\xffo\n"), "h\u{FFFD}o\\u{a}");
        assert_eq!(format!("{}", Escaped("a\nb")), "a\\u{a}b");
    }

    #[test]
    fn json_keeps_values_but_shows_nothing_hidden() {
        let name = "a\u{202E}lmx.exe\u{1b}[32m\u{2028}\u{85}\u{9b}b\"\n\u{1F600} ký";
        let value = serde_json::json!({ "file": name, "list": [name] });
        for pretty in [false, true] {
            let text = json_text(&value, pretty);
            assert!(
                text.chars()
                    .all(|c| c == '\n' && pretty
                        || !is_hidden(c) && c != '\u{2028}' && c != '\u{85}'),
                "{text}"
            );
            assert!(
                text.contains("\\u202e") && text.contains("\\u2028") && text.contains("\\u0085")
            );
            assert!(
                text.contains("\u{1F600} ký"),
                "visible text stays as it is: {text}"
            );
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value, "the JSON still means the same strings");
        }
        assert!(!json_text(&value, false).contains('\n'));
    }

    #[test]
    fn cut_at_the_limit_is_marked() {
        let cut = clean(&"ệ".repeat(500), 200);
        assert_eq!(cut.chars().count(), 201);
        assert!(cut.ends_with('…'));
        assert_eq!(clean("ab  cd", 5), "ab cd");
        assert_eq!(clean("ab cd e", 5), "ab cd…");
    }

    #[test]
    fn work_is_linear_on_long_runs() {
        let long = " \t\u{2800}".repeat(1_000_000);
        assert_eq!(clean(&long, 10), "");
        let escaped = escape(&"\u{0301}".repeat(1_000_000)).len();
        assert_eq!(
            escaped,
            2 * MAX_COMBINING_MARKS + 7 * (1_000_000 - MAX_COMBINING_MARKS)
        );
    }
}
