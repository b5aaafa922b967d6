//! `smis listen`, `smis subscribe`, `smis subscriptions`, `smis unsubscribe`: CIM
//! indications (DMTF DSP1054 subscriptions in the interop namespace; DSP0200 export
//! requests to a listener).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use futures::StreamExt;
use serde_json::json;
use smis::cim::ObjectPath;
use smis::indication::{
    FilterSpec, Indication, Listener, ListenerConfig, ListenerTls, Ownership, SequenceStatus,
    SubscriptionManager,
};

use crate::cli::Global;
use crate::connect;
use crate::errors::{CliError, CliResult};
use crate::output::{self, Doc, Format};

/// `smis listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:5990")]
    pub bind: SocketAddr,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Require HTTP Basic authentication with this user (password from --listener-password-env).
    #[arg(long)]
    pub listener_user: Option<String>,
    /// Environment variable holding the listener's Basic password.
    #[arg(long, value_name = "VAR", default_value = "SMIS_LISTENER_PASSWORD")]
    pub listener_password_env: String,
    /// Subscribe this listener on --url to this query first (repeatable); the subscriptions
    /// are removed on exit.
    #[arg(long, value_name = "QUERY")]
    pub subscribe: Vec<String>,
    /// Source namespace of the subscribed filters (default: --namespace).
    #[arg(long, value_name = "NS")]
    pub source_ns: Option<String>,
    /// Host name the provider should use to reach this listener (default: the bound address).
    #[arg(long, value_name = "HOST")]
    pub destination_host: Option<String>,
    /// Exit after this many indications.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
}

/// `smis subscribe`.
#[derive(Debug, Args)]
pub struct SubscribeArgs {
    /// Listener URL (CIM_ListenerDestinationCIMXML.Destination), e.g. https://10.0.0.5:5990.
    #[arg(long)]
    pub destination: String,
    /// Filter query, e.g. "SELECT * FROM CIM_InstCreation WHERE SourceInstance ISA CIM_StorageVolume".
    #[arg(long)]
    pub query: String,
    /// Query language (WQL or DMTF:CQL).
    #[arg(long, default_value = "WQL")]
    pub lang: String,
    /// Source namespace(s) (default: --namespace; repeatable).
    #[arg(long, value_name = "NS")]
    pub source_ns: Vec<String>,
    /// Id of this subscription among the owner's (names its filter and destination).
    #[arg(long, default_value = "1")]
    pub id: String,
    /// Owner id (owned instances are named smisfilter:OWNER:ID, smisdestination:OWNER:ID).
    #[arg(long, default_value = "smis-cli")]
    pub owner: String,
}

/// `smis subscriptions`.
#[derive(Debug, Args)]
pub struct OwnerArgs {
    /// Owner id whose subscriptions count as owned.
    #[arg(long, default_value = "smis-cli")]
    pub owner: String,
}

/// `smis unsubscribe`.
#[derive(Debug, Args)]
pub struct UnsubscribeArgs {
    /// Owner id.
    #[arg(long, default_value = "smis-cli")]
    pub owner: String,
    /// Remove every owned subscription, filter and destination.
    #[arg(long, conflicts_with = "path")]
    pub all: bool,
    /// The subscription to remove (WBEM URI as `smis subscriptions` prints it).
    #[arg(required_unless_present = "all")]
    pub path: Option<String>,
}

fn manager(g: &Global, owner: &str) -> CliResult<SubscriptionManager> {
    Ok(SubscriptionManager::new(connect::client(g)?, owner)?)
}

/// `smis subscribe`.
pub async fn subscribe(g: &Global, a: &SubscribeArgs, format: Format) -> CliResult<()> {
    let m = manager(g, &a.owner)?;
    let mut ns = a.source_ns.clone();
    if ns.is_empty() {
        ns.extend(g.namespace.clone());
    }
    let spec = FilterSpec {
        query: a.query.clone(),
        query_language: a.lang.clone(),
        source_namespaces: ns,
    };
    let path = m.subscribe(&a.id, &a.destination, &spec).await?;
    output::print(&Doc::Paths(vec![path]), format)?;
    Ok(())
}

/// `smis subscriptions`.
pub async fn list(g: &Global, a: &OwnerArgs, format: Format) -> CliResult<()> {
    let m = manager(g, &a.owner)?;
    let list = m.list().await?;
    let rows: Vec<serde_json::Value> = list
        .subscriptions
        .iter()
        .map(|s| {
            json!({
                "owned": s.ownership == Ownership::Owned,
                "state": s.state,
                "query": s.query,
                "destination": s.destination,
                "path": s.path.to_string(),
            })
        })
        .collect();
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        ),
        _ => {
            let headers: Vec<String> = ["OWNED", "STATE", "QUERY", "DESTINATION", "PATH"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let table: Vec<Vec<String>> = list
                .subscriptions
                .iter()
                .map(|s| {
                    vec![
                        if s.ownership == Ownership::Owned {
                            "yes"
                        } else {
                            "no"
                        }
                        .into(),
                        s.state.map(|v| v.to_string()).unwrap_or_default(),
                        s.query.clone().unwrap_or_default(),
                        s.destination.clone().unwrap_or_default(),
                        s.path.to_string(),
                    ]
                })
                .collect();
            print!("{}", output::table(&headers, &table));
        }
    }
    Ok(())
}

/// `smis unsubscribe`.
pub async fn unsubscribe(g: &Global, a: &UnsubscribeArgs) -> CliResult<()> {
    let m = manager(g, &a.owner)?;
    if a.all {
        let n = m.remove_owned().await?;
        eprintln!("removed {n} instance(s)");
        return Ok(());
    }
    let text = a.path.as_deref().unwrap_or_default();
    let want =
        ObjectPath::parse(text).map_err(|e| CliError::Usage(format!("not a WBEM URI: {e}")))?;
    let list = m.list().await?;
    let rec = list
        .subscriptions
        .iter()
        .find(|s| s.path.local() == want.local())
        .ok_or_else(|| CliError::Failed(format!("no subscription {text}")))?;
    m.remove(rec).await?;
    Ok(())
}

fn summary(i: &Indication) -> String {
    if let Some(src) = i.source_instance() {
        let name = ["ElementName", "InstanceID", "DeviceID", "Name"]
            .iter()
            .find_map(|p| src.get_opt::<String>(p).ok().flatten())
            .unwrap_or_default();
        let state = src
            .get_opt::<u16>("JobState")
            .ok()
            .flatten()
            .map(|s| format!(" JobState={s}"))
            .unwrap_or_default();
        return format!("{} {name}{state}", src.class_name);
    }
    ["Message", "Description"]
        .iter()
        .find_map(|p| i.instance.get_opt::<String>(p).ok().flatten())
        .unwrap_or_default()
}

fn sequence_text(i: &Indication) -> String {
    match &i.sequence {
        None => String::new(),
        Some(s) => match &s.status {
            SequenceStatus::AfterGap { missing, .. } => format!("{} ({missing} missing)", s.number),
            SequenceStatus::Late => format!("{} (late)", s.number),
            SequenceStatus::Duplicate => format!("{} (duplicate)", s.number),
            _ => s.number.to_string(),
        },
    }
}

fn print_indication(i: &Indication, format: Format) {
    let received = smis::cim::CimDateTime::from_system_time(i.received).to_string();
    match format {
        Format::Json => {
            let v = json!({
                "received": received,
                "sender": i.sender.to_string(),
                "class": i.class_name(),
                "indication_time": i.indication_time.map(|t| t.to_string()),
                "sequence_context": i.sequence.as_ref().map(|s| s.context.clone()),
                "sequence_number": i.sequence.as_ref().map(|s| s.number),
                "sequence_status": i.sequence.as_ref().map(|s| format!("{:?}", s.status)),
                "indication": crate::json::instance(&i.instance),
            });
            println!("{v}");
        }
        _ => println!(
            "{received}  {:<24} {:>8}  {:<21} {}",
            i.class_name(),
            sequence_text(i),
            i.sender,
            crate::guard::term(&summary(i))
        ),
    }
}

/// `smis listen`.
pub async fn listen(g: &Global, a: &ListenArgs, format: Format) -> CliResult<()> {
    let mut config = match (&a.tls_cert, &a.tls_key) {
        (Some(c), Some(k)) => {
            let tls = ListenerTls::from_pem(&std::fs::read(c)?, &std::fs::read(k)?)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            ListenerConfig::https(a.bind, tls)
        }
        _ => ListenerConfig::http(a.bind),
    };
    if let Some(user) = &a.listener_user {
        let pw = std::env::var(&a.listener_password_env).map_err(|_| {
            CliError::Usage(format!(
                "--listener-user needs the password in ${}",
                a.listener_password_env
            ))
        })?;
        config = config.basic_auth(user.clone(), pw.into());
    }
    let mut listener = Listener::bind(config)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let url = match &a.destination_host {
        Some(h) => listener.handle().url_for_host(h),
        None => listener.handle().url(),
    };
    eprintln!("listening on {url}");
    let mut subs = None;
    if !a.subscribe.is_empty() {
        let owner = format!("smis-listen-{}", std::process::id());
        let m = manager(g, &owner)?;
        let ns: Vec<String> = a
            .source_ns
            .clone()
            .or_else(|| g.namespace.clone())
            .into_iter()
            .collect();
        for (i, q) in a.subscribe.iter().enumerate() {
            let spec = FilterSpec {
                query: q.clone(),
                query_language: "WQL".into(),
                source_namespaces: ns.clone(),
            };
            if let Err(e) = m.subscribe(&format!("q{i}"), &url, &spec).await {
                let _ = m.remove_owned().await;
                return Err(e.into());
            }
        }
        eprintln!("subscribed ({} filter(s))", a.subscribe.len());
        subs = Some(m);
    }
    if format != Format::Json {
        println!(
            "{:<26}  {:<24} {:>8}  {:<21} WHAT",
            "RECEIVED", "CLASS", "SEQ", "SENDER"
        );
    }
    let mut seen = 0u64;
    let result = loop {
        if a.count.is_some_and(|n| seen >= n) {
            break Ok(());
        }
        tokio::select! {
            i = listener.next() => match i {
                Some(i) => {
                    print_indication(&i, format);
                    seen += 1;
                }
                None => break Err(CliError::Failed("the listener stopped".into())),
            },
            _ = tokio::signal::ctrl_c() => break Ok(()),
        }
    };
    if let Some(m) = subs {
        m.remove_owned().await?;
        eprintln!("subscriptions removed");
    }
    result
}
