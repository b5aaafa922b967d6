//! The filter query subset of the simulated indication service (WQL / DMTF:CQL, DSP0202
//! and DSP1054 filters: `SELECT * FROM <indication class> [WHERE term AND term ...]`) and
//! listener destination URLs.

use smis::cim::{CimValue, Instance};

use super::indications::local_is_a;
use super::state::State;
use super::{CimErr, status};

/// A listener URL: scheme, host:port, path.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// `https`?
    pub https: bool,
    /// `host:port`.
    pub authority: String,
    /// Host (for TLS SNI).
    pub host: String,
    /// Path, `/` when absent.
    pub path: String,
}

impl Target {
    /// Parses `http[s]://host[:port][/path]` (no scheme: `http`, DSP1054).
    pub fn parse(url: &str) -> Result<Target, String> {
        let (https, rest) = match url.split_once("://") {
            Some((s, r)) if s.eq_ignore_ascii_case("https") => (true, r),
            Some((s, r)) if s.eq_ignore_ascii_case("http") => (false, r),
            Some((s, _)) => return Err(format!("unsupported destination scheme {s:?}")),
            None => (false, url),
        };
        let (auth, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if auth.is_empty() {
            return Err(format!("destination {url:?} has no host"));
        }
        let (host, port) = match auth.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => match p.parse::<u16>() {
                Ok(p) => (h.trim_matches(|c| c == '[' || c == ']').to_string(), p),
                Err(_) => return Err(format!("bad port in {url:?}")),
            },
            _ => (auth.to_string(), if https { 5989 } else { 5988 }),
        };
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        Ok(Target {
            https,
            authority,
            host,
            path: path.to_string(),
        })
    }
}

// ----- the query subset -----

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Source(String),
    Previous(String),
    Own(String),
    Str(String),
    Num(i128),
}

#[derive(Debug, Clone, PartialEq)]
enum Term {
    Isa(String),
    Cmp(Operand, String, Operand),
}

/// A parsed `SELECT * FROM class [WHERE ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    class: String,
    terms: Vec<Term>,
}

fn split_ci<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let lower = s.to_ascii_lowercase();
    let sep = sep.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quote = false;
    let b = lower.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' {
            in_quote = !in_quote;
        } else if !in_quote && lower[i..].starts_with(&sep) {
            out.push(&s[start..i]);
            i += sep.len();
            start = i;
            continue;
        }
        i += 1;
    }
    out.push(&s[start..]);
    out
}

impl Query {
    /// Parses the supported subset; anything else is CIM_ERR_INVALID_QUERY.
    pub(crate) fn parse(q: &str) -> Result<Query, CimErr> {
        let bad = |why: &str| CimErr::new(status::INVALID_QUERY, format!("{why}: {q}"));
        let words: Vec<&str> = q.split_whitespace().collect();
        if words.len() < 4
            || !words[0].eq_ignore_ascii_case("select")
            || words[1] != "*"
            || !words[2].eq_ignore_ascii_case("from")
        {
            return Err(bad("only SELECT * FROM <class> [WHERE ...] is supported"));
        }
        let class = words[3].to_string();
        if !local_is_a(&class, "CIM_Indication") {
            return Err(bad("not an indication class this provider emits"));
        }
        let mut terms = Vec::new();
        if words.len() > 4 {
            if !words[4].eq_ignore_ascii_case("where") || words.len() < 6 {
                return Err(bad("expected WHERE"));
            }
            let lower = q.to_ascii_lowercase();
            let at = lower.find(" where ").ok_or_else(|| bad("expected WHERE"))?;
            for t in split_ci(&q[at + 7..], " and ") {
                terms.push(Self::term(t.trim()).ok_or_else(|| bad("unsupported condition"))?);
            }
        }
        Ok(Query { class, terms })
    }

    fn term(t: &str) -> Option<Term> {
        let parts = split_ci(t, " isa ");
        if parts.len() == 2 {
            if !parts[0].trim().eq_ignore_ascii_case("SourceInstance") {
                return None;
            }
            return Some(Term::Isa(parts[1].trim().to_string()));
        }
        for op in ["<>", "!=", "<=", ">=", "=", "<", ">"] {
            if let Some((l, r)) = t.split_once(op) {
                return Some(Term::Cmp(
                    Self::operand(l.trim())?,
                    op.to_string(),
                    Self::operand(r.trim())?,
                ));
            }
        }
        None
    }

    fn operand(o: &str) -> Option<Operand> {
        if o.len() >= 2 && o.starts_with('\'') && o.ends_with('\'') {
            return Some(Operand::Str(o[1..o.len() - 1].to_string()));
        }
        if let Ok(n) = o.parse::<i128>() {
            return Some(Operand::Num(n));
        }
        let prop = |p: &str| -> Option<String> {
            let p = p.rsplit_once("::").map_or(p, |(_, p)| p);
            (!p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then(|| p.to_string())
        };
        match o.split_once('.') {
            Some((h, p)) if h.eq_ignore_ascii_case("SourceInstance") => {
                Some(Operand::Source(prop(p)?))
            }
            Some((h, p)) if h.eq_ignore_ascii_case("PreviousInstance") => {
                Some(Operand::Previous(prop(p)?))
            }
            Some(_) => None,
            None => Some(Operand::Own(prop(o)?)),
        }
    }

    pub(crate) fn matches(&self, st: &State, ind: &Instance) -> bool {
        if !local_is_a(ind.class_name.as_str(), &self.class) {
            return false;
        }
        let emb = |n: &str| match ind.value(n) {
            Some(CimValue::Instance(i)) => Some((**i).clone()),
            _ => None,
        };
        let src = emb("SourceInstance");
        let prev = emb("PreviousInstance");
        let val = |o: &Operand| -> Option<CimValue> {
            match o {
                Operand::Source(p) => src.as_ref()?.value(p).cloned(),
                Operand::Previous(p) => prev.as_ref()?.value(p).cloned(),
                Operand::Own(p) => ind.value(p).cloned(),
                Operand::Str(s) => Some(CimValue::String(s.clone())),
                Operand::Num(n) => Some(CimValue::Sint64(i64::try_from(*n).unwrap_or(i64::MAX))),
            }
        };
        self.terms.iter().all(|t| match t {
            Term::Isa(c) => src.as_ref().is_some_and(|s| {
                st.repo.is_a(s.class_name.as_str(), c)
                    || s.class_name.as_str().eq_ignore_ascii_case(c)
            }),
            Term::Cmp(l, op, r) => {
                let (Some(a), Some(b)) = (val(l), val(r)) else {
                    return false;
                };
                let ord = match (a.as_i128(), b.as_i128(), a.as_str(), b.as_str()) {
                    (Some(x), Some(y), _, _) => x.cmp(&y),
                    (_, _, Some(x), Some(y)) => x.cmp(y),
                    _ => return op == "<>" || op == "!=",
                };
                match op.as_str() {
                    "=" => ord.is_eq(),
                    "<>" | "!=" => ord.is_ne(),
                    "<" => ord.is_lt(),
                    ">" => ord.is_gt(),
                    "<=" => ord.is_le(),
                    _ => ord.is_ge(),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_or_are_refused() {
        assert!(Query::parse("SELECT * FROM CIM_InstCreation").is_ok());
        let q = Query::parse("SELECT * FROM CIM_InstModification WHERE SourceInstance ISA CIM_ConcreteJob AND SourceInstance.CIM_ConcreteJob::JobState <> PreviousInstance.CIM_ConcreteJob::JobState").unwrap();
        assert_eq!(q.terms.len(), 2);
        assert!(Query::parse("SELECT Name FROM CIM_InstCreation").is_err());
        assert!(Query::parse("SELECT * FROM CIM_StorageVolume").is_err());
        assert!(Query::parse("SELECT * FROM CIM_InstCreation WHERE LIKE(x)").is_err());
    }

    #[test]
    fn destination_urls() {
        let t = Target::parse("https://127.0.0.1:5990").unwrap();
        assert_eq!(
            (t.https, t.authority.as_str(), t.path.as_str()),
            (true, "127.0.0.1:5990", "/")
        );
        let t = Target::parse("127.0.0.1:80/cimlistener/x").unwrap();
        assert_eq!((t.https, t.path.as_str()), (false, "/cimlistener/x"));
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("http://").is_err());
    }
}
