//! Rendering results as tables, MOF or JSON (see [`crate::json`] for the JSON shape).

use std::io::Write;

use clap::ValueEnum;
use serde_json::Value;
use smis::cim::{CimClass, CimValue, Instance, ObjectPath, Property};
use smis::message::{MethodReturn, ParamValue};

use crate::json;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for lists, key/value lines for one object (default on a terminal).
    Table,
    /// The documented JSON shape (default when stdout is not a terminal).
    Json,
    /// MOF (`instance of X { Prop = value; };`).
    Mof,
    /// Counts only (the `decode` command).
    Summary,
}

/// Something to print.
pub enum Doc {
    /// One instance.
    Instance(Instance),
    /// A list of instances; `columns` selects the table columns (empty: all properties).
    Instances {
        /// The instances.
        items: Vec<Instance>,
        /// Table columns (property names); `PATH` adds the path column.
        columns: Vec<String>,
    },
    /// A list of paths.
    Paths(Vec<ObjectPath>),
    /// One class.
    Class(Box<CimClass>),
    /// Classes.
    Classes(Vec<CimClass>),
    /// Class names.
    ClassNames(Vec<String>),
    /// A method result.
    Method(MethodReturn),
    /// A free-form result: JSON for `json`, key/value lines otherwise.
    Record(Value),
}

/// Plain display of a value for tables, with control and bidi characters escaped (a
/// server-sent value shows on one line and cannot drive the terminal).
pub fn display(v: Option<&CimValue>) -> String {
    crate::guard::term(&display_raw(v))
}

fn display_raw(v: Option<&CimValue>) -> String {
    match v {
        None => String::new(),
        Some(CimValue::Array(a)) => {
            let parts: Vec<String> = a.items.iter().map(|i| display_raw(i.as_ref())).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Some(CimValue::Reference(p)) => p.to_string(),
        Some(CimValue::Instance(i)) => format!(
            "<instance of {}>",
            crate::guard::term(i.class_name.as_str())
        ),
        Some(CimValue::Class(c)) => format!("<class {}>", crate::guard::term(c.name.as_str())),
        Some(CimValue::Boolean(b)) => b.to_string(),
        Some(v) => v.format_scalar().unwrap_or_default(),
    }
}

fn mof_string(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            // Other control and bidi characters: escaped as \u{XX}, like everywhere else.
            c if smis::text::is_terminal_unsafe(c) => {
                o.push_str(&crate::guard::term(&c.to_string()))
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A value in MOF syntax.
pub fn mof_value(v: Option<&CimValue>) -> String {
    match v {
        None => "NULL".into(),
        Some(CimValue::Array(a)) => {
            let parts: Vec<String> = a.items.iter().map(|i| mof_value(i.as_ref())).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Some(CimValue::String(s)) => mof_string(s),
        Some(CimValue::Char16(c)) => format!("'{c}'"),
        Some(CimValue::DateTime(d)) => mof_string(&d.to_string()),
        Some(CimValue::Reference(p)) => mof_string(&p.to_string()),
        Some(CimValue::Instance(i)) => mof_string(&mof_instance(i)),
        Some(CimValue::Class(c)) => mof_string(&mof_class(c)),
        Some(CimValue::Boolean(b)) => if *b { "true" } else { "false" }.into(),
        Some(v) => v.format_scalar().unwrap_or_default(),
    }
}

/// An instance in MOF.
pub fn mof_instance(i: &Instance) -> String {
    let mut s = String::new();
    if let Some(p) = &i.path {
        s.push_str(&format!("// {}\n", crate::guard::term(&p.to_string())));
    }
    s.push_str(&format!(
        "instance of {} {{\n",
        crate::guard::term(i.class_name.as_str())
    ));
    for p in &i.properties {
        s.push_str(&format!(
            "    {} = {};\n",
            crate::guard::term(p.name.as_str()),
            mof_value(p.value.as_ref())
        ));
    }
    s.push_str("};\n");
    s
}

fn mof_type(p: &Property) -> String {
    match p.reference_class() {
        Some(rc) if p.cim_type == smis::cim::CimType::Reference => format!("{rc} REF"),
        _ => p.cim_type.as_str().to_string(),
    }
}

/// A class in MOF (properties and method signatures).
pub fn mof_class(c: &CimClass) -> String {
    let mut s = crate::mapped::mof_qualifiers(&c.qualifiers, "\n");
    s.push_str(&format!("class {}", crate::guard::term(c.name.as_str())));
    if let Some(sup) = &c.superclass {
        s.push_str(&format!(" : {}", crate::guard::term(sup.as_str())));
    }
    s.push_str(" {\n");
    for p in &c.properties {
        let q = crate::mapped::mof_qualifiers(p.qualifiers(), "\n    ");
        let arr = if p.is_array { "[]" } else { "" };
        s.push_str(&format!(
            "    {q}{} {}{arr}",
            mof_type(p),
            crate::guard::term(p.name.as_str())
        ));
        if p.value.is_some() {
            s.push_str(&format!(" = {}", mof_value(p.value.as_ref())));
        }
        s.push_str(";\n");
    }
    for m in &c.methods {
        let params: Vec<String> = m
            .parameters
            .iter()
            .map(|p| {
                let dir = match (p.is_in(), p.is_out()) {
                    _ if !p.qualifiers.is_empty() => {
                        crate::mapped::mof_qualifiers(&p.qualifiers, " ")
                    }
                    (true, true) => "[In, Out] ".into(),
                    (false, true) => "[Out] ".into(),
                    _ => "[In] ".into(),
                };
                let ty = match (&p.reference_class, p.cim_type) {
                    (Some(rc), smis::cim::CimType::Reference) => format!("{rc} REF"),
                    _ => p.cim_type.as_str().to_string(),
                };
                format!(
                    "{dir}{ty} {}{}",
                    crate::guard::term(p.name.as_str()),
                    if p.is_array { "[]" } else { "" }
                )
            })
            .collect();
        s.push_str(&format!(
            "    {}{} {}({});\n",
            crate::mapped::mof_qualifiers(&m.qualifiers, "\n    "),
            m.return_type.map(|t| t.as_str()).unwrap_or("void"),
            crate::guard::term(m.name.as_str()),
            params.join(", ")
        ));
    }
    s.push_str("};\n");
    s
}

/// Renders rows as aligned columns.
pub fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    const MAX: usize = 60;
    let clip = |s: &str| -> String {
        let one_line = s.replace('\n', " ");
        if one_line.chars().count() > MAX {
            let mut t: String = one_line.chars().take(MAX - 1).collect();
            t.push('…');
            t
        } else {
            one_line
        }
    };
    // The last column (the path, in SMI-S listings) is never clipped: it is meant to be copied.
    let last = headers.len().saturating_sub(1);
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == last {
                        c.replace('\n', " ")
                    } else {
                        clip(c)
                    }
                })
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let n = cells.len();
        for (i, c) in cells.iter().enumerate() {
            out.push_str(c);
            if i + 1 < n {
                let pad = widths[i].saturating_sub(c.chars().count()) + 2;
                out.push_str(&" ".repeat(pad));
            }
        }
        out.push('\n');
    };
    let headers: Vec<String> = headers.iter().map(|h| crate::guard::term(h)).collect();
    line(&headers, &mut out);
    let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&dashes, &mut out);
    for r in &rows {
        line(r, &mut out);
    }
    out
}

fn key_values(pairs: &[(String, String)]) -> String {
    let w = pairs
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut s = String::new();
    for (k, v) in pairs {
        let k = crate::guard::term(k);
        s.push_str(&format!("{k:<w$}  {v}\n"));
    }
    s
}

fn instance_kv(i: &Instance) -> String {
    let mut pairs = Vec::new();
    if let Some(p) = &i.path {
        pairs.push(("(path)".to_string(), crate::guard::term(&p.to_string())));
    }
    pairs.push((
        "(class)".to_string(),
        crate::guard::term(i.class_name.as_str()),
    ));
    for p in &i.properties {
        pairs.push((p.name.to_string(), display(p.value.as_ref())));
    }
    key_values(&pairs)
}

fn param_kv(p: &ParamValue) -> (String, String) {
    (p.name.to_string(), display(p.value.as_ref()))
}

fn record_kv(v: &Value, prefix: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            // A typed CIM value: show its value.
            if m.contains_key("type") && m.contains_key("value") && m.len() <= 4 {
                out.push((prefix.to_string(), plain(&m["value"])));
                return;
            }
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                record_kv(v, &key, out);
            }
        }
        other => out.push((prefix.to_string(), plain(other))),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => crate::guard::term(s),
        Value::Array(a) => format!("{{{}}}", a.iter().map(plain).collect::<Vec<_>>().join(", ")),
        Value::Object(m) if m.contains_key("value") => plain(&m["value"]),
        other => other.to_string(),
    }
}

/// Renders `doc` in `format`. Everything but JSON is escaped for the terminal (line feeds
/// laid out here are kept; JSON stays exact, its string escaping makes it safe).
pub fn render(doc: &Doc, format: Format) -> String {
    match format {
        Format::Json | Format::Summary => render_raw(doc, format),
        _ => crate::guard::term_lines(&render_raw(doc, format)),
    }
}

fn render_raw(doc: &Doc, format: Format) -> String {
    match format {
        Format::Json | Format::Summary => {
            let v = to_json(doc);
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Mof => match doc {
            Doc::Instance(i) => mof_instance(i),
            Doc::Instances { items, .. } => items
                .iter()
                .map(mof_instance)
                .collect::<Vec<_>>()
                .join("\n"),
            Doc::Paths(p) => p
                .iter()
                .map(|p| format!("{}\n", crate::guard::term(&p.to_string())))
                .collect(),
            Doc::Class(c) => mof_class(c),
            Doc::Classes(c) => c.iter().map(mof_class).collect::<Vec<_>>().join("\n"),
            Doc::ClassNames(n) => n.iter().map(|n| format!("{n}\n")).collect(),
            Doc::Method(r) => {
                let mut s = format!("ReturnValue = {};\n", mof_value(r.return_value.as_ref()));
                for p in &r.out_params {
                    s.push_str(&format!(
                        "{} = {};\n",
                        crate::guard::term(p.name.as_str()),
                        mof_value(p.value.as_ref())
                    ));
                }
                s
            }
            Doc::Record(v) => render(&Doc::Record(v.clone()), Format::Table),
        },
        Format::Table => match doc {
            Doc::Instance(i) => instance_kv(i),
            Doc::Instances { items, columns } => {
                let cols: Vec<String> = if columns.is_empty() {
                    let mut names: Vec<String> = Vec::new();
                    for i in items {
                        for p in &i.properties {
                            if !names
                                .iter()
                                .any(|n| n.eq_ignore_ascii_case(p.name.as_str()))
                            {
                                names.push(p.name.to_string());
                            }
                        }
                    }
                    names
                } else {
                    columns.clone()
                };
                let rows: Vec<Vec<String>> = items
                    .iter()
                    .map(|i| {
                        cols.iter()
                            .map(|c| {
                                if c == "PATH" {
                                    i.path
                                        .as_ref()
                                        .map(|p| crate::guard::term(&p.to_string()))
                                        .unwrap_or_default()
                                } else {
                                    display(i.value(c))
                                }
                            })
                            .collect()
                    })
                    .collect();
                table(&cols, &rows)
            }
            Doc::Paths(p) => p
                .iter()
                .map(|p| format!("{}\n", crate::guard::term(&p.to_string())))
                .collect(),
            Doc::Class(c) => mof_class(c),
            Doc::Classes(c) => {
                let rows: Vec<Vec<String>> = c
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.to_string(),
                            c.superclass
                                .as_ref()
                                .map(|s| s.to_string())
                                .unwrap_or_default(),
                            c.properties.len().to_string(),
                            c.methods.len().to_string(),
                        ]
                    })
                    .collect();
                table(
                    &[
                        "Class".into(),
                        "Superclass".into(),
                        "Properties".into(),
                        "Methods".into(),
                    ],
                    &rows,
                )
            }
            Doc::ClassNames(n) => n.iter().map(|n| format!("{n}\n")).collect(),
            Doc::Method(r) => {
                let mut pairs = vec![("ReturnValue".to_string(), display(r.return_value.as_ref()))];
                pairs.extend(r.out_params.iter().map(param_kv));
                key_values(&pairs)
            }
            Doc::Record(v) => {
                let mut pairs = Vec::new();
                record_kv(v, "", &mut pairs);
                key_values(&pairs)
            }
        },
    }
}

/// The JSON form of `doc`.
pub fn to_json(doc: &Doc) -> Value {
    match doc {
        Doc::Instance(i) => json::instance(i),
        Doc::Instances { items, .. } => Value::Array(items.iter().map(json::instance).collect()),
        Doc::Paths(p) => Value::Array(p.iter().map(json::path).collect()),
        Doc::Class(c) => json::class(c),
        Doc::Classes(c) => Value::Array(c.iter().map(json::class).collect()),
        Doc::ClassNames(n) => Value::Array(
            n.iter()
                .map(|n| serde_json::json!({ "class": n }))
                .collect(),
        ),
        Doc::Method(r) => json::method_return(r),
        Doc::Record(v) => v.clone(),
    }
}

/// Prints `doc` to stdout.
pub fn print(doc: &Doc, format: Format) -> std::io::Result<()> {
    let s = render(doc, format);
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.flush()
}
