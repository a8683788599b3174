//! Text from outside (a page, a file, a certificate, a token) made safe to show: the one
//! sanitizer for dialogs, consent summaries, terminals and logs.

/// Turns tabs and newlines into spaces, removes control, bidi-override/isolate, zero-width and
/// other invisible format characters (they can make a dialog lie), collapses whitespace and
/// cuts to `max_chars` characters, marking a cut with `…`.
pub fn clean(input: &str, max_chars: usize) -> String {
    let cleaned: String = input
        .chars()
        .map(|c| {
            if c == '\n' || c == '\t' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .collect();
    let mut words = cleaned.split_whitespace().peekable();
    let mut out = String::new();
    let mut count = 0;
    while let Some(word) = words.next() {
        for c in word.chars() {
            if count == max_chars {
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
        if words.peek().is_some() {
            if count == max_chars {
                out.push('…');
                return out;
            }
            out.push(' ');
            count += 1;
        }
    }
    out
}

/// Bidi marks, overrides and isolates, zero-width characters, the soft hyphen, invisible
/// operators and the byte order mark.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_zero_width_soft_hyphen_and_controls_are_removed() {
        let evil = "Tờ khai\u{202E}cod.exe\u{200B}\u{0007}\nD02\u{00AD}-TS\u{061C}\u{2061}";
        assert_eq!(clean(evil, 200), "Tờ khaicod.exe D02-TS");
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
    fn work_is_linear_on_long_whitespace_runs() {
        let long = " \t".repeat(1_000_000);
        assert_eq!(clean(&long, 10), "");
    }
}
