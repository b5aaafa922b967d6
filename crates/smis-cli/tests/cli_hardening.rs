//! The `smis` binary, run as a process, against careless input and a hostile server:
//! out-of-range `--timeout` values, unusual `--password-file`s, the `--insecure` warning,
//! and server text full of terminal control sequences (a loopback server in this test).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use common::bin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Runs `c`; a command still running after two minutes is killed and the test fails
/// (this guards against a hang; it measures nothing).
fn run(mut c: Command) -> (i32, String, String) {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("smis runs");
    for _ in 0..1200 {
        if child.try_wait().expect("wait").is_some() {
            let o: Output = child.wait_with_output().expect("output");
            return (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("smis hung");
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let d =
            std::env::temp_dir().join(format!("smis-cli-hardening-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unsafe_chars(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| c != '\n' && smis::text::is_terminal_unsafe(c))
        .collect()
}

// ----- defect 4: durations -----

#[test]
fn huge_or_nonsense_timeouts_are_usage_errors_not_panics() {
    for t in ["1e20", "1e19", "inf", "NaN", "0", "-5", "40000000"] {
        let mut c = bin();
        c.args([
            "--url",
            "https://127.0.0.1:9",
            &format!("--timeout={t}"),
            "classes",
        ]);
        let (code, _, err) = run(c);
        assert_eq!(code, 2, "--timeout {t}: {err}");
        assert!(err.contains("--timeout"), "{err}");
        let mut c = bin();
        c.args([
            "--url",
            "https://127.0.0.1:9",
            &format!("--timeout={t}"),
            "job",
            "wait",
            "/root/x:CIM_ConcreteJob.InstanceID=\"j1\"",
        ]);
        let (code, _, err) = run(c);
        assert_eq!(code, 2, "job wait --timeout {t}: {err}");
    }
}

// ----- defect 5: --insecure -----

#[test]
fn insecure_always_warns_on_stderr() {
    let mut c = bin();
    c.args(["--url", "https://127.0.0.1:9", "--insecure", "classes"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 6, "{err}");
    assert!(err.contains("warning: --insecure"), "{err}");
    assert!(err.contains("NOT verified"), "{err}");
    assert!(err.contains("host name") && err.contains("issuer"), "{err}");
    assert!(!out.contains("warning"), "the warning goes to stderr only");
}

// ----- defect 8: --password-file -----

fn with_password_file(path: &std::path::Path) -> (i32, String, String) {
    let mut c = bin();
    c.args([
        "--url",
        "https://127.0.0.1:9",
        "--user",
        "admin",
        "--password-file",
    ])
    .arg(path)
    .arg("classes");
    run(c)
}

#[cfg(unix)]
#[test]
fn password_file_must_be_a_small_regular_file() {
    use std::os::unix::fs::PermissionsExt;
    let d = TempDir::new("pwfile");
    // A FIFO with no writer: refused at once instead of blocking forever.
    let fifo = d.0.join("fifo");
    let st = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(st.success());
    std::fs::set_permissions(&fifo, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, _, err) = with_password_file(&fifo);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("FIFO"), "{err}");
    // A directory.
    let dir = d.0.join("dir");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let (code, _, err) = with_password_file(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("directory"), "{err}");
    // A file over 64 KiB.
    let big = d.0.join("big");
    std::fs::write(&big, vec![b'x'; 64 * 1024 + 1]).unwrap();
    std::fs::set_permissions(&big, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, _, err) = with_password_file(&big);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("larger than 65536 bytes"), "{err}");
    // A normal one is read and used (the connection then fails: exit 6, not 1).
    let ok = d.0.join("ok");
    std::fs::write(&ok, "secret-pw\n").unwrap();
    std::fs::set_permissions(&ok, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, out, err) = with_password_file(&ok);
    assert_eq!(code, 6, "{err}");
    assert!(!out.contains("secret-pw") && !err.contains("secret-pw"));
}

// ----- defect 3: terminal escape injection -----

const HOSTILE: &str =
    "disk\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nerror: all good\u{9b}31m\u{202e}gpj.exe\u{2066}x\u{7f}";

fn xml_escape(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            // Characters XML 1.0 forbids literally go in as character references where
            // allowed (ESC and BEL are not XML characters at all: left out of bodies).
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\r' => o.push_str("&#13;"),
            c => o.push(c),
        }
    }
    o
}

/// The hostile text as it can travel in XML (without ESC and BEL, which XML forbids).
fn hostile_xml_text() -> String {
    HOSTILE
        .chars()
        .filter(|c| !matches!(c, '\u{1b}' | '\u{7}'))
        .collect()
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

struct Hostile {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// A loopback HTTP server answering every request with `answer(message_id)`.
fn hostile(answer: fn(&str) -> String) -> Hostile {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            if s.load(Ordering::SeqCst) {
                break;
            }
            let Ok(mut conn) = conn else { continue };
            let mut r = BufReader::new(conn.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            let _ = r.read_exact(&mut body);
            let body = String::from_utf8_lossy(&body);
            let id = body
                .split("MESSAGE ID=\"")
                .nth(1)
                .and_then(|t| t.split('"').next())
                .unwrap_or("1")
                .to_string();
            let _ = conn.write_all(answer(&id).as_bytes());
        }
    });
    Hostile { port, stop }
}

fn http_500(_id: &str) -> String {
    format!(
        "HTTP/1.1 500 Internal Server Error\r\nCIMError: {}\r\nPGErrorDetail: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        pct(HOSTILE),
        pct(HOSTILE)
    )
}

fn get_instance(id: &str) -> String {
    let v = xml_escape(&hostile_xml_text());
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="{id}" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="GetInstance"><IRETURNVALUE><INSTANCE CLASSNAME="CIM_Foo"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>{v}</VALUE></PROPERTY><PROPERTY.ARRAY NAME="Notes" TYPE="string"><VALUE.ARRAY><VALUE>{v}</VALUE></VALUE.ARRAY></PROPERTY.ARRAY></INSTANCE></IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#
    );
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=utf-8\r\nCIMOperation: MethodResponse\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

const PATH: &str = "/root/x:CIM_Foo.K=\"1\"";

#[test]
fn server_error_text_is_escaped_on_stderr() {
    let h = hostile(http_500);
    for v in [None, Some("-v")] {
        let mut c = bin();
        c.args([
            "--url",
            &format!("http://127.0.0.1:{}", h.port),
            "get",
            PATH,
        ]);
        if let Some(v) = v {
            c.arg(v);
        }
        let (code, _, err) = run(c);
        assert_eq!(code, 1, "{err}");
        assert!(unsafe_chars(&err).is_empty(), "{:?}", unsafe_chars(&err));
        // The forged line never starts a line of its own.
        assert!(
            !err.lines().any(|l| l.starts_with("error: all good")),
            "{err}"
        );
        assert!(err.contains("\\u{1b}]0;pwned\\u{7}"), "{err}");
        assert!(err.contains("\\u{9b}31m\\u{202e}gpj.exe"), "{err}");
    }
}

#[test]
fn server_values_are_escaped_in_table_and_mof_but_exact_in_json() {
    let h = hostile(get_instance);
    let url = format!("http://127.0.0.1:{}", h.port);
    for fmt in ["table", "mof"] {
        let mut c = bin();
        c.args(["--url", &url, "--output", fmt, "get", PATH]);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{err}");
        assert!(
            unsafe_chars(&out).is_empty(),
            "{fmt}: {:?}",
            unsafe_chars(&out)
        );
        assert!(
            !out.lines().any(|l| l.starts_with("error: all good")),
            "{fmt}: {out}"
        );
        assert!(out.contains("\\u{9b}31m\\u{202e}gpj.exe"), "{fmt}: {out}");
    }
    let mut c = bin();
    c.args(["--url", &url, "--output", "json", "get", PATH]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = v.to_string();
    assert!(
        text.contains(&serde_json::to_string(&hostile_xml_text()).unwrap()),
        "JSON keeps the exact text: {out}"
    );
}
