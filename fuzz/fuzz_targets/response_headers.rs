//! The client's reading of a whole HTTP response: status, `CIMError` and `PGErrorDetail`
//! headers (DSP0200 §7.3, OpenPegasus), `Content-Type`, `CIMStatusCode` /
//! `CIMStatusCodeDescription` trailers, then the body, through the typed operation that
//! the response answers. The input is a raw HTTP/1.1 response (captures of real servers
//! are seeds); every outcome must be a value or a typed error whose `Display` and `Debug`
//! do not panic.
#![no_main]

use futures::executor::block_on;
use libfuzzer_sys::fuzz_target;
use smis::cim::{CimName, ObjectPath};
use smis::client::EnumerationContext;
use smis::message::ParamValue;
use smis_fuzz::{canned_client, parse_http_response, response_name, touch_error};

fuzz_target!(|data: &[u8]| {
    let response = parse_http_response(data);
    let name = response_name(&response.body);
    let client = canned_client(response);
    let path = ObjectPath::new("root/cimv2", "CIM_Fuzz").with_key("Name", "x");
    block_on(async {
        let err = match name.as_ref().map(|(k, n)| (*k, n.as_str())) {
            Some(("intrinsic", "GetInstance")) => {
                client.get_instance(&path, &Default::default()).await.err()
            }
            Some(("intrinsic", "EnumerateInstances")) => client
                .enumerate_instances("CIM_Fuzz", &Default::default())
                .await
                .err(),
            Some(("intrinsic", "EnumerateInstanceNames")) => client
                .enumerate_instance_names("CIM_Fuzz", None)
                .await
                .err(),
            Some(("intrinsic", "Associators")) => {
                client.associators(&path, &Default::default()).await.err()
            }
            Some(("intrinsic", "AssociatorNames")) => client
                .associator_names(&path, &Default::default())
                .await
                .err(),
            Some(("intrinsic", "References")) => {
                client.references(&path, &Default::default()).await.err()
            }
            Some(("intrinsic", "ReferenceNames")) => client
                .reference_names(&path, &Default::default())
                .await
                .err(),
            Some(("intrinsic", "ExecQuery")) => client
                .exec_query(None, "DMTF:CQL", "SELECT * FROM CIM_Fuzz")
                .await
                .err(),
            Some(("intrinsic", "GetClass")) => client
                .get_class("CIM_Fuzz", &Default::default())
                .await
                .err(),
            Some(("intrinsic", "EnumerateClasses")) => {
                client.enumerate_classes(&Default::default()).await.err()
            }
            Some(("intrinsic", "EnumerateClassNames")) => client
                .enumerate_class_names(&Default::default())
                .await
                .err(),
            Some(("intrinsic", "EnumerateQualifiers")) => {
                client.enumerate_qualifiers(None).await.err()
            }
            Some(("intrinsic", "OpenEnumerateInstances")) => client
                .open_enumerate_instances("CIM_Fuzz", &Default::default(), &Default::default())
                .await
                .err(),
            Some(("intrinsic", "OpenEnumerateInstancePaths")) => client
                .open_enumerate_instance_paths("CIM_Fuzz", None, &Default::default())
                .await
                .err(),
            Some(("intrinsic", "PullInstancesWithPath")) => {
                let ctx = EnumerationContext {
                    context: "ctx".into(),
                    namespace: "root/cimv2".into(),
                };
                client.pull_instances_with_path(&ctx, 100).await.err()
            }
            Some(("intrinsic", "PullInstancePaths")) => {
                let ctx = EnumerationContext {
                    context: "ctx".into(),
                    namespace: "root/cimv2".into(),
                };
                client.pull_instance_paths(&ctx, 100).await.err()
            }
            Some(("intrinsic", "DeleteInstance")) => client.delete_instance(&path).await.err(),
            Some(("method", method)) if CimName::is_valid(method) => {
                match client
                    .invoke_method(&path, method, vec![ParamValue::new("In", 1u32)])
                    .await
                {
                    Ok(r) => {
                        let _ = format!("{r:?}");
                        None
                    }
                    Err(e) => Some(e),
                }
            }
            Some(("export", _)) => {
                let indication = smis::cim::Instance::new("CIM_AlertIndication");
                client.export_indication(indication).await.err()
            }
            _ => client.get_instance(&path, &Default::default()).await.err(),
        };
        if let Some(e) = err {
            touch_error(&e);
        }
    });
});
