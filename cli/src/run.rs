//! Runs the parsed command: an operation through the SDK's catalog, a helper, or a local command.

use crate::input::Inputs;
use crate::output::{self, Display};
use crate::spec::{self, Command, Flag, Kind, Loc};
use crate::{Failure, Outcome};
use cadenya::catalog::DynamicCall;
use cadenya::objectives::{FollowOptions, WaitOptions};
use cadenya::Client;
use clap::ArgMatches;
use serde_json::{Map, Value};
use std::time::Duration;

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

pub async fn dispatch(root: &ArgMatches) -> Outcome {
    let mut path = Vec::new();
    let mut leaf = root;
    while let Some((name, sub)) = leaf.subcommand() {
        path.push(name);
        leaf = sub;
    }
    match path.as_slice() {
        ["serve"] => return serve(leaf).await,
        ["schema"] => return schema(leaf),
        ["completions"] => return completions(leaf),
        _ => {}
    }
    let command = spec::find(&path).ok_or_else(|| usage(format!("unknown command {}", path.join(" "))))?;
    let debug =
        leaf.get_flag("debug") || std::env::var("CADENYA_LOG").is_ok_and(|v| v.trim().eq_ignore_ascii_case("debug"));
    if debug {
        start_logging();
    }
    let display = match leaf.get_one::<String>("display").map(String::as_str) {
        Some("table") => Display::Table,
        _ => Display::Json,
    };
    match path.as_slice() {
        ["objectives", "wait"] => wait(leaf, display, debug).await,
        ["objectives", "follow"] => follow(leaf, debug).await,
        ["webhooks", "verify"] => verify(leaf),
        _ => operation(command, leaf, display, debug).await,
    }
}

/// Debug logging of the SDK's own events (each exchange: operation, method, path template,
/// status, attempts, duration) to stderr. The SDK never logs keys, secrets or bodies.
fn start_logging() {
    let filter = tracing_subscriber::EnvFilter::new("cadenya=debug");
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

/// A client from the global flags, each overriding its `CADENYA_*` variable.
fn client(m: &ArgMatches, debug: bool) -> Result<Client, Failure> {
    let mut b = Client::builder().user_agent(format!("cadenya-cli/{}", env!("CARGO_PKG_VERSION")));
    if let Some(k) = m.get_one::<String>("api-key") {
        b = b.api_key(k);
    }
    if let Some(u) = m.get_one::<String>("base-url") {
        b = b.base_url(u);
    }
    if let Some(w) = m.get_one::<String>("workspace-id") {
        b = b.workspace_id(w);
    }
    if debug {
        b = b.log_level(cadenya::LogLevel::Debug);
    }
    Ok(b.build()?)
}

fn positionals<'a>(c: &'static Command, m: &'a ArgMatches) -> Vec<(&'static str, &'a str)> {
    c.args.iter().filter_map(|a| m.get_one::<String>(a.name).map(|v| (a.wire, v.as_str()))).collect()
}

/// Accepts an enum's wire value or its short form, in any case.
fn enum_value(f: &Flag, raw: &str) -> Result<String, Failure> {
    f.values
        .iter()
        .find(|(wire, short)| wire.eq_ignore_ascii_case(raw) || short.eq_ignore_ascii_case(raw))
        .map(|(wire, _)| wire.to_string())
        .ok_or_else(|| {
            let shown: Vec<&str> = f.values.iter().map(|(_, s)| *s).collect();
            usage(format!("--{}: `{raw}` is not one of {}", f.name, shown.join(", ")))
        })
}

fn parse<T: std::str::FromStr>(f: &Flag, raw: &str, what: &str) -> Result<T, Failure> {
    raw.trim().parse().map_err(|_| usage(format!("--{}: `{raw}` is not {what}", f.name)))
}

/// A scalar flag's value as JSON (the body form; the query form is its text).
fn scalar(f: &Flag, raw: &str) -> Result<Value, Failure> {
    Ok(match f.kind {
        Kind::Integer => Value::from(parse::<i32>(f, raw, "a 32-bit integer")?),
        Kind::Int64 => Value::String(parse::<i64>(f, raw, "an integer")?.to_string()),
        Kind::Number => {
            let n: f64 = parse(f, raw, "a number")?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| usage(format!("--{}: not finite", f.name)))?
        }
        Kind::Bool => Value::Bool(parse(f, raw, "true or false")?),
        Kind::Enum => Value::String(enum_value(f, raw)?),
        _ => Value::String(raw.to_string()),
    })
}

fn values<'a>(m: &'a ArgMatches, f: &Flag) -> Vec<&'a str> {
    m.get_many::<String>(f.name).map(|v| v.map(String::as_str).collect()).unwrap_or_default()
}

/// A list flag: repeated and/or comma-separated values.
fn list(m: &ArgMatches, f: &Flag) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    for raw in values(m, f) {
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            out.push(if f.values.is_empty() { part.to_string() } else { enum_value(f, part)? });
        }
    }
    Ok(out)
}

/// Query pairs (wire name, text) and the JSON body.
type RequestInputs = (Vec<(&'static str, String)>, Option<Value>);

/// Query, then body: everything an operation needs besides its path ids, checked before any I/O.
fn request_inputs(c: &'static Command, m: &ArgMatches) -> Result<RequestInputs, Failure> {
    let mut inputs = Inputs::default();
    let mut body: Option<Map<String, Value>> = match m.get_one::<String>("body") {
        None => None,
        Some(_) if !c.has_body => return Err(usage(format!("`{}` takes no body", c.path.join(" ")))),
        Some(raw) => match inputs.json("body", raw)? {
            Value::Object(o) => Some(o),
            _ => return Err(usage("--body must be a JSON object")),
        },
    };
    let mut query = Vec::new();
    for f in c.flags {
        let given = values(m, f);
        let Some(raw) = given.last().copied() else { continue };
        let v = match f.kind {
            Kind::Json => inputs.json(f.name, raw)?,
            Kind::List => Value::from(list(m, f)?),
            _ => scalar(f, raw)?,
        };
        match f.loc {
            Loc::Query => query.push((
                f.wire,
                match v {
                    Value::String(s) => s,
                    Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
                    other => other.to_string(),
                },
            )),
            Loc::Body | Loc::Local => {
                body.get_or_insert_with(Map::new).insert(f.wire.to_string(), v);
            }
        }
    }
    if c.has_body {
        let have = body.as_ref();
        if let Some(f) =
            c.flags.iter().find(|f| f.required && f.loc == Loc::Body && !have.is_some_and(|b| b.contains_key(f.wire)))
        {
            return Err(usage(format!("--{} is required (or give `{}` in --body)", f.name, f.wire)));
        }
    }
    Ok((query, body.map(Value::Object)))
}

async fn operation(c: &'static Command, m: &ArgMatches, display: Display, debug: bool) -> Outcome {
    let (query, body) = request_inputs(c, m)?;
    let all = m.get_flag("all");
    if all && !c.paged {
        return Err(usage(format!("--all applies to list commands; `{}` returns one value", c.path.join(" "))));
    }
    let client = client(m, debug)?;
    let query_refs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if debug {
        // What goes out besides the headers (the SDK logs the exchange; no header is printed here).
        let body_bytes = body.as_ref().map_or(0, |b| b.to_string().len());
        eprintln!(
            "DEBUG cadenya-cli: {} {} ids={:?} query={:?} body_bytes={body_bytes}",
            c.method,
            c.http_path,
            positionals(c, m),
            query_refs
        );
    }
    match client.dynamic_call(c.operation, &positionals(c, m), &query_refs, body.as_ref())? {
        DynamicCall::Empty(call) => call.await?,
        DynamicCall::Json(call) => output::value(&call.await?, display),
        DynamicCall::Page(call) => {
            let mut page = call.await?;
            if !all {
                output::page(&page.items, page.next_cursor.as_deref(), display);
                return Ok(());
            }
            let mut rows = Vec::new();
            loop {
                for item in std::mem::take(&mut page.items) {
                    match display {
                        // A closed stdout (`| head`) ends the walk.
                        Display::Json if !output::emit(&item.to_string()) => return Ok(()),
                        Display::Json => {}
                        Display::Table => rows.push(item),
                    }
                }
                match page.next_page().await? {
                    Some(next) => page = next,
                    None => break,
                }
            }
            if display == Display::Table {
                output::emit(&output::table(&rows, None));
            }
        }
    }
    Ok(())
}

fn local<'a>(m: &'a ArgMatches, name: &str) -> Option<&'a String> {
    m.get_one::<String>(name)
}

fn seconds(m: &ArgMatches, name: &str) -> Result<Option<Duration>, Failure> {
    local(m, name)
        .map(|raw| {
            raw.trim()
                .parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .ok_or_else(|| usage(format!("--{name}: `{raw}` is not a number of seconds")))
        })
        .transpose()
}

fn objective_id(m: &ArgMatches) -> Result<&str, Failure> {
    local(m, "objective-id").map(String::as_str).ok_or_else(|| usage("the objective id is required"))
}

async fn wait(m: &ArgMatches, display: Display, debug: bool) -> Outcome {
    let id = objective_id(m)?;
    let mut options = WaitOptions::default();
    let states = list(m, &spec::STATE_FLAG)?;
    if !states.is_empty() {
        options = options.states(states.iter().map(|s| cadenya::models::ObjectiveStatusState::from(s.as_str())));
    }
    if let Some(t) = seconds(m, "timeout")? {
        options = options.timeout(t);
    }
    let client = client(m, debug)?;
    let objective = client.objectives().wait(id, options).await?;
    output::value(&serde_json::to_value(&objective).unwrap_or_default(), display);
    Ok(())
}

async fn follow(m: &ArgMatches, debug: bool) -> Outcome {
    let id = objective_id(m)?;
    let page_size = match local(m, "page-size") {
        Some(raw) => Some(
            raw.trim()
                .parse::<i32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| usage(format!("--page-size: `{raw}` is not a positive integer")))?,
        ),
        None => None,
    };
    let options = FollowOptions {
        after_event_id: local(m, "after-event-id").cloned(),
        page_size,
        timeout: seconds(m, "timeout")?,
        ..Default::default()
    };
    let client = client(m, debug)?;
    let mut follower = client.objectives().event_follower(id, options);
    while let Some(event) = follower.next().await? {
        if !output::emit(&serde_json::to_string(&event).unwrap_or_default()) {
            break; // stdout closed
        }
    }
    Ok(())
}

fn verify(m: &ArgMatches) -> Outcome {
    let secret = local(m, "secret")
        .cloned()
        .or_else(|| std::env::var("CADENYA_WEBHOOK_SECRET").ok())
        .or_else(|| std::env::var("CADENYA_WEBHOOK_KEY").ok())
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| usage("a signing secret is required: --secret or CADENYA_WEBHOOK_SECRET"))?;
    let verifier = cadenya::webhooks::Webhook::new(&secret).map_err(|e| usage(format!("--secret: {e}")))?;
    let mut headers = Vec::new();
    for raw in values(m, &spec::HEADER_FLAG) {
        let (name, value) =
            raw.split_once(':').ok_or_else(|| usage(format!("--header: `{raw}` is not `name: value`")))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let payload = Inputs::default().bytes("payload", local(m, "payload").map_or("-", String::as_str))?;
    match verifier.verify(&payload, headers.as_slice()) {
        Ok(()) => {
            let id = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("webhook-id")).map(|(_, v)| v.as_str());
            output::emit(&serde_json::json!({"verified": true, "webhook_id": id}).to_string());
            Ok(())
        }
        Err(e) => {
            output::emit(
                &serde_json::json!({"verified": false, "reason": e.kind(), "message": e.to_string()}).to_string(),
            );
            Err(Failure::Other(format!("the webhook does not verify: {e}")))
        }
    }
}

async fn serve(m: &ArgMatches) -> Outcome {
    let mut config = cadenya_server::ServerConfig::default();
    if let Some(port) = m.get_one::<u16>("port") {
        config.port = *port;
    }
    if let Some(ms) = m.get_one::<u64>("step-delay-ms") {
        config.step_delay = Duration::from_millis(*ms);
    }
    let handle =
        cadenya_server::spawn(config).await.map_err(|e| Failure::Other(format!("could not start the server: {e}")))?;
    output::emit(&handle.announcement().to_string());
    // Serves until interrupted (exit 130, as for every command).
    std::future::pending::<()>().await;
    Ok(())
}

fn schema(m: &ArgMatches) -> Outcome {
    let defs = spec::schema_defs();
    let words: Vec<&str> = m.get_many::<String>("command").map(|w| w.map(String::as_str).collect()).unwrap_or_default();
    if words.is_empty() {
        for c in spec::all() {
            if !output::emit(&spec::describe(c, &defs).to_string()) {
                break;
            }
        }
        return Ok(());
    }
    let c =
        spec::find(&words).ok_or_else(|| usage(format!("no command `{}` (see `cadenya schema`)", words.join(" "))))?;
    output::emit(&output::pretty(&spec::describe(c, &defs)));
    Ok(())
}

fn completions(m: &ArgMatches) -> Outcome {
    let shell = *m.get_one::<clap_complete::Shell>("shell").ok_or_else(|| usage("a shell is required"))?;
    clap_complete::generate(shell, &mut crate::app::build(), "cadenya", &mut std::io::stdout());
    Ok(())
}
