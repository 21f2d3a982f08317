//! The ceiling for any binding in `scripts/bench-uniffi.sh`: sequential `account.retrieve` calls
//! through the Rust client itself (no FFI, no host runtime), on a current-thread runtime, against
//! a running local server. Prints the bench's line for the side `rust`:
//!
//!   side rust calls N seconds S cpu_us_per_call C ctx_per_call X
//!
//!   cargo run --release -p cadenya --example sequential -- BASE_URL API_KEY WORKSPACE_ID CALLS

use cadenya::Client;
use std::time::Instant;

/// This process's CPU seconds and context switches, summed over its threads from
/// `/proc/self/task/*/schedstat` (nanoseconds on a CPU) and `status` (voluntary + involuntary).
fn usage() -> (f64, i64) {
    let (mut cpu_ns, mut switches) = (0u64, 0i64);
    for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
        let read = |name: &str| std::fs::read_to_string(task.path().join(name)).unwrap_or_default();
        cpu_ns += read("schedstat").split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
        for line in read("status").lines().filter(|l| l.contains("ctxt_switches")) {
            switches += line.rsplit(['\t', ' ']).next().and_then(|n| n.parse().ok()).unwrap_or(0);
        }
    }
    (cpu_ns as f64 / 1e9, switches)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, api_key, workspace_id, calls] = args.as_slice() else {
        return Err("usage: sequential BASE_URL API_KEY WORKSPACE_ID CALLS".into());
    };
    let calls: u32 = calls.parse()?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let client = Client::builder()
            .env_lookup(|_| None)
            .api_key(api_key)
            .base_url(base_url)
            .workspace_id(workspace_id)
            .build()?;
        for _ in 0..calls.max(1000) {
            client.account().retrieve().await?;
        }
        // Three rounds, the median by time, as the JVM and Python sides do.
        let mut rounds = Vec::new();
        for _ in 0..3 {
            let ((cpu0, ctx0), t0) = (usage(), Instant::now());
            for _ in 0..calls {
                client.account().retrieve().await?;
            }
            let (secs, (cpu1, ctx1)) = (t0.elapsed().as_secs_f64(), usage());
            rounds.push((secs, (cpu1 - cpu0) * 1e6 / calls as f64, (ctx1 - ctx0) as f64 / calls as f64));
        }
        rounds.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (secs, cpu, ctx) = rounds[1];
        println!("side rust calls {calls} seconds {secs:.3} cpu_us_per_call {cpu:.1} ctx_per_call {ctx:.2}");
        Ok(())
    })
}
