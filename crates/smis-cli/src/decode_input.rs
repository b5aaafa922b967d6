//! `smis decode FILE`: bounded input, and the summary of a large response counted while it
//! streams.
//!
//! - `--output summary` of a plain CIM-XML response body (an `IMETHODRESPONSE` that returns
//!   a list: EnumerateInstances, EnumerateInstanceNames, Associators, References, ExecQuery,
//!   the pull operations, ...) is counted as the file is read, one object at a time, with
//!   the library's incremental decoder: memory stays at one read buffer plus one object
//!   whatever the file size, up to [`MAX_STREAMED_BYTES`].
//! - `--output json` of such a body whose result is instances, paths, classes or class
//!   names is written while it is read, with serde's streaming serializer: the same JSON
//!   as the whole-document path, at the same bounded memory. (A failure half-way leaves
//!   the JSON printed so far unterminated, and exits 1.)
//! - Everything else (requests, method responses, HTTP captures, the JSON, table and MOF
//!   outputs) is decoded whole, from at most [`MAX_DECODE_BYTES`].
//! - An empty or whitespace-only file is an error (exit 1), as is a file over its limit; a
//!   FIFO or device that never ends is cut at the limit.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::Path;

use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value, json};
use smis::CimStatus;
use smis::message::{CimObject, Response, ReturnKind};
use smis::xml::{DecodeLimits, ResponseStreamDecoder, ReturnItem, StreamEvent, decode_response};

use crate::errors::{CliError, CliResult, failed};
use crate::output::Format;

/// Most bytes `decode` reads to decode a file whole: 512 MiB (the library's default
/// response limit).
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Most bytes a streamed summary reads: 16 GiB.
pub const MAX_STREAMED_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// Most bytes one object (or the envelope) of a streamed response may take: 64 MiB.
pub const MAX_OBJECT_BYTES: usize = 64 * 1024 * 1024;

const READ_CHUNK: usize = 256 * 1024;

fn cannot_read(file: &Path, e: std::io::Error) -> CliError {
    failed(format!("cannot read {}: {e}", file.display()))
}

/// Appends up to `want` more bytes of `r` to `buf`; true at the end of the input.
fn fill(r: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let start = buf.len();
    buf.resize(start + want, 0);
    let mut got = 0;
    while got < want {
        match r.read(&mut buf[start + got..]) {
            Ok(0) => {
                buf.truncate(start + got);
                return Ok(true);
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// Runs `decode FILE`.
pub fn run(file: &Path, format: Format) -> CliResult<()> {
    let mut f = std::fs::File::open(file).map_err(|e| cannot_read(file, e))?;
    let mut head = Vec::new();
    let ended = fill(&mut f, &mut head, READ_CHUNK).map_err(|e| cannot_read(file, e))?;
    if head.iter().all(u8::is_ascii_whitespace) && ended {
        return Err(failed(format!(
            "{} is empty: nothing to decode",
            file.display()
        )));
    }
    if format == Format::Summary
        && let Some(kind) = streamable(&head)
    {
        let text = stream_summary(file, &mut f, head, ended, kind)?;
        return print(&text);
    }
    if format == Format::Json
        && let Some(kind) = streamable(&head).filter(|k| json_streamable(*k))
    {
        let out = std::io::stdout().lock();
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
        stream_json(Source::new(file, &mut f, head, ended), kind, &mut out)?;
        return out.flush().map_err(|e| CliError::Failed(e.to_string()));
    }
    let mut data = head;
    if !ended {
        let mut rest = (&mut f).take(MAX_DECODE_BYTES + 1 - data.len() as u64);
        rest.read_to_end(&mut data)
            .map_err(|e| cannot_read(file, e))?;
        if data.len() as u64 > MAX_DECODE_BYTES {
            return Err(failed(format!(
                "{} is larger than the decode limit of {MAX_DECODE_BYTES} bytes (only `--output summary` of a response body reads more)",
                file.display()
            )));
        }
    }
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(failed(format!(
            "{} holds only whitespace: nothing to decode",
            file.display()
        )));
    }
    crate::decode::run_data(&data, format)
}

fn print(text: &str) -> CliResult<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::Failed(e.to_string()))
}

/// The result shape of a plain XML body holding an intrinsic response with a list result.
fn streamable(head: &[u8]) -> Option<ReturnKind> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    if head.get(start) != Some(&b'<') {
        return None;
    }
    let at = memfind(head, b"<IMETHODRESPONSE")?;
    let rest = &head[at..];
    let name_at = memfind(rest, b"NAME=")? + 5;
    let q = *rest.get(name_at)?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let value = &rest[name_at + 1..];
    let end = value.iter().position(|&b| b == q)?;
    let name = std::str::from_utf8(&value[..end]).ok()?;
    use ReturnKind as K;
    match ReturnKind::for_operation(name)? {
        K::Nothing | K::Instance | K::InstanceName | K::Class | K::QualifierDecl => None,
        k => Some(k),
    }
}

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[derive(Default)]
struct Counts {
    instances: u64,
    paths: u64,
    classes: u64,
}

impl Counts {
    fn add(&mut self, item: &ReturnItem) {
        match item {
            ReturnItem::Instance(_) | ReturnItem::Object(CimObject::Instance(_)) => {
                self.instances += 1
            }
            ReturnItem::Path(_) => self.paths += 1,
            ReturnItem::Class(_)
            | ReturnItem::Object(CimObject::Class(_))
            | ReturnItem::ClassName(_) => self.classes += 1,
            ReturnItem::QualifierDecl(_) => {}
        }
    }
}

/// Counts the objects of a response body while reading it; the summary text.
fn stream_summary(
    file: &Path,
    f: &mut std::fs::File,
    head: Vec<u8>,
    mut ended: bool,
    kind: ReturnKind,
) -> CliResult<String> {
    let limits = DecodeLimits {
        max_bytes: MAX_OBJECT_BYTES,
        ..DecodeLimits::default()
    };
    let bad = |e: smis::xml::DecodeError| failed(format!("cannot decode the response: {e}"));
    let mut d = ResponseStreamDecoder::new(kind, limits);
    let mut counts = Counts::default();
    let mut total = head.len() as u64;
    let mut buf = head;
    loop {
        d.push(&buf).map_err(bad)?;
        loop {
            match d.next_event().map_err(bad)? {
                StreamEvent::Item(i) => counts.add(&i),
                StreamEvent::Envelope(_) => {}
                StreamEvent::NeedMore => break,
            }
        }
        if ended {
            break;
        }
        buf.clear();
        ended = fill(f, &mut buf, READ_CHUNK).map_err(|e| cannot_read(file, e))?;
        total += buf.len() as u64;
        if total > MAX_STREAMED_BYTES {
            return Err(failed(format!(
                "{} is larger than the streamed decode limit of {MAX_STREAMED_BYTES} bytes",
                file.display()
            )));
        }
    }
    let skeleton = d.finish().map_err(bad)?;
    let msg = decode_response(&skeleton, &DecodeLimits::default()).map_err(bad)?;
    let (operation, error_code) = match &msg.response {
        Response::Intrinsic { name, result } => {
            (name.clone(), result.as_ref().err().map(|e| e.code))
        }
        Response::Method { name, result } => (name.clone(), result.as_ref().err().map(|e| e.code)),
        Response::Export { name, result } => (name.clone(), result.as_ref().err().map(|e| e.code)),
    };
    let summary = json!({
        "kind": "response",
        "operation": operation,
        "instances": counts.instances,
        "paths": counts.paths,
        "classes": counts.classes,
        "error_code": error_code,
        "http_status": Value::Null,
    });
    let mut s = String::new();
    for k in [
        "kind",
        "operation",
        "instances",
        "paths",
        "classes",
        "error_code",
        "http_status",
    ] {
        let v = match &summary[k] {
            Value::String(s) => s.clone(),
            Value::Null => "-".into(),
            other => other.to_string(),
        };
        s.push_str(&format!("{k}: {v}\n"));
    }
    if let Some(c) = error_code {
        s.push_str(&format!("error: {}\n", CimStatus::from_code(c)));
    }
    Ok(s)
}

/// Result shapes whose JSON is an array of independent objects.
fn json_streamable(kind: ReturnKind) -> bool {
    use ReturnKind as K;
    matches!(
        kind,
        K::NamedInstances
            | K::InstanceNames
            | K::ObjectPaths
            | K::Classes
            | K::ClassNames
            | K::PullInstancesWithPath
            | K::PullInstances
            | K::PullPaths
    )
}

/// The input of a streamed decode: what was read already and the rest of the file.
struct Source<'f> {
    file: &'f Path,
    reader: &'f mut dyn Read,
    first: Option<Vec<u8>>,
    /// The first piece is the whole input.
    first_is_all: bool,
    ended: bool,
    total: u64,
}

impl<'f> Source<'f> {
    fn new(file: &'f Path, reader: &'f mut dyn Read, head: Vec<u8>, ended: bool) -> Self {
        Source {
            file,
            reader,
            first: Some(head),
            first_is_all: ended,
            ended: false,
            total: 0,
        }
    }

    /// The next piece of input, or `None` at its end.
    fn next(&mut self) -> CliResult<Option<Vec<u8>>> {
        if let Some(head) = self.first.take() {
            self.ended = self.first_is_all;
            self.total = head.len() as u64;
            return Ok(Some(head));
        }
        if self.ended {
            return Ok(None);
        }
        let mut buf = Vec::new();
        self.ended =
            fill(&mut self.reader, &mut buf, READ_CHUNK).map_err(|e| cannot_read(self.file, e))?;
        self.total += buf.len() as u64;
        if self.total > MAX_STREAMED_BYTES {
            return Err(failed(format!(
                "{} is larger than the streamed decode limit of {MAX_STREAMED_BYTES} bytes",
                self.file.display()
            )));
        }
        Ok(if buf.is_empty() && self.ended {
            None
        } else {
            Some(buf)
        })
    }
}

/// The decoder over a [`Source`], one object at a time.
struct Streamer<'f> {
    source: Source<'f>,
    decoder: ResponseStreamDecoder,
    id: Option<String>,
}

fn decode_failed(e: impl std::fmt::Display) -> String {
    format!("cannot decode the response: {e}")
}

impl Streamer<'_> {
    /// The next object; `Ok(None)` at the end of the input.
    fn next_item(&mut self) -> Result<Option<ReturnItem>, String> {
        loop {
            match self.decoder.next_event().map_err(decode_failed)? {
                StreamEvent::Item(i) => return Ok(Some(i)),
                StreamEvent::Envelope(doc) => {
                    // The MESSAGE ID, from the envelope checked by the whole decoder.
                    let m = decode_response(&doc, &DecodeLimits::default());
                    self.id = Some(match m {
                        Ok(m) => m.id,
                        Err(_) => message_id_of(&doc),
                    });
                }
                StreamEvent::NeedMore => match self.source.next().map_err(|e| e.line())? {
                    Some(piece) => self.decoder.push(&piece).map_err(decode_failed)?,
                    None => return Ok(None),
                },
            }
        }
    }
}

/// The `ID` of `<MESSAGE ID="...">` (pull envelopes are only checked at the end).
fn message_id_of(doc: &[u8]) -> String {
    let text = String::from_utf8_lossy(doc);
    text.split("ID=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
        .to_string()
}

fn item_json(item: &ReturnItem) -> Value {
    match item {
        ReturnItem::Instance(i) | ReturnItem::Object(CimObject::Instance(i)) => {
            crate::json::instance(i)
        }
        ReturnItem::Path(p) => crate::json::path(p),
        ReturnItem::Class(c) | ReturnItem::Object(CimObject::Class(c)) => crate::json::class(c),
        ReturnItem::ClassName(n) => json!({ "class": n.to_string() }),
        ReturnItem::QualifierDecl(_) => Value::Null,
    }
}

struct Doc<'s, 'f> {
    streamer: &'s RefCell<Streamer<'f>>,
    kind: ReturnKind,
}

impl Serialize for Doc<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("kind", "response")?;
        m.serialize_entry("http", &Value::Null)?;
        // Read up to the first object so that the envelope (and its ID) is known.
        let first = self
            .streamer
            .borrow_mut()
            .next_item()
            .map_err(S::Error::custom)?;
        let id = self.streamer.borrow().id.clone().unwrap_or_default();
        m.serialize_entry("id", &id)?;
        let first_json = first.as_ref().map(item_json);
        m.serialize_entry("result", &First(first_json, self.streamer))?;
        let skeleton = self
            .streamer
            .borrow_mut()
            .decoder
            .finish()
            .map_err(|e| S::Error::custom(decode_failed(e)))?;
        let msg = decode_response(&skeleton, &DecodeLimits::default())
            .map_err(|e| S::Error::custom(decode_failed(e)))?;
        let Response::Intrinsic { name, result } = msg.response else {
            return Err(S::Error::custom("not an intrinsic response"));
        };
        use smis::message::IReturn;
        match (&result, self.kind) {
            (Ok(IReturn::PullInstances(p)), _) => {
                m.serialize_entry("end_of_sequence", &p.end_of_sequence)?;
                m.serialize_entry("enumeration_context", &p.enumeration_context)?;
            }
            (Ok(IReturn::PullPaths(p)), _) => {
                m.serialize_entry("end_of_sequence", &p.end_of_sequence)?;
                m.serialize_entry("enumeration_context", &p.enumeration_context)?;
            }
            _ => {}
        }
        m.serialize_entry("operation", &name)?;
        m.serialize_entry("error", &Value::Null)?;
        m.end()
    }
}

/// The first object (already read) followed by the rest.
struct First<'s, 'f>(Option<Value>, &'s RefCell<Streamer<'f>>);

impl Serialize for First<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let Some(first) = &self.0 else {
            return seq.end();
        };
        seq.serialize_element(first)?;
        loop {
            let next = self.1.borrow_mut().next_item();
            match next {
                Ok(Some(item)) => seq.serialize_element(&item_json(&item))?,
                Ok(None) => break,
                Err(e) => return Err(S::Error::custom(e)),
            }
        }
        seq.end()
    }
}

/// Writes the JSON of a response body while reading it (see the module docs).
fn stream_json(source: Source<'_>, kind: ReturnKind, out: &mut impl Write) -> CliResult<()> {
    let limits = DecodeLimits {
        max_bytes: MAX_OBJECT_BYTES,
        ..DecodeLimits::default()
    };
    let streamer = RefCell::new(Streamer {
        source,
        decoder: ResponseStreamDecoder::new(kind, limits),
        id: None,
    });
    let doc = Doc {
        streamer: &streamer,
        kind,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| {
        let msg = e.to_string();
        failed(msg.split(" at line ").next().unwrap_or(&msg).to_string())
    })?;
    out.write_all(b"\n")
        .map_err(|e| CliError::Failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed JSON is byte for byte the whole-document JSON, on every fixture whose
    /// result streams, read in small pieces.
    #[test]
    fn streamed_json_equals_whole_document_json() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut checked = 0;
        for dir in std::fs::read_dir(&root).unwrap() {
            for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
                let f = f.unwrap().path();
                if !f.to_string_lossy().ends_with(".response.xml") {
                    continue;
                }
                let body = std::fs::read(&f).unwrap();
                let Some(kind) = streamable(&body).filter(|k| json_streamable(*k)) else {
                    continue;
                };
                let cap = crate::decode::Capture {
                    body: body.clone(),
                    ..Default::default()
                };
                let Ok((whole, _)) = crate::decode::one(&cap, Format::Json) else {
                    continue;
                };
                if whole.contains("\"error\": {") {
                    continue;
                }
                for piece in [5, 333, body.len()] {
                    let head = body[..piece.min(body.len())].to_vec();
                    let mut rest: &[u8] = &body[head.len()..];
                    let mut out = Vec::new();
                    let src = Source::new(&f, &mut rest, head, false);
                    stream_json(src, kind, &mut out).unwrap();
                    assert_eq!(String::from_utf8(out).unwrap(), whole, "{}", f.display());
                }
                checked += 1;
            }
        }
        assert!(checked >= 5, "{checked}");
    }
}
