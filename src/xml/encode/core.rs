//! The writer under every encoder: escaping, checked names and attributes, scalar text,
//! and values (VALUE, VALUE.ARRAY, VALUE.REFERENCE, embedded objects).

use super::{EncodeError, EncodeOptions};
use crate::cim::{CimArray, CimName, CimType, CimValue, EmbeddedKind, Flavor};

pub(super) type R = Result<(), EncodeError>;

/// True for characters XML 1.0 can carry.
pub(super) fn xml_char_ok(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// VALUE text of a scalar, in the reference client's (pywbem's) form: real32 as `%.8E`
/// (`1.23450000E+04`, nine significant digits, enough to round-trip), real64 as Python's
/// `repr` (shortest round-trip digits, exponent form `1.5e-07` below 1e-4 and from 1e16),
/// `INF`, `-INF` and `NaN` for the special values; everything else as
/// [`CimValue::format_scalar`].
pub(super) fn scalar_text(v: &CimValue) -> String {
    match v {
        CimValue::Real32(x) if x.is_finite() => {
            fix_exponent(&format!("{:.8E}", f64::from(*x)), 'E')
        }
        CimValue::Real64(x) if x.is_finite() => fix_exponent(&format!("{x:?}"), 'e'),
        v => v.format_scalar().unwrap_or_default(),
    }
}

/// Rewrites Rust's exponent (`E4`, `e-7`) in C's form (`E+04`, `e-07`).
pub(super) fn fix_exponent(s: &str, marker: char) -> String {
    match s.split_once(marker) {
        Some((mantissa, exp)) => {
            let e: i32 = exp.parse().unwrap_or(0);
            let sign = if e < 0 { '-' } else { '+' };
            format!("{mantissa}{marker}{sign}{:02}", e.unsigned_abs())
        }
        None => s.to_string(),
    }
}

pub(super) fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

pub(super) struct Writer {
    pub(super) out: String,
    pub(super) opts: EncodeOptions,
    pub(super) path: Vec<String>,
}

impl Writer {
    pub(super) fn new(opts: EncodeOptions) -> Self {
        Writer {
            out: String::with_capacity(1024),
            opts,
            path: Vec::new(),
        }
    }

    pub(super) fn err(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            message: message.into(),
            path: self.path.join("/"),
        }
    }

    pub(super) fn push(&mut self, seg: impl Into<String>) {
        self.path.push(seg.into());
    }

    pub(super) fn pop(&mut self) {
        self.path.pop();
    }

    pub(super) fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    pub(super) fn check_text(&self, s: &str) -> R {
        if let Some(c) = s.chars().find(|c| !xml_char_ok(*c)) {
            return Err(self.err(format!(
                "character U+{:04X} cannot be carried by XML 1.0",
                c as u32
            )));
        }
        Ok(())
    }

    /// Writes escaped element text.
    pub(super) fn text(&mut self, s: &str) -> R {
        self.check_text(s)?;
        for c in s.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '\r' => self.out.push_str("&#13;"),
                c => self.out.push(c),
            }
        }
        Ok(())
    }

    /// Writes ` NAME="escaped value"`.
    pub(super) fn attr(&mut self, name: &str, value: &str) -> R {
        self.check_text(value)?;
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        for c in value.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' => self.out.push_str("&quot;"),
                '\r' => self.out.push_str("&#13;"),
                '\n' => self.out.push_str("&#10;"),
                '\t' => self.out.push_str("&#9;"),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
        Ok(())
    }

    /// Writes a CIM name attribute after checking it.
    pub(super) fn name_attr(&mut self, attr: &str, name: &str) -> R {
        if !CimName::is_valid(name) {
            return Err(self.err(format!("invalid CIM name {name:?} in {attr}")));
        }
        self.attr(attr, name)
    }

    /// Writes `<TAG NAME="name"` (not closed).
    pub(super) fn open_named(&mut self, tag: &str, name: &str) -> R {
        self.out.push('<');
        self.out.push_str(tag);
        self.name_attr("NAME", name)?;
        self.out.push('>');
        Ok(())
    }

    pub(super) fn doc_start(&mut self, id: &str) -> R {
        self.raw(super::XML_DECL);
        self.raw(r#"<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE"#);
        self.attr("ID", id)?;
        self.raw(r#" PROTOCOLVERSION="1.0">"#);
        Ok(())
    }

    pub(super) fn doc_end(&mut self) {
        self.raw("</MESSAGE></CIM>");
    }

    pub(super) fn flavor_attrs(&mut self, f: &Flavor) -> R {
        for (n, v) in [
            ("OVERRIDABLE", f.overridable),
            ("TOSUBCLASS", f.tosubclass),
            ("TOINSTANCE", f.toinstance),
            ("TRANSLATABLE", f.translatable),
        ] {
            if let Some(v) = v {
                self.attr(n, bool_str(v))?;
            }
        }
        Ok(())
    }

    pub(super) fn embedded_attr(&mut self, kind: EmbeddedKind) -> R {
        let name = if self.opts.uppercase_embedded_object {
            "EMBEDDEDOBJECT"
        } else {
            "EmbeddedObject"
        };
        self.attr(name, kind.as_str())
    }

    pub(super) fn type_attr(&mut self, t: CimType) -> R {
        if t == CimType::Reference {
            return Err(self.err("type reference is not allowed here"));
        }
        self.attr("TYPE", t.as_str())
    }

    // ---------------------------------------------------------------- values

    pub(super) fn embedded_text(&mut self, v: &CimValue) -> R {
        let text = match v {
            CimValue::Instance(i) => {
                let mut w = Writer::new(self.opts);
                w.path = self.path.clone();
                w.instance(i)?;
                w.out
            }
            CimValue::Class(c) => {
                let mut w = Writer::new(self.opts);
                w.path = self.path.clone();
                w.class(c)?;
                w.out
            }
            _ => return Err(self.err("not an embedded object")),
        };
        self.raw("<VALUE>");
        self.text(&text)?;
        self.raw("</VALUE>");
        Ok(())
    }

    /// Writes a value: VALUE, VALUE.REFERENCE, VALUE.ARRAY or VALUE.REFARRAY.
    pub(super) fn value(&mut self, v: &CimValue) -> R {
        match v {
            CimValue::Reference(p) => self.value_reference(p),
            CimValue::Instance(_) | CimValue::Class(_) => self.embedded_text(v),
            CimValue::Array(a) => self.array(a),
            v => {
                let s = scalar_text(v);
                self.raw("<VALUE>");
                self.text(&s)?;
                self.raw("</VALUE>");
                Ok(())
            }
        }
    }

    pub(super) fn array(&mut self, a: &CimArray) -> R {
        let is_ref = a.elem_type == CimType::Reference;
        self.raw(if is_ref {
            "<VALUE.REFARRAY>"
        } else {
            "<VALUE.ARRAY>"
        });
        for (i, item) in a.items.iter().enumerate() {
            match item {
                None => self.raw("<VALUE.NULL/>"),
                Some(CimValue::Array(_)) => {
                    self.push(format!("[{i}]"));
                    return Err(self.err("arrays cannot nest"));
                }
                Some(v) => {
                    if v.cim_type() != a.elem_type {
                        self.push(format!("[{i}]"));
                        return Err(self.err(format!(
                            "{} element in a {}[] array",
                            v.kind_name(),
                            a.elem_type
                        )));
                    }
                    self.value(v)?;
                }
            }
        }
        self.raw(if is_ref {
            "</VALUE.REFARRAY>"
        } else {
            "</VALUE.ARRAY>"
        });
        Ok(())
    }

    /// Checks that `v` fits the declared type and array-ness.
    pub(super) fn check_decl(&self, v: &CimValue, ty: CimType, is_array: bool) -> R {
        if v.is_array() != is_array || v.cim_type() != ty {
            let decl = if is_array {
                format!("{ty}[]")
            } else {
                ty.to_string()
            };
            return Err(self.err(format!(
                "value of type {} contradicts the declared type {decl}",
                v.kind_name()
            )));
        }
        Ok(())
    }
}
