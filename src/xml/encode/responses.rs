//! Responses (the simulated provider): IMETHODRESPONSE with its IRETURNVALUE by shape,
//! METHODRESPONSE, EXPMETHODRESPONSE and ERROR.

use super::core::{R, Writer};
use crate::cim::{CimType, ObjectPath, PathKind};
use crate::message::{CimObject, ErrorBody, IReturn, MethodReturn, PullResult};

impl Writer {
    // ---------------------------------------------------------------- responses

    pub(super) fn error_body(&mut self, e: &ErrorBody) -> R {
        self.push("ERROR");
        self.raw("<ERROR");
        self.attr("CODE", &e.code.to_string())?;
        if let Some(d) = &e.description {
            self.attr("DESCRIPTION", d)?;
        }
        if e.instances.is_empty() {
            self.raw("/>");
        } else {
            self.raw(">");
            for i in &e.instances {
                self.instance(i)?;
            }
            self.raw("</ERROR>");
        }
        self.pop();
        Ok(())
    }

    pub(super) fn method_return(&mut self, r: &MethodReturn) -> R {
        if let Some(v) = &r.return_value {
            self.push("RETURNVALUE");
            if v.is_array() {
                return Err(self.err("a method cannot return an array in CIM-XML"));
            }
            let (ty, emb) = self.param_types(Some(v), None, None)?;
            self.raw("<RETURNVALUE");
            self.paramtype_attrs(ty, emb)?;
            self.raw(">");
            self.value(v)?;
            self.raw("</RETURNVALUE>");
            self.pop();
        }
        for p in &r.out_params {
            self.param_value(p)?;
        }
        Ok(())
    }

    pub(super) fn pull_tail<T>(&mut self, r: &PullResult<T>) -> R {
        self.paramvalue_simple("EndOfSequence", CimType::Boolean, |w| {
            w.raw(if r.end_of_sequence { "TRUE" } else { "FALSE" });
            Ok(())
        })?;
        if let Some(c) = &r.enumeration_context {
            self.paramvalue_simple("EnumerationContext", CimType::String, |w| w.text(c))?;
        }
        Ok(())
    }

    pub(super) fn paramvalue_simple(
        &mut self,
        name: &str,
        ty: CimType,
        body: impl FnOnce(&mut Self) -> R,
    ) -> R {
        self.raw("<PARAMVALUE");
        self.attr("NAME", name)?;
        self.paramtype_attrs(Some(ty), None)?;
        self.raw("><VALUE>");
        body(self)?;
        self.raw("</VALUE></PARAMVALUE>");
        Ok(())
    }

    pub(super) fn ireturn(&mut self, r: &IReturn) -> R {
        if matches!(r, IReturn::Nothing) {
            return Ok(());
        }
        self.push("IRETURNVALUE");
        self.raw("<IRETURNVALUE>");
        match r {
            IReturn::Nothing => {}
            IReturn::Instance(i) => self.instance(i)?,
            IReturn::Instances(list) => {
                for i in list {
                    self.named_instance(i)?;
                }
            }
            IReturn::InstanceNames(list) => {
                for p in list {
                    self.instance_name(p)?;
                }
            }
            IReturn::InstanceName(p) => self.instance_name(p)?,
            IReturn::Objects(list) => {
                let with_path = list.iter().filter(|o| object_path(o).is_some()).count();
                if with_path != 0 && with_path != list.len() {
                    return Err(self.err("objects with and without paths cannot be mixed"));
                }
                for o in list {
                    match (o, object_path(o)) {
                        (CimObject::Instance(i), Some(p)) => {
                            self.raw("<VALUE.OBJECTWITHPATH>");
                            self.instance_path(p)?;
                            self.instance(i)?;
                            self.raw("</VALUE.OBJECTWITHPATH>");
                        }
                        (CimObject::Class(c), Some(p)) => {
                            self.raw("<VALUE.OBJECTWITHPATH>");
                            let mut cp = p.clone();
                            cp.kind = PathKind::Class;
                            cp.keys.clear();
                            self.class_path(&cp)?;
                            self.class(c)?;
                            self.raw("</VALUE.OBJECTWITHPATH>");
                        }
                        (CimObject::Instance(i), None) => {
                            self.raw("<VALUE.OBJECT>");
                            self.instance(i)?;
                            self.raw("</VALUE.OBJECT>");
                        }
                        (CimObject::Class(c), None) => {
                            self.raw("<VALUE.OBJECT>");
                            self.class(c)?;
                            self.raw("</VALUE.OBJECT>");
                        }
                    }
                }
            }
            IReturn::ObjectPaths(list) => {
                for p in list {
                    self.raw("<OBJECTPATH>");
                    match p.kind {
                        PathKind::Instance => self.instance_path(p)?,
                        PathKind::Class => self.class_path(p)?,
                    }
                    self.raw("</OBJECTPATH>");
                }
            }
            IReturn::Class(c) => self.class(c)?,
            IReturn::Classes(list) => {
                for c in list {
                    self.class(c)?;
                }
            }
            IReturn::ClassNames(list) => {
                for n in list {
                    self.class_name_elem(n.as_str())?;
                }
            }
            IReturn::QualifierDecl(d) => self.qualifier_decl(d)?,
            IReturn::QualifierDecls(list) => {
                for d in list {
                    self.qualifier_decl(d)?;
                }
            }
            IReturn::PullInstances(pr) => {
                let all_paths = pr.items.iter().all(|i| i.path.is_some());
                let none = pr.items.iter().all(|i| i.path.is_none());
                if !all_paths && !none {
                    return Err(self.err("instances with and without paths cannot be mixed"));
                }
                for i in &pr.items {
                    if i.path.is_some() {
                        self.instance_with_path(i)?;
                    } else {
                        self.instance(i)?;
                    }
                }
            }
            IReturn::PullPaths(pr) => {
                for p in &pr.items {
                    self.instance_path(p)?;
                }
            }
        }
        self.raw("</IRETURNVALUE>");
        self.pop();
        match r {
            IReturn::PullInstances(pr) => self.pull_tail(pr)?,
            IReturn::PullPaths(pr) => self.pull_tail(pr)?,
            _ => {}
        }
        Ok(())
    }
}

pub(super) fn object_path(o: &CimObject) -> Option<&ObjectPath> {
    match o {
        CimObject::Instance(i) => i.path.as_ref(),
        CimObject::Class(c) => c.path.as_ref(),
    }
}
