//! `smis` as a process: a whole command bounded by `--timeout` against a loopback server
//! that never ends its enumeration, and `decode` input limits and streamed summaries.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use common::bin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("smis-cli-scale-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Answers every CIM-XML request on loopback with a page of `per_page` instances and
/// EndOfSequence=FALSE (plain HTTP/1.1 keep-alive); returns the port and a request counter.
fn endless_server(per_page: usize) -> (u16, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicU64::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut tcp) = conn else { return };
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    // One request: headers, then Content-Length bytes.
                    let head_end = loop {
                        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break p + 4;
                        }
                        match tcp.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + len {
                        match tcp.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let method = head
                        .lines()
                        .find_map(|l| l.strip_prefix("cimmethod:"))
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    buf.drain(..head_end + len);
                    let n = seen.fetch_add(1, Ordering::SeqCst);
                    let name = if method == "openenumerateinstances" {
                        "OpenEnumerateInstances"
                    } else {
                        "PullInstancesWithPath"
                    };
                    let mut items = String::new();
                    for k in 0..per_page {
                        let id = format!("{n}-{k}");
                        items.push_str(&format!(r#"<VALUE.INSTANCEWITHPATH><INSTANCEPATH><NAMESPACEPATH><HOST>h</HOST><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/></LOCALNAMESPACEPATH></NAMESPACEPATH><INSTANCENAME CLASSNAME="CIM_X"><KEYBINDING NAME="ID"><KEYVALUE VALUETYPE="string">{id}</KEYVALUE></KEYBINDING></INSTANCENAME></INSTANCEPATH><INSTANCE CLASSNAME="CIM_X"><PROPERTY NAME="ID" TYPE="string"><VALUE>{id}</VALUE></PROPERTY></INSTANCE></VALUE.INSTANCEWITHPATH>"#));
                    }
                    let body = format!(
                        r#"<?xml version="1.0" encoding="utf-8"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="{name}"><IRETURNVALUE>{items}</IRETURNVALUE><PARAMVALUE NAME="EndOfSequence" PARAMTYPE="boolean"><VALUE>FALSE</VALUE></PARAMVALUE><PARAMVALUE NAME="EnumerationContext" PARAMTYPE="string"><VALUE>ctx</VALUE></PARAMVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#
                    );
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=utf-8\r\nCIMOperation: MethodResponse\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if tcp.write_all(resp.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, count)
}

#[test]
fn timeout_bounds_an_enumeration_that_never_ends() {
    for per_page in [0, 50] {
        let (port, count) = endless_server(per_page);
        let out = bin()
            .args([
                "--url",
                &format!("http://127.0.0.1:{port}"),
                "--timeout",
                "1",
            ])
            .args(["enum", "CIM_X", "--output", "json"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if per_page == 0 {
            // Empty pages end at the library's default limit of consecutive empty pages.
            assert_eq!(out.status.code(), Some(1), "{err}");
            assert!(err.contains("101 consecutive empty pages"), "{err}");
        } else {
            // Full pages go on until --timeout ends the whole command.
            assert_eq!(out.status.code(), Some(6), "{err}");
            assert!(err.contains("timed out after 1s"), "{err}");
        }
        assert!(
            out.stdout.is_empty(),
            "nothing printed for a failed enumeration"
        );
        assert!(count.load(Ordering::SeqCst) >= 2, "it did pull");
    }
}

#[test]
fn decode_refuses_empty_and_whitespace_files() {
    let d = tmp("empty");
    for (name, content) in [("empty.xml", ""), ("blank.xml", " \n\t\r\n  ")] {
        let f = d.join(name);
        std::fs::write(&f, content).unwrap();
        for output in ["json", "summary"] {
            let out = bin()
                .args(["decode", f.to_str().unwrap(), "--output", output])
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{name} {output}: {err}");
            assert!(err.contains("nothing to decode"), "{err}");
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="7" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="EnumerateInstances"><IRETURNVALUE>
"#;
const TAIL: &str = "</IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>\n";

fn named_instance(n: usize) -> String {
    format!(
        r#"<VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME="CIM_X"><KEYBINDING NAME="ID"><KEYVALUE VALUETYPE="string">{n}</KEYVALUE></KEYBINDING></INSTANCENAME><INSTANCE CLASSNAME="CIM_X"><PROPERTY NAME="ID" TYPE="string"><VALUE>{n}</VALUE></PROPERTY><PROPERTY NAME="Caption" TYPE="string"><VALUE>{}</VALUE></PROPERTY></INSTANCE></VALUE.NAMEDINSTANCE>
"#,
        "c".repeat(200)
    )
}

#[test]
fn decode_summary_counts_a_large_response_while_streaming() {
    let d = tmp("summary");
    let f = d.join("big.xml");
    let n = 40_000;
    let mut w = std::io::BufWriter::new(std::fs::File::create(&f).unwrap());
    w.write_all(HEAD.as_bytes()).unwrap();
    for k in 0..n {
        w.write_all(named_instance(k).as_bytes()).unwrap();
    }
    w.write_all(TAIL.as_bytes()).unwrap();
    drop(w);
    let out = bin()
        .args(["decode", f.to_str().unwrap(), "--output", "summary"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("operation: EnumerateInstances\n"), "{text}");
    assert!(text.contains(&format!("instances: {n}\n")), "{text}");
    assert!(text.contains("paths: 0\n"), "{text}");

    // JSON is written while the file is read: every instance, in order.
    let out = bin()
        .args(["decode", f.to_str().unwrap(), "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "7");
    assert_eq!(v["operation"], "EnumerateInstances");
    let items = v["result"].as_array().unwrap();
    assert_eq!(items.len(), n);
    let last = serde_json::to_string(&items[n - 1]).unwrap();
    assert!(last.contains(&format!("\"{}\"", n - 1)), "{last}");

    // A body cut inside IRETURNVALUE is an error, not a partial count.
    let data = std::fs::read(&f).unwrap();
    let cut = d.join("cut.xml");
    std::fs::write(&cut, &data[..data.len() / 2]).unwrap();
    let out = bin()
        .args(["decode", cut.to_str().unwrap(), "--output", "summary"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ended inside IRETURNVALUE"));

    // An ERROR response is summarised with its code.
    let e = d.join("error.xml");
    std::fs::write(&e, r#"<?xml version="1.0"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="EnumerateInstances"><ERROR CODE="6" DESCRIPTION="gone"/></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#).unwrap();
    let out = bin()
        .args(["decode", e.to_str().unwrap(), "--output", "summary"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("error_code: 6\n"), "{text}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn decode_summary_of_fixtures_matches_the_whole_document_decode() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/discovery");
    for entry in std::fs::read_dir(&root).unwrap() {
        let f = entry.unwrap().path();
        if !f.to_string_lossy().ends_with(".response.xml") {
            continue;
        }
        let summary = bin()
            .args(["decode", f.to_str().unwrap(), "--output", "summary"])
            .output()
            .unwrap();
        let json = bin()
            .args(["decode", f.to_str().unwrap(), "--output", "json"])
            .output()
            .unwrap();
        assert_eq!(summary.status.code(), Some(0));
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let text = String::from_utf8_lossy(&summary.stdout);
        if let Some(items) = v["result"].as_array() {
            let n = items.len();
            assert!(
                text.contains(&format!("instances: {n}\n"))
                    || text.contains(&format!("paths: {n}\n")),
                "{}: {text}",
                f.display()
            );
        }
    }
}
