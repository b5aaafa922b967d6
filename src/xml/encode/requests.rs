//! Requests: IMETHODCALL (its parameters come from the operation table through
//! [`ParamVisitor`]), METHODCALL and EXPMETHODCALL.

use super::EncodeError;
use super::core::{R, Writer};
use crate::cim::{
    CimClass, CimName, CimType, CimValue, EmbeddedKind, Instance, ObjectPath, PathKind,
    QualifierDecl,
};
use crate::message::{ExportCall, IntrinsicRequest, MethodCall, ParamValue, ParamVisitor};

impl Writer {
    // ---------------------------------------------------------------- requests

    pub(super) fn iparam_open(&mut self, name: &str) {
        self.raw("<IPARAMVALUE NAME=\"");
        self.raw(name);
        self.raw("\">");
        self.push(format!("IPARAMVALUE[Name={name}]"));
    }

    pub(super) fn iparam_close(&mut self) {
        self.raw("</IPARAMVALUE>");
        self.pop();
    }

    /// `<IPARAMVALUE NAME=name>` + body + `</IPARAMVALUE>`, for a parameter that is sent.
    fn iparam<T: ?Sized>(
        &mut self,
        name: &str,
        v: Option<&T>,
        body: impl FnOnce(&mut Self, &T) -> R,
    ) -> R {
        let Some(v) = v else { return Ok(()) };
        self.iparam_open(name);
        body(self, v)?;
        self.iparam_close();
        Ok(())
    }

    /// `<VALUE>escaped text</VALUE>`.
    fn value_text(&mut self, s: &str) -> R {
        self.raw("<VALUE>");
        self.text(s)?;
        self.raw("</VALUE>");
        Ok(())
    }

    pub(super) fn intrinsic_request(&mut self, r: &IntrinsicRequest) -> R {
        let name = r.op.name();
        self.raw("<IMETHODCALL NAME=\"");
        self.raw(name);
        self.raw("\">");
        self.push(format!("IMETHODCALL[{name}]"));
        self.local_namespace_path(&r.namespace)?;
        r.op.visit_params(self)?;
        self.pop();
        self.raw("</IMETHODCALL>");
        Ok(())
    }

    pub(super) fn method_call(&mut self, m: &MethodCall) -> R {
        self.push(format!("METHODCALL[{}]", m.method));
        self.open_named("METHODCALL", m.method.as_str())?;
        let ns = self.require_ns(&m.target)?;
        match m.target.kind {
            PathKind::Instance => {
                self.raw("<LOCALINSTANCEPATH>");
                self.local_namespace_path(ns)?;
                self.instance_name(&m.target)?;
                self.raw("</LOCALINSTANCEPATH>");
            }
            PathKind::Class => {
                self.raw("<LOCALCLASSPATH>");
                self.local_namespace_path(ns)?;
                self.class_name_elem(m.target.class_name.as_str())?;
                self.raw("</LOCALCLASSPATH>");
            }
        }
        for p in &m.params {
            self.param_value(p)?;
        }
        self.raw("</METHODCALL>");
        self.pop();
        Ok(())
    }

    pub(super) fn paramtype_attrs(&mut self, ty: Option<CimType>, emb: Option<EmbeddedKind>) -> R {
        if let Some(t) = ty {
            let attr = if self.opts.type_instead_of_paramtype {
                "TYPE"
            } else {
                "PARAMTYPE"
            };
            self.attr(attr, t.as_str())?;
        }
        if let Some(k) = emb {
            self.embedded_attr(k)?;
        }
        Ok(())
    }

    /// Type and embedded kind of a parameter value, checked against its declaration.
    pub(super) fn param_types(
        &self,
        value: Option<&CimValue>,
        declared: Option<CimType>,
        embedded: Option<EmbeddedKind>,
    ) -> Result<(Option<CimType>, Option<EmbeddedKind>), EncodeError> {
        let Some(v) = value else {
            return Ok((declared, embedded));
        };
        let vt = v.cim_type();
        if let Some(d) = declared {
            if d != vt {
                return Err(self.err(format!(
                    "value of type {} contradicts the declared type {d}",
                    v.kind_name()
                )));
            }
        }
        let emb = embedded.or_else(|| crate::cim::embedded_kind_of(v));
        if emb.is_some() && vt != CimType::String {
            return Err(self.err("only string values can carry embedded objects"));
        }
        Ok((Some(vt), emb))
    }

    pub(super) fn param_value(&mut self, p: &ParamValue) -> R {
        self.push(format!("PARAMVALUE[Name={}]", p.name));
        let (ty, emb) = self.param_types(p.value.as_ref(), p.cim_type, p.embedded)?;
        self.raw("<PARAMVALUE");
        self.name_attr("NAME", p.name.as_str())?;
        self.paramtype_attrs(ty, emb)?;
        match &p.value {
            None => self.raw("/>"),
            Some(v) => {
                self.raw(">");
                self.value(v)?;
                self.raw("</PARAMVALUE>");
            }
        }
        self.pop();
        Ok(())
    }

    pub(super) fn export_call(&mut self, e: &ExportCall) -> R {
        self.push(format!("EXPMETHODCALL[{}]", e.method));
        self.open_named("EXPMETHODCALL", e.method.as_str())?;
        for p in &e.params {
            self.push(format!("EXPPARAMVALUE[Name={}]", p.name));
            self.raw("<EXPPARAMVALUE");
            self.name_attr("NAME", p.name.as_str())?;
            match &p.value {
                None => self.raw("/>"),
                Some(CimValue::Instance(i)) => {
                    self.raw(">");
                    self.instance(i)?;
                    self.raw("</EXPPARAMVALUE>");
                }
                Some(v) => {
                    return Err(self.err(format!(
                        "an export parameter must be an instance, not a {}",
                        v.kind_name()
                    )));
                }
            }
            self.pop();
        }
        self.raw("</EXPMETHODCALL>");
        self.pop();
        Ok(())
    }
}

/// Each parameter kind of the operation table as an `IPARAMVALUE` (DSP0201 §3.2.6.19 ff.).
impl ParamVisitor for Writer {
    type Error = EncodeError;

    fn instance_name(&mut self, name: &'static str, v: Option<&ObjectPath>) -> R {
        if v.is_some_and(|p| p.kind != PathKind::Instance) {
            self.push(format!("IPARAMVALUE[Name={name}]"));
            return Err(self.err("an instance path is needed, not a class path"));
        }
        ParamVisitor::object_name(self, name, v)
    }

    fn object_name(&mut self, name: &'static str, v: Option<&ObjectPath>) -> R {
        self.iparam(name, v, |w, p| w.object_name_elem(p))
    }

    fn class_name(&mut self, name: &'static str, v: Option<&CimName>) -> R {
        self.iparam(name, v, |w, c| w.class_name_elem(c.as_str()))
    }

    fn qualifier_name(&mut self, name: &'static str, v: Option<&CimName>) -> R {
        if let Some(q) = v.filter(|q| !CimName::is_valid(q.as_str())) {
            self.push(format!("IPARAMVALUE[Name={name}]"));
            return Err(self.err(format!("invalid qualifier name {:?}", q.as_str())));
        }
        self.iparam(name, v, |w, q| w.value_text(q.as_str()))
    }

    fn string(&mut self, name: &'static str, v: Option<&String>) -> R {
        self.iparam(name, v, |w, s| w.value_text(s))
    }

    fn boolean(&mut self, name: &'static str, v: Option<&bool>) -> R {
        self.iparam(name, v, |w, b| {
            w.raw(if *b {
                "<VALUE>TRUE</VALUE>"
            } else {
                "<VALUE>FALSE</VALUE>"
            });
            Ok(())
        })
    }

    fn uint32(&mut self, name: &'static str, v: Option<&u32>) -> R {
        self.iparam(name, v, |w, n| {
            w.raw("<VALUE>");
            w.raw(&n.to_string());
            w.raw("</VALUE>");
            Ok(())
        })
    }

    fn property_list(&mut self, name: &'static str, v: Option<&Vec<CimName>>) -> R {
        self.iparam(name, v, |w, list| {
            w.raw("<VALUE.ARRAY>");
            for n in list {
                if !CimName::is_valid(n.as_str()) {
                    return Err(w.err(format!("invalid property name {:?}", n.as_str())));
                }
                w.value_text(n.as_str())?;
            }
            w.raw("</VALUE.ARRAY>");
            Ok(())
        })
    }

    fn new_instance(&mut self, name: &'static str, v: Option<&Instance>) -> R {
        self.iparam(name, v, |w, i| w.instance(i))
    }

    fn named_instance(&mut self, name: &'static str, v: Option<&Instance>) -> R {
        self.iparam(name, v, |w, i| w.named_instance(i))
    }

    fn class(&mut self, name: &'static str, v: Option<&CimClass>) -> R {
        self.iparam(name, v, |w, c| w.class(c))
    }

    fn qualifier_decl(&mut self, name: &'static str, v: Option<&QualifierDecl>) -> R {
        self.iparam(name, v, |w, d| w.qualifier_decl(d))
    }
}
