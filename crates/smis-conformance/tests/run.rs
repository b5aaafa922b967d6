//! Runs the `smis-conformance` binary on hand-made cases and on the shared sample.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_smis-conformance");

const GET_INSTANCE_BODY: &str = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLEREQ><IMETHODCALL NAME="GetInstance"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="cimv2"/></LOCALNAMESPACEPATH><IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="PyWBEM_Person"><KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string" TYPE="string">Fritz</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE></IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>"#;

const GET_INSTANCE_RESPONSE: &str = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="GetInstance"><IRETURNVALUE><INSTANCE CLASSNAME="PyWBEM_Person"><PROPERTY NAME="Name" TYPE="string"><VALUE>Fritz</VALUE></PROPERTY></INSTANCE></IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#;

fn case(id: &str, response: serde_json::Value, expected: serde_json::Value) -> String {
    serde_json::json!({
        "id": id,
        "skip": false,
        "connection": {"url": "http://acme.com:80", "namespace": "root/cimv2", "timeout": 10,
                       "creds": ["username", "password"]},
        "operation": "GetInstance",
        "args_neutral": {
            "InstanceName": {"_class": "CIMInstanceName", "classname": "PyWBEM_Person",
                             "namespace": "root/cimv2", "host": null,
                             "keybindings": {"Name": "Fritz"}},
            "LocalOnly": null
        },
        "expected_request": {
            "method": "POST", "path": "/cimom",
            "headers": {"CIMOperation": "MethodCall", "CIMMethod": "GetInstance",
                        "CIMObject": "root%2Fcimv2"},
            "body": GET_INSTANCE_BODY
        },
        "response": response,
        "expected": expected,
    })
    .to_string()
}

fn run(lines: &[String]) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("smis-conformance-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("cases-{}.jsonl", lines.len()));
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = Command::new(BIN).arg(&file).output().unwrap();
    let _ = std::fs::remove_file(&file);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn last_lines(out: &str) -> Vec<&str> {
    let lines: Vec<&str> = out.lines().collect();
    lines[lines.len().saturating_sub(2)..].to_vec()
}

/// Passes without the decoder: the transport fails, so no body is decoded.
fn passing() -> String {
    case(
        "pass-connection-error",
        serde_json::json!({"transport_exception": "requests_connection_error"}),
        serde_json::json!({"kind": "exception", "exception": "ConnectionError"}),
    )
}

#[test]
fn passing_case_exits_zero() {
    let (code, out) = run(&[passing()]);
    assert_eq!(
        last_lines(&out),
        [
            "requests: 1 matched, 0 differed",
            "1 passed, 0 failed, 0 skipped"
        ],
        "{out}"
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn failing_cases_are_reported_and_exit_one() {
    let wrong_result = case(
        "fail-wrong-result",
        serde_json::json!({"status": 200, "headers": {"cimoperation": "MethodResponse"},
                           "body": GET_INSTANCE_RESPONSE}),
        serde_json::json!({"kind": "result", "result_neutral": {
            "_class": "CIMInstance", "classname": "Not_The_Class", "path": null,
            "properties": {}, "qualifiers": {}}}),
    );
    let mut skipped: serde_json::Value = serde_json::from_str(&passing()).unwrap();
    skipped["id"] = "skipped".into();
    skipped["skip"] = true.into();
    let mut request_diff: serde_json::Value = serde_json::from_str(&passing()).unwrap();
    request_diff["id"] = "request-diff".into();
    request_diff["expected_request"]["headers"]["CIMMethod"] = "EnumerateInstances".into();
    let lines = [
        passing(),
        wrong_result,
        skipped.to_string(),
        request_diff.to_string(),
        "{not json".to_string(),
    ];
    let (code, out) = run(&lines);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL fail-wrong-result: "), "{out}");
    assert!(out.contains("FAIL line 5: bad JSON"), "{out}");
    assert!(
        out.contains("REQUEST-DIFF request-diff: header CIMMethod"),
        "{out}"
    );
    assert!(!out.contains("pass-connection-error"), "{out}");
    assert_eq!(
        last_lines(&out),
        [
            "requests: 2 matched, 1 differed",
            "2 passed, 2 failed, 1 skipped"
        ],
        "{out}"
    );
}

#[test]
fn usage_error_exits_two() {
    let out = Command::new(BIN).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("XMLParseError"));
}

fn sample_file() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = Vec::new();
    if let Ok(s) = std::env::var("SMIS_SHARED") {
        dirs.push(PathBuf::from(&s));
        dirs.push(PathBuf::from(s).join("conformance"));
    }
    dirs.push(root.join("../shared/conformance"));
    dirs.push(PathBuf::from("/work/shared/conformance"));
    dirs.into_iter()
        .map(|d| d.join("cases-sample.jsonl"))
        .find(|f| f.is_file())
}

#[test]
fn sample_cases_pass() {
    let Some(file) = sample_file() else {
        panic!(
            "../shared not found: put the shared directory beside the repository or set SMIS_SHARED"
        );
    };
    let out = Command::new(BIN).arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = last_lines(&stdout);
    assert!(
        last.len() == 2 && last[1].contains(" 0 failed"),
        "sample run failed:\n{stdout}"
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}
