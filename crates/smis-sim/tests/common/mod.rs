//! The message-level harness shared by the simulator's tests: a [`Provider`] on a
//! [`ManualClock`] and typed helpers for intrinsic operations and method calls.
#![allow(dead_code)] // each test crate uses a different subset

use std::sync::Arc;
use std::time::Duration;

use smis::cim::{CimName, CimValue, Instance, ObjectPath};
use smis::message::{
    ErrorBody, IReturn, Intrinsic, IntrinsicRequest, MethodCall, MethodReturn, ParamValue, Request,
    RequestMessage, Response,
};
use smis_sim::scenario::Scenario;
use smis_sim::{ManualClock, Outcome, Provider};

pub const NS: &str = "root/smis-sim";
pub const GIB: u64 = 1 << 30;

pub struct Sim {
    pub p: Provider,
    pub clock: Arc<ManualClock>,
}

pub fn sim_with(s: Scenario) -> Sim {
    let clock = Arc::new(ManualClock::new());
    let p = Provider::with_clock(s, clock.clone());
    Sim { p, clock }
}

pub fn sim(name: &str) -> Sim {
    sim_with(Scenario::builtin(name).unwrap())
}

pub fn default_with(f: impl FnOnce(&mut Scenario)) -> Sim {
    let mut s = Scenario::builtin("default").unwrap();
    f(&mut s);
    sim_with(s)
}

impl Sim {
    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }

    pub fn raw(&self, req: Request) -> Outcome {
        self.p.handle(
            &RequestMessage {
                id: "1001".into(),
                request: req,
            },
            Some("tester"),
        )
    }

    pub fn op_in(&self, ns: &str, op: Intrinsic) -> Result<IReturn, ErrorBody> {
        let out = self.raw(Request::Intrinsic(IntrinsicRequest {
            namespace: ns.into(),
            op,
        }));
        assert_eq!(out.response.id, "1001");
        match out.response.response {
            Response::Intrinsic { result, .. } => result,
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn op(&self, op: Intrinsic) -> Result<IReturn, ErrorBody> {
        self.op_in(NS, op)
    }

    pub fn call(
        &self,
        target: &ObjectPath,
        method: &str,
        params: Vec<ParamValue>,
    ) -> Result<MethodReturn, ErrorBody> {
        let out = self.raw(Request::Method(MethodCall {
            target: target.clone(),
            method: CimName::new(method),
            params,
        }));
        match out.response.response {
            Response::Method { result, .. } => result,
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn enum_in(&self, ns: &str, class: &str) -> Vec<Instance> {
        match self
            .op_in(
                ns,
                Intrinsic::EnumerateInstances {
                    class_name: class.into(),
                    local_only: None,
                    deep_inheritance: None,
                    include_qualifiers: None,
                    include_class_origin: None,
                    property_list: None,
                },
            )
            .unwrap()
        {
            IReturn::Instances(v) => v,
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn enumerate(&self, class: &str) -> Vec<Instance> {
        self.enum_in(NS, class)
    }

    pub fn names(&self, class: &str) -> Vec<ObjectPath> {
        match self
            .op(Intrinsic::EnumerateInstanceNames {
                class_name: class.into(),
            })
            .unwrap()
        {
            IReturn::InstanceNames(v) => v,
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn first(&self, class: &str) -> ObjectPath {
        self.names(class).into_iter().next().expect("an instance")
    }

    pub fn get(&self, path: &ObjectPath) -> Result<Instance, ErrorBody> {
        self.op(Intrinsic::GetInstance {
            instance_name: path.clone(),
            local_only: None,
            include_qualifiers: None,
            include_class_origin: None,
            property_list: None,
        })
        .map(|r| match r {
            IReturn::Instance(i) => i,
            other => panic!("unexpected {other:?}"),
        })
    }

    pub fn volume(&self, id: &str) -> ObjectPath {
        self.names("CIM_StorageVolume")
            .into_iter()
            .find(|p| p.key("DeviceID").and_then(|v| v.as_str()) == Some(id))
            .expect("volume")
    }

    pub fn pool(&self, id: &str) -> ObjectPath {
        self.enumerate("CIM_StoragePool")
            .into_iter()
            .find(|i| i.get::<String>("PoolID").unwrap() == id)
            .and_then(|i| i.path)
            .expect("pool")
    }

    pub fn remaining(&self, id: &str) -> u64 {
        let path = self.pool(id);
        self.get(&path)
            .unwrap()
            .get::<u64>("RemainingManagedSpace")
            .unwrap()
    }

    pub fn assoc_names(
        &self,
        obj: &ObjectPath,
        assoc: &str,
        result: Option<&str>,
    ) -> Vec<ObjectPath> {
        match self
            .op(Intrinsic::AssociatorNames {
                object_name: obj.clone(),
                assoc_class: Some(assoc.into()),
                result_class: result.map(CimName::new),
                role: None,
                result_role: None,
            })
            .unwrap()
        {
            IReturn::ObjectPaths(v) => v,
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn refs(&self, obj: &ObjectPath, result: &str) -> Vec<Instance> {
        match self
            .op(Intrinsic::References {
                object_name: obj.clone(),
                result_class: Some(result.into()),
                role: None,
                include_qualifiers: None,
                include_class_origin: None,
                property_list: None,
            })
            .unwrap()
        {
            IReturn::Objects(v) => v
                .into_iter()
                .map(|o| match o {
                    smis::message::CimObject::Instance(i) => i,
                    other => panic!("unexpected {other:?}"),
                })
                .collect(),
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// The uint32 return value of a method.
pub fn rv(r: &MethodReturn) -> u32 {
    match r.return_value {
        Some(CimValue::Uint32(v)) => v,
        ref other => panic!("return value {other:?}"),
    }
}

/// The out parameter `name`, a reference.
pub fn out_ref(r: &MethodReturn, name: &str) -> ObjectPath {
    r.out_param(name)
        .and_then(|p| p.value.as_ref())
        .and_then(|v| v.as_reference())
        .unwrap_or_else(|| panic!("no out param {name} in {r:?}"))
        .clone()
}

/// An in parameter.
pub fn pv(name: &str, v: impl Into<CimValue>) -> ParamValue {
    ParamValue::new(name, v)
}
