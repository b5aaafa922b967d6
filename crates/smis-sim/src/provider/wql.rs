//! The query subset of ExecQuery and the pull OpenQueryInstances (DMTF DSP0200 intrinsic
//! methods): `SELECT *|Prop[, Prop...] FROM Class [WHERE Prop = literal]` in WQL or
//! DMTF:CQL (DSP0202); anything else is `CIM_ERR_INVALID_QUERY`, another language
//! `CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED`.

use smis::cim::{CimName, CimValue, Instance};

use super::ops::{enumerate, filter_props};
use super::state::State;
use super::{CimErr, status};

type R<T> = Result<T, CimErr>;

/// A parsed `SELECT ... FROM Class [WHERE Prop = literal]`.
struct Query {
    props: Option<Vec<CimName>>,
    class: String,
    cond: Option<(String, Literal)>,
}

enum Literal {
    Str(String),
    Int(i128),
    Bool(bool),
}

fn check_language(lang: &str) -> R<()> {
    let l = lang.to_ascii_uppercase();
    if matches!(
        l.as_str(),
        "WQL" | "CQL" | "DMTF:CQL" | "CIM:CQL" | "DMTF:CQL:2"
    ) {
        Ok(())
    } else {
        Err(CimErr::new(
            status::QUERY_LANGUAGE_NOT_SUPPORTED,
            format!("query language {lang} is not supported (use WQL or DMTF:CQL)"),
        ))
    }
}

fn tokenize(q: &str) -> R<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' || c == '"' {
            chars.next();
            let mut s = String::from(c);
            let mut closed = false;
            for d in chars.by_ref() {
                if d == c {
                    closed = true;
                    break;
                }
                s.push(d);
            }
            if !closed {
                return Err(CimErr::new(
                    status::INVALID_QUERY,
                    "unterminated string literal",
                ));
            }
            out.push(s);
        } else if c == ',' || c == '=' || c == '*' {
            chars.next();
            out.push(c.to_string());
        } else {
            let mut s = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_whitespace() || matches!(d, ',' | '=' | '*' | '\'' | '"') {
                    break;
                }
                s.push(d);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

fn parse_query(q: &str) -> R<Query> {
    let bad = |m: &str| CimErr::new(status::INVALID_QUERY, format!("invalid query {q:?}: {m}"));
    let t = tokenize(q)?;
    let mut i = 0;
    if !t.first().is_some_and(|s| s.eq_ignore_ascii_case("select")) {
        return Err(bad("expected SELECT"));
    }
    i += 1;
    let mut props = Vec::new();
    let mut star = false;
    loop {
        match t.get(i) {
            None => return Err(bad("expected FROM")),
            Some(s) if s.eq_ignore_ascii_case("from") => break,
            Some(s) if s == "*" => star = true,
            Some(s) if s == "," => {}
            Some(s) if CimName::is_valid(s) => props.push(CimName::new(s)),
            Some(s) => return Err(bad(&format!("unexpected {s}"))),
        }
        i += 1;
    }
    if !star && props.is_empty() {
        return Err(bad("empty select list"));
    }
    i += 1;
    let class = t
        .get(i)
        .filter(|s| CimName::is_valid(s))
        .ok_or_else(|| bad("expected a class name"))?
        .clone();
    i += 1;
    let cond = match t.get(i) {
        None => None,
        Some(w) if w.eq_ignore_ascii_case("where") => {
            let prop = t
                .get(i + 1)
                .filter(|s| CimName::is_valid(s))
                .ok_or_else(|| bad("expected a property"))?
                .clone();
            if t.get(i + 2).map(String::as_str) != Some("=") {
                return Err(bad("only Prop = literal conditions are supported"));
            }
            let lit = t.get(i + 3).ok_or_else(|| bad("expected a literal"))?;
            if t.len() > i + 4 {
                return Err(bad("trailing tokens"));
            }
            let lit = if let Some(s) = lit.strip_prefix('\'').or_else(|| lit.strip_prefix('"')) {
                Literal::Str(s.to_string())
            } else if lit.eq_ignore_ascii_case("true") {
                Literal::Bool(true)
            } else if lit.eq_ignore_ascii_case("false") {
                Literal::Bool(false)
            } else {
                Literal::Int(lit.parse().map_err(|_| bad("bad literal"))?)
            };
            Some((prop, lit))
        }
        Some(s) => return Err(bad(&format!("unexpected {s}"))),
    };
    Ok(Query {
        props: if star { None } else { Some(props) },
        class,
        cond,
    })
}

pub(super) fn run_query(st: &State, ns: &str, lang: &str, q: &str) -> R<Vec<Instance>> {
    check_language(lang)?;
    let q = parse_query(q)?;
    if !st.repo.exists(&q.class) {
        return Err(CimErr::new(
            status::INVALID_QUERY,
            format!("class {} does not exist", q.class),
        ));
    }
    let all = enumerate(st, ns, &q.class, true, None)?;
    Ok(all
        .into_iter()
        .filter(|i| match &q.cond {
            None => true,
            Some((p, lit)) => match (i.value(p), lit) {
                (Some(CimValue::String(s)), Literal::Str(l)) => s == l,
                (Some(CimValue::Boolean(b)), Literal::Bool(l)) => b == l,
                (Some(v), Literal::Int(l)) => v.as_i128() == Some(*l),
                (Some(v), Literal::Str(l)) => v.format_scalar().is_some_and(|s| &s == l),
                _ => false,
            },
        })
        .map(|i| filter_props(i, q.props.as_deref()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_lists_classes_and_conditions() {
        let q = parse_query("select ElementName, DeviceID from CIM_StorageVolume").expect("ok");
        assert_eq!(q.class, "CIM_StorageVolume");
        assert_eq!(q.props.map(|p| p.len()), Some(2));
        assert!(q.cond.is_none());
        let q = parse_query("SELECT * FROM CIM_StoragePool WHERE PoolID = 'P 1'").expect("ok");
        assert!(q.props.is_none());
        assert!(matches!(q.cond, Some((p, Literal::Str(s))) if p == "PoolID" && s == "P 1"));
        let q = parse_query("SELECT * FROM A WHERE X = 5").expect("ok");
        assert!(matches!(q.cond, Some((_, Literal::Int(5)))));
        let q = parse_query("SELECT * FROM A WHERE X = TRUE").expect("ok");
        assert!(matches!(q.cond, Some((_, Literal::Bool(true)))));
    }

    #[test]
    fn malformed_queries_are_invalid_query() {
        for bad in [
            "",
            "DELETE FROM A",
            "SELECT FROM A",
            "SELECT *",
            "SELECT * FROM",
            "SELECT * FROM A WHERE",
            "SELECT * FROM A WHERE X > 1",
            "SELECT * FROM A WHERE X = 'open",
            "SELECT * FROM A WHERE X = 1 AND Y = 2",
            "SELECT * FROM A WHERE X = notanumber",
            "SELECT * FROM A B",
        ] {
            let err = parse_query(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad:?} parsed"));
            assert_eq!(err.code, status::INVALID_QUERY, "{bad:?}");
        }
        assert_eq!(
            check_language("SQL").err().map(|e| e.code),
            Some(status::QUERY_LANGUAGE_NOT_SUPPORTED)
        );
        assert!(check_language("dmtf:cql").is_ok());
    }
}
