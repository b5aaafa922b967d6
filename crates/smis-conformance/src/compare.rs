//! Comparison of neutral JSON under the README's rules: CIM names, host and namespace
//! compare case-insensitively; values exactly; a typed integer equals the same plain number.

use serde_json::{Map, Value as J};

/// Members whose string value is a CIM name, host or namespace.
const NAME_FIELDS: [&str; 8] = [
    "classname",
    "name",
    "superclass",
    "host",
    "namespace",
    "reference_class",
    "class_origin",
    "return_type",
];

/// Members that are maps keyed by a CIM name.
const NAME_KEYED: [&str; 6] = [
    "properties",
    "keybindings",
    "qualifiers",
    "methods",
    "parameters",
    "scopes",
];

/// `None` when `actual` matches `expected`, else where they first differ.
pub fn diff(expected: &J, actual: &J) -> Option<String> {
    go(expected, actual, "$", false)
}

fn short(j: &J) -> String {
    let s = j.to_string();
    if s.chars().count() > 120 {
        format!("{}...", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

fn mismatch(path: &str, e: &J, a: &J) -> Option<String> {
    Some(format!(
        "at {path}: expected {}, got {}",
        short(e),
        short(a)
    ))
}

fn typed(j: &J) -> Option<&J> {
    j.as_object()
        .filter(|m| m.contains_key("cimtype"))
        .map(|m| m.get("value").unwrap_or(&J::Null))
}

fn num_eq(a: &J, b: &J) -> Option<bool> {
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            Some(match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            })
        }
        _ => None,
    }
}

fn go(e: &J, a: &J, path: &str, name_ctx: bool) -> Option<String> {
    // Typed values: compare cimtype when both are typed, then the values.
    match (typed(e), typed(a)) {
        (Some(ev), Some(av)) => {
            if e.get("cimtype") != a.get("cimtype") {
                return mismatch(path, e, a);
            }
            if let (Some(x), Some(y)) = (e.get("is_interval"), a.get("is_interval"))
                && x != y
            {
                return mismatch(path, e, a);
            }
            return go(ev, av, path, false);
        }
        (Some(ev), None) => return go(ev, a, path, false),
        (None, Some(av)) => return go(e, av, path, false),
        _ => {}
    }
    match (e, a) {
        (J::String(x), J::String(y)) => {
            let same = if name_ctx {
                x.eq_ignore_ascii_case(y)
            } else {
                x == y
            };
            if same { None } else { mismatch(path, e, a) }
        }
        (J::Number(_), J::Number(_)) => {
            if num_eq(e, a) == Some(true) {
                None
            } else {
                mismatch(path, e, a)
            }
        }
        (J::Array(x), J::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!(
                    "at {path}: expected {} items, got {} ({} vs {})",
                    x.len(),
                    y.len(),
                    short(e),
                    short(a)
                ));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| go(p, q, &format!("{path}[{i}]"), name_ctx))
        }
        (J::Object(x), J::Object(y)) => objects(x, y, path),
        _ => {
            if e == a {
                None
            } else {
                mismatch(path, e, a)
            }
        }
    }
}

fn objects(e: &Map<String, J>, a: &Map<String, J>, path: &str) -> Option<String> {
    for (k, ev) in e {
        let av = a.get(k).unwrap_or(&J::Null);
        let p = format!("{path}.{k}");
        if NAME_KEYED.contains(&k.as_str()) {
            if let Some(d) = keyed(ev, av, &p, k == "scopes") {
                return Some(d);
            }
            continue;
        }
        // Attributes the runner does not produce and the case leaves at its default.
        if !a.contains_key(k) && (ev.is_null() || ev == &J::Bool(false)) {
            continue;
        }
        if let Some(d) = go(ev, av, &p, NAME_FIELDS.contains(&k.as_str())) {
            return Some(d);
        }
    }
    None
}

fn keyed(e: &J, a: &J, path: &str, scopes: bool) -> Option<String> {
    let empty = Map::new();
    let em = e.as_object().unwrap_or(&empty);
    let am = a.as_object().unwrap_or(&empty);
    if (!e.is_object() && !e.is_null()) || (!a.is_object() && !a.is_null()) {
        return mismatch(path, e, a);
    }
    let keep = |m: &Map<String, J>| -> Vec<(String, J)> {
        m.iter()
            .filter(|(_, v)| !scopes || v.as_bool() == Some(true))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect()
    };
    let ek = keep(em);
    let ak = keep(am);
    let mut en: Vec<&String> = ek.iter().map(|(k, _)| k).collect();
    let mut an: Vec<&String> = ak.iter().map(|(k, _)| k).collect();
    en.sort();
    an.sort();
    if en != an {
        return Some(format!("at {path}: expected names {en:?}, got {an:?}"));
    }
    for (k, ev) in &ek {
        let av = &ak
            .iter()
            .find(|(n, _)| n == k)
            .map(|x| &x.1)
            .unwrap_or(&J::Null);
        if let Some(d) = go(ev, av, &format!("{path}.{k}"), false) {
            return Some(d);
        }
    }
    None
}
