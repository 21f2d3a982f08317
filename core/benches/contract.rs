//! The binding contract's own cost per call, side by side in one run: `Client::invoke` (the bare
//! call) against `Session::call` (the same call, ended early by `close()`), each spawned on the
//! shared runtime and awaited from another thread, as the bindings do. Prints time and process
//! CPU per call and their ratios. `cargo bench -p cadenya --features binding --bench contract`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cadenya::contract::{self, CallInput, CallOptions, ClientSettings, Session};
use std::time::{Duration, Instant};

/// User + system CPU of this process (Linux `/proc/self/stat`, clock ticks of 10 ms).
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: u64 = fields.get(11..13).map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum()).unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn input() -> CallInput<'static> {
    CallInput { operation: "account.retrieve", path: &[], query: &[], body: None, options: CallOptions::default() }
}

fn main() {
    let calls: u32 = std::env::var("CADENYA_BENCH_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let rt = contract::runtime().unwrap();
    let server = rt.block_on(cadenya_server::spawn(Default::default())).unwrap();
    let settings = || ClientSettings {
        api_key: Some(server.api_key().to_string()),
        base_url: Some(server.base_url().to_string()),
        workspace_id: Some(server.workspace_id().to_string()),
        ..Default::default()
    };
    let session = Session::new(settings()).unwrap();
    let client = session.client().unwrap().clone();
    let mut totals = [(Duration::ZERO, Duration::ZERO); 2];
    for round in 0..6 {
        for (side, total) in totals.iter_mut().enumerate() {
            let (t0, c0) = (Instant::now(), cpu());
            for _ in 0..calls {
                let handle = if side == 0 { rt.spawn(client.invoke(input())) } else { rt.spawn(session.call(input())) };
                rt.block_on(handle).unwrap().unwrap();
            }
            if round > 0 {
                // The first round warms the pool and the allocator.
                total.0 += t0.elapsed();
                total.1 += cpu() - c0;
            }
        }
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(calls * 5);
    let names = ["Client::invoke", "Session::call"];
    for (name, (wall, cpu)) in names.iter().zip(totals) {
        println!("{name:16} {:8.1} µs/call  CPU {:8.1} µs/call", per(wall), per(cpu));
    }
    println!(
        "session/invoke: time {:.2}, CPU {:.2}",
        totals[1].0.as_secs_f64() / totals[0].0.as_secs_f64(),
        totals[1].1.as_secs_f64() / totals[0].1.as_secs_f64().max(1e-9)
    );
}
