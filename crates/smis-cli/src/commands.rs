//! The generic CIM commands: class, classes, enum, get, assoc, refs, invoke, query.

use std::io::IsTerminal;
use std::time::Duration;

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use smis::Client;
use smis::cim::{CimArray, CimType, CimValue, ObjectPath, Parameter, PathKind};
use smis::client::{
    AssociatorsOptions, EnumerateClassesOptions, EnumerateInstancesOptions, GetClassOptions,
    GetInstanceOptions, OpenOptions, ReferencesOptions,
};
use smis::message::{CimObject, ParamValue};

use crate::errors::{CliError, CliResult};
use crate::output::Doc;

/// Parses a PATH argument (a WBEM URI).
pub fn parse_path(s: &str) -> CliResult<ObjectPath> {
    ObjectPath::parse(s.trim()).map_err(|e| CliError::Usage(format!("bad object path {s:?}: {e}")))
}

fn spinner(msg: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    Some(pb)
}

/// `class NAME`
pub async fn class(c: &Client, name: &str) -> CliResult<Doc> {
    let opts = GetClassOptions::new()
        .local_only(false)
        .include_qualifiers(true);
    Ok(Doc::Class(Box::new(c.get_class(name, &opts).await?)))
}

/// `classes`
pub async fn classes(c: &Client, class: Option<String>, deep: bool, names: bool) -> CliResult<Doc> {
    if names {
        let opts = {
            let mut o = EnumerateClassesOptions::new().deep_inheritance(deep);
            o.class_name = class;
            o
        };
        let n = c.enumerate_class_names(&opts).await?;
        return Ok(Doc::ClassNames(
            n.into_iter().map(|n| n.to_string()).collect(),
        ));
    }
    let opts = {
        let mut o = EnumerateClassesOptions::new()
            .deep_inheritance(deep)
            .local_only(false)
            .include_qualifiers(true);
        o.class_name = class;
        o
    };
    Ok(Doc::Classes(c.enumerate_classes(&opts).await?))
}

/// `enum CLASS`
pub async fn enumerate(
    c: &Client,
    class: &str,
    names: bool,
    props: Option<Vec<String>>,
    page: Option<u32>,
) -> CliResult<Doc> {
    let open = {
        let mut o = OpenOptions::new();
        o.max_object_count = page;
        o
    };
    let pb = spinner(&format!("enumerating {class}"));
    let doc = if names {
        let mut s = c.enumerate_instance_paths_stream(class, None, &open);
        let mut out = Vec::new();
        while let Some(p) = s.next().await {
            out.push(p?);
            if let Some(pb) = &pb {
                pb.inc(1);
            }
        }
        Doc::Paths(out)
    } else {
        let opts = {
            let mut o = EnumerateInstancesOptions::new();
            o.property_list = props.clone();
            o
        };
        let mut s = c.enumerate_instances_stream(class, &opts, &open);
        let mut out = Vec::new();
        while let Some(i) = s.next().await {
            out.push(i?);
            if let Some(pb) = &pb {
                pb.inc(1);
            }
        }
        Doc::Instances {
            items: out,
            columns: props.unwrap_or_default(),
        }
    };
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    Ok(doc)
}

/// `get PATH`
pub async fn get(c: &Client, path: &str, props: Option<Vec<String>>) -> CliResult<Doc> {
    let p = parse_path(path)?;
    let opts = {
        let mut o = GetInstanceOptions::new();
        o.property_list = props;
        o
    };
    Ok(Doc::Instance(c.get_instance(&p, &opts).await?))
}

fn objects_to_doc(objs: Vec<CimObject>) -> Doc {
    let mut inst = Vec::new();
    let mut classes = Vec::new();
    for o in objs {
        match o {
            CimObject::Instance(i) => inst.push(i),
            CimObject::Class(c) => classes.push(c),
        }
    }
    if inst.is_empty() && !classes.is_empty() {
        Doc::Classes(classes)
    } else {
        Doc::Instances {
            items: inst,
            columns: Vec::new(),
        }
    }
}

/// `assoc PATH`
pub async fn assoc(
    c: &Client,
    path: &str,
    opts: AssociatorsOptions,
    names: bool,
) -> CliResult<Doc> {
    let p = parse_path(path)?;
    if names {
        return Ok(Doc::Paths(c.associator_names(&p, &opts).await?));
    }
    Ok(objects_to_doc(c.associators(&p, &opts).await?))
}

/// `refs PATH`
pub async fn refs(c: &Client, path: &str, opts: ReferencesOptions, names: bool) -> CliResult<Doc> {
    let p = parse_path(path)?;
    if names {
        return Ok(Doc::Paths(c.reference_names(&p, &opts).await?));
    }
    Ok(objects_to_doc(c.references(&p, &opts).await?))
}

/// `query QUERY`
pub async fn query(c: &Client, lang: &str, q: &str) -> CliResult<Doc> {
    Ok(objects_to_doc(c.exec_query(None, lang, q).await?))
}

/// Splits `a,b,"c,d"` on commas outside double quotes.
pub fn split_array(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for ch in s.chars() {
        if escaped {
            cur.push(ch);
            escaped = false;
            continue;
        }
        match ch {
            '\\' if quoted => {
                cur.push(ch);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                cur.push(ch);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn parse_typed_scalar(ty: CimType, text: &str) -> CliResult<CimValue> {
    if ty == CimType::Reference {
        return Ok(CimValue::Reference(Box::new(parse_path(text)?)));
    }
    CimValue::parse_scalar(ty, text)
        .map_err(|e| CliError::Usage(format!("bad {} value {text:?}: {e}", ty.as_str())))
}

/// Types `text` as the declared parameter.
pub fn typed_param(decl: &Parameter, text: &str) -> CliResult<ParamValue> {
    let value = if decl.is_array {
        let items = if text.is_empty() {
            Vec::new()
        } else if decl.cim_type == CimType::Reference {
            // WBEM URIs contain commas between keys: split only before a new path.
            split_refs(text)
        } else {
            split_array(text)
        };
        let items = items
            .iter()
            .map(|t| parse_typed_scalar(decl.cim_type, t).map(Some))
            .collect::<CliResult<Vec<_>>>()?;
        CimValue::Array(Box::new(CimArray::new(decl.cim_type, items)))
    } else {
        parse_typed_scalar(decl.cim_type, text)?
    };
    let mut p = ParamValue::new(decl.name.clone(), value);
    p.cim_type = Some(decl.cim_type);
    Ok(p)
}

/// Splits a list of WBEM URIs (`path1,path2`): a new path starts after a comma that is
/// followed by `/` or by `Class.` text with no `=` before the next `.`.
fn split_refs(text: &str) -> Vec<String> {
    let parts = split_array(text);
    let mut out: Vec<String> = Vec::new();
    for part in parts {
        let starts_path = part.starts_with('/')
            || part.starts_with("//")
            || part
                .split_once('.')
                .is_some_and(|(head, _)| !head.contains('=') && !head.contains('"'));
        match out.last_mut() {
            Some(last) if !starts_path => {
                last.push(',');
                last.push_str(&part);
            }
            _ => out.push(part),
        }
    }
    out
}

/// Infers the type of an untyped parameter value.
pub fn inferred_param(name: &str, text: &str) -> ParamValue {
    let value = infer(text);
    ParamValue::new(name, value)
}

fn infer(text: &str) -> CimValue {
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        if n < 0 {
            if let Ok(v) = i32::try_from(n) {
                return CimValue::Sint32(v);
            }
            return CimValue::Sint64(n);
        }
        if let Ok(v) = u32::try_from(n) {
            return CimValue::Uint32(v);
        }
        return CimValue::Uint64(n as u64);
    }
    if let Ok(n) = t.parse::<u64>() {
        return CimValue::Uint64(n);
    }
    if t.eq_ignore_ascii_case("true") {
        return CimValue::Boolean(true);
    }
    if t.eq_ignore_ascii_case("false") {
        return CimValue::Boolean(false);
    }
    if t.contains('=')
        && t.contains('.')
        && let Ok(p) = ObjectPath::parse(t)
        && p.kind == PathKind::Instance
        && !p.keys.is_empty()
    {
        return CimValue::Reference(Box::new(p));
    }
    CimValue::String(text.to_string())
}

/// `invoke PATH METHOD NAME=VALUE...`
pub async fn invoke(c: &Client, path: &str, method: &str, params: &[String]) -> CliResult<Doc> {
    let target = parse_path(path)?;
    let opts = {
        let mut o = GetClassOptions::new()
            .local_only(false)
            .include_qualifiers(true);
        o.namespace = target.namespace.clone();
        o
    };
    let decl = match c.get_class(target.class_name.as_str(), &opts).await {
        Ok(cls) => cls.method(method).cloned(),
        Err(e) => {
            tracing::debug!(
                "GetClass {} failed ({e}); inferring parameter types",
                target.class_name
            );
            None
        }
    };
    let mut values = Vec::new();
    for p in params {
        let (name, text) = p
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("parameter {p:?} is not NAME=VALUE")))?;
        let pd = decl.as_ref().and_then(|m| m.parameter(name));
        values.push(match pd {
            Some(d) => typed_param(d, text)?,
            None => inferred_param(name, text),
        });
    }
    let r = c.invoke_method(&target, method, values).await?;
    Ok(Doc::Method(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference() {
        assert_eq!(infer("5"), CimValue::Uint32(5));
        assert_eq!(infer("-5"), CimValue::Sint32(-5));
        assert_eq!(infer("5000000000"), CimValue::Uint64(5_000_000_000));
        assert_eq!(infer("TRUE"), CimValue::Boolean(true));
        assert_eq!(infer("abc"), CimValue::String("abc".into()));
        assert!(matches!(
            infer("/root/x:C.K=\"v\",L=\"w\""),
            CimValue::Reference(_)
        ));
    }

    #[test]
    fn arrays() {
        assert_eq!(split_array("a,b,\"c,d\""), vec!["a", "b", "\"c,d\""]);
        let refs = split_refs("/root/x:C.K=\"v\",L=\"w\",/root/x:C.K=\"z\",L=\"y\"");
        assert_eq!(refs.len(), 2);
        let decl = Parameter::new("P", CimType::Uint16, true);
        let p = typed_param(&decl, "2,17").unwrap();
        assert_eq!(
            p.value,
            Some(CimValue::Array(Box::new(CimArray::new(
                CimType::Uint16,
                vec![Some(CimValue::Uint16(2)), Some(CimValue::Uint16(17))]
            ))))
        );
    }
}
