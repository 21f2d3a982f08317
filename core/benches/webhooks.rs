//! Cost of `Webhook::verify` against a raw HMAC-SHA256 of the same bytes.
//!
//! `cargo bench -p cadenya --bench webhooks -- --warm-up-time 1 --measurement-time 2`
//!
//! Criterion reports each case; afterwards a timed loop in the same process
//! prints verifications per second and the verify / raw-HMAC ratio.

#![allow(clippy::panic)] // failing loudly is the point of a test

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use cadenya::webhooks::Webhook;
use criterion::{BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const NOW: i64 = 1_767_225_600;
const MSG_ID: &str = "msg_2Lf7a9QxKcT3VmN8pR4sW6yZ1b";

struct Case {
    label: &'static str,
    payload: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

fn key() -> Vec<u8> {
    (0u8..32).map(|i| i.wrapping_mul(73).wrapping_add(11)).collect()
}

fn hook() -> Webhook {
    match Webhook::new(&format!("whsec_{}", STANDARD.encode(key()))) {
        Ok(h) => h.with_clock(|| NOW),
        Err(e) => panic!("bench secret rejected: {e}"),
    }
}

/// A JSON-looking body of exactly `len` bytes.
fn payload(len: usize) -> Vec<u8> {
    let mut body = br#"{"type":"objective_event.tool_result","data":{"text":""#.to_vec();
    let mut x: u32 = 0x9e37_79b9;
    while body.len() < len.saturating_sub(3) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        body.push(b"abcdefghijklmnopqrstuvwxyz0123456789 "[(x % 37) as usize]);
    }
    body.extend_from_slice(b"\"}}");
    body.truncate(len);
    body
}

fn cases(hook: &Webhook) -> Vec<Case> {
    [("2KB", 2 * 1024), ("1MB", 1024 * 1024)]
        .into_iter()
        .map(|(label, len)| {
            let payload = payload(len);
            let headers = vec![
                ("webhook-id", MSG_ID.to_owned()),
                ("webhook-timestamp", NOW.to_string()),
                ("webhook-signature", hook.sign(MSG_ID, NOW, &payload)),
            ];
            Case { label, payload, headers }
        })
        .collect()
}

/// The baseline: HMAC-SHA256 of the payload bytes, keyed per call.
fn raw_hmac(key: &[u8], payload: &[u8]) -> [u8; 32] {
    match <HmacSha256 as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(payload);
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0; 32],
    }
}

/// The strictest baseline: an already keyed HMAC state, cloned per call.
fn prekeyed_hmac(mac: &HmacSha256, payload: &[u8]) -> [u8; 32] {
    let mut mac = mac.clone();
    mac.update(payload);
    mac.finalize().into_bytes().into()
}

fn verify(hook: &Webhook, case: &Case) -> bool {
    hook.verify(black_box(&case.payload), black_box(&case.headers)).is_ok()
}

fn criterion_benches(c: &mut Criterion) {
    let hook = hook();
    let key = key();
    let prekeyed = <HmacSha256 as Mac>::new_from_slice(&key).ok();
    for case in cases(&hook) {
        assert!(verify(&hook, &case), "bench message must verify");
        let mut group = c.benchmark_group(format!("webhooks/{}", case.label));
        group.throughput(Throughput::Bytes(case.payload.len() as u64));
        group.bench_function(BenchmarkId::from_parameter("verify"), |b| b.iter(|| verify(&hook, &case)));
        group.bench_function(BenchmarkId::from_parameter("raw_hmac_sha256"), |b| {
            b.iter(|| raw_hmac(black_box(&key), black_box(&case.payload)))
        });
        if let Some(mac) = &prekeyed {
            group.bench_function(BenchmarkId::from_parameter("prekeyed_hmac_sha256"), |b| {
                b.iter(|| prekeyed_hmac(black_box(mac), black_box(&case.payload)))
            });
        }
        group.finish();
    }
}

/// Best per-call time of `f` over `rounds` rounds of `iters` calls.
fn best_of(rounds: usize, iters: u32, mut f: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            start.elapsed() / iters
        })
        .min()
        .unwrap_or_default()
}

fn ratio_table() {
    let hook = hook();
    let key = key();
    let Ok(prekeyed) = <HmacSha256 as Mac>::new_from_slice(&key) else {
        return;
    };
    println!();
    println!("verify vs raw HMAC-SHA256 of the same payload (timed loop, best of 15 interleaved rounds)");
    println!(
        "{:>5} | {:>14} | {:>14} | {:>14} | {:>12} | {:>16}",
        "size", "verify/s", "raw HMAC/s", "prekeyed/s", "verify/raw", "verify/prekeyed"
    );
    let mut lines = Vec::new();
    for case in cases(&hook) {
        // About 40 ms per round per function.
        let iters: u32 = if case.payload.len() > 100_000 { 40 } else { 8_000 };
        let (mut v, mut r, mut p) = (Duration::MAX, Duration::MAX, Duration::MAX);
        for _ in 0..15 {
            v = v.min(best_of(1, iters, || {
                black_box(verify(&hook, &case));
            }));
            r = r.min(best_of(1, iters, || {
                black_box(raw_hmac(black_box(&key), black_box(&case.payload)));
            }));
            p = p.min(best_of(1, iters, || {
                black_box(prekeyed_hmac(black_box(&prekeyed), black_box(&case.payload)));
            }));
        }
        let per_sec = |d: Duration| 1.0 / d.as_secs_f64().max(f64::MIN_POSITIVE);
        let vr = v.as_secs_f64() / r.as_secs_f64().max(f64::MIN_POSITIVE);
        let vp = v.as_secs_f64() / p.as_secs_f64().max(f64::MIN_POSITIVE);
        println!(
            "{:>5} | {:>14.0} | {:>14.0} | {:>14.0} | {:>11.2}x | {:>15.2}x",
            case.label,
            per_sec(v),
            per_sec(r),
            per_sec(p),
            vr,
            vp
        );
        lines.push(format!("{}: verify {vr:.2}x raw HMAC ({vp:.2}x pre-keyed HMAC)", case.label));
    }
    for line in lines {
        println!("{line}");
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    criterion_benches(&mut criterion);
    criterion.final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then only the quick criterion smoke run above happens.
    if std::env::args().any(|a| a == "--bench") {
        ratio_table();
    }
}
