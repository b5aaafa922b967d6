//! Extrinsic method calls (DSP0200 §5.3.1 `METHODCALL`) and export
//! (`EXPMETHODCALL` ExportIndication, DSP0200 §5.3.3).

use super::Client;
use crate::cim::{CimName, Instance, ObjectPath};
use crate::error::{Error, Result};
use crate::message::{ExportCall, MethodCall, MethodReturn, ParamValue, Request, Response};

impl Client {
    /// InvokeMethod: calls `method` on an instance or class path with typed in-parameters
    /// (build them with [`ParamValue::new`]); returns the return value and out-parameters
    /// (read them with [`MethodReturn::get`]).
    ///
    /// ```no_run
    /// # async fn f(client: smis::Client, service: smis::cim::ObjectPath, vol: smis::cim::ObjectPath) -> smis::Result<()> {
    /// use smis::message::ParamValue;
    /// let ret = client.invoke_method(&service, "CreateElementReplica", vec![
    ///     ParamValue::new("ElementName", "clone1"),
    ///     ParamValue::new("SyncType", 8u16),
    ///     ParamValue::new("SourceElement", vol),
    /// ]).await?;
    /// let job: Option<smis::cim::ObjectPath> = ret.get("Job")?;
    /// # Ok(()) }
    /// ```
    pub async fn invoke_method(
        &self,
        target: &ObjectPath,
        method: &str,
        params: Vec<ParamValue>,
    ) -> Result<MethodReturn> {
        if !crate::cim::CimName::is_valid(method) {
            return Err(Error::InvalidArgument(format!(
                "invalid method name {method:?}"
            )));
        }
        let ns = self.target_ns(Some(target), None);
        let mut t = target.local();
        t.namespace = Some(ns);
        match self
            .call(Request::Method(MethodCall {
                target: t,
                method: CimName::new(method),
                params,
            }))
            .await?
        {
            Response::Method { result: Ok(r), .. } => Ok(r),
            other => Err(Error::UnexpectedResponse(
                format!("{method}: {other:?}").chars().take(300).collect(),
            )),
        }
    }

    /// ExportIndication: sends an indication instance to a listener.
    pub async fn export_indication(&self, indication: Instance) -> Result<()> {
        self.call(Request::Export(ExportCall {
            method: CimName::new("ExportIndication"),
            params: vec![ParamValue::new("NewIndication", indication)],
        }))
        .await
        .map(|_| ())
    }
}
