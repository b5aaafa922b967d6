//! `smis decode FILE`: bounded input, and the summary of a large response counted while it
//! streams.
//!
//! - `--output summary` of a plain CIM-XML response body (an `IMETHODRESPONSE` that returns
//!   a list: EnumerateInstances, EnumerateInstanceNames, Associators, References, ExecQuery,
//!   the pull operations, ...) is counted as the file is read, one object at a time, with
//!   the library's incremental decoder: memory stays at one read buffer plus one object
//!   whatever the file size, up to [`MAX_STREAMED_BYTES`].
//! - Everything else (requests, method responses, HTTP captures, the JSON, table and MOF
//!   outputs) is decoded whole, from at most [`MAX_DECODE_BYTES`].
//! - An empty or whitespace-only file is an error (exit 1), as is a file over its limit; a
//!   FIFO or device that never ends is cut at the limit.

use std::io::Read;
use std::path::Path;

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
    use std::io::Write;
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
