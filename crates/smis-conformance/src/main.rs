//! `smis-conformance CASES.jsonl [--verbose]`: runs the CIM-XML client conformance cases
//! (`shared/conformance/README.md`) against smis.
//!
//! For each case the client is built over an in-process transport that records the request
//! and answers with the case's canned response (or fails as its `transport_exception` says:
//! `requests_connection_error` → `TransportError::Connect`, `requests_read_timeout` and
//! `requests_retry_error` → `TransportError::Timeout`, `requests_ssl_error` →
//! `TransportError::Tls`, `requests_http_error` and anything else → `TransportError::Other`).
//! The operation runs through the **typed** client methods (`Client::get_instance`,
//! `open_enumerate_instances`, `pull_instances_with_path`, `invoke_method`,
//! `export_indication`, ...); `Client::call` is not used.
//!
//! The request is compared with `expected_request` (path, the listed headers by
//! case-insensitive name and percent-decoded value, the body canonicalised as the README
//! says); `expected_request: null` means no request may be sent. The outcome is compared with
//! `expected`; request and outcome are scored separately.
//!
//! Exception kinds of the reference client and the smis error each one maps to:
#![doc = include_str!("mapping.txt")]

use std::io::Write;
use std::process::ExitCode;

use smis_conformance::runner;

const MAPPING: &str = include_str!("mapping.txt");

fn usage() -> String {
    format!(
        "usage: smis-conformance CASES.jsonl [--verbose]\n\n\
         Runs every case of CASES.jsonl (one JSON object a line) through the typed smis client\n\
         over an in-process transport. Prints `FAIL <id>: ...` for each failing case,\n\
         `REQUEST-DIFF <id>: ...` for each request that differs while the outcome passed, then\n\
         `requests: N matched, N differed` and `N passed, N failed, N skipped`.\n\
         Exit status: 0 when no non-skipped case fails, 1 otherwise, 2 on usage errors.\n\n\
         --verbose  print a line for every case\n\n\
         Exception kinds of the reference client and the smis error each maps to:\n{MAPPING}"
    )
}

fn main() -> ExitCode {
    let mut file = None;
    let mut verbose = false;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--verbose" | "-v" => verbose = true,
            "--help" | "-h" => {
                println!("{}", usage());
                return ExitCode::SUCCESS;
            }
            _ if file.is_none() && !a.starts_with("--") => file = Some(a),
            _ => {
                eprintln!("{}", usage());
                return ExitCode::from(2);
            }
        }
    }
    let Some(file) = file else {
        eprintln!("{}", usage());
        return ExitCode::from(2);
    };
    let text = match std::fs::read(&file) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            eprintln!("cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    // Panics are reported as failed cases, not printed.
    std::panic::set_hook(Box::new(|_| {}));

    let (mut passed, mut failed, mut skipped) = (0u32, 0u32, 0u32);
    let (mut req_ok, mut req_diff) = (0u32, 0u32);
    let out = std::io::stdout();
    let mut out = out.lock();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: serde_json::Value = match serde_json::from_str(line) {
            Ok(c @ serde_json::Value::Object(_)) => c,
            Ok(_) => {
                failed += 1;
                let _ = writeln!(out, "FAIL line {}: not a JSON object", n + 1);
                continue;
            }
            Err(e) => {
                failed += 1;
                let _ = writeln!(out, "FAIL line {}: bad JSON: {e}", n + 1);
                continue;
            }
        };
        let id = case
            .get("id")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("line {}", n + 1));
        if case.get("skip").and_then(|v| v.as_bool()) == Some(true) {
            skipped += 1;
            if verbose {
                let _ = writeln!(out, "SKIP {id}");
            }
            continue;
        }
        let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runner::run_case(&rt, &case)
        }));
        let verdict = match verdict {
            Ok(v) => v,
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                runner::Verdict {
                    outcome: Some(format!("panicked: {msg}")),
                    request: Some("not checked (panic)".into()),
                }
            }
        };
        match &verdict.request {
            None => req_ok += 1,
            Some(_) => req_diff += 1,
        }
        match (&verdict.outcome, &verdict.request) {
            (Some(o), r) => {
                failed += 1;
                let r = r
                    .as_ref()
                    .map(|r| format!(" [request also differs: {r}]"))
                    .unwrap_or_default();
                let _ = writeln!(out, "FAIL {id}: {o}{r}");
            }
            (None, Some(r)) => {
                passed += 1;
                let _ = writeln!(out, "REQUEST-DIFF {id}: {r}");
            }
            (None, None) => {
                passed += 1;
                if verbose {
                    let _ = writeln!(out, "PASS {id}");
                }
            }
        }
    }
    let _ = writeln!(out, "requests: {req_ok} matched, {req_diff} differed");
    let _ = writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
