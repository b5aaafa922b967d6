//! Showing text that a server controls on a terminal.
//!
//! Anything an SMI-S provider sends (a `CIMError` or `PGErrorDetail` header, an `ERROR`
//! element's `DESCRIPTION`, a property value, a class name) may hold characters that a
//! terminal interprets rather than shows: ESC and CSI sequences that move the cursor or
//! rewrite the screen, BEL, CR and LF that forge log lines, and Unicode bidirectional
//! controls that reorder what is shown (the "Trojan Source" class, CVE-2021-42574).
//!
//! [`escape_for_terminal`] is the one function that makes such text safe to print. The
//! library's [`crate::Error`] `Display` uses it for every server-controlled part of a
//! message (the error's fields keep the exact text), and the `smis` command line uses it
//! for every table cell, MOF value, error line and summary it prints (its JSON output
//! stays exact: JSON string escaping already makes it safe).

use std::borrow::Cow;
use std::fmt;

/// True for the characters [`escape_for_terminal`] escapes: the C0 controls
/// (U+0000-U+001F), DEL (U+007F), the C1 controls (U+0080-U+009F, which include the
/// single-character CSI U+009B), the bidirectional embeddings and overrides U+202A-U+202E,
/// the isolates U+2066-U+2069, and the marks U+200E, U+200F and U+061C (Unicode
/// Standard Annex #9, "Unicode Bidirectional Algorithm", explicit formatting characters),
/// plus the line and paragraph separators U+2028 and U+2029.
pub fn is_terminal_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{061c}'
        | '\u{2028}' | '\u{2029}')
}

/// Escapes every character for which [`is_terminal_unsafe`] holds as `\u{XX}` (its code
/// point in hexadecimal), so that the text prints on one line, in its logical order, with
/// nothing interpreted by the terminal. Other characters (including backslash and all
/// printable non-ASCII text) are kept as they are, so escaping is idempotent: escaping an
/// escaped text changes nothing. Returns the input unchanged (borrowed) when nothing
/// needs escaping.
///
/// ```
/// use smis::text::escape_for_terminal;
/// assert_eq!(escape_for_terminal("disk\u{1b}[2Jfull\r\nOK"), "disk\\u{1b}[2Jfull\\u{d}\\u{a}OK");
/// assert_eq!(escape_for_terminal("abc\u{202e}fed"), "abc\\u{202e}fed");
/// assert_eq!(escape_for_terminal("Größe 5 GiB"), "Größe 5 GiB");
/// ```
pub fn escape_for_terminal(text: &str) -> Cow<'_, str> {
    escape_with(text, |_| false)
}

/// Like [`escape_for_terminal`], but keeps line feeds (`\n`): for multi-line text that
/// the caller itself laid out (a table, MOF) and whose cells were escaped already.
pub fn escape_for_terminal_multiline(text: &str) -> Cow<'_, str> {
    escape_with(text, |c| c == '\n')
}

fn escape_with(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_terminal_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_terminal_unsafe(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A `Display` wrapper that shows its inner value through [`escape_for_terminal`].
///
/// ```
/// use smis::text::Escaped;
/// assert_eq!(Escaped("a\u{7}b").to_string(), "a\\u{7}b");
/// ```
pub struct Escaped<T>(pub T);

impl<T: fmt::Display> fmt::Display for Escaped<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.to_string();
        f.write_str(&escape_for_terminal(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_class() {
        for c in [
            '\u{0}', '\u{7}', '\u{1b}', '\r', '\n', '\t', '\u{7f}', '\u{85}', '\u{9b}',
        ]
        .into_iter()
        .chain('\u{202a}'..='\u{202e}')
        .chain('\u{2066}'..='\u{2069}')
        {
            let s = format!("a{c}b");
            let e = escape_for_terminal(&s);
            assert!(!e.chars().any(is_terminal_unsafe), "{c:?} -> {e}");
            assert_eq!(e, format!("a\\u{{{:x}}}b", c as u32));
            assert_eq!(escape_for_terminal(&e), e, "idempotent");
        }
        assert!(matches!(escape_for_terminal("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_for_terminal_multiline("a\nb\u{1b}"), "a\nb\\u{1b}");
    }
}
