//! Messages: the CIM/MESSAGE envelope and the responses (IMETHODRESPONSE, METHODRESPONSE,
//! EXPMETHODRESPONSE); the client side. Requests are in the sibling `requests` module.

use quick_xml::events::BytesStart;

use super::core::{Parser, R};
use crate::cim::{
    CimClass, CimName, CimType, CimValue, EmbeddedKind, Instance, ObjectPath, QualifierDecl,
};
use crate::message::{
    CimObject, ErrorBody, IReturn, MethodReturn, ParamValue, PullResult, Response, ResponseMessage,
    ReturnKind,
};
use crate::xml::DecodeErrorKind;

impl<'a> Parser<'a> {
    /// CIM and MESSAGE (with version checks); returns the MESSAGE ID. MESSAGE is pushed.
    pub(super) fn envelope(&mut self) -> R<String> {
        let root = self.root()?;
        if root.name().as_ref() != b"CIM" {
            return Err(self.structure(format!(
                "root element must be CIM, not {}",
                String::from_utf8_lossy(root.name().as_ref())
            )));
        }
        let (cimv, dtdv) = self.two_attrs(&root, "CIM", "CIMVERSION", "DTDVERSION")?;
        self.version("CIMVERSION", &cimv, "2.")?;
        self.version("DTDVERSION", &dtdv, "2.")?;
        let msg = match self.child()? {
            Some(m) if m.name().as_ref() == b"MESSAGE" => m,
            Some(m) => return Err(self.unexpected(&m)),
            None => return Err(self.structure("CIM without MESSAGE")),
        };
        let (id, pv) = self.two_attrs(&msg, "MESSAGE", "ID", "PROTOCOLVERSION")?;
        self.version("PROTOCOLVERSION", &pv, "1.")?;
        Ok(id)
    }

    /// The two required attributes `a` and `b` of element `elem`.
    fn two_attrs(
        &mut self,
        e: &BytesStart<'_>,
        elem: &str,
        a: &str,
        b: &str,
    ) -> R<(String, String)> {
        let (mut va, mut vb) = (None, None);
        self.attrs(e, |k, v| {
            if k == a.as_bytes() {
                va = Some(v.into_owned());
            } else if k == b.as_bytes() {
                vb = Some(v.into_owned());
            }
            Ok(())
        })?;
        let va = va.ok_or_else(|| self.missing(a, elem))?;
        let vb = vb.ok_or_else(|| self.missing(b, elem))?;
        Ok((va, vb))
    }

    /// Refuses a CIMVERSION/DTDVERSION/PROTOCOLVERSION whose major version is not `major`
    /// (DSP0201 §5.2: 2.x for the CIM element, DSP0200 §5.2: 1.x for MESSAGE).
    fn version(&self, attr: &str, value: &str, major: &str) -> R<()> {
        if value.trim().starts_with(major) {
            return Ok(());
        }
        Err(self.err(
            DecodeErrorKind::Version,
            format!("unsupported {attr} '{value}' ({major}x expected)"),
        ))
    }

    /// Closes MESSAGE and CIM after the body.
    pub(super) fn close_envelope(&mut self) -> R<()> {
        self.end()?; // MESSAGE
        self.end() // CIM
    }

    pub(super) fn name_attr(&self, e: &BytesStart<'a>, elem: &str) -> R<String> {
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
}

fn empty_pull<T>() -> PullResult<T> {
    PullResult {
        items: Vec::new(),
        end_of_sequence: false,
        enumeration_context: None,
    }
}
