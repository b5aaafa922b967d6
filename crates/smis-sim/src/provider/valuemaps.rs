//! `ValueMap` and `Values` qualifiers of the served DMTF classes, kept as data in
//! `schema/valuemaps.txt` (the entries of the DMTF CIM Schema 2.49.0 MOFs for the
//! properties, method return values and parameters SMI-S clients translate, DSP0004
//! §5.6.3) and parsed once. Subclasses inherit them.

use std::sync::OnceLock;

use smis::cim::{CimClass, Qualifier};

/// The table, one block per element (format described at the top of the file).
const TEXT: &str = include_str!("../../schema/valuemaps.txt");

/// One element's qualifiers: `parameter` None = property `element`; `Some("")` = the
/// return value of method `element`; `Some(p)` = parameter `p` of method `element`.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    class: String,
    element: String,
    parameter: Option<String>,
    value_map: Vec<String>,
    /// None: the schema gives the element a ValueMap without Values (string enumerations).
    values: Option<Vec<String>>,
}

/// Parses an element line: `Class.Property`, `Class.Method()` or `Class.Method(Param)`.
fn parse_head(line: &str) -> Result<Entry, String> {
    let (class, rest) = line
        .split_once('.')
        .ok_or_else(|| format!("`{line}`: expected Class.Element"))?;
    let (element, parameter) = match rest.split_once('(') {
        Some((method, param)) => {
            let param = param
                .strip_suffix(')')
                .ok_or_else(|| format!("`{line}`: missing `)`"))?;
            (method, Some(param.to_string()))
        }
        None => (rest, None),
    };
    if class.is_empty() || element.is_empty() {
        return Err(format!("`{line}`: empty class or element name"));
    }
    Ok(Entry {
        class: class.to_string(),
        element: element.to_string(),
        parameter,
        value_map: Vec::new(),
        values: None,
    })
}

/// Parses the whole table; any malformed line is an error naming its line number.
fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut out: Vec<Entry> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let at = |e: String| format!("valuemaps line {}: {e}", n + 1);
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        if !raw.starts_with(' ') {
            out.push(parse_head(raw.trim_end()).map_err(at)?);
            continue;
        }
        let line = raw.trim();
        let entry = out
            .last_mut()
            .ok_or_else(|| at("entry before any element".into()))?;
        let first = entry.value_map.is_empty();
        match line.split_once(" = ") {
            Some((vm, v)) if first || entry.values.is_some() => {
                entry.value_map.push(vm.to_string());
                entry
                    .values
                    .get_or_insert_with(Vec::new)
                    .push(v.to_string());
            }
            None if first || entry.values.is_none() => entry.value_map.push(line.to_string()),
            _ => return Err(at("mixes entries with and without Values".into())),
        }
    }
    match out.iter().find(|e| e.value_map.is_empty()) {
        Some(e) => Err(format!("{}.{} has no entries", e.class, e.element)),
        None => Ok(out),
    }
}

/// The parsed table (empty, with an error logged, if the embedded text were malformed; a
/// unit test rules that out).
fn table() -> &'static [Entry] {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        parse(TEXT).unwrap_or_else(|e| {
            tracing::error!("ValueMap table: {e}");
            Vec::new()
        })
    })
}

fn qualifiers(vm: &Entry) -> Vec<Qualifier> {
    let mut q = vec![Qualifier::new("ValueMap", vm.value_map.clone())];
    if let Some(v) = &vm.values {
        let mut values = Qualifier::new("Values", v.clone());
        values.flavor.translatable = Some(true);
        q.push(values);
    }
    q
}

fn lacks_value_map(q: &[Qualifier]) -> bool {
    !q.iter().any(|x| x.name == "ValueMap")
}

/// Adds the qualifiers of every entry whose class `class` is (`is_a`) to its properties,
/// methods and parameters that do not carry a ValueMap yet.
pub(super) fn apply(class: &mut CimClass, is_a: impl Fn(&str) -> bool) {
    for vm in table().iter().filter(|vm| is_a(&vm.class)) {
        match vm.parameter.as_deref() {
            None => {
                if let Some(p) = class
                    .properties
                    .iter_mut()
                    .find(|p| p.name == vm.element.as_str())
                    && lacks_value_map(p.qualifiers())
                {
                    p.extra_mut().qualifiers.extend(qualifiers(vm));
                }
            }
            Some(param) => {
                let Some(m) = class
                    .methods
                    .iter_mut()
                    .find(|m| m.name == vm.element.as_str())
                else {
                    continue;
                };
                if param.is_empty() {
                    if lacks_value_map(&m.qualifiers) {
                        m.qualifiers.extend(qualifiers(vm));
                    }
                } else if let Some(p) = m.parameters.iter_mut().find(|p| p.name == param)
                    && lacks_value_map(&p.qualifiers)
                {
                    p.qualifiers.extend(qualifiers(vm));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses_completely() {
        let t = parse(TEXT).expect("embedded table parses");
        assert_eq!(t.len(), 68);
        let org = t
            .iter()
            .find(|e| e.class == "CIM_RegisteredProfile" && e.element == "RegisteredOrganization")
            .expect("RegisteredOrganization entry");
        let values = org.values.as_ref().expect("Values");
        assert_eq!(org.value_map.len(), values.len());
        assert_eq!(org.value_map[10], "11");
        assert_eq!(values[10], "SNIA");
        let ret = t
            .iter()
            .find(|e| e.element == "CreateElementReplica" && e.parameter.as_deref() == Some(""))
            .expect("return value entry");
        assert_eq!(ret.value_map.last().map(String::as_str), Some("0x8000.."));
        let status = t
            .iter()
            .find(|e| e.class == "CIM_ResourcePool" && e.element == "Status")
            .expect("string enumeration");
        assert!(status.values.is_none());
        assert!(status.value_map.iter().any(|v| v == "Pred Fail"));
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(parse("  1 = One\n").is_err());
        assert!(parse("CIM_X.P\n  1 = One\n  2\n").is_err());
        assert!(parse("CIM_X.M(P\n  1\n").is_err());
        assert!(parse("CIM_X\n  1\n").is_err());
        assert!(parse("CIM_X.P\nCIM_Y.Q\n  1\n").is_err());
        let ok = parse("# c\n\nCIM_X.M(P)\n  1 = One\n  .. = Reserved\n").expect("parses");
        assert_eq!(ok[0].parameter.as_deref(), Some("P"));
        assert_eq!(
            ok[0].values.as_deref(),
            Some(&["One".into(), "Reserved".into()][..])
        );
    }
}
