//! Value names in table and MOF output: integers that the class's `ValueMap`/`Values`
//! qualifiers name are shown as `2 (OK)` (tables) or with a `// 2 (OK)` comment (MOF).
//! JSON keeps the numbers. Classes come from the client's class cache; a class that cannot
//! be read (no GetClass right, an old provider) leaves the values as they are.

use std::collections::HashMap;
use std::io::Write;

use smis::Client;
use smis::cim::{CimArray, CimType, CimValue, Instance, ValueMapping};

use crate::errors::CliResult;
use crate::output::{self, Doc, Format};

/// Mappings by lower-case property name, per (lower-case namespace, lower-case class).
type Maps = HashMap<(String, String), HashMap<String, ValueMapping>>;

fn key(c: &Client, i: &Instance) -> (String, String) {
    let ns = i
        .path
        .as_ref()
        .and_then(|p| p.namespace.clone())
        .unwrap_or_else(|| c.default_namespace().to_string());
    (
        ns.trim_matches('/').to_ascii_lowercase(),
        i.class_name.as_str().to_ascii_lowercase(),
    )
}

async fn fetch(c: &Client, items: &[&Instance]) -> Maps {
    let mut maps = Maps::new();
    for i in items {
        let k = key(c, i);
        if maps.contains_key(&k) {
            continue;
        }
        let mut props = HashMap::new();
        if let Ok(class) = c.cached_class(Some(&k.0), i.class_name.as_str()).await {
            for p in &class.properties {
                if let Ok(m) = ValueMapping::for_property(&class, p.name.as_str()) {
                    props.insert(p.name.as_str().to_ascii_lowercase(), m);
                }
            }
        }
        maps.insert(k, props);
    }
    maps
}

/// `2 (OK)` for a named integer, else None.
fn named(m: &ValueMapping, v: &CimValue) -> Option<String> {
    let n = v.as_i128()?;
    m.name_of(n).map(|name| format!("{n} ({name})"))
}

/// The value with its names, as text (None when nothing in it is named).
fn with_names(m: &ValueMapping, v: &CimValue) -> Option<CimValue> {
    match v {
        CimValue::Array(a) => {
            let items: Vec<Option<CimValue>> = a
                .items
                .iter()
                .map(|x| {
                    x.as_ref().map(|x| {
                        CimValue::String(
                            named(m, x).unwrap_or_else(|| x.format_scalar().unwrap_or_default()),
                        )
                    })
                })
                .collect();
            let any = a.items.iter().flatten().any(|x| named(m, x).is_some());
            any.then(|| CimArray::new(CimType::String, items).into())
        }
        v => named(m, v).map(CimValue::String),
    }
}

fn label(maps: &Maps, c: &Client, i: &Instance, prop: &str, v: &CimValue) -> Option<CimValue> {
    let m = maps.get(&key(c, i))?.get(&prop.to_ascii_lowercase())?;
    with_names(m, v)
}

/// Prints `doc` like [`output::print`], with value names in table and MOF output.
pub async fn print(doc: Doc, format: Format) -> CliResult<()> {
    let client = connect_client();
    let items: Vec<&Instance> = match &doc {
        Doc::Instance(i) => vec![i],
        Doc::Instances { items, .. } => items.iter().collect(),
        _ => Vec::new(),
    };
    let (Some(c), false, Format::Table | Format::Mof) = (client, items.is_empty(), format) else {
        output::print(&doc, format)?;
        return Ok(());
    };
    let maps = fetch(&c, &items).await;
    if format == Format::Mof {
        let text: Vec<String> = items.iter().map(|i| mof_instance(&maps, &c, i)).collect();
        let mut out = std::io::stdout().lock();
        out.write_all(text.join("\n").as_bytes())?;
        out.flush()?;
        return Ok(());
    }
    let relabel = |mut i: Instance| {
        let named: Vec<(usize, CimValue)> = i
            .properties
            .iter()
            .enumerate()
            .filter_map(|(n, p)| {
                let v = p.value.as_ref()?;
                label(&maps, &c, &i, p.name.as_str(), v).map(|v| (n, v))
            })
            .collect();
        for (n, v) in named {
            i.properties[n].value = Some(v);
        }
        i
    };
    let doc = match doc {
        Doc::Instance(i) => Doc::Instance(relabel(i)),
        Doc::Instances { items, columns } => Doc::Instances {
            items: items.into_iter().map(relabel).collect(),
            columns,
        },
        d => d,
    };
    output::print(&doc, format)?;
    Ok(())
}

fn connect_client() -> Option<Client> {
    crate::connect::existing_client()
}

/// An instance in MOF, named values in a trailing comment.
fn mof_instance(maps: &Maps, c: &Client, i: &Instance) -> String {
    let mut s = String::new();
    if let Some(p) = &i.path {
        s.push_str(&format!("// {}\n", crate::guard::term(&p.to_string())));
    }
    s.push_str(&format!("instance of {} {{\n", i.class_name));
    for p in &i.properties {
        s.push_str(&format!(
            "    {} = {};",
            p.name,
            output::mof_value(p.value.as_ref())
        ));
        if let Some(v) = p
            .value
            .as_ref()
            .and_then(|v| label(maps, c, i, p.name.as_str(), v))
        {
            s.push_str(&format!(" // {}", output::display(Some(&v))));
        }
        s.push('\n');
    }
    s.push_str("};\n");
    s
}

/// Qualifiers in MOF syntax (`[Key, ValueMap { "2", "3" }, Values { "OK", "Degraded" }]`,
/// DSP0004 Annex A), followed by `sep`; empty when there are none.
pub fn mof_qualifiers(q: &[smis::cim::Qualifier], sep: &str) -> String {
    if q.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = q
        .iter()
        .map(|q| match &q.value {
            Some(CimValue::Boolean(true)) => q.name.to_string(),
            None => format!("{} (NULL)", q.name),
            Some(CimValue::Array(_)) => {
                let v = output::mof_value(q.value.as_ref());
                let inner = v.trim_start_matches('{').trim_end_matches('}');
                format!("{} {{ {inner} }}", q.name)
            }
            Some(_) => format!("{} ({})", q.name, output::mof_value(q.value.as_ref())),
        })
        .collect();
    format!("[{}]{sep}", parts.join(", "))
}
