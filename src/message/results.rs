//! [`FromIReturn`]: the one place per result type that checks the shape of an
//! `IRETURNVALUE` (DSP0200 §5.3.2) and completes the paths of what came back. An absent
//! `IRETURNVALUE` ([`IReturn::Nothing`]) is the empty result of a list-shaped operation.
//!
//! One rule for paths, the same for every operation: a path the server sent without a
//! namespace is in the namespace the operation ran in; a class from GetClass or
//! EnumerateClasses (a bare `CLASS`) gets a class path with the server's host and that
//! namespace, as the reference client (pywbem) sets it.

use super::{CimObject, FromIReturn, IReturn, PullResult};
use crate::cim::{CimClass, CimName, Instance, ObjectPath, QualifierDecl};

/// Where an operation ran: what returned paths are completed with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReturnContext {
    /// The namespace the operation ran in.
    pub namespace: String,
    /// The server's host (`host[:port]`), for the paths of returned classes.
    pub host: Option<String>,
}

impl ReturnContext {
    /// A context for `namespace` on `host`.
    pub fn new(namespace: impl Into<String>, host: Option<String>) -> Self {
        ReturnContext {
            namespace: namespace.into(),
            host,
        }
    }

    /// `p` with the namespace filled in when it has none.
    pub fn path(&self, mut p: ObjectPath) -> ObjectPath {
        if p.namespace.is_none() {
            p.namespace = Some(self.namespace.clone());
        }
        p
    }

    /// `i` with the namespace of its path (if it has one) filled in.
    pub fn instance(&self, mut i: Instance) -> Instance {
        i.path = i.path.map(|p| self.path(p));
        i
    }

    /// `c` with a class path on this host and namespace when it has none.
    pub fn class(&self, mut c: CimClass) -> CimClass {
        if c.path.is_none() {
            let mut p = ObjectPath::class(Some(&self.namespace), c.name.clone());
            p.host = self.host.clone();
            c.path = Some(p);
        }
        c
    }

    /// An association/query result object with its instance path completed (classes are
    /// kept as sent: they carry the path of `VALUE.OBJECTWITHPATH`).
    pub fn object(&self, o: CimObject) -> CimObject {
        match o {
            CimObject::Instance(i) => CimObject::Instance(self.instance(i)),
            c => c,
        }
    }
}

impl FromIReturn for () {
    fn from_ireturn(_: IReturn, _: &ReturnContext) -> Result<Self, Box<IReturn>> {
        Ok(())
    }
}

/// One object, or a list of objects (empty when nothing came back), of the listed `IReturn`
/// variants, each completed by the named [`ReturnContext`] method (`keep`: as sent).
macro_rules! from_ireturn {
    (@fix keep $c:ident $v:expr) => {{
        let _ = $c;
        $v
    }};
    (@fix $f:ident $c:ident $v:expr) => { $c.$f($v) };
    ($t:ty, $fix:ident: $($pat:ident),+) => {
        impl FromIReturn for $t {
            fn from_ireturn(r: IReturn, c: &ReturnContext) -> Result<Self, Box<IReturn>> {
                match r {
                    $(IReturn::$pat(v))|+ => Ok(from_ireturn!(@fix $fix c v)),
                    other => Err(Box::new(other)),
                }
            }
        }
    };
    (list $t:ty, $fix:ident: $($pat:ident),+) => {
        impl FromIReturn for Vec<$t> {
            fn from_ireturn(r: IReturn, c: &ReturnContext) -> Result<Self, Box<IReturn>> {
                match r {
                    $(IReturn::$pat(v))|+ => {
                        Ok(v.into_iter().map(|x| from_ireturn!(@fix $fix c x)).collect())
                    }
                    IReturn::Nothing => Ok(Vec::new()),
                    other => Err(Box::new(other)),
                }
            }
        }
    };
    (pull $t:ty, $fix:ident: $pat:ident) => {
        impl FromIReturn for PullResult<$t> {
            fn from_ireturn(r: IReturn, c: &ReturnContext) -> Result<Self, Box<IReturn>> {
                match r {
                    IReturn::$pat(mut p) => {
                        p.items = p.items.into_iter().map(|x| c.$fix(x)).collect();
                        Ok(p)
                    }
                    other => Err(Box::new(other)),
                }
            }
        }
    };
}

from_ireturn!(Instance, instance: Instance);
from_ireturn!(ObjectPath, path: InstanceName);
from_ireturn!(CimClass, class: Class);
from_ireturn!(QualifierDecl, keep: QualifierDecl);
from_ireturn!(pull Instance, instance: PullInstances);
from_ireturn!(pull ObjectPath, path: PullPaths);
from_ireturn!(list Instance, instance: Instances);
from_ireturn!(list ObjectPath, path: InstanceNames, ObjectPaths);
from_ireturn!(list CimClass, class: Classes);
from_ireturn!(list CimName, keep: ClassNames);
from_ireturn!(list QualifierDecl, keep: QualifierDecls);

impl FromIReturn for Vec<CimObject> {
    fn from_ireturn(r: IReturn, c: &ReturnContext) -> Result<Self, Box<IReturn>> {
        match r {
            IReturn::Objects(v) => Ok(v.into_iter().map(|o| c.object(o)).collect()),
            IReturn::Instances(v) => Ok(v
                .into_iter()
                .map(|i| CimObject::Instance(c.instance(i)))
                .collect()),
            IReturn::Nothing => Ok(Vec::new()),
            other => Err(Box::new(other)),
        }
    }
}
