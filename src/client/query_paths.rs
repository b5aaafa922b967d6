//! Paths for the instances of an ExecQuery result.
//!
//! DSP0200 §5.3.2.1 (ExecQuery) answers with `VALUE.OBJECT` elements: instances without a
//! path, since a query's result may be a projection that no longer identifies an instance.
//! Like pywbem (`WBEMConnection.ExecQuery`), each such instance gets a path with its class
//! name and the query's namespace and no keys, so that the caller still knows where it
//! came from.

use crate::cim::{ObjectPath, PathKind};
use crate::message::CimObject;

/// Gives every instance in `objects` that has no path the keyless path `ns:ClassName`.
pub(crate) fn give_paths(objects: &mut [CimObject], ns: &str) {
    for o in objects {
        if let CimObject::Instance(i) = o {
            if i.path.is_none() {
                let mut p = ObjectPath::new(ns, i.class_name.clone());
                p.kind = PathKind::Instance;
                i.path = Some(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cim::Instance;

    #[test]
    fn pathless_instances_get_class_and_namespace() {
        let mut with = Instance::new("CIM_A");
        let kept = ObjectPath::new("other", "CIM_A").with_key("K", "v");
        with.path = Some(kept.clone());
        let mut objs = vec![
            CimObject::Instance(Instance::new("CIM_B")),
            CimObject::Instance(with),
        ];
        give_paths(&mut objs, "root/cimv2");
        let CimObject::Instance(b) = &objs[0] else {
            unreachable!()
        };
        let p = b.path.as_ref().unwrap();
        assert_eq!(p.namespace.as_deref(), Some("root/cimv2"));
        assert_eq!(p.class_name, "CIM_B");
        assert!(p.keys.is_empty() && !p.is_class());
        let CimObject::Instance(a) = &objs[1] else {
            unreachable!()
        };
        assert_eq!(a.path.as_ref(), Some(&kept));
    }
}
