//! The typed entry point under every intrinsic operation of the client: [`Client::run`]
//! sends one operation of the table ([`crate::message::op`]) and returns its
//! [`Operation::Output`]; a result of the wrong shape is reported here, in one place.

use super::Client;
use crate::cim::ObjectPath;
use crate::error::{Error, Result};
use crate::message::{
    FromIReturn, IReturn, Intrinsic, IntrinsicRequest, Operation, Request, Response, ReturnContext,
};

/// The error for a result whose shape does not fit the operation.
pub(crate) fn unexpected(op: &str, got: &IReturn) -> Error {
    Error::UnexpectedResponse(
        format!("{op} returned an unexpected result shape: {got:?}")
            .chars()
            .take(300)
            .collect(),
    )
}

impl Client {
    /// Sends an intrinsic operation and returns its IRETURNVALUE, untyped (see
    /// [`Client::run`] for the typed form).
    pub async fn intrinsic(&self, namespace: &str, op: Intrinsic) -> Result<IReturn> {
        let name = op.name();
        match self
            .call(Request::Intrinsic(IntrinsicRequest {
                namespace: namespace.to_string(),
                op,
            }))
            .await?
        {
            Response::Intrinsic { result: Ok(r), .. } => Ok(r),
            other => Err(Error::UnexpectedResponse(
                format!("{name}: {other:?}").chars().take(300).collect(),
            )),
        }
    }

    /// Runs one intrinsic operation in `namespace` (None: the client's default) and returns
    /// its typed result; paths the server sent without a namespace get this one (see
    /// [`ReturnContext`]).
    ///
    /// ```no_run
    /// # async fn f(client: smis::Client) -> smis::Result<()> {
    /// use smis::cim::CimName;
    /// use smis::message::op;
    /// let names: Vec<CimName> = client
    ///     .run(Some("root/cimv2"), op::EnumerateClassNames {
    ///         class_name: None,
    ///         deep_inheritance: Some(true),
    ///     })
    ///     .await?;
    /// # let _ = names; Ok(()) }
    /// ```
    pub async fn run<O: Operation>(&self, namespace: Option<&str>, op: O) -> Result<O::Output> {
        let ns = self.ns(namespace).to_string();
        let r = self.intrinsic(&ns, op.into()).await?;
        O::Output::from_ireturn(r, &self.return_context(&ns))
            .map_err(|got| unexpected(O::NAME, &got))
    }

    /// What returned paths are completed with: `ns` on this server's host.
    pub(crate) fn return_context(&self, ns: &str) -> ReturnContext {
        let endpoint = self.inner.transport.endpoint();
        let host = endpoint
            .split_once("://")
            .map_or(endpoint.as_str(), |(_, h)| h)
            .trim_end_matches('/');
        ReturnContext::new(ns, (!host.is_empty()).then(|| host.to_string()))
    }

    /// Where an operation runs, the one rule for all: the namespace of `path`, else
    /// `option`, else the client's default.
    pub(crate) fn target_ns(&self, path: Option<&ObjectPath>, option: Option<&str>) -> String {
        let of_path = path
            .and_then(|p| p.namespace.as_deref())
            .filter(|n| !n.trim_matches('/').is_empty());
        self.ns(of_path.or(option)).to_string()
    }
}
