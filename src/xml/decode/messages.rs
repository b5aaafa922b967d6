//! Messages: CIM/MESSAGE, responses (IMETHODRESPONSE, METHODRESPONSE, EXPMETHODRESPONSE)
//! and requests (IMETHODCALL, METHODCALL, EXPMETHODCALL).

use quick_xml::events::BytesStart;

use super::core::{E, Parser, R};
use crate::cim::{
    CimClass, CimName, CimType, CimValue, EmbeddedKind, Instance, ObjectPath, PathKind,
    QualifierDecl,
};
use crate::message::{
    CimObject, ErrorBody, ExportCall, IReturn, Intrinsic, IntrinsicRequest, MethodCall,
    MethodReturn, ParamValue, PullOptions, PullResult, Request, RequestMessage, Response,
    ResponseMessage, ReturnKind,
};
use crate::xml::DecodeErrorKind;

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

struct IParams {
    items: Vec<(CimName, IVal)>,
}

impl<'a> Parser<'a> {
    /// CIM and MESSAGE (with version checks); returns the MESSAGE ID. MESSAGE is pushed.
    fn envelope(&mut self) -> R<String> {
        let root = self.root()?;
        if root.name().as_ref() != b"CIM" {
            return Err(self.structure(format!(
                "root element must be CIM, not {}",
                String::from_utf8_lossy(root.name().as_ref())
            )));
        }
        let mut cimv = None;
        let mut dtdv = None;
        self.attrs(&root, |k, v| {
            match k {
                b"CIMVERSION" => cimv = Some(v.into_owned()),
                b"DTDVERSION" => dtdv = Some(v.into_owned()),
                _ => {}
            }
            Ok(())
        })?;
        let cimv = cimv.ok_or_else(|| self.missing("CIMVERSION", "CIM"))?;
        let dtdv = dtdv.ok_or_else(|| self.missing("DTDVERSION", "CIM"))?;
        if !cimv.trim().starts_with("2.") {
            return Err(self.err(
                DecodeErrorKind::Version,
                format!("unsupported CIMVERSION '{cimv}' (2.x expected)"),
            ));
        }
        if !dtdv.trim().starts_with("2.") {
            return Err(self.err(
                DecodeErrorKind::Version,
                format!("unsupported DTDVERSION '{dtdv}' (2.x expected)"),
            ));
        }
        let msg = match self.child()? {
            Some(m) if m.name().as_ref() == b"MESSAGE" => m,
            Some(m) => return Err(self.unexpected(&m)),
            None => return Err(self.structure("CIM without MESSAGE")),
        };
        let mut id = None;
        let mut pv = None;
        self.attrs(&msg, |k, v| {
            match k {
                b"ID" => id = Some(v.into_owned()),
                b"PROTOCOLVERSION" => pv = Some(v.into_owned()),
                _ => {}
            }
            Ok(())
        })?;
        let id = id.ok_or_else(|| self.missing("ID", "MESSAGE"))?;
        let pv = pv.ok_or_else(|| self.missing("PROTOCOLVERSION", "MESSAGE"))?;
        if !pv.trim().starts_with("1.") {
            return Err(self.err(
                DecodeErrorKind::Version,
                format!("unsupported PROTOCOLVERSION '{pv}' (1.x expected)"),
            ));
        }
        Ok(id)
    }

    /// Closes MESSAGE and CIM after the body.
    fn close_envelope(&mut self) -> R<()> {
        self.end()?; // MESSAGE
        self.end() // CIM
    }

    fn name_attr(&self, e: &BytesStart<'a>, elem: &str) -> R<String> {
        let mut name = None;
        self.attrs(e, |k, v| {
            if k == b"NAME" {
                name = Some(v.into_owned());
            }
            Ok(())
        })?;
        name.ok_or_else(|| self.missing("NAME", elem))
    }

    /// A whole response document.
    pub(crate) fn response_document(&mut self) -> R<ResponseMessage> {
        let id = self.envelope()?;
        let body = match self.child()? {
            Some(b) => b,
            None => return Err(self.structure("empty MESSAGE")),
        };
        let simple_exp = match body.name().as_ref() {
            b"SIMPLERSP" => false,
            b"SIMPLEEXPRSP" => true,
            _ => return Err(self.unexpected(&body)),
        };
        let rsp = match self.child()? {
            Some(r) => r,
            None => return Err(self.structure("empty response")),
        };
        let response = match (simple_exp, rsp.name().as_ref()) {
            (false, b"IMETHODRESPONSE") => self.imethod_response(&rsp)?,
            (false, b"METHODRESPONSE") => self.method_response(&rsp)?,
            (true, b"EXPMETHODRESPONSE") => self.exp_method_response(&rsp)?,
            _ => return Err(self.unexpected(&rsp)),
        };
        self.end()?; // SIMPLERSP
        self.close_envelope()?;
        Ok(ResponseMessage { id, response })
    }

    /// ERROR (just opened).
    fn error_body(&mut self, e: &BytesStart<'a>) -> R<ErrorBody> {
        let mut code = None;
        let mut description = None;
        self.attrs(e, |k, v| {
            match k {
                b"CODE" => code = Some(v.into_owned()),
                b"DESCRIPTION" => description = Some(v.into_owned()),
                _ => {}
            }
            Ok(())
        })?;
        let code = code.ok_or_else(|| self.missing("CODE", "ERROR"))?;
        let code: u32 = code.trim().parse().map_err(|_| {
            self.err(
                DecodeErrorKind::BadValue,
                format!("ERROR CODE '{code}' is not a number"),
            )
        })?;
        let mut instances = Vec::new();
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"INSTANCE" => instances.push(self.instance(&c)?),
                _ => return Err(self.unexpected(&c)),
            }
        }
        Ok(ErrorBody {
            code,
            description,
            instances,
        })
    }

    fn imethod_response(&mut self, e: &BytesStart<'a>) -> R<Response> {
        let name = self.name_attr(e, "IMETHODRESPONSE")?;
        let kind = ReturnKind::for_operation(&name)
            .ok_or_else(|| self.structure(format!("unknown intrinsic operation '{name}'")))?;
        let mut ret: Option<IReturn> = None;
        let mut eos: Option<bool> = None;
        let mut ctx: Option<Option<String>> = None;
        let mut seen_params = false;
        let mut first = true;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"ERROR" if first => {
                    let body = self.error_body(&c)?;
                    self.end()?;
                    return Ok(Response::Intrinsic {
                        name,
                        result: Err(body),
                    });
                }
                b"IRETURNVALUE" if ret.is_none() && !seen_params => {
                    ret = Some(self.ireturn(kind)?);
                }
                b"PARAMVALUE" => {
                    seen_params = true;
                    let pv = self.param_value(&c)?;
                    let pull = matches!(
                        kind,
                        ReturnKind::PullInstancesWithPath
                            | ReturnKind::PullPaths
                            | ReturnKind::PullInstances
                    );
                    if pull && pv.name == "EndOfSequence" && eos.is_none() {
                        eos = Some(match pv.value {
                            Some(CimValue::Boolean(b)) => b,
                            Some(CimValue::String(s)) => {
                                match CimValue::parse_scalar(CimType::Boolean, &s) {
                                    Ok(CimValue::Boolean(b)) => b,
                                    _ => {
                                        return Err(self.structure(format!(
                                            "EndOfSequence '{s}' is not a boolean"
                                        )));
                                    }
                                }
                            }
                            _ => return Err(self.structure("EndOfSequence is not a boolean")),
                        });
                    } else if pull && pv.name == "EnumerationContext" && ctx.is_none() {
                        ctx = Some(match pv.value {
                            Some(CimValue::String(s)) => Some(s),
                            None => None,
                            _ => {
                                return Err(self.structure("EnumerationContext is not a string"));
                            }
                        });
                    } else {
                        return Err(self.structure(format!(
                            "unexpected PARAMVALUE {} in {name} response",
                            pv.name
                        )));
                    }
                }
                _ => return Err(self.unexpected(&c)),
            }
            first = false;
        }
        let ret = match ret {
            Some(r) => r,
            // No IRETURNVALUE at all: the empty result of the shape (OpenPegasus sends an
            // empty IMETHODRESPONSE when the error travels in a CIMStatusCode trailer).
            None => self.empty_return(kind).unwrap_or(IReturn::Nothing),
        };
        let ret = match ret {
            IReturn::PullInstances(mut p) => {
                self.pull_params(&mut p.end_of_sequence, &mut p.enumeration_context, eos, ctx)?;
                IReturn::PullInstances(p)
            }
            IReturn::PullPaths(mut p) => {
                self.pull_params(&mut p.end_of_sequence, &mut p.enumeration_context, eos, ctx)?;
                IReturn::PullPaths(p)
            }
            r => r,
        };
        Ok(Response::Intrinsic {
            name,
            result: Ok(ret),
        })
    }

    fn pull_params(
        &self,
        end: &mut bool,
        context: &mut Option<String>,
        eos: Option<bool>,
        ctx: Option<Option<String>>,
    ) -> R<()> {
        let eos = eos.ok_or_else(|| self.structure("pull response without EndOfSequence"))?;
        *end = eos;
        if eos {
            *context = None;
        } else {
            match ctx {
                Some(Some(c)) if !c.trim().is_empty() => *context = Some(c),
                _ => {
                    return Err(self.structure(
                        "pull response without EnumerationContext while EndOfSequence is false",
                    ));
                }
            }
        }
        Ok(())
    }

    fn empty_return(&self, kind: ReturnKind) -> R<IReturn> {
        Ok(match kind {
            ReturnKind::Nothing => IReturn::Nothing,
            ReturnKind::NamedInstances => IReturn::Instances(Vec::new()),
            ReturnKind::InstanceNames => IReturn::InstanceNames(Vec::new()),
            ReturnKind::ObjectsWithPath | ReturnKind::QueryObjects => IReturn::Objects(Vec::new()),
            ReturnKind::ObjectPaths => IReturn::ObjectPaths(Vec::new()),
            ReturnKind::Classes => IReturn::Classes(Vec::new()),
            ReturnKind::ClassNames => IReturn::ClassNames(Vec::new()),
            ReturnKind::QualifierDecls => IReturn::QualifierDecls(Vec::new()),
            ReturnKind::PullInstancesWithPath | ReturnKind::PullInstances => {
                IReturn::PullInstances(empty_pull())
            }
            ReturnKind::PullPaths => IReturn::PullPaths(empty_pull()),
            ReturnKind::Instance => return Err(self.structure("response without an INSTANCE")),
            ReturnKind::InstanceName => {
                return Err(self.structure("response without an INSTANCENAME"));
            }
            ReturnKind::Class => return Err(self.structure("response without a CLASS")),
            ReturnKind::QualifierDecl => {
                return Err(self.structure("response without a QUALIFIER.DECLARATION"));
            }
        })
    }

    /// IRETURNVALUE (just opened), by the operation's result shape.
    fn ireturn(&mut self, kind: ReturnKind) -> R<IReturn> {
        use ReturnKind as K;
        let mut instances: Vec<Instance> = Vec::new();
        let mut paths: Vec<ObjectPath> = Vec::new();
        let mut objects: Vec<CimObject> = Vec::new();
        let mut classes: Vec<CimClass> = Vec::new();
        let mut names: Vec<CimName> = Vec::new();
        let mut decls: Vec<QualifierDecl> = Vec::new();
        while let Some(c) = self.child()? {
            let single = matches!(
                kind,
                K::Instance | K::InstanceName | K::Class | K::QualifierDecl
            );
            let count = instances.len() + paths.len() + classes.len() + decls.len();
            if single && count > 0 {
                return Err(self.unexpected(&c));
            }
            match (kind, c.name().as_ref()) {
                (K::Instance | K::PullInstances, b"INSTANCE") => instances.push(self.instance(&c)?),
                (K::NamedInstances, b"VALUE.NAMEDINSTANCE") => {
                    instances.push(self.named_instance()?)
                }
                (K::PullInstancesWithPath, b"VALUE.INSTANCEWITHPATH") => {
                    instances.push(self.instance_with_path()?)
                }
                (K::InstanceNames | K::InstanceName, b"INSTANCENAME") => {
                    paths.push(self.instance_name(&c)?)
                }
                (K::PullPaths, b"INSTANCEPATH") => paths.push(self.instance_path()?),
                (K::ObjectPaths, b"OBJECTPATH") => paths.push(self.object_path()?),
                (K::ObjectsWithPath | K::QueryObjects, b"VALUE.OBJECTWITHPATH") => {
                    objects.push(self.object_with_path(false)?)
                }
                (K::ObjectsWithPath | K::QueryObjects, b"VALUE.OBJECTWITHLOCALPATH") => {
                    objects.push(self.object_with_path(true)?)
                }
                (K::QueryObjects, b"VALUE.OBJECT") => objects.push(self.value_object()?),
                (K::Class | K::Classes, b"CLASS") => classes.push(self.class(&c)?),
                (K::ClassNames, b"CLASSNAME") => names.push(self.class_name_elem(&c)?),
                (K::QualifierDecl | K::QualifierDecls, b"QUALIFIER.DECLARATION") => {
                    decls.push(self.qualifier_decl(&c)?)
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        Ok(match kind {
            K::Nothing => IReturn::Nothing,
            K::Instance => match instances.pop() {
                Some(i) => IReturn::Instance(i),
                None => return self.empty_return(kind),
            },
            K::NamedInstances => IReturn::Instances(instances),
            K::InstanceNames => IReturn::InstanceNames(paths),
            K::InstanceName => match paths.pop() {
                Some(p) => IReturn::InstanceName(p),
                None => return self.empty_return(kind),
            },
            K::ObjectsWithPath | K::QueryObjects => IReturn::Objects(objects),
            K::ObjectPaths => IReturn::ObjectPaths(paths),
            K::Class => match classes.pop() {
                Some(c) => IReturn::Class(c),
                None => return self.empty_return(kind),
            },
            K::Classes => IReturn::Classes(classes),
            K::ClassNames => IReturn::ClassNames(names),
            K::QualifierDecl => match decls.pop() {
                Some(d) => IReturn::QualifierDecl(d),
                None => return self.empty_return(kind),
            },
            K::QualifierDecls => IReturn::QualifierDecls(decls),
            K::PullInstancesWithPath | K::PullInstances => IReturn::PullInstances(PullResult {
                items: instances,
                end_of_sequence: false,
                enumeration_context: None,
            }),
            K::PullPaths => IReturn::PullPaths(PullResult {
                items: paths,
                end_of_sequence: false,
                enumeration_context: None,
            }),
        })
    }

    /// Attributes of PARAMVALUE/RETURNVALUE: name, type (PARAMTYPE or TYPE), embedded.
    fn param_attrs(
        &mut self,
        e: &BytesStart<'a>,
    ) -> R<(Option<CimName>, Option<CimType>, Option<EmbeddedKind>)> {
        let mut name = None;
        let mut ptype = None;
        let mut ty = None;
        let mut emb = None;
        self.attrs(e, |k, v| {
            match k {
                b"NAME" => name = Some(v),
                b"PARAMTYPE" => ptype = Some(v),
                b"TYPE" => ty = Some(v),
                b"EmbeddedObject" | b"EMBEDDEDOBJECT" => emb = Some(v),
                _ => {}
            }
            Ok(())
        })?;
        let t = match ptype.or(ty).filter(|t| !t.trim().is_empty()) {
            Some(t) => Some(self.parse_type(&t)?),
            None => None,
        };
        let emb = match emb {
            Some(v) => self.parse_embedded_attr(&v)?,
            None => None,
        };
        let name = name.map(|n| self.name(&n));
        Ok((name, t, emb))
    }

    /// PARAMVALUE (just opened).
    pub(super) fn param_value(&mut self, e: &BytesStart<'a>) -> R<ParamValue> {
        let (name, cim_type, embedded) = self.param_attrs(e)?;
        let name = name.ok_or_else(|| self.missing("NAME", "PARAMVALUE"))?;
        let mut value = None;
        let mut seen = false;
        let mut ty = cim_type;
        while let Some(c) = self.child()? {
            if seen {
                return Err(self.unexpected(&c));
            }
            seen = true;
            let vt = ty.unwrap_or(CimType::String);
            value = match c.name().as_ref() {
                b"VALUE" => {
                    if vt == CimType::Reference {
                        return Err(self.structure("VALUE given for a reference parameter"));
                    }
                    self.value_elem(vt, embedded)?
                }
                b"VALUE.ARRAY" => {
                    if vt == CimType::Reference {
                        return Err(self.structure("VALUE.ARRAY given for a reference parameter"));
                    }
                    Some(CimValue::Array(Box::new(self.value_array(vt, embedded)?)))
                }
                b"VALUE.REFERENCE" => {
                    ty = Some(CimType::Reference);
                    Some(CimValue::Reference(Box::new(self.value_reference(false)?)))
                }
                b"VALUE.REFARRAY" => {
                    ty = Some(CimType::Reference);
                    Some(CimValue::Array(Box::new(self.ref_array()?)))
                }
                b"CLASSNAME" => {
                    ty = Some(CimType::Reference);
                    let cn = self.class_name_elem(&c)?;
                    Some(CimValue::Reference(Box::new(ObjectPath::class(None, cn))))
                }
                b"INSTANCENAME" => {
                    ty = Some(CimType::Reference);
                    Some(CimValue::Reference(Box::new(self.instance_name(&c)?)))
                }
                b"CLASS" => Some(CimValue::Class(Box::new(self.class(&c)?))),
                b"INSTANCE" => Some(CimValue::Instance(Box::new(self.instance(&c)?))),
                b"VALUE.NAMEDINSTANCE" => {
                    Some(CimValue::Instance(Box::new(self.named_instance()?)))
                }
                _ => return Err(self.unexpected(&c)),
            };
        }
        let embedded = embedded.or_else(|| value.as_ref().and_then(crate::cim::embedded_kind_of));
        Ok(ParamValue {
            name,
            value,
            cim_type: ty,
            embedded,
        })
    }

    fn method_response(&mut self, e: &BytesStart<'a>) -> R<Response> {
        let name = self.name_attr(e, "METHODRESPONSE")?;
        let mut ret = MethodReturn::default();
        let mut seen_ret = false;
        let mut first = true;
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"ERROR" if first => {
                    let body = self.error_body(&c)?;
                    self.end()?;
                    return Ok(Response::Method {
                        name,
                        result: Err(body),
                    });
                }
                b"RETURNVALUE" if !seen_ret && ret.out_params.is_empty() => {
                    seen_ret = true;
                    let (_, ty, emb) = self.param_attrs(&c)?;
                    let mut v = None;
                    let mut seen = false;
                    while let Some(x) = self.child()? {
                        if seen {
                            return Err(self.unexpected(&x));
                        }
                        seen = true;
                        v = match x.name().as_ref() {
                            b"VALUE" => self.value_elem(ty.unwrap_or(CimType::String), emb)?,
                            b"VALUE.REFERENCE" => {
                                Some(CimValue::Reference(Box::new(self.value_reference(false)?)))
                            }
                            _ => return Err(self.unexpected(&x)),
                        };
                    }
                    if !seen {
                        return Err(self.structure("RETURNVALUE without a value"));
                    }
                    ret.return_value = v;
                }
                b"PARAMVALUE" => {
                    let p = self.param_value(&c)?;
                    ret.out_params.push(p);
                }
                _ => return Err(self.unexpected(&c)),
            }
            first = false;
        }
        Ok(Response::Method {
            name,
            result: Ok(ret),
        })
    }

    fn exp_method_response(&mut self, e: &BytesStart<'a>) -> R<Response> {
        let name = self.name_attr(e, "EXPMETHODRESPONSE")?;
        let mut result = Ok(None);
        let mut seen = false;
        while let Some(c) = self.child()? {
            if seen {
                return Err(self.unexpected(&c));
            }
            seen = true;
            match c.name().as_ref() {
                b"ERROR" => result = Err(self.error_body(&c)?),
                b"IRETURNVALUE" => {
                    let mut v = None;
                    while let Some(x) = self.child()? {
                        if v.is_some() || x.name().as_ref() != b"VALUE" {
                            return Err(self.unexpected(&x));
                        }
                        v = Some(self.value_elem(CimType::String, None)?);
                    }
                    result = Ok(v.flatten());
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        Ok(Response::Export { name, result })
    }

    // ----- requests -----

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
        let mut ps = IParams { items: Vec::new() };
        while let Some(c) = self.child()? {
            match c.name().as_ref() {
                b"LOCALNAMESPACEPATH" if namespace.is_none() => {
                    namespace = Some(self.local_namespace()?)
                }
                b"IPARAMVALUE" if namespace.is_some() => {
                    let n = self.name_attr(&c, "IPARAMVALUE")?;
                    let n = self.name(&n);
                    let v = self.iparam_value()?;
                    ps.items.push((n, v));
                }
                _ => return Err(self.unexpected(&c)),
            }
        }
        let namespace =
            namespace.ok_or_else(|| self.structure("IMETHODCALL without LOCALNAMESPACEPATH"))?;
        let op = self.intrinsic(&op, &mut ps)?;
        if let Some((n, _)) = ps.items.first() {
            return Err(self.structure(format!("unexpected IPARAMVALUE {n} for {}", op.name())));
        }
        Ok(Request::Intrinsic(IntrinsicRequest { namespace, op }))
    }

    fn take(&self, ps: &mut IParams, name: &str) -> Option<IVal> {
        let i = ps.items.iter().position(|(n, _)| *n == name)?;
        Some(ps.items.remove(i).1)
    }

    fn ill(&self, name: &str, what: &str) -> E {
        self.structure(format!("IPARAMVALUE {name} must be {what}"))
    }

    fn p_bool(&self, ps: &mut IParams, name: &str) -> R<Option<bool>> {
        match self.take(ps, name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::Text(t)) => match CimValue::parse_scalar(CimType::Boolean, &t) {
                Ok(CimValue::Boolean(b)) => Ok(Some(b)),
                _ => Err(self.ill(name, "a boolean")),
            },
            Some(_) => Err(self.ill(name, "a boolean")),
        }
    }

    fn p_u32(&self, ps: &mut IParams, name: &str) -> R<Option<u32>> {
        match self.take(ps, name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::Text(t)) => match CimValue::parse_scalar(CimType::Uint32, &t) {
                Ok(CimValue::Uint32(b)) => Ok(Some(b)),
                _ => Err(self.ill(name, "a uint32")),
            },
            Some(_) => Err(self.ill(name, "a uint32")),
        }
    }

    fn p_string(&self, ps: &mut IParams, name: &str) -> R<Option<String>> {
        match self.take(ps, name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::Text(t)) => Ok(Some(t)),
            Some(_) => Err(self.ill(name, "a string")),
        }
    }

    fn p_classname(&mut self, ps: &mut IParams, name: &str) -> R<Option<CimName>> {
        match self.take(ps, name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::ClassName(c)) => Ok(Some(c)),
            Some(IVal::Text(t)) => Ok(Some(self.name(t.trim()))),
            Some(_) => Err(self.ill(name, "a CLASSNAME")),
        }
    }

    fn p_objname(&self, ps: &mut IParams, name: &str) -> R<Option<ObjectPath>> {
        match self.take(ps, name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::ClassName(c)) => Ok(Some(ObjectPath::class(None, c))),
            Some(IVal::InstanceName(p)) | Some(IVal::Ref(p)) => Ok(Some(p)),
            Some(_) => Err(self.ill(name, "a CLASSNAME or INSTANCENAME")),
        }
    }

    fn p_instname(&self, ps: &mut IParams, name: &str) -> R<Option<ObjectPath>> {
        match self.take(ps, name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::InstanceName(p)) => Ok(Some(p)),
            Some(IVal::Ref(p)) if p.kind == PathKind::Instance => Ok(Some(p)),
            Some(_) => Err(self.ill(name, "an INSTANCENAME")),
        }
    }

    fn p_proplist(&mut self, ps: &mut IParams, name: &str) -> R<Option<Vec<CimName>>> {
        match self.take(ps, name) {
            None | Some(IVal::Null) => Ok(None),
            Some(IVal::Array(items)) => Ok(Some(
                items
                    .into_iter()
                    .flatten()
                    .map(|s| self.name(s.trim()))
                    .collect(),
            )),
            Some(_) => Err(self.ill(name, "a VALUE.ARRAY of property names")),
        }
    }

    fn req<T>(&self, v: Option<T>, name: &str) -> R<T> {
        v.ok_or_else(|| self.structure(format!("missing required IPARAMVALUE {name}")))
    }

    fn pull_opts(&self, ps: &mut IParams) -> R<PullOptions> {
        Ok(PullOptions {
            filter_query_language: self.p_string(ps, "FilterQueryLanguage")?,
            filter_query: self.p_string(ps, "FilterQuery")?,
            operation_timeout: self.p_u32(ps, "OperationTimeout")?,
            continue_on_error: self.p_bool(ps, "ContinueOnError")?,
            max_object_count: self.p_u32(ps, "MaxObjectCount")?,
        })
    }

    fn intrinsic(&mut self, op: &str, ps: &mut IParams) -> R<Intrinsic> {
        use Intrinsic as I;
        let lower = op.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "getinstance" => I::GetInstance {
                instance_name: {
                    let v = self.p_instname(ps, "InstanceName")?;
                    self.req(v, "InstanceName")?
                },
                local_only: self.p_bool(ps, "LocalOnly")?,
                include_qualifiers: self.p_bool(ps, "IncludeQualifiers")?,
                include_class_origin: self.p_bool(ps, "IncludeClassOrigin")?,
                property_list: self.p_proplist(ps, "PropertyList")?,
            },
            "enumerateinstances" => I::EnumerateInstances {
                class_name: {
                    let v = self.p_classname(ps, "ClassName")?;
                    self.req(v, "ClassName")?
                },
                local_only: self.p_bool(ps, "LocalOnly")?,
                deep_inheritance: self.p_bool(ps, "DeepInheritance")?,
                include_qualifiers: self.p_bool(ps, "IncludeQualifiers")?,
                include_class_origin: self.p_bool(ps, "IncludeClassOrigin")?,
                property_list: self.p_proplist(ps, "PropertyList")?,
            },
            "enumerateinstancenames" => I::EnumerateInstanceNames {
                class_name: {
                    let v = self.p_classname(ps, "ClassName")?;
                    self.req(v, "ClassName")?
                },
            },
            "createinstance" => match self.take(ps, "NewInstance") {
                Some(IVal::Instance(i)) => I::CreateInstance { new_instance: i },
                None => return Err(self.req::<()>(None, "NewInstance").unwrap_err_or()),
                Some(_) => return Err(self.ill("NewInstance", "an INSTANCE")),
            },
            "modifyinstance" => {
                let inst = match self.take(ps, "ModifiedInstance") {
                    Some(IVal::NamedInstance(i)) => i,
                    None => return Err(self.req::<()>(None, "ModifiedInstance").unwrap_err_or()),
                    Some(_) => return Err(self.ill("ModifiedInstance", "a VALUE.NAMEDINSTANCE")),
                };
                I::ModifyInstance {
                    modified_instance: inst,
                    include_qualifiers: self.p_bool(ps, "IncludeQualifiers")?,
                    property_list: self.p_proplist(ps, "PropertyList")?,
                }
            }
            "deleteinstance" => I::DeleteInstance {
                instance_name: {
                    let v = self.p_instname(ps, "InstanceName")?;
                    self.req(v, "InstanceName")?
                },
            },
            "associators" => I::Associators {
                object_name: {
                    let v = self.p_objname(ps, "ObjectName")?;
                    self.req(v, "ObjectName")?
                },
                assoc_class: self.p_classname(ps, "AssocClass")?,
                result_class: self.p_classname(ps, "ResultClass")?,
                role: self.p_string(ps, "Role")?,
                result_role: self.p_string(ps, "ResultRole")?,
                include_qualifiers: self.p_bool(ps, "IncludeQualifiers")?,
                include_class_origin: self.p_bool(ps, "IncludeClassOrigin")?,
                property_list: self.p_proplist(ps, "PropertyList")?,
            },
            "associatornames" => I::AssociatorNames {
                object_name: {
                    let v = self.p_objname(ps, "ObjectName")?;
                    self.req(v, "ObjectName")?
                },
                assoc_class: self.p_classname(ps, "AssocClass")?,
                result_class: self.p_classname(ps, "ResultClass")?,
                role: self.p_string(ps, "Role")?,
                result_role: self.p_string(ps, "ResultRole")?,
            },
            "references" => I::References {
                object_name: {
                    let v = self.p_objname(ps, "ObjectName")?;
                    self.req(v, "ObjectName")?
                },
                result_class: self.p_classname(ps, "ResultClass")?,
                role: self.p_string(ps, "Role")?,
                include_qualifiers: self.p_bool(ps, "IncludeQualifiers")?,
                include_class_origin: self.p_bool(ps, "IncludeClassOrigin")?,
                property_list: self.p_proplist(ps, "PropertyList")?,
            },
            "referencenames" => I::ReferenceNames {
                object_name: {
                    let v = self.p_objname(ps, "ObjectName")?;
                    self.req(v, "ObjectName")?
                },
                result_class: self.p_classname(ps, "ResultClass")?,
                role: self.p_string(ps, "Role")?,
            },
            "execquery" => I::ExecQuery {
                query_language: {
                    let v = self.p_string(ps, "QueryLanguage")?;
                    self.req(v, "QueryLanguage")?
                },
                query: {
                    let v = self.p_string(ps, "Query")?;
                    self.req(v, "Query")?
                },
            },
            "getclass" => I::GetClass {
                class_name: {
                    let v = self.p_classname(ps, "ClassName")?;
                    self.req(v, "ClassName")?
                },
                local_only: self.p_bool(ps, "LocalOnly")?,
                include_qualifiers: self.p_bool(ps, "IncludeQualifiers")?,
                include_class_origin: self.p_bool(ps, "IncludeClassOrigin")?,
                property_list: self.p_proplist(ps, "PropertyList")?,
            },
            "enumerateclasses" => I::EnumerateClasses {
                class_name: self.p_classname(ps, "ClassName")?,
                deep_inheritance: self.p_bool(ps, "DeepInheritance")?,
                local_only: self.p_bool(ps, "LocalOnly")?,
                include_qualifiers: self.p_bool(ps, "IncludeQualifiers")?,
                include_class_origin: self.p_bool(ps, "IncludeClassOrigin")?,
            },
            "enumerateclassnames" => I::EnumerateClassNames {
                class_name: self.p_classname(ps, "ClassName")?,
                deep_inheritance: self.p_bool(ps, "DeepInheritance")?,
            },
            "createclass" | "modifyclass" => {
                let pname = if lower == "createclass" {
                    "NewClass"
                } else {
                    "ModifiedClass"
                };
                let c = match self.take(ps, pname) {
                    Some(IVal::Class(c)) => c,
                    None => return Err(self.req::<()>(None, pname).unwrap_err_or()),
                    Some(_) => return Err(self.ill(pname, "a CLASS")),
                };
                if lower == "createclass" {
                    I::CreateClass { new_class: c }
                } else {
                    I::ModifyClass { modified_class: c }
                }
            }
            "deleteclass" => I::DeleteClass {
                class_name: {
                    let v = self.p_classname(ps, "ClassName")?;
                    self.req(v, "ClassName")?
                },
            },
            "getqualifier" | "deletequalifier" => {
                let n = match self.take(ps, "QualifierName") {
                    Some(IVal::Text(t)) => self.name(t.trim()),
                    None => return Err(self.req::<()>(None, "QualifierName").unwrap_err_or()),
                    Some(_) => return Err(self.ill("QualifierName", "a string")),
                };
                if lower == "getqualifier" {
                    I::GetQualifier { qualifier_name: n }
                } else {
                    I::DeleteQualifier { qualifier_name: n }
                }
            }
            "setqualifier" => match self.take(ps, "QualifierDeclaration") {
                Some(IVal::QualDecl(d)) => I::SetQualifier {
                    qualifier_declaration: d,
                },
                None => {
                    return Err(self.req::<()>(None, "QualifierDeclaration").unwrap_err_or());
                }
                Some(_) => return Err(self.ill("QualifierDeclaration", "a QUALIFIER.DECLARATION")),
            },
            "enumeratequalifiers" => I::EnumerateQualifiers,
            "openenumerateinstances" => I::OpenEnumerateInstances {
                class_name: {
                    let v = self.p_classname(ps, "ClassName")?;
                    self.req(v, "ClassName")?
                },
                deep_inheritance: self.p_bool(ps, "DeepInheritance")?,
                include_class_origin: self.p_bool(ps, "IncludeClassOrigin")?,
                property_list: self.p_proplist(ps, "PropertyList")?,
                pull: self.pull_opts(ps)?,
            },
            "openenumerateinstancepaths" => I::OpenEnumerateInstancePaths {
                class_name: {
                    let v = self.p_classname(ps, "ClassName")?;
                    self.req(v, "ClassName")?
                },
                pull: self.pull_opts(ps)?,
            },
            "openassociatorinstances" => I::OpenAssociatorInstances {
                instance_name: {
                    let v = self.p_instname(ps, "InstanceName")?;
                    self.req(v, "InstanceName")?
                },
                assoc_class: self.p_classname(ps, "AssocClass")?,
                result_class: self.p_classname(ps, "ResultClass")?,
                role: self.p_string(ps, "Role")?,
                result_role: self.p_string(ps, "ResultRole")?,
                include_class_origin: self.p_bool(ps, "IncludeClassOrigin")?,
                property_list: self.p_proplist(ps, "PropertyList")?,
                pull: self.pull_opts(ps)?,
            },
            "openassociatorinstancepaths" => I::OpenAssociatorInstancePaths {
                instance_name: {
                    let v = self.p_instname(ps, "InstanceName")?;
                    self.req(v, "InstanceName")?
                },
                assoc_class: self.p_classname(ps, "AssocClass")?,
                result_class: self.p_classname(ps, "ResultClass")?,
                role: self.p_string(ps, "Role")?,
                result_role: self.p_string(ps, "ResultRole")?,
                pull: self.pull_opts(ps)?,
            },
            "openreferenceinstances" => I::OpenReferenceInstances {
                instance_name: {
                    let v = self.p_instname(ps, "InstanceName")?;
                    self.req(v, "InstanceName")?
                },
                result_class: self.p_classname(ps, "ResultClass")?,
                role: self.p_string(ps, "Role")?,
                include_class_origin: self.p_bool(ps, "IncludeClassOrigin")?,
                property_list: self.p_proplist(ps, "PropertyList")?,
                pull: self.pull_opts(ps)?,
            },
            "openreferenceinstancepaths" => I::OpenReferenceInstancePaths {
                instance_name: {
                    let v = self.p_instname(ps, "InstanceName")?;
                    self.req(v, "InstanceName")?
                },
                result_class: self.p_classname(ps, "ResultClass")?,
                role: self.p_string(ps, "Role")?,
                pull: self.pull_opts(ps)?,
            },
            "openqueryinstances" => I::OpenQueryInstances {
                filter_query: {
                    let v = self.p_string(ps, "FilterQuery")?;
                    self.req(v, "FilterQuery")?
                },
                filter_query_language: {
                    let v = self.p_string(ps, "FilterQueryLanguage")?;
                    self.req(v, "FilterQueryLanguage")?
                },
                return_query_result_class: self.p_bool(ps, "ReturnQueryResultClass")?,
                operation_timeout: self.p_u32(ps, "OperationTimeout")?,
                continue_on_error: self.p_bool(ps, "ContinueOnError")?,
                max_object_count: self.p_u32(ps, "MaxObjectCount")?,
            },
            "pullinstanceswithpath" | "pullinstancepaths" | "pullinstances" => {
                let enumeration_context = {
                    let v = self.p_string(ps, "EnumerationContext")?;
                    self.req(v, "EnumerationContext")?
                };
                let max_object_count = {
                    let v = self.p_u32(ps, "MaxObjectCount")?;
                    self.req(v, "MaxObjectCount")?
                };
                match lower.as_str() {
                    "pullinstanceswithpath" => I::PullInstancesWithPath {
                        enumeration_context,
                        max_object_count,
                    },
                    "pullinstancepaths" => I::PullInstancePaths {
                        enumeration_context,
                        max_object_count,
                    },
                    _ => I::PullInstances {
                        enumeration_context,
                        max_object_count,
                    },
                }
            }
            "closeenumeration" => I::CloseEnumeration {
                enumeration_context: {
                    let v = self.p_string(ps, "EnumerationContext")?;
                    self.req(v, "EnumerationContext")?
                },
            },
            _ => return Err(self.structure(format!("unknown intrinsic operation '{op}'"))),
        })
    }
}

fn empty_pull<T>() -> PullResult<T> {
    PullResult {
        items: Vec::new(),
        end_of_sequence: false,
        enumeration_context: None,
    }
}

/// Turns the `Err` of a `req(None, ..)` into the error without unwrapping.
trait ErrOr {
    fn unwrap_err_or(self) -> E;
}
impl ErrOr for R<()> {
    fn unwrap_err_or(self) -> E {
        match self {
            Err(e) => e,
            Ok(()) => Box::new(crate::xml::DecodeError {
                kind: DecodeErrorKind::Structure,
                message: "missing required IPARAMVALUE".into(),
                line: 0,
                column: 0,
                path: String::new(),
            }),
        }
    }
}
