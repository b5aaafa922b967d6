//! Incremental decoding of one intrinsic response while its body arrives.
//!
//! The top-level objects of `IRETURNVALUE` (DSP0201 §5.3.3: `VALUE.NAMEDINSTANCE*` for
//! EnumerateInstances, `INSTANCENAME*`, `VALUE.OBJECTWITHPATH*`, `OBJECTPATH*`, ...) are
//! independent of one another. [`ResponseStreamDecoder`] splits the body at those objects
//! with a small resumable tag scanner, hands each complete object to the same decoder that
//! [`decode_response`](super::decode_response) uses, and forgets its bytes. What it holds is
//! the envelope, the unconsumed part of the last chunk and at most one incomplete object, so
//! memory does not grow with the response; [`DecodeLimits::max_bytes`] bounds what is held,
//! not what streams through. The envelope (CIM, MESSAGE, SIMPLERSP, IMETHODRESPONSE, and an
//! ERROR instead of IRETURNVALUE) is checked by the ordinary decoder: once when IRETURNVALUE
//! opens ([`StreamEvent::Envelope`]) and once at the end ([`ResponseStreamDecoder::finish`]).

use std::borrow::Cow;

use super::core::{NameCache, Parser};
use super::input::prepare;
use crate::cim::{CimClass, CimName, Instance, ObjectPath, QualifierDecl};
use crate::message::{CimObject, ReturnKind};
use crate::xml::{DecodeError, DecodeErrorKind, DecodeLimits};

/// One top-level object of an `IRETURNVALUE`.
#[derive(Debug, Clone, PartialEq)]
pub enum ReturnItem {
    /// `VALUE.NAMEDINSTANCE`, `VALUE.INSTANCEWITHPATH` or `INSTANCE`.
    Instance(Instance),
    /// `INSTANCENAME`, `INSTANCEPATH` or `OBJECTPATH`.
    Path(ObjectPath),
    /// `VALUE.OBJECTWITHPATH`, `VALUE.OBJECTWITHLOCALPATH` or `VALUE.OBJECT`.
    Object(CimObject),
    /// `CLASS`.
    Class(CimClass),
    /// `CLASSNAME`.
    ClassName(CimName),
    /// `QUALIFIER.DECLARATION`.
    QualifierDecl(QualifierDecl),
}

/// What [`ResponseStreamDecoder::next_event`] found.
#[derive(Debug)]
pub enum StreamEvent {
    /// `IRETURNVALUE` just opened: a complete document made of the envelope read so far with
    /// an empty IRETURNVALUE, for checking the envelope before any object is used.
    Envelope(Vec<u8>),
    /// The next object.
    Item(ReturnItem),
    /// Nothing more can be decoded before more input arrives.
    NeedMore,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Before the first child of IRETURNVALUE: everything is kept in `head`.
    Head,
    /// Between and inside the children of IRETURNVALUE.
    Items,
    /// After `</IRETURNVALUE>`: everything is kept in `tail`.
    Tail,
}

/// A token of the scanner, as offsets into the active buffer.
enum Tok {
    Start {
        start: usize,
        end: usize,
        empty: bool,
    },
    End {
        start: usize,
        end: usize,
    },
    Skip {
        start: usize,
        cdata: bool,
    },
    Text {
        start: usize,
        end: usize,
    },
}

/// What [`ResponseStreamDecoder::fast_close`] found.
enum Fast {
    /// The object ends at this offset of `buf`.
    Found(usize),
    /// Its end tag is not in the buffer yet.
    NeedMore,
    /// Use the tokenizer for this object.
    Tokenize,
}

/// A token whose end has not arrived yet: where to resume the search.
#[derive(Clone, Copy)]
struct Partial {
    scan: usize,
    quote: u8,
}

/// Splits a response body into the objects of its IRETURNVALUE as the body arrives (see
/// the module documentation).
///
/// ```
/// use smis::message::ReturnKind;
/// use smis::xml::{DecodeLimits, ResponseStreamDecoder, ReturnItem, StreamEvent};
/// let body = br#"<?xml version="1.0"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="EnumerateInstanceNames"><IRETURNVALUE><INSTANCENAME CLASSNAME="CIM_X"/><INSTANCENAME CLASSNAME="CIM_Y"/></IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#;
/// let mut d = ResponseStreamDecoder::new(ReturnKind::InstanceNames, DecodeLimits::default());
/// let mut names = Vec::new();
/// for chunk in body.chunks(7) {
///     d.push(chunk)?;
///     loop {
///         match d.next_event()? {
///             StreamEvent::Item(ReturnItem::Path(p)) => names.push(p.class_name.to_string()),
///             StreamEvent::NeedMore => break,
///             _ => {}
///         }
///     }
/// }
/// let skeleton = d.finish()?;                 // the envelope with an empty IRETURNVALUE
/// smis::xml::decode_response(&skeleton, &DecodeLimits::default())?;
/// assert_eq!(names, ["CIM_X", "CIM_Y"]);
/// # Ok::<(), smis::xml::DecodeError>(())
/// ```
pub struct ResponseStreamDecoder {
    kind: ReturnKind,
    limits: DecodeLimits,
    mode: Mode,
    head: Vec<u8>,
    buf: Vec<u8>,
    tail: Vec<u8>,
    /// Scan position in the active buffer (`head` or `buf`).
    pos: usize,
    partial: Option<Partial>,
    depth: usize,
    /// Names of the open elements while in `Mode::Head`.
    open: Vec<Vec<u8>>,
    /// Depth of IRETURNVALUE once open.
    ret_depth: usize,
    /// Start of the object being assembled in `buf`.
    item_start: Option<usize>,
    envelope_pending: bool,
    latin1: bool,
    items: u64,
    /// Newlines in the bytes dropped from `buf` (for error positions).
    lines_dropped: u64,
    /// Start of the live bytes of `buf`: consumed objects are dropped by moving this
    /// mark, and the buffer is compacted once per `push`, not once per object (a memmove
    /// of the rest of the buffer per object made streaming quadratic in the chunk size).
    front: usize,
    /// Interned names, carried from one object's parser to the next.
    names: Option<NameCache>,
    /// While an object is open: its end tag (`</NAME`) and where to search on, for the
    /// fast path that finds the end of an object without tokenizing its inside.
    close: Option<(Vec<u8>, usize)>,
    high_water: usize,
}

impl std::fmt::Debug for ResponseStreamDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseStreamDecoder")
            .field("kind", &self.kind)
            .field("items", &self.items)
            .field("held", &self.held())
            .field("high_water_mark", &self.high_water)
            .finish()
    }
}

fn too_large(held: usize, limit: usize) -> DecodeError {
    DecodeError {
        kind: DecodeErrorKind::TooLarge,
        message: format!(
            "{held} bytes of one response part (envelope or object) held, over the limit of {limit} bytes"
        ),
        line: 0,
        column: 0,
        path: String::new(),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

impl ResponseStreamDecoder {
    /// A decoder for the response of an operation whose result has the shape `kind`.
    pub fn new(kind: ReturnKind, limits: DecodeLimits) -> Self {
        ResponseStreamDecoder {
            kind,
            limits,
            mode: Mode::Head,
            head: Vec::new(),
            buf: Vec::new(),
            tail: Vec::new(),
            pos: 0,
            partial: None,
            depth: 0,
            open: Vec::new(),
            ret_depth: 0,
            item_start: None,
            envelope_pending: false,
            latin1: false,
            items: 0,
            lines_dropped: 0,
            front: 0,
            names: None,
            close: None,
            high_water: 0,
        }
    }

    /// Bytes held now: envelope, unconsumed input and the incomplete object.
    pub fn held(&self) -> usize {
        self.head.len() + (self.buf.len() - self.front) + self.tail.len()
    }

    /// The most bytes ever held at once (the decoder's own high-water mark).
    pub fn high_water_mark(&self) -> usize {
        self.high_water
    }

    /// Objects decoded so far.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// Appends the next piece of the body.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        match self.mode {
            Mode::Head => self.head.extend_from_slice(chunk),
            Mode::Items => {
                if self.front > 0 {
                    self.buf.drain(..self.front);
                    self.pos -= self.front;
                    if let Some(start) = self.item_start.as_mut() {
                        *start -= self.front;
                    }
                    if let Some((_, from)) = self.close.as_mut() {
                        *from -= self.front;
                    }
                    self.front = 0;
                }
                self.buf.extend_from_slice(chunk)
            }
            Mode::Tail => self.tail.extend_from_slice(chunk),
        }
        let held = self.held();
        self.high_water = self.high_water.max(held);
        if held > self.limits.max_bytes {
            return Err(too_large(held, self.limits.max_bytes));
        }
        Ok(())
    }

    /// Decodes what the input pushed so far allows: the envelope check when IRETURNVALUE
    /// opens, then one object at a time, then [`StreamEvent::NeedMore`].
    pub fn next_event(&mut self) -> Result<StreamEvent, DecodeError> {
        loop {
            match self.mode {
                Mode::Tail => return Ok(StreamEvent::NeedMore),
                Mode::Head => {
                    if !self.head_step()? {
                        return Ok(StreamEvent::NeedMore);
                    }
                    if self.envelope_pending {
                        self.envelope_pending = false;
                        let mut doc = self.head.clone();
                        for name in self.open.iter().rev() {
                            doc.extend_from_slice(b"</");
                            doc.extend_from_slice(name);
                            doc.push(b'>');
                        }
                        self.open.clear();
                        return Ok(StreamEvent::Envelope(doc));
                    }
                }
                Mode::Items => match self.items_step()? {
                    Some(Some(item)) => return Ok(StreamEvent::Item(item)),
                    Some(None) => {}
                    None => return Ok(StreamEvent::NeedMore),
                },
            }
        }
    }

    /// The end of the body: the envelope with an empty IRETURNVALUE (or the whole body when
    /// it had none, e.g. an ERROR), to be decoded by
    /// [`decode_response`](super::decode_response). Fails if an object is incomplete.
    pub fn finish(&mut self) -> Result<Vec<u8>, DecodeError> {
        if self.mode == Mode::Items {
            return Err(DecodeError {
                kind: DecodeErrorKind::Syntax,
                message: format!(
                    "the response ended inside IRETURNVALUE after {} objects",
                    self.items
                ),
                line: 0,
                column: 0,
                path: "MESSAGE/SIMPLERSP/IMETHODRESPONSE/IRETURNVALUE".into(),
            });
        }
        let mut doc = std::mem::take(&mut self.head);
        doc.extend_from_slice(&self.tail);
        self.tail.clear();
        Ok(doc)
    }

    /// One token of the head; true when IRETURNVALUE just opened (mode is then Items).
    fn head_step(&mut self) -> Result<bool, DecodeError> {
        loop {
            let Some(tok) = self.token(true)? else {
                return Ok(false);
            };
            match tok {
                Tok::Start { start, end, empty } => {
                    let name = tag_name(&self.head[start + 1..end]).to_vec();
                    if start == 0 || self.open.is_empty() {
                        self.latin1 = declares_latin1(&self.head[..start]);
                    }
                    if empty {
                        continue;
                    }
                    self.depth += 1;
                    self.check_depth()?;
                    let is_ret = name == b"IRETURNVALUE"
                        && self.open.last().is_some_and(|p| p == b"IMETHODRESPONSE");
                    self.open.push(name);
                    if is_ret {
                        self.ret_depth = self.depth;
                        self.buf = self.head.split_off(end);
                        self.pos = 0;
                        self.mode = Mode::Items;
                        self.envelope_pending = true;
                        return Ok(true);
                    }
                }
                Tok::End { .. } => {
                    self.depth = self.depth.saturating_sub(1);
                    self.open.pop();
                }
                Tok::Skip { .. } | Tok::Text { .. } => {}
            }
        }
    }

    /// One token inside IRETURNVALUE: `Some(Some(item))` for a completed object,
    /// `Some(None)` to continue, `None` when more input is needed.
    fn items_step(&mut self) -> Result<Option<Option<ReturnItem>>, DecodeError> {
        if self.close.is_some() {
            match self.fast_close() {
                Fast::Found(end) => {
                    self.pos = end;
                    self.depth -= 1;
                    return self.complete(end).map(|i| Some(Some(i)));
                }
                Fast::NeedMore => return Ok(None),
                Fast::Tokenize => {}
            }
        }
        let Some(tok) = self.token(false)? else {
            // Drop whitespace already scanned between objects.
            if self.item_start.is_none() && self.partial.is_none() && self.pos > self.front {
                self.drop_front(self.pos);
            }
            return Ok(None);
        };
        let at_child_level = self.depth == self.ret_depth;
        match tok {
            Tok::Text { start, end } => {
                if at_child_level && !self.buf[start..end].iter().all(u8::is_ascii_whitespace) {
                    return Err(self.error_at(start, "unexpected text in IRETURNVALUE"));
                }
            }
            Tok::Skip { start, cdata, .. } => {
                if at_child_level && cdata {
                    return Err(self.error_at(start, "unexpected CDATA in IRETURNVALUE"));
                }
            }
            Tok::Start { start, end, empty } => {
                if at_child_level {
                    self.item_start = Some(start);
                }
                if empty {
                    if at_child_level {
                        return self.complete(end).map(|i| Some(Some(i)));
                    }
                } else {
                    self.depth += 1;
                    self.check_depth()?;
                    if at_child_level {
                        let mut tag = b"</".to_vec();
                        tag.extend_from_slice(tag_name(&self.buf[start + 1..end]));
                        self.close = Some((tag, end));
                    }
                }
            }
            Tok::End { start, end } => {
                if at_child_level {
                    // </IRETURNVALUE>: the rest of the body is the envelope's tail.
                    self.tail = self.buf.split_off(start);
                    self.buf = Vec::new();
                    self.pos = 0;
                    self.front = 0;
                    self.depth -= 1;
                    self.mode = Mode::Tail;
                    return Ok(None);
                }
                self.depth -= 1;
                if self.depth == self.ret_depth {
                    return self.complete(end).map(|i| Some(Some(i)));
                }
            }
        }
        Ok(Some(None))
    }

    /// The fast path for an open object: its end is the first `</NAME>` after its start tag
    /// when no comment, CDATA section or processing instruction comes before it (the DTD
    /// does not nest an IRETURNVALUE object in itself, and `<` cannot stand unescaped in
    /// an attribute value or text). Anything else goes back to the tokenizer, from the
    /// object's start tag on; a malformed object still fails in its own parser.
    fn fast_close(&mut self) -> Fast {
        let Some((tag, from)) = self.close.as_ref() else {
            return Fast::Tokenize;
        };
        let (buf, body_start) = (&self.buf, self.pos);
        let mut at = *from;
        loop {
            let Some(k) = memchr::memmem::find(&buf[at..], tag) else {
                let keep = buf.len().saturating_sub(tag.len() + 1).max(*from);
                if let Some((_, from)) = self.close.as_mut() {
                    *from = keep;
                }
                return Fast::NeedMore;
            };
            let after = at + k + tag.len();
            let mut i = after;
            while i < buf.len() && matches!(buf[i], b' ' | b'\t' | b'\r' | b'\n') {
                i += 1;
            }
            match buf.get(i) {
                None => {
                    let keep = at + k;
                    if let Some((_, from)) = self.close.as_mut() {
                        *from = keep;
                    }
                    return Fast::NeedMore;
                }
                Some(b'>') => {
                    let end = i + 1;
                    self.close = None;
                    return if memchr::memmem::find(&buf[body_start..at + k], b"<!").is_some()
                        || memchr::memmem::find(&buf[body_start..at + k], b"<?").is_some()
                    {
                        Fast::Tokenize
                    } else {
                        Fast::Found(end)
                    };
                }
                // `</NAMEX` or a malformed end tag: not ours; search on.
                Some(_) => at = after,
            }
        }
    }

    fn check_depth(&self) -> Result<(), DecodeError> {
        if self.depth > self.limits.max_depth {
            return Err(DecodeError {
                kind: DecodeErrorKind::TooDeep,
                message: format!("element nesting deeper than {}", self.limits.max_depth),
                line: 0,
                column: 0,
                path: String::new(),
            });
        }
        Ok(())
    }

    fn drop_front(&mut self, n: usize) {
        self.lines_dropped += memchr::memchr_iter(b'\n', &self.buf[self.front..n]).count() as u64;
        if n >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            self.front = 0;
        } else {
            self.front = n;
        }
    }

    /// The object in `buf[item_start..end]` is complete: decode it and drop its bytes.
    fn complete(&mut self, end: usize) -> Result<ReturnItem, DecodeError> {
        let start = self.item_start.take().unwrap_or(0);
        let result = self.decode_item(start, end);
        self.items += 1;
        self.drop_front(end);
        result
    }

    fn decode_item(&mut self, start: usize, end: usize) -> Result<ReturnItem, DecodeError> {
        let names = self.names.take().unwrap_or_default();
        let raw = &self.buf[start..end];
        let converted: Cow<'_, [u8]> = if self.latin1 {
            Cow::Owned(
                raw.iter()
                    .map(|&b| char::from(b))
                    .collect::<String>()
                    .into_bytes(),
            )
        } else {
            Cow::Borrowed(raw)
        };
        let anchor = |mut e: DecodeError| {
            let before = &self.buf[self.front..start];
            let lines = memchr::memchr_iter(b'\n', before).count() as u64 + self.lines_dropped;
            if e.line == 1 {
                let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
                let col = before[line_start..]
                    .iter()
                    .filter(|&&b| (b & 0xC0) != 0x80)
                    .count();
                e.column = e
                    .column
                    .saturating_add(u32::try_from(col).unwrap_or(u32::MAX));
            }
            if e.line > 0 {
                let base = self.head_lines();
                e.line = u32::try_from(u64::from(e.line) + lines + base).unwrap_or(u32::MAX);
            }
            let prefix = "MESSAGE/SIMPLERSP/IMETHODRESPONSE/IRETURNVALUE/";
            if let Some(rest) = e.path.strip_prefix(prefix) {
                let (first, more) = rest.split_once('/').unwrap_or((rest, ""));
                if !first.contains('[') {
                    let sep = if more.is_empty() { "" } else { "/" };
                    e.path = format!("{prefix}{first}[{}]{sep}{more}", self.items + 1);
                }
            }
            e
        };
        let text = prepare(&converted, &self.limits).map_err(anchor)?;
        let depth = self.limits.max_depth.saturating_sub(self.ret_depth);
        let mut p = Parser::new(
            &text,
            depth,
            "MESSAGE/SIMPLERSP/IMETHODRESPONSE/IRETURNVALUE".into(),
        )
        .with_names(names);
        let item = (|| {
            let root = p.root()?;
            let item = item_of(&mut p, self.kind, &root)?;
            p.finish()?;
            Ok(item)
        })();
        let names = p.take_names();
        let item = item.map_err(|e: Box<DecodeError>| anchor(*e));
        self.names = Some(names);
        item
    }

    fn head_lines(&self) -> u64 {
        memchr::memchr_iter(b'\n', &self.head).count() as u64
    }

    fn error_at(&self, at: usize, message: &str) -> DecodeError {
        let before = &self.buf[self.front.min(at)..at.min(self.buf.len())];
        let line = 1
            + self.head_lines()
            + self.lines_dropped
            + memchr::memchr_iter(b'\n', before).count() as u64;
        DecodeError {
            kind: DecodeErrorKind::Structure,
            message: message.into(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: 0,
            path: "MESSAGE/SIMPLERSP/IMETHODRESPONSE/IRETURNVALUE".into(),
        }
    }

    /// The next token of the active buffer, or `None` if it is incomplete.
    fn token(&mut self, head: bool) -> Result<Option<Tok>, DecodeError> {
        let b: &[u8] = if head { &self.head } else { &self.buf };
        let pos = self.pos;
        if pos >= b.len() {
            return Ok(None);
        }
        if b[pos] != b'<' {
            let end = memchr::memchr(b'<', &b[pos..]).map_or(b.len(), |k| pos + k);
            self.pos = end;
            return Ok(Some(Tok::Text { start: pos, end }));
        }
        let rest = &b[pos..];
        let need = |n: usize| rest.len() < n;
        if need(2) {
            return Ok(None);
        }
        let special: Option<(&[u8], usize, bool)> = match rest[1] {
            b'?' => Some((b"?>", 2, false)),
            b'!' => {
                if need(4) {
                    return Ok(None);
                }
                if rest.starts_with(b"<!--") {
                    Some((b"-->", 4, false))
                } else if rest.len() < 9 && b"<![CDATA[".starts_with(rest) {
                    return Ok(None);
                } else if rest.starts_with(b"<![CDATA[") {
                    Some((b"]]>", 9, true))
                } else {
                    return Err(DecodeError {
                        kind: DecodeErrorKind::Forbidden,
                        message: "<!DOCTYPE> and other declarations are not allowed in CIM-XML"
                            .into(),
                        line: 0,
                        column: 0,
                        path: String::new(),
                    });
                }
            }
            _ => None,
        };
        if let Some((term, skip, cdata)) = special {
            let from = self.partial.map_or(skip, |p| p.scan);
            return Ok(match find(&rest[from..], term) {
                Some(k) => {
                    self.partial = None;
                    let end = pos + from + k + term.len();
                    self.pos = end;
                    Some(Tok::Skip { start: pos, cdata })
                }
                None => {
                    let scan = rest.len().saturating_sub(term.len() - 1).max(skip);
                    self.partial = Some(Partial { scan, quote: 0 });
                    None
                }
            });
        }
        // A start or end tag: find '>' outside quoted attribute values.
        let (mut i, mut quote) = self.partial.map_or((1, 0u8), |p| (p.scan, p.quote));
        while i < rest.len() {
            if quote != 0 {
                match memchr::memchr(quote, &rest[i..]) {
                    Some(k) => {
                        i += k + 1;
                        quote = 0;
                    }
                    None => {
                        i = rest.len();
                    }
                }
                continue;
            }
            match memchr::memchr3(b'>', b'"', b'\'', &rest[i..]) {
                Some(k) => {
                    let c = rest[i + k];
                    i += k + 1;
                    if c == b'>' {
                        self.partial = None;
                        let end = pos + i;
                        self.pos = end;
                        return Ok(Some(if rest[1] == b'/' {
                            Tok::End { start: pos, end }
                        } else {
                            Tok::Start {
                                start: pos,
                                end,
                                empty: i >= 2 && rest[i - 2] == b'/',
                            }
                        }));
                    }
                    quote = c;
                }
                None => i = rest.len(),
            }
        }
        self.partial = Some(Partial { scan: i, quote });
        Ok(None)
    }
}

/// The element name of a start tag's inside (`NAME attr="..."`).
fn tag_name(inside: &[u8]) -> &[u8] {
    let n = inside
        .iter()
        .position(|&c| c.is_ascii_whitespace() || c == b'/' || c == b'>')
        .unwrap_or(inside.len());
    &inside[..n]
}

/// True if the XML declaration before the root names ISO-8859-1.
fn declares_latin1(prolog: &[u8]) -> bool {
    let Some(end) = find(prolog, b"?>") else {
        return false;
    };
    let decl = String::from_utf8_lossy(&prolog[..end]).to_ascii_lowercase();
    let Some(i) = decl.find("encoding") else {
        return false;
    };
    let v = decl[i + 8..]
        .trim_start()
        .trim_start_matches('=')
        .trim_start()
        .trim_matches(|c| c == '"' || c == '\'' || c == '?' || c == ' ');
    let v = v.split(['"', '\'']).next().unwrap_or("");
    matches!(
        v,
        "iso-8859-1"
            | "iso8859-1"
            | "iso_8859-1"
            | "latin-1"
            | "latin1"
            | "l1"
            | "iso-ir-100"
            | "cp819"
            | "ibm819"
    )
}

/// Decodes one child of IRETURNVALUE (just opened as the fragment's root) by the
/// operation's result shape, as `ireturn` does for a whole document.
fn item_of<'a>(
    p: &mut Parser<'a>,
    kind: ReturnKind,
    c: &quick_xml::events::BytesStart<'a>,
) -> Result<ReturnItem, Box<DecodeError>> {
    use ReturnKind as K;
    Ok(match (kind, c.name().as_ref()) {
        (K::Instance | K::PullInstances, b"INSTANCE") => ReturnItem::Instance(p.instance(c)?),
        (K::NamedInstances, b"VALUE.NAMEDINSTANCE") => ReturnItem::Instance(p.named_instance()?),
        (K::PullInstancesWithPath, b"VALUE.INSTANCEWITHPATH") => {
            ReturnItem::Instance(p.instance_with_path()?)
        }
        (K::InstanceNames | K::InstanceName, b"INSTANCENAME") => {
            ReturnItem::Path(p.instance_name(c)?)
        }
        (K::PullPaths, b"INSTANCEPATH") => ReturnItem::Path(p.instance_path()?),
        (K::ObjectPaths, b"OBJECTPATH") => ReturnItem::Path(p.object_path()?),
        (K::ObjectsWithPath | K::QueryObjects, b"VALUE.OBJECTWITHPATH") => {
            ReturnItem::Object(p.object_with_path(false)?)
        }
        (K::ObjectsWithPath | K::QueryObjects, b"VALUE.OBJECTWITHLOCALPATH") => {
            ReturnItem::Object(p.object_with_path(true)?)
        }
        (K::QueryObjects, b"VALUE.OBJECT") => ReturnItem::Object(p.value_object()?),
        (K::Class | K::Classes, b"CLASS") => ReturnItem::Class(p.class(c)?),
        (K::ClassNames, b"CLASSNAME") => ReturnItem::ClassName(p.class_name_elem(c)?),
        (K::QualifierDecl | K::QualifierDecls, b"QUALIFIER.DECLARATION") => {
            ReturnItem::QualifierDecl(p.qualifier_decl(c)?)
        }
        (_, name) => {
            return Err(p.structure(format!(
                "unexpected element {} in IRETURNVALUE of this operation",
                String::from_utf8_lossy(name)
            )));
        }
    })
}
