//! The decoder's machinery: input checks, the event pump, element stack and paths, errors,
//! attribute access, text collection and name interning.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::input::{is_xml_char, line_col};
use crate::cim::CimName;
use crate::xml::{DecodeError, DecodeErrorKind};

/// One open element, as offsets into the input (no per-element copies or drops).
#[derive(Clone, Copy)]
pub(super) struct Frame {
    /// Offset of the element's `<`.
    pos: usize,
    /// Length of its name.
    name_len: usize,
}

/// The name interner of a [`Parser`], kept between the parsers of one streamed response
/// (each object of a streamed IRETURNVALUE gets its own parser; the names repeat).
#[derive(Default)]
pub(crate) struct NameCache {
    names: HashMap<Box<[u8]>, (CimName, usize), foldhash::fast::RandomState>,
    seq: Vec<CimName>,
}

/// The parser state for one decode call.
pub(crate) struct Parser<'a> {
    pub(super) input: &'a [u8],
    /// The same input as text (validated once), for O(1) slicing at ASCII delimiters.
    src: &'a str,
    pub(super) reader: Reader<&'a [u8]>,
    pub(super) stack: Vec<Frame>,
    pub(super) max_depth: usize,
    /// Interned names. The names come from the server, so the hasher is seeded per process
    /// (`foldhash::fast::RandomState`): a hostile document cannot aim for collisions.
    names: HashMap<Box<[u8]>, (CimName, usize), foldhash::fast::RandomState>,
    /// Names in the order last seen, and where the next one is expected: documents repeat
    /// the same sequence of names per object, so most look-ups are one comparison.
    seq: Vec<CimName>,
    cursor: usize,
    pub(super) pos: usize,
    prefix: String,
    /// Property count of the last instance decoded (capacity hint for the next).
    pub(super) last_props: usize,
    pub(super) scratch_items: Vec<Option<crate::cim::CimValue>>,
    /// Whether the fast paths of `fast.rs` may be taken (off only to test them).
    pub(super) fast: bool,
}

/// Result alias.
pub(super) type R<T> = Result<T, E>;

/// The internal error type (boxed to keep results small on the hot path).
pub(super) type E = Box<DecodeError>;

impl<'a> Parser<'a> {
    /// A parser over checked UTF-8 input.
    pub(crate) fn new(text: &'a str, max_depth: usize, prefix: String) -> Self {
        let input = text.as_bytes();
        let mut reader = Reader::from_reader(input);
        let cfg = reader.config_mut();
        cfg.expand_empty_elements = true;
        cfg.check_end_names = true;
        // Whitespace-only text between elements is then not reported at all; text() takes
        // element content from the input by offsets, so no whitespace of values is lost.
        cfg.trim_text_start = true;
        cfg.trim_text_end = false;
        Parser {
            input,
            src: text,
            reader,
            stack: Vec::with_capacity(24),
            max_depth,
            names: HashMap::default(),
            seq: Vec::new(),
            cursor: 0,
            pos: 0,
            prefix,
            last_props: 0,
            scratch_items: Vec::with_capacity(64),
            fast: true,
        }
    }

    /// Continues with the names interned by an earlier parser of the same stream.
    pub(crate) fn with_names(mut self, cache: NameCache) -> Self {
        self.names = cache.names;
        self.seq = cache.seq;
        self.cursor = 0;
        self
    }

    /// Hands the interned names on to the next parser of the same stream.
    pub(crate) fn take_names(&mut self) -> NameCache {
        NameCache {
            names: std::mem::take(&mut self.names),
            seq: std::mem::take(&mut self.seq),
        }
    }

    fn frame_name(&self, pos: usize, len: usize) -> &'a [u8] {
        let input: &'a [u8] = self.input;
        input.get(pos + 1..pos + 1 + len).unwrap_or(b"?")
    }

    /// The current element path.
    pub(super) fn path(&self) -> String {
        let mut s = self.prefix.clone();
        for (i, f) in self.stack.iter().enumerate() {
            let name = self.frame_name(f.pos, f.name_len);
            if i == 0 && name == b"CIM" && self.prefix.is_empty() {
                continue;
            }
            if !s.is_empty() {
                s.push('/');
            }
            s.push_str(&String::from_utf8_lossy(name));
            // Re-read the start tag for its NAME (errors only). The operation elements are
            // shown bare, as the operation is known from context.
            let bare = matches!(
                name,
                b"IMETHODRESPONSE"
                    | b"METHODRESPONSE"
                    | b"EXPMETHODRESPONSE"
                    | b"IMETHODCALL"
                    | b"METHODCALL"
                    | b"EXPMETHODCALL"
            );
            let mut r = Reader::from_reader(self.input.get(f.pos..).unwrap_or(b""));
            let named = !bare
                && match r.read_event() {
                    Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                        match e.try_get_attribute("NAME") {
                            Ok(Some(a)) => {
                                s.push_str("[Name=");
                                s.push_str(&String::from_utf8_lossy(&a.value));
                                s.push(']');
                                true
                            }
                            _ => false,
                        }
                    }
                    _ => false,
                };
            if !named {
                let index = self.sibling_index(i);
                if index > 1 {
                    s.push_str(&format!("[{index}]"));
                }
            }
        }
        s
    }

    /// The 1-based index of open element `i` among consecutive same-named siblings,
    /// found (for error paths only) by re-reading its parent's content up to it.
    fn sibling_index(&self, i: usize) -> u32 {
        let (Some(parent), Some(f)) = (
            i.checked_sub(1).and_then(|p| self.stack.get(p)),
            self.stack.get(i),
        ) else {
            return 1;
        };
        let input: &'a [u8] = self.input;
        let name = self.frame_name(f.pos, f.name_len);
        let mut r = Reader::from_reader(input.get(parent.pos..).unwrap_or(b""));
        r.config_mut().expand_empty_elements = true;
        let mut depth = 0usize;
        let mut last: &[u8] = b"";
        let mut same = 0u32;
        loop {
            let at = parent.pos + usize::try_from(r.buffer_position()).unwrap_or(usize::MAX);
            match r.read_event() {
                Ok(Event::Start(e)) => {
                    depth += 1;
                    if depth == 2 {
                        let n = self.frame_name(at, e.name().as_ref().len());
                        same = if n == last { same + 1 } else { 1 };
                        last = n;
                        if at >= f.pos {
                            return if n == name { same } else { 1 };
                        }
                    }
                }
                Ok(Event::End(_)) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return 1;
                    }
                }
                Ok(Event::Eof) | Err(_) => return 1,
                Ok(_) => {}
            }
        }
    }

    /// An error at the current position and path.
    pub(super) fn err(&self, kind: DecodeErrorKind, message: impl Into<String>) -> E {
        let (line, column) = line_col(self.input, self.pos);
        Box::new(DecodeError {
            kind,
            message: message.into(),
            line,
            column,
            path: self.path(),
        })
    }

    /// A structure error.
    pub(super) fn structure(&self, message: impl Into<String>) -> E {
        self.err(DecodeErrorKind::Structure, message)
    }

    /// "unexpected element" for the element just opened.
    pub(super) fn unexpected(&self, e: &BytesStart<'_>) -> E {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let parent = self
            .stack
            .len()
            .checked_sub(2)
            .and_then(|i| self.stack.get(i))
            .map(|f| String::from_utf8_lossy(self.frame_name(f.pos, f.name_len)).into_owned())
            .unwrap_or_else(|| "the document".into());
        self.structure(format!("unexpected element {name} in {parent}"))
    }

    fn xml_error(&self, e: quick_xml::Error) -> E {
        let offset = usize::try_from(self.reader.error_position()).unwrap_or(self.pos);
        let kind = match &e {
            quick_xml::Error::Encoding(_) => DecodeErrorKind::InvalidEncoding,
            quick_xml::Error::Escape(_) => DecodeErrorKind::Forbidden,
            _ => DecodeErrorKind::Syntax,
        };
        let (line, column) = line_col(self.input, offset);
        Box::new(DecodeError {
            kind,
            message: format!("XML error: {e}"),
            line,
            column,
            path: self.path(),
        })
    }

    fn raw(&mut self) -> R<Event<'a>> {
        self.pos = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
        match self.reader.read_event() {
            Ok(Event::DocType(_)) => Err(self.err(
                DecodeErrorKind::Forbidden,
                "<!DOCTYPE> is not allowed in CIM-XML",
            )),
            Ok(e) => Ok(e),
            Err(e) => Err(self.xml_error(e)),
        }
    }

    fn push(&mut self, e: &BytesStart<'a>) -> R<()> {
        let input: &'a [u8] = self.input;
        let name = e.name();
        let name = name.as_ref();
        let name_len = name.len();
        // The tag's `<` is just before its name (borrowed from the input); otherwise skip
        // the whitespace the reader trimmed to it.
        let np = (name.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
        let pos = if np > self.pos && np <= input.len() && input.get(np - 1) == Some(&b'<') {
            np - 1
        } else {
            self.pos
                + input
                    .get(self.pos..)
                    .and_then(|r| r.iter().position(|&b| b == b'<'))
                    .unwrap_or(0)
        };
        self.pos = pos;
        self.stack.push(Frame { pos, name_len });
        if self.stack.len() > self.max_depth {
            return Err(self.err(
                DecodeErrorKind::TooDeep,
                format!("element nesting deeper than {}", self.max_depth),
            ));
        }
        Ok(())
    }

    fn pop(&mut self) {
        self.stack.pop();
    }

    /// Reads up to the root element (skipping the declaration, comments, PIs and
    /// whitespace) and returns it, pushed.
    pub(super) fn root(&mut self) -> R<BytesStart<'a>> {
        loop {
            match self.raw()? {
                Event::Start(e) => {
                    self.push(&e)?;
                    return Ok(e);
                }
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return Err(self.err(DecodeErrorKind::Syntax, "no root element")),
                Event::GeneralRef(_) | Event::Text(_) | Event::CData(_) => {
                    return Err(self.err(DecodeErrorKind::Syntax, "text before the root element"));
                }
                _ => return Err(self.err(DecodeErrorKind::Syntax, "unexpected markup")),
            }
        }
    }

    /// After the root element: only whitespace, comments and PIs may follow.
    pub(crate) fn finish(&mut self) -> R<()> {
        loop {
            match self.raw()? {
                Event::Eof => return Ok(()),
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                Event::Comment(_) | Event::PI(_) => {}
                _ => {
                    return Err(self.err(DecodeErrorKind::Syntax, "content after the root element"));
                }
            }
        }
    }

    /// The next child element of the current element (pushed), or `None` at its end tag
    /// (popped). Non-whitespace text between child elements is a structure error.
    pub(super) fn child(&mut self) -> R<Option<BytesStart<'a>>> {
        loop {
            match self.raw()? {
                Event::Start(e) => {
                    self.push(&e)?;
                    return Ok(Some(e));
                }
                Event::End(_) => {
                    self.pop();
                    return Ok(None);
                }
                Event::Text(t) => {
                    if !t.iter().all(u8::is_ascii_whitespace) {
                        return Err(self.structure("unexpected text"));
                    }
                }
                Event::CData(t) => {
                    if !t.iter().all(u8::is_ascii_whitespace) {
                        return Err(self.structure("unexpected CDATA"));
                    }
                }
                Event::GeneralRef(r) => {
                    self.check_ref(&r)?;
                    return Err(self.structure("unexpected text"));
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => {
                    return Err(self.err(DecodeErrorKind::Syntax, "unexpected end of input"));
                }
                _ => return Err(self.err(DecodeErrorKind::Syntax, "unexpected markup")),
            }
        }
    }

    /// Requires the current element to have no child elements; consumes its end.
    pub(super) fn end(&mut self) -> R<()> {
        match self.child()? {
            None => Ok(()),
            Some(e) => Err(self.unexpected(&e)),
        }
    }

    fn check_ref(&self, r: &quick_xml::events::BytesRef<'_>) -> R<Option<char>> {
        let name: &[u8] = r;
        Ok(Some(match name {
            b"lt" => '<',
            b"gt" => '>',
            b"amp" => '&',
            b"quot" => '"',
            b"apos" => '\'',
            _ if r.is_char_ref() => match r.resolve_char_ref() {
                Ok(Some(c)) if is_xml_char(c) => c,
                _ => {
                    return Err(self.err(
                        DecodeErrorKind::InvalidChar,
                        format!(
                            "character reference &{}; is not an allowed XML character",
                            String::from_utf8_lossy(name)
                        ),
                    ));
                }
            },
            _ => {
                return Err(self.err(
                    DecodeErrorKind::Forbidden,
                    format!(
                        "entity &{}; is not allowed (only the predefined entities and character references)",
                        String::from_utf8_lossy(name)
                    ),
                ));
            }
        }))
    }

    /// `input[a..b]` as text without re-validating (falls back to validation off a char
    /// boundary, which cannot happen at the ASCII delimiters used).
    pub(super) fn slice(&self, a: usize, b: usize) -> R<&'a str> {
        let src: &'a str = self.src;
        match src.get(a..b) {
            Some(s) => Ok(s),
            None => {
                let input: &'a [u8] = self.input;
                self.utf8(input.get(a..b).unwrap_or(b""))
            }
        }
    }

    /// A slice of the input given as bytes, as text (O(1) when it lies in the input).
    fn sub_str<'s>(&self, b: &'s [u8]) -> R<&'s str>
    where
        'a: 's,
    {
        let base = self.input.as_ptr() as usize;
        let p = b.as_ptr() as usize;
        if p >= base && p + b.len() <= base + self.input.len() {
            let src: &'s str = self.src;
            if let Some(s) = src.get(p - base..p - base + b.len()) {
                return Ok(s);
            }
        }
        self.utf8(b)
    }

    fn utf8<'s>(&self, b: &'s [u8]) -> R<&'s str> {
        std::str::from_utf8(b)
            .map_err(|_| self.err(DecodeErrorKind::InvalidEncoding, "invalid UTF-8"))
    }

    /// The text content of the current element up to its end tag (popped): text, CDATA
    /// and references, unescaped, with line ends normalised. Child elements are refused.
    /// On return `pos` is the start of the text (for value errors).
    pub(super) fn text(&mut self) -> R<Cow<'a, str>> {
        let input: &'a [u8] = self.input;
        let mut acc: Option<String> = None;
        let mut first: Option<&'a str> = None;
        let mut start = None;
        loop {
            let ev = self.raw()?;
            if start.is_none() {
                start = Some(self.pos);
            }
            // Text the reader trimmed away (leading whitespace) or reported: everything from
            // the end of the previous event to the next markup, taken from the input.
            let gap_end = match &ev {
                Event::Text(_) => {
                    usize::try_from(self.reader.buffer_position()).unwrap_or(self.pos)
                }
                _ => input
                    .get(self.pos..)
                    .and_then(|r| r.iter().position(|&b| b == b'<' || b == b'&'))
                    .map(|k| self.pos + k)
                    .unwrap_or(self.pos),
            };
            if gap_end > self.pos {
                let raw_piece = self.slice(self.pos, gap_end)?;
                // XML line-end normalisation applies to literal CR only (a `&#13;`
                // reference stays a CR), so normalise the raw pieces, not the result.
                let owned;
                let piece: &'a str = if raw_piece.contains('\r') {
                    owned = raw_piece.replace("\r\n", "\n").replace('\r', "\n");
                    let mut s = match (acc.take(), first.take()) {
                        (Some(s), _) => s,
                        (None, Some(f)) => f.to_owned(),
                        (None, None) => String::new(),
                    };
                    s.push_str(&owned);
                    acc = Some(s);
                    ""
                } else {
                    raw_piece
                };
                match (&mut acc, first) {
                    (_, _) if piece.is_empty() => {}
                    (Some(s), _) => s.push_str(piece),
                    (None, None) => first = Some(piece),
                    (None, Some(f)) => {
                        let mut s = String::with_capacity(f.len() + piece.len());
                        s.push_str(f);
                        s.push_str(piece);
                        acc = Some(s);
                        first = None;
                    }
                }
            }
            let extra: Option<Cow<'a, str>> = match ev {
                Event::Text(_) => None,
                Event::CData(t) => Some(match t.into_inner() {
                    Cow::Borrowed(b) => {
                        let t = self.utf8(b)?;
                        if t.contains('\r') {
                            Cow::Owned(t.replace("\r\n", "\n").replace('\r', "\n"))
                        } else {
                            Cow::Borrowed(t)
                        }
                    }
                    Cow::Owned(b) => {
                        Cow::Owned(self.utf8(&b)?.replace("\r\n", "\n").replace('\r', "\n"))
                    }
                }),
                Event::GeneralRef(r) => {
                    let c = self.check_ref(&r)?.unwrap_or('\u{FFFD}');
                    let mut s = match (acc.take(), first.take()) {
                        (Some(s), _) => s,
                        (None, Some(f)) => f.to_owned(),
                        (None, None) => String::new(),
                    };
                    s.push(c);
                    acc = Some(s);
                    None
                }
                Event::End(_) => {
                    self.pop();
                    self.pos = start.unwrap_or(self.pos);
                    let out = match (acc, first) {
                        (Some(s), _) => Cow::Owned(s),
                        (None, Some(f)) => Cow::Borrowed(f),
                        (None, None) => Cow::Borrowed(""),
                    };
                    return Ok(out);
                }
                Event::Start(e) => {
                    self.push(&e)?;
                    return Err(self.unexpected(&e));
                }
                Event::Comment(_) | Event::PI(_) => None,
                Event::Eof => {
                    return Err(self.err(DecodeErrorKind::Syntax, "unexpected end of input"));
                }
                _ => return Err(self.err(DecodeErrorKind::Syntax, "unexpected markup")),
            };
            if let Some(piece) = extra {
                match (&mut acc, first) {
                    (Some(s), _) => s.push_str(&piece),
                    (None, None) => match piece {
                        Cow::Borrowed(b) => first = Some(b),
                        Cow::Owned(o) => acc = Some(o),
                    },
                    (None, Some(f)) => {
                        let mut s = String::with_capacity(f.len() + piece.len());
                        s.push_str(f);
                        s.push_str(&piece);
                        acc = Some(s);
                        first = None;
                    }
                }
            }
        }
    }

    /// An attribute value as text, unescaped (refusing non-predefined entities).
    pub(super) fn attr_text<'s>(&self, raw: &'s [u8]) -> R<Cow<'s, str>>
    where
        'a: 's,
    {
        let s = self.sub_str(raw)?;
        if !s.contains('&') {
            return Ok(Cow::Borrowed(s));
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let j = after.find(';').ok_or_else(|| {
                self.err(
                    DecodeErrorKind::Syntax,
                    "unterminated reference in attribute",
                )
            })?;
            let r = quick_xml::events::BytesRef::new(&after[..j]);
            if let Some(c) = self.check_ref(&r)? {
                out.push(c);
            }
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        Ok(Cow::Owned(out))
    }

    /// Visits the attributes of `e` as (name, unescaped value). A small hand-written
    /// scanner over the raw attribute bytes: well-formedness checks included (`=`, quotes,
    /// no `<` in values, no duplicates), no allocation.
    pub(super) fn attrs<'e>(
        &self,
        e: &'e BytesStart<'_>,
        mut f: impl FnMut(&[u8], Cow<'e, str>) -> R<()>,
    ) -> R<()>
    where
        'a: 'e,
    {
        let raw: &'e [u8] = e.attributes_raw();
        let bad = |what: &str| {
            self.err(
                DecodeErrorKind::Syntax,
                format!("malformed attribute: {what}"),
            )
        };
        // Common case: no references, '<' or literal tab/LF/CR anywhere in the attributes,
        // so values need no unescaping, normalisation or '<' check.
        // (The input check leaves tab/LF/CR as the only C0 controls; a branch-free fold
        // lets the compiler vectorise the scan.)
        let clean = !raw.iter().fold(false, |acc, &b| {
            acc | (b == b'&') | (b == b'<') | (b < 0x20)
        });
        let mut seen: [&[u8]; 8] = [&[]; 8];
        let mut more: Vec<&[u8]> = Vec::new();
        let mut n = 0usize;
        let mut i = 0usize;
        let len = raw.len();
        loop {
            while i < len && raw[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= len {
                return Ok(());
            }
            let ks = i;
            while i < len && !raw[i].is_ascii_whitespace() && raw[i] != b'=' {
                if matches!(raw[i], b'"' | b'\'' | b'<' | b'>' | b'&') {
                    return Err(bad("bad character in a name"));
                }
                i += 1;
            }
            let key = &raw[ks..i];
            while i < len && raw[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= len || raw[i] != b'=' {
                return Err(bad("missing '='"));
            }
            i += 1;
            while i < len && raw[i].is_ascii_whitespace() {
                i += 1;
            }
            let q = match raw.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => q,
                _ => return Err(bad("value not quoted")),
            };
            i += 1;
            let vs = i;
            if clean {
                i = raw[i..].iter().position(|&b| b == q).map_or(len, |k| i + k);
            } else {
                while i < len && raw[i] != q {
                    if raw[i] == b'<' {
                        return Err(bad("'<' in an attribute value"));
                    }
                    i += 1;
                }
            }
            if i >= len {
                return Err(bad("unterminated value"));
            }
            let value = &raw[vs..i];
            i += 1;
            if i < len && !raw[i].is_ascii_whitespace() {
                return Err(bad("missing whitespace between attributes"));
            }
            if key.is_empty() {
                return Err(bad("empty name"));
            }
            if seen[..n.min(8)].contains(&key) || more.contains(&key) {
                return Err(self.err(
                    DecodeErrorKind::Syntax,
                    format!("duplicate attribute {}", String::from_utf8_lossy(key)),
                ));
            }
            if n < 8 {
                seen[n] = key;
            } else {
                more.push(key);
            }
            n += 1;
            if clean {
                f(key, Cow::Borrowed(self.sub_str(value)?))?;
                continue;
            }
            let v = if value.iter().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) {
                // Attribute-value normalisation (XML 1.0 §3.3.3): literal whitespace
                // characters become spaces (a literal CR LF one space) *before* references
                // are expanded, so that `&#10;` and `&#13;` stay line breaks.
                let mut norm = Vec::with_capacity(value.len());
                let mut k = 0;
                while k < value.len() {
                    match value[k] {
                        b'\r' => {
                            norm.push(b' ');
                            if value.get(k + 1) == Some(&b'\n') {
                                k += 1;
                            }
                        }
                        b'\t' | b'\n' => norm.push(b' '),
                        b => norm.push(b),
                    }
                    k += 1;
                }
                Cow::Owned(self.attr_text(&norm)?.into_owned())
            } else {
                self.attr_text(value)?
            };
            f(key, v)?;
        }
    }

    /// An interned CIM name.
    pub(super) fn name(&mut self, s: &str) -> CimName {
        if let Some(n) = self.seq.get(self.cursor) {
            if n.as_str() == s {
                self.cursor += 1;
                return n.clone();
            }
        }
        match self.names.get(s.as_bytes()) {
            Some((n, i)) => {
                self.cursor = i + 1;
                n.clone()
            }
            None => {
                let n = CimName::new(s);
                if self.names.len() < 100_000 {
                    let i = self.seq.len();
                    self.seq.push(n.clone());
                    self.names.insert(Box::from(s.as_bytes()), (n.clone(), i));
                    self.cursor = i + 1;
                }
                n
            }
        }
    }

    /// The current nesting depth.
    pub(super) fn depth(&self) -> usize {
        self.stack.len()
    }
}
