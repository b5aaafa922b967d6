//! Decoder throughput and memory: an EnumerateInstances response with 20,000
//! CIM_StorageVolume-like instances (about 79 MB), compared with quick-xml's raw event loop.
//!
//! Run with `cargo bench --bench decode`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use quick_xml::Reader;
use quick_xml::events::Event;
use smis::message::{IReturn, Response};
use smis::xml::{DecodeLimits, decode_response};

/// Default instance count; `SMIS_BENCH_INSTANCES` overrides it (e.g. small runs under callgrind).
const INSTANCES: usize = 20_000;

fn instances() -> usize {
    std::env::var("SMIS_BENCH_INSTANCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(INSTANCES)
}

fn prop(out: &mut String, name: &str, ty: &str, value: &str) {
    let _ = write!(
        out,
        "<PROPERTY NAME=\"{name}\" TYPE=\"{ty}\">\n<VALUE>{value}</VALUE>\n</PROPERTY>\n"
    );
}

fn prop_array(out: &mut String, name: &str, ty: &str, values: &[&str]) {
    let _ = write!(
        out,
        "<PROPERTY.ARRAY NAME=\"{name}\" TYPE=\"{ty}\">\n<VALUE.ARRAY>\n"
    );
    for v in values {
        let _ = writeln!(out, "<VALUE>{v}</VALUE>");
    }
    out.push_str("</VALUE.ARRAY>\n</PROPERTY.ARRAY>\n");
}

fn generate(count: usize) -> Vec<u8> {
    let mut s = String::with_capacity(count * 4 * 1024);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<CIM CIMVERSION=\"2.0\" DTDVERSION=\"2.0\">\n<MESSAGE ID=\"1001\" PROTOCOLVERSION=\"1.0\">\n<SIMPLERSP>\n<IMETHODRESPONSE NAME=\"EnumerateInstances\">\n<IRETURNVALUE>\n");
    for i in 0..count {
        let dev = format!("600A0B800026B5B80000{i:08X}");
        let keys = [
            ("SystemCreationClassName", "XYZ_StorageSystem"),
            ("SystemName", "ARRAY-SN-0042-FC-8899"),
            ("CreationClassName", "XYZ_StorageVolume"),
            ("DeviceID", dev.as_str()),
        ];
        s.push_str("<VALUE.NAMEDINSTANCE>\n<INSTANCENAME CLASSNAME=\"XYZ_StorageVolume\">\n");
        for (k, v) in keys {
            let _ = write!(
                s,
                "<KEYBINDING NAME=\"{k}\">\n<KEYVALUE VALUETYPE=\"string\">{v}</KEYVALUE>\n</KEYBINDING>\n"
            );
        }
        s.push_str("</INSTANCENAME>\n<INSTANCE CLASSNAME=\"XYZ_StorageVolume\">\n");
        for (k, v) in keys {
            prop(&mut s, k, "string", v);
        }
        prop(
            &mut s,
            "Caption",
            "string",
            "Storage volume of the XYZ disk array",
        );
        prop(
            &mut s,
            "Description",
            "string",
            "A logical unit exported by the array to hosts over Fibre Channel and iSCSI; thin provisioned from pool &quot;gold&quot;",
        );
        prop(
            &mut s,
            "ElementName",
            "string",
            &format!("db-data-volume-{i:05}"),
        );
        prop(&mut s, "Name", "string", &dev);
        prop(
            &mut s,
            "InstanceID",
            "string",
            &format!("XYZ:ARRAY-SN-0042:{dev}"),
        );
        prop_array(&mut s, "OperationalStatus", "uint16", &["2", "32768"]);
        prop_array(
            &mut s,
            "StatusDescriptions",
            "string",
            &["OK", "Online and mapped"],
        );
        prop(&mut s, "HealthState", "uint16", "5");
        prop(&mut s, "EnabledState", "uint16", "2");
        prop(&mut s, "RequestedState", "uint16", "12");
        prop(&mut s, "EnabledDefault", "uint16", "2");
        prop(&mut s, "PrimaryStatus", "uint16", "1");
        prop(&mut s, "DetailedStatus", "uint16", "0");
        prop(&mut s, "CommunicationStatus", "uint16", "2");
        prop(&mut s, "OperatingStatus", "uint16", "16");
        prop(&mut s, "DataRedundancy", "uint16", "2");
        prop(&mut s, "PackageRedundancy", "uint16", "1");
        prop(&mut s, "DeltaReservation", "uint8", "10");
        prop(&mut s, "BlockSize", "uint64", "512");
        prop(
            &mut s,
            "NumberOfBlocks",
            "uint64",
            &(2_147_483_648u64 + i as u64).to_string(),
        );
        prop(
            &mut s,
            "ConsumableBlocks",
            "uint64",
            &(2_147_000_000u64 + i as u64).to_string(),
        );
        prop(&mut s, "IsBasedOnUnderlyingRedundancy", "boolean", "TRUE");
        prop(&mut s, "SequentialAccess", "boolean", "FALSE");
        prop(&mut s, "ThinlyProvisioned", "boolean", "TRUE");
        prop(&mut s, "Primordial", "boolean", "FALSE");
        prop(&mut s, "NoSinglePointOfFailure", "boolean", "TRUE");
        prop_array(&mut s, "ExtentStatus", "uint16", &["2", "16"]);
        prop(&mut s, "Usage", "uint16", "2");
        prop(&mut s, "NameFormat", "uint16", "2");
        prop(
            &mut s,
            "InstallDate",
            "datetime",
            "20240115093000.000000+060",
        );
        prop(
            &mut s,
            "TimeOfLastStateChange",
            "datetime",
            "20250301120000.123456+000",
        );
        s.push_str("<PROPERTY NAME=\"OtherUsageDescription\" TYPE=\"string\">\n</PROPERTY>\n");
        s.push_str("</INSTANCE>\n</VALUE.NAMEDINSTANCE>\n");
    }
    s.push_str("</IRETURNVALUE>\n</IMETHODRESPONSE>\n</SIMPLERSP>\n</MESSAGE>\n</CIM>\n");
    s.shrink_to_fit();
    s.into_bytes()
}

fn raw_events(bytes: &[u8]) -> usize {
    let mut r = Reader::from_reader(bytes);
    let mut n = 0usize;
    loop {
        match r.read_event() {
            Ok(Event::Eof) => break,
            Ok(_) => n += 1,
            Err(e) => panic!("raw loop failed: {e}"),
        }
    }
    n
}

fn decode(bytes: &[u8]) -> Vec<smis::cim::Instance> {
    let limits = DecodeLimits::default();
    match decode_response(bytes, &limits) {
        Ok(m) => match m.response {
            Response::Intrinsic {
                result: Ok(IReturn::Instances(v)),
                ..
            } => v,
            other => panic!("unexpected response {other:?}"),
        },
        Err(e) => panic!("decode failed: {e}"),
    }
}

/// Best of `RUNS` runs; the result is dropped outside the timed section.
const RUNS: usize = 5;

fn best_of<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..RUNS {
        drop(out.take());
        let t = Instant::now();
        let r = std::hint::black_box(f());
        best = best.min(t.elapsed());
        out = Some(r);
    }
    match out {
        Some(r) => (best, r),
        None => unreachable!(),
    }
}

fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let count = instances();
    let bytes = generate(count);
    let mb = bytes.len() as f64 / 1e6;
    println!(
        "input: {} instances, {:.1} MB ({} bytes)",
        count,
        mb,
        bytes.len()
    );

    // Peak memory of one full decode, all instances kept alive until the peak is read.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kb("VmRSS:").unwrap_or(0);
    let limits = DecodeLimits::default();
    let msg = decode_response(&bytes, &limits);
    let peak = status_kb("VmHWM:").unwrap_or(0);
    let kept = status_kb("VmRSS:").unwrap_or(0);
    assert!(msg.is_ok());
    let delta_mb = (peak.saturating_sub(before)) as f64 * 1024.0 / 1e6;
    let kept_mb = (kept.saturating_sub(before)) as f64 * 1024.0 / 1e6;
    drop(msg);

    // Profiling aids: SMIS_BENCH_PROFILE=decode|raw|none runs only that,
    // SMIS_BENCH_RUNS times (default 5).
    if let Ok(mode) = std::env::var("SMIS_BENCH_PROFILE") {
        let runs = std::env::var("SMIS_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5);
        for _ in 0..runs {
            match mode.as_str() {
                "raw" => drop(std::hint::black_box(raw_events(&bytes))),
                "none" => {}
                _ => drop(std::hint::black_box(decode(&bytes))),
            }
        }
        return;
    }
    let (t_raw, events) = best_of(|| raw_events(&bytes));
    let (t_dec, v) = best_of(|| decode(&bytes));
    assert_eq!(v.len(), count);
    drop(v);

    let raw_mbs = mb / t_raw.as_secs_f64();
    let dec_mbs = mb / t_dec.as_secs_f64();
    println!("timings: best of {RUNS} runs each, result dropped outside the timed section");
    println!(
        "ceiling (quick-xml raw event loop): {:7.1} ms  {:7.1} MB/s  {:9.0} instances/s  ({events} events)",
        t_raw.as_secs_f64() * 1e3,
        raw_mbs,
        count as f64 / t_raw.as_secs_f64()
    );
    println!(
        "decode (decode_response):           {:7.1} ms  {:7.1} MB/s  {:9.0} instances/s",
        t_dec.as_secs_f64() * 1e3,
        dec_mbs,
        count as f64 / t_dec.as_secs_f64()
    );
    println!("ratio decode/ceiling: {:.1}%", 100.0 * dec_mbs / raw_mbs);
    println!(
        "peak memory: {:.1} MB ({:.2}x the XML size, input included); decode alone {:.1} MB, result resident {:.1} MB",
        delta_mb + mb,
        (delta_mb + mb) / mb,
        delta_mb,
        kept_mb
    );
}
