//! Requests (the server side): IMETHODCALL, whose parameters are typed by the operation
//! table through [`ParamSource`], METHODCALL and EXPMETHODCALL.

use quick_xml::events::BytesStart;

use super::core::{E, Parser, R};
use crate::cim::{
    CimClass, CimName, CimType, CimValue, EmbeddedKind, Instance, ObjectPath, PathKind,
    QualifierDecl,
};
use crate::message::{
    ExportCall, Intrinsic, IntrinsicRequest, MethodCall, ParamSource, ParamValue, Request,
    RequestMessage,
};

/// A decoded IPARAMVALUE before it is typed by its operation.
enum IVal {
    Null,
    Text(String),
    Array(Vec<Option<String>>),
    Ref(ObjectPath),
    ClassName(CimName),
    InstanceName(ObjectPath),
    QualDecl(QualifierDecl),
    Class(CimClass),
    Instance(Instance),
    NamedInstance(Instance),
}

impl<'a> Parser<'a> {
    /// A whole request document.
    pub(crate) fn request_document(&mut self) -> R<RequestMessage> {
        let id = self.envelope()?;
        let body = match self.child()? {
            Some(b) => b,
            None => return Err(self.structure("empty MESSAGE")),
        };
        let request = match body.name().as_ref() {
            b"SIMPLEREQ" => {
                let call = match self.child()? {
                    Some(c) => c,
                    None => return Err(self.structure("empty SIMPLEREQ")),
                };
                let r = match call.name().as_ref() {
                    b"IMETHODCALL" => self.imethod_call(&call)?,
                    b"METHODCALL" => self.method_call(&call)?,
                    _ => return Err(self.unexpected(&call)),
                };
                self.end()?;
                r
            }
            b"SIMPLEEXPREQ" => {
                let mut r = None;
                while let Some(c) = self.child()? {
                    match c.name().as_ref() {
                        b"CORRELATOR" if r.is_none() => self.skip()?,
                        b"EXPMETHODCALL" if r.is_none() => r = Some(self.exp_method_call(&c)?),
                        _ => return Err(self.unexpected(&c)),
                    }
                }
                r.ok_or_else(|| self.structure("SIMPLEEXPREQ without EXPMETHODCALL"))?
            }
            _ => return Err(self.unexpected(&body)),
        };
        self.close_envelope()?;
        Ok(RequestMessage { id, request })
    }

    /// Skips the current element's content.
    fn skip(&mut self) -> R<()> {
        while self.child()?.is_some() {
            self.skip()?;
        }
        Ok(())
    }

    fn exp_method_call(&mut self, e: &BytesStart<'a>) -> R<Request> {
        let method = self.name_attr(e, "EXPMETHODCALL")?;
        let method = self.name(&method);
        let mut params = Vec::new();
        while let Some(c) = self.child()? {
            if c.name().as_ref() != b"EXPPARAMVALUE" {
                return Err(self.unexpected(&c));
            }
            let n = self.name_attr(&c, "EXPPARAMVALUE")?;
            let name = self.name(&n);
            let mut value = None;
            while let Some(x) = self.child()? {
                if value.is_some() || x.name().as_ref() != b"INSTANCE" {
                    return Err(self.unexpected(&x));
                }
                value = Some(CimValue::Instance(Box::new(self.instance(&x)?)));
            }
            params.push(ParamValue {
                name,
                cim_type: value.as_ref().map(|_| CimType::String),
                embedded: value.as_ref().map(|_| EmbeddedKind::Instance),
                value,
            });
        }
        Ok(Request::Export(ExportCall { method, params }))
    }

    fn method_call(&mut self, e: &BytesStart<'a>) -> R<Request> {
        let method = self.name_attr(e, "METHODCALL")?;
        let method = self.name(&method);
        let mut target = None;
        let mut params = Vec::new();
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"LOCALINSTANCEPATH" if target.is_none() => {
                    target = Some(self.local_instance_path()?)
                }
                b"LOCALCLASSPATH" if target.is_none() => target = Some(self.local_class_path()?),
                b"PARAMVALUE" if target.is_some() => params.push(self.param_value(&c)?),
                _ => return Err(self.unexpected(&c)),
            }
        }
        let target = target.ok_or_else(|| self.structure("METHODCALL without a target path"))?;
        Ok(Request::Method(MethodCall {
            target,
            method,
            params,
        }))
    }

    /// IPARAMVALUE (just opened).
    fn iparam_value(&mut self) -> R<IVal> {
        let mut v = IVal::Null;
        let mut seen = false;
        while let Some(c) = self.child()? {
            if seen {
                return Err(self.unexpected(&c));
            }
            seen = true;
            v = match c.name().as_ref() {
                b"VALUE" => IVal::Text(self.text()?.into_owned()),
                b"VALUE.ARRAY" => {
                    let mut items = Vec::new();
                    while let Some(x) = self.child()? {
                        match x.name().as_ref() {
                            b"VALUE" => items.push(Some(self.text()?.into_owned())),
                            b"VALUE.NULL" => {
                                self.end()?;
                                items.push(None)
                            }
                            _ => return Err(self.unexpected(&x)),
                        }
                    }
                    IVal::Array(items)
                }
                b"VALUE.REFERENCE" => IVal::Ref(self.value_reference(false)?),
                b"CLASSNAME" => IVal::ClassName(self.class_name_elem(&c)?),
                b"INSTANCENAME" => IVal::InstanceName(self.instance_name(&c)?),
                b"QUALIFIER.DECLARATION" => IVal::QualDecl(self.qualifier_decl(&c)?),
                b"CLASS" => IVal::Class(self.class(&c)?),
                b"INSTANCE" => IVal::Instance(self.instance(&c)?),
                b"VALUE.NAMEDINSTANCE" => IVal::NamedInstance(self.named_instance()?),
                _ => return Err(self.unexpected(&c)),
            };
        }
        Ok(v)
    }

    fn imethod_call(&mut self, e: &BytesStart<'a>) -> R<Request> {
        let op = self.name_attr(e, "IMETHODCALL")?;
        let mut namespace = None;
        let mut items = Vec::new();
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"LOCALNAMESPACEPATH" if namespace.is_none() => {
                    namespace = Some(self.local_namespace()?)
                }
                b"IPARAMVALUE" if namespace.is_some() => {
                    let n = self.name_attr(&c, "IPARAMVALUE")?;
                    let n = self.name(&n);
                    let v = self.iparam_value()?;
                    items.push((n, v));
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        let namespace =
            namespace.ok_or_else(|| self.structure("IMETHODCALL without LOCALNAMESPACEPATH"))?;
        let mut received = Received { p: self, items };
        let op = match Intrinsic::from_params(&op, &mut received)? {
            Some(op) => op,
            None => return Err(self.structure(format!("unknown intrinsic operation '{op}'"))),
        };
        if let Some((n, _)) = received.items.first() {
            return Err(self.structure(format!("unexpected IPARAMVALUE {n} for {}", op.name())));
        }
        Ok(Request::Intrinsic(IntrinsicRequest { namespace, op }))
    }
}

/// The IPARAMVALUEs of one IMETHODCALL, handed out by name and kind.
struct Received<'p, 'a> {
    p: &'p mut Parser<'a>,
    items: Vec<(CimName, IVal)>,
}

impl Received<'_, '_> {
    /// The parameter called `name` (case-insensitive, as CIM names compare), removed.
    fn take(&mut self, name: &str) -> Option<IVal> {
        let i = self.items.iter().position(|(n, _)| *n == name)?;
        Some(self.items.remove(i).1)
    }

    fn ill(&self, name: &str, what: &str) -> E {
        self.p
            .structure(format!("IPARAMVALUE {name} must be {what}"))
    }

    /// A parameter that must be one element kind (`pick`); NULL is as wrong as another kind.
    fn object<T>(&mut self, name: &str, what: &str, pick: fn(IVal) -> Option<T>) -> R<Option<T>> {
        match self.take(name) {
            None => Ok(None),
            Some(v) => pick(v).map(Some).ok_or_else(|| self.ill(name, what)),
        }
    }

    /// A scalar `VALUE` of `ty`, read with `get`.
    fn scalar<T>(
        &mut self,
        name: &str,
        ty: CimType,
        get: fn(CimValue) -> Option<T>,
    ) -> R<Option<T>> {
        match self.take(name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::Text(t)) => match CimValue::parse_scalar(ty, &t).ok().and_then(get) {
                Some(v) => Ok(Some(v)),
                None => Err(self.ill(name, &format!("a {ty}"))),
            },
            Some(_) => Err(self.ill(name, &format!("a {ty}"))),
        }
    }
}

impl ParamSource for Received<'_, '_> {
    type Error = E;

    fn missing(&mut self, name: &'static str) -> E {
        self.p
            .structure(format!("missing required IPARAMVALUE {name}"))
    }

    fn instance_name(&mut self, name: &'static str) -> R<Option<ObjectPath>> {
        match self.take(name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::InstanceName(p)) => Ok(Some(p)),
            Some(IVal::Ref(p)) if p.kind == PathKind::Instance => Ok(Some(p)),
            Some(_) => Err(self.ill(name, "an INSTANCENAME")),
        }
    }

    fn object_name(&mut self, name: &'static str) -> R<Option<ObjectPath>> {
        match self.take(name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::ClassName(c)) => Ok(Some(ObjectPath::class(None, c))),
            Some(IVal::InstanceName(p)) | Some(IVal::Ref(p)) => Ok(Some(p)),
            Some(_) => Err(self.ill(name, "a CLASSNAME or INSTANCENAME")),
        }
    }

    fn class_name(&mut self, name: &'static str) -> R<Option<CimName>> {
        match self.take(name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::ClassName(c)) => Ok(Some(c)),
            Some(IVal::Text(t)) => Ok(Some(self.p.name(t.trim()))),
            Some(_) => Err(self.ill(name, "a CLASSNAME")),
        }
    }

    fn qualifier_name(&mut self, name: &'static str) -> R<Option<CimName>> {
        match self.take(name) {
            None => Ok(None),
            Some(IVal::Text(t)) => Ok(Some(self.p.name(t.trim()))),
            Some(_) => Err(self.ill(name, "a string")),
        }
    }

    fn string(&mut self, name: &'static str) -> R<Option<String>> {
        match self.take(name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::Text(t)) => Ok(Some(t)),
            Some(_) => Err(self.ill(name, "a string")),
        }
    }

    fn boolean(&mut self, name: &'static str) -> R<Option<bool>> {
        self.scalar(name, CimType::Boolean, |v| match v {
            CimValue::Boolean(b) => Some(b),
            _ => None,
        })
    }

    fn uint32(&mut self, name: &'static str) -> R<Option<u32>> {
        self.scalar(name, CimType::Uint32, |v| match v {
            CimValue::Uint32(n) => Some(n),
            _ => None,
        })
    }

    fn property_list(&mut self, name: &'static str) -> R<Option<Vec<CimName>>> {
        match self.take(name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::Array(items)) => Ok(Some(
                items
                    .into_iter()
                    .flatten()
                    .map(|s| self.p.name(s.trim()))
                    .collect(),
            )),
            Some(_) => Err(self.ill(name, "a VALUE.ARRAY of property names")),
        }
    }

    fn new_instance(&mut self, name: &'static str) -> R<Option<Instance>> {
        self.object(name, "an INSTANCE", |v| match v {
            IVal::Instance(i) => Some(i),
            _ => None,
        })
    }

    fn named_instance(&mut self, name: &'static str) -> R<Option<Instance>> {
        self.object(name, "a VALUE.NAMEDINSTANCE", |v| match v {
            IVal::NamedInstance(i) => Some(i),
            _ => None,
        })
    }

    fn class(&mut self, name: &'static str) -> R<Option<CimClass>> {
        self.object(name, "a CLASS", |v| match v {
            IVal::Class(c) => Some(c),
            _ => None,
        })
    }

    fn qualifier_decl(&mut self, name: &'static str) -> R<Option<QualifierDecl>> {
        self.object(name, "a QUALIFIER.DECLARATION", |v| match v {
            IVal::QualDecl(d) => Some(d),
            _ => None,
        })
    }
}
