//! How the client interprets HTTP-level answers (DSP0200 §7), with a scripted transport.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::future::BoxFuture;
use http::{HeaderMap, HeaderValue, StatusCode};
use smis::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use smis::{CimStatus, Client, Credentials, Error};

struct Scripted {
    answer: Mutex<Option<HttpResponse>>,
    seen: Mutex<Vec<HttpRequest>>,
}

impl Transport for Scripted {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.seen.lock().unwrap().push(request);
        let a = self.answer.lock().unwrap().take();
        Box::pin(async move { a.ok_or_else(|| TransportError::Other("no answer scripted".into())) })
    }
    fn endpoint(&self) -> String {
        "https://scripted:5989".into()
    }
}

fn client(
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
    trailers: Option<&[(&str, &str)]>,
) -> (Client, Arc<Scripted>) {
    let mut h = HeaderMap::new();
    for (k, v) in headers {
        h.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    let trailers = trailers.map(|t| {
        let mut m = HeaderMap::new();
        for (k, v) in t {
            m.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        m
    });
    let s = Arc::new(Scripted {
        answer: Mutex::new(Some(HttpResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: h,
            trailers,
            body: Bytes::from(body.to_string()),
        })),
        seen: Mutex::new(Vec::new()),
    });
    (
        Client::from_transport(
            s.clone(),
            "root/cimv2",
            Some(Credentials::new("admin", "pw-123456".to_string())),
        ),
        s,
    )
}

const EMPTY_ENUM: &str = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="EnumerateInstanceNames"><IRETURNVALUE></IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#;

#[tokio::test]
async fn request_headers_follow_dsp0200() {
    let (c, s) = client(
        200,
        &[("content-type", "application/xml; charset=utf-8")],
        EMPTY_ENUM,
        None,
    );
    let v = c
        .enumerate_instance_names("CIM_Foo", Some("root/my ns"))
        .await
        .unwrap();
    assert!(v.is_empty());
    let req = s.seen.lock().unwrap().pop().unwrap();
    let h = |n: &str| req.headers.get(n).unwrap().to_str().unwrap().to_string();
    assert_eq!(req.path, "/cimom");
    assert_eq!(h("cimoperation"), "MethodCall");
    assert_eq!(h("cimmethod"), "EnumerateInstanceNames");
    assert_eq!(h("cimobject"), "root/my%20ns");
    assert_eq!(h("content-type"), "application/xml; charset=\"utf-8\"");
    assert_eq!(h("te"), "trailers");
    assert!(req.headers.get("authorization").unwrap().is_sensitive());
    assert!(!format!("{req:?}").contains("Basic"));
}

#[tokio::test]
async fn status_401_names_the_offered_schemes() {
    let (c, _) = client(401, &[("www-authenticate", "Digest realm=\"x\"")], "", None);
    let e = c
        .enumerate_instance_names("CIM_Foo", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Authentication { offered, .. } if offered[0].starts_with("Digest")),
        "{e}"
    );
    assert!(e.to_string().contains("Digest"), "{e}");
    assert_eq!(e.storage_service_code().code(), 51005);
}

#[tokio::test]
async fn status_403_is_access_denied() {
    let (c, _) = client(
        403,
        &[("pgerrordetail", "user%20not%20authorized")],
        "",
        None,
    );
    let e = c
        .enumerate_instance_names("CIM_Foo", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::AccessDenied { detail: Some(d) } if d == "user not authorized"),
        "{e}"
    );
    assert_eq!(e.storage_service_code().code(), 40001);
}

#[tokio::test]
async fn status_400_and_501_carry_cimerror_and_detail() {
    for status in [400u16, 500, 501] {
        let (c, _) = client(
            status,
            &[
                ("cimerror", "header-mismatch"),
                ("pgerrordetail", "CIMMethod%20mismatch"),
            ],
            "",
            None,
        );
        let e = c
            .enumerate_instance_names("CIM_Foo", None)
            .await
            .unwrap_err();
        match &e {
            Error::Http {
                status: s,
                cim_error,
                detail,
            } => {
                assert_eq!(*s, status);
                assert_eq!(cim_error.as_deref(), Some("header-mismatch"));
                assert_eq!(detail.as_deref(), Some("CIMMethod mismatch"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.storage_service_code().code(), 51000);
    }
}

#[tokio::test]
async fn content_type_must_be_xml() {
    let (c, _) = client(200, &[("content-type", "text/html")], EMPTY_ENUM, None);
    let e = c
        .enumerate_instance_names("CIM_Foo", None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Header(_)), "{e}");
    let (c, _) = client(
        200,
        &[("content-type", "text/xml; charset=ISO-8859-1")],
        EMPTY_ENUM,
        None,
    );
    assert!(c.enumerate_instance_names("CIM_Foo", None).await.is_ok());
}

#[tokio::test]
async fn error_only_in_trailers_is_a_cim_error() {
    // OpenPegasus with TE: trailers: an empty IMETHODRESPONSE, the status only in trailers.
    let body = r#"<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1001" PROTOCOLVERSION="1.0"><SIMPLERSP><IMETHODRESPONSE NAME="EnumerateInstanceNames"></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>"#;
    let (c, _) = client(
        200,
        &[],
        body,
        Some(&[
            ("cimstatuscode", "3"),
            (
                "cimstatuscodedescription",
                "CIM_ERR_INVALID_NAMESPACE%3A%20root%2Fnope",
            ),
        ]),
    );
    let e = c
        .enumerate_instance_names("CIM_Foo", Some("root/nope"))
        .await
        .unwrap_err();
    assert_eq!(e.cim_status(), Some(CimStatus::InvalidNamespace));
    assert!(e.to_string().contains("root/nope"), "{e}");
    assert_eq!(e.storage_service_code().code(), 43003);
}

#[tokio::test]
async fn a_response_to_another_operation_is_refused() {
    let (c, _) = client(
        200,
        &[],
        &EMPTY_ENUM.replace("EnumerateInstanceNames", "EnumerateClassNames"),
        None,
    );
    let e = c
        .enumerate_instance_names("CIM_Foo", None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::UnexpectedResponse(_)), "{e}");
}

#[tokio::test]
async fn invalid_arguments_are_refused_before_sending() {
    let (c, s) = client(200, &[], EMPTY_ENUM, None);
    let e = c
        .invoke_method(
            &smis::cim::ObjectPath::class(None, "CIM_X"),
            "bad name",
            vec![],
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = c
        .get_instance(
            &smis::cim::ObjectPath::class(None, "CIM_X"),
            &Default::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = c
        .enumerate_instance_names("bad class", None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Encode(_)), "{e}");
    assert!(s.seen.lock().unwrap().is_empty(), "nothing may be sent");
}
