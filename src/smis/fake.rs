//! A scripted in-memory provider for unit tests: requests are decoded with the real codec,
//! answered by a closure, and encoded back.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::future::BoxFuture;

use crate::Client;
use crate::cim::{CimValue, Instance};
use crate::message::{
    ErrorBody, IReturn, MethodReturn, ParamValue, Request, Response, ResponseMessage,
};
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::xml::{DecodeLimits, decode_request, encode_response};

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

pub(crate) struct Fake {
    handler: Box<Handler>,
    pub(crate) log: Mutex<Vec<String>>,
}

impl Fake {
    pub(crate) fn client(
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> (Client, Arc<Fake>) {
        let fake = Arc::new(Fake {
            handler: Box::new(handler),
            log: Mutex::new(Vec::new()),
        });
        let client = Client::from_transport(
            fake.clone(),
            "root/smis-sim",
            Some(crate::Credentials::new("admin", "pw".to_string())),
        );
        (client, fake)
    }

    pub(crate) fn calls(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Transport for Fake {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let msg = decode_request(&request.body, &DecodeLimits::default()).expect("request decodes");
        if let Ok(mut l) = self.log.lock() {
            l.push(msg.request.method_name().to_string());
        }
        let response = (self.handler)(&msg.request);
        let body = encode_response(&ResponseMessage {
            id: msg.id,
            response,
        })
        .expect("response encodes");
        Box::pin(async move {
            let mut headers = http::HeaderMap::new();
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/xml; charset=\"utf-8\""),
            );
            Ok(HttpResponse {
                status: http::StatusCode::OK,
                headers,
                trailers: None,
                body: Bytes::from(body),
            })
        })
    }

    fn endpoint(&self) -> String {
        "fake://provider".into()
    }
}

pub(crate) fn instance(name: &str, i: Instance) -> Response {
    Response::Intrinsic {
        name: name.into(),
        result: Ok(IReturn::Instance(i)),
    }
}

pub(crate) fn intrinsic(name: &str, r: IReturn) -> Response {
    Response::Intrinsic {
        name: name.into(),
        result: Ok(r),
    }
}

pub(crate) fn cim_error(req: &Request, code: u32, description: &str) -> Response {
    let e = ErrorBody {
        code,
        description: Some(description.into()),
        instances: Vec::new(),
    };
    match req {
        Request::Method(m) => Response::Method {
            name: m.method.as_str().into(),
            result: Err(e),
        },
        other => Response::Intrinsic {
            name: other.method_name().into(),
            result: Err(e),
        },
    }
}

pub(crate) fn method(name: &str, rc: u32, out: Vec<ParamValue>) -> Response {
    Response::Method {
        name: name.into(),
        result: Ok(MethodReturn {
            return_value: Some(CimValue::Uint32(rc)),
            out_params: out,
        }),
    }
}
