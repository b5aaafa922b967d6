//! Byte-level rewrites of CIM-XML bodies that work in any encoding (fixtures may be
//! Latin-1): the `ID` of the `MESSAGE` element (DSP0201) and the values of password parameters.

use std::ops::Range;

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value range of attribute `name` inside a start tag's bytes (after the element name).
fn attr_range(tag: &[u8], name: &[u8]) -> Option<Range<usize>> {
    let mut i = 0;
    while i + name.len() <= tag.len() {
        let at_boundary = i == 0 || tag[i - 1].is_ascii_whitespace();
        if at_boundary && tag[i..].starts_with(name) {
            let mut j = i + name.len();
            while tag.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            if tag.get(j) == Some(&b'=') {
                j += 1;
                while tag.get(j).is_some_and(u8::is_ascii_whitespace) {
                    j += 1;
                }
                let q = *tag.get(j)?;
                if q == b'"' || q == b'\'' {
                    let start = j + 1;
                    let len = tag[start..].iter().position(|&c| c == q)?;
                    return Some(start..start + len);
                }
            }
        }
        i += 1;
    }
    None
}

/// Start tags `<NAME ...>` of element `name`: (tag start, end of the attribute bytes, true if
/// self-closing). The attribute bytes are `body[tag_start + 1 + name.len() .. attrs_end]`.
fn start_tags(body: &[u8], name: &[u8]) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let mut pat = b"<".to_vec();
    pat.extend_from_slice(name);
    let mut from = 0;
    while let Some(p) = find(&body[from..], &pat) {
        let start = from + p;
        let after = start + pat.len();
        from = after;
        match body.get(after) {
            Some(c) if c.is_ascii_whitespace() || *c == b'>' || *c == b'/' => {}
            _ => continue,
        }
        let Some(close) = body[after..].iter().position(|&c| c == b'>') else {
            break;
        };
        let end = after + close;
        let self_closing = end > after && body[end - 1] == b'/';
        out.push((
            start,
            if self_closing { end - 1 } else { end },
            self_closing,
        ));
        from = end;
    }
    out
}

/// The byte range of the `MESSAGE` element's `ID` value.
pub(crate) fn message_id_range(body: &[u8]) -> Option<Range<usize>> {
    let (start, end, _) = *start_tags(body, b"MESSAGE").first()?;
    let attrs_start = start + "<MESSAGE".len();
    let r = attr_range(&body[attrs_start..end], b"ID")?;
    Some(attrs_start + r.start..attrs_start + r.end)
}

/// The `MESSAGE ID` of a CIM-XML body.
pub(crate) fn message_id(body: &[u8]) -> Option<String> {
    message_id_range(body).map(|r| String::from_utf8_lossy(&body[r]).into_owned())
}

/// The body with its `MESSAGE ID` set to `id` (unchanged if it has none).
pub(crate) fn with_message_id(body: &[u8], id: &str) -> Vec<u8> {
    match message_id_range(body) {
        Some(r) => {
            let mut out = Vec::with_capacity(body.len() + id.len());
            out.extend_from_slice(&body[..r.start]);
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(&body[r.end..]);
            out
        }
        None => body.to_vec(),
    }
}

/// The text written instead of a password.
pub const REDACTED: &str = "[REDACTED]";

/// The body with the `VALUE` text of every `PARAMVALUE`, `IPARAMVALUE` and `EXPPARAMVALUE`
/// whose `NAME` contains "password" (any case) replaced by `[REDACTED]`.
pub(crate) fn redact_passwords(body: &[u8]) -> Vec<u8> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for el in [&b"PARAMVALUE"[..], b"IPARAMVALUE", b"EXPPARAMVALUE"] {
        for (start, attrs_end, self_closing) in start_tags(body, el) {
            if self_closing {
                continue;
            }
            let attrs = &body[start + 1 + el.len()..attrs_end];
            let Some(nr) = attr_range(attrs, b"NAME") else {
                continue;
            };
            let name = String::from_utf8_lossy(&attrs[nr]).to_ascii_lowercase();
            if !name.contains("password") {
                continue;
            }
            let content_start = attrs_end + 1;
            let mut close = b"</".to_vec();
            close.extend_from_slice(el);
            close.push(b'>');
            let content_end = find(&body[content_start..], &close)
                .map(|p| content_start + p)
                .unwrap_or(body.len());
            let content = &body[content_start..content_end];
            for (_, ve, sc) in start_tags(content, b"VALUE") {
                if sc {
                    continue;
                }
                let text_start = ve + 1;
                if let Some(p) = find(&content[text_start..], b"</VALUE>") {
                    ranges.push(content_start + text_start..content_start + text_start + p);
                }
            }
        }
    }
    ranges.sort_by_key(|r| r.start);
    let mut out = Vec::with_capacity(body.len());
    let mut pos = 0;
    for r in ranges {
        if r.start < pos {
            continue;
        }
        out.extend_from_slice(&body[pos..r.start]);
        out.extend_from_slice(REDACTED.as_bytes());
        pos = r.end;
    }
    out.extend_from_slice(&body[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &[u8] = br#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="7" PROTOCOLVERSION="1.0"><SIMPLEREQ/></MESSAGE></CIM>"#;

    #[test]
    fn message_id_helpers() {
        assert_eq!(message_id(A).as_deref(), Some("7"));
        let b = with_message_id(A, "1001");
        assert_eq!(message_id(&b).as_deref(), Some("1001"));
        assert_eq!(b.len(), A.len() + 3);
        assert_eq!(with_message_id(b"<CIM/>", "1"), b"<CIM/>".to_vec());
    }

    #[test]
    fn passwords_are_redacted() {
        let body = br#"<METHODCALL NAME="M"><PARAMVALUE NAME="UserPassword" PARAMTYPE="string"><VALUE>s3cret</VALUE></PARAMVALUE><PARAMVALUE NAME="Passwords"><VALUE.ARRAY><VALUE>a1</VALUE><VALUE>b2</VALUE></VALUE.ARRAY></PARAMVALUE><PARAMVALUE NAME="User"><VALUE>admin</VALUE></PARAMVALUE><IPARAMVALUE NAME="password"/></METHODCALL>"#;
        let out = String::from_utf8(redact_passwords(body)).unwrap_or_default();
        assert!(!out.contains("s3cret") && !out.contains("a1") && !out.contains("b2"));
        assert!(out.contains("<VALUE>admin</VALUE>"));
        assert_eq!(out.matches(REDACTED).count(), 3);
    }
}
