//! The clap command tree, built from the command table (no derive macros).

use crate::spec::{self, Kind};
use clap::{Arg, ArgAction, Command};
use std::collections::BTreeMap;

const ABOUT: &str = "The Cadenya API from a shell: one command per operation, JSON in and out.";
const AFTER: &str = "Configuration: CADENYA_API_KEY, CADENYA_BASE_URL, CADENYA_WORKSPACE_ID (flags override).\n\
JSON-valued flags (and --body) take a literal, @file or - (stdin).\n\
Exit codes: 0 success, 1 API or transport error, 2 usage error, 130 interrupted.";

fn global(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name).long(name).global(true).help(help)
}

pub fn build() -> Command {
    let root = Command::new("cadenya")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(AFTER)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(global("api-key", "API key (else CADENYA_API_KEY)").value_name("KEY"))
        .arg(global("base-url", "API base URL (else CADENYA_BASE_URL)").value_name("URL"))
        .arg(global("workspace-id", "Workspace for {workspaceId} (else CADENYA_WORKSPACE_ID)").value_name("ID"))
        .arg(
            global("display", "Output: indented JSON, or a table of id, name, status, created")
                .value_parser(["json", "table"])
                .default_value("json"),
        )
        .arg(global("all", "List commands: walk every page, one item per line (NDJSON)").action(ArgAction::SetTrue))
        .arg(
            global("debug", "Log each exchange to stderr (credentials redacted); also CADENYA_LOG=debug")
                .action(ArgAction::SetTrue),
        )
        .arg(
            global("body", "The whole JSON body: literal, @file.json or -; body flags override its fields")
                .value_name("JSON"),
        );
    let mut tree = Group::default();
    for c in spec::all() {
        tree.insert(c.path, c);
    }
    root.subcommands(tree.into_commands())
    .subcommand(
        Command::new("serve")
            .about("Run the embedded local Cadenya API server (prints one JSON line with base_url, api_key, workspace_id)")
            .arg(Arg::new("port").long("port").value_parser(clap::value_parser!(u16)).default_value("0"))
            .arg(Arg::new("step-delay-ms").long("step-delay-ms").value_parser(clap::value_parser!(u64)).help("Pause before each simulated objective step")),
    )
    .subcommand(
        Command::new("schema")
            .about("Describe every command as JSON (one object a line), or the one named")
            .arg(Arg::new("command").num_args(0..).help("A command path, e.g. agents variations add-assignment")),
    )
    .subcommand(
        Command::new("completions").about("Print a shell completion script").arg(
            Arg::new("shell")
                .required(true)
                .value_parser(clap::value_parser!(clap_complete::Shell)),
        ),
    )
}

/// The command tree before it becomes clap commands: groups by name, commands at the leaves.
#[derive(Default)]
struct Group {
    children: BTreeMap<&'static str, Node>,
}

enum Node {
    Group(Group),
    Leaf(&'static spec::Command),
}

impl Group {
    fn insert(&mut self, path: &'static [&'static str], c: &'static spec::Command) {
        let Some((first, rest)) = path.split_first() else { return };
        if rest.is_empty() {
            self.children.insert(first, Node::Leaf(c));
        } else if let Node::Group(g) = self.children.entry(first).or_insert_with(|| Node::Group(Group::default())) {
            g.insert(rest, c);
        }
    }

    fn into_commands(self) -> Vec<Command> {
        self.children
            .into_iter()
            .map(|(name, node)| match node {
                Node::Leaf(c) => leaf(name, c),
                Node::Group(g) => Command::new(name)
                    .subcommand_required(true)
                    .arg_required_else_help(true)
                    .subcommands(g.into_commands()),
            })
            .collect()
    }
}

fn leaf(name: &'static str, c: &'static spec::Command) -> Command {
    let mut cmd = Command::new(name).about(c.about);
    if !c.operation.is_empty() {
        cmd = cmd.long_about(format!("{}\n\n{} {} (operation {})", c.about, c.method, c.http_path, c.operation));
    }
    for (i, a) in c.args.iter().enumerate() {
        cmd = cmd.arg(Arg::new(a.name).help(a.help).required(true).index(i + 1));
    }
    for f in c.flags {
        let mut arg = Arg::new(f.name).long(f.name).help(f.help);
        arg = match f.kind {
            Kind::Bool => arg.num_args(0..=1).require_equals(true).default_missing_value("true").value_name("BOOL"),
            Kind::List => arg.action(ArgAction::Append).value_name("VALUE"),
            Kind::Enum if f.loc == spec::Loc::Local => arg.action(ArgAction::Append).value_name("VALUE"),
            Kind::Json => arg.value_name("JSON"),
            Kind::Text => arg.value_name("TEXT"),
            Kind::Integer | Kind::Int64 | Kind::Number => arg.value_name("NUMBER"),
            Kind::DateTime => arg.value_name("RFC3339"),
            Kind::Enum | Kind::String => arg.value_name("VALUE"),
        };
        if !f.values.is_empty() {
            let shown: Vec<&str> = f.values.iter().map(|(_, s)| *s).collect();
            arg = arg.long_help(format!("{} One of: {}.", f.help, shown.join(", ")));
        }
        if f.required {
            arg = arg.long_help(format!("{} (required unless --body has it)", f.help));
        }
        cmd = cmd.arg(arg);
    }
    cmd
}
