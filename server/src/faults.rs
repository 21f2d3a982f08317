//! Fault injection: the `x-cadenya-fault` header and faults armed through
//! `POST /_cadenya/faults`.
//!
//! Grammar (semicolon-separated, whitespace around items ignored):
//! `id=TOKEN` `status=N` `retry-after=S` `retry-after-ms=N` `delay-ms=N`
//! `drop` `truncate` `malformed-json` `times=N`.

use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fault {
    pub status: Option<u16>,
    pub retry_after: Option<String>,
    pub retry_after_ms: Option<String>,
    pub delay_ms: Option<u64>,
    pub drop: bool,
    pub truncate: bool,
    pub malformed_json: bool,
    pub times: Option<u64>,
}

impl Fault {
    pub fn parse(s: &str) -> Result<Fault, String> {
        let mut f = Fault::default();
        for item in s.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let (k, v) = match item.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim())),
                None => (item.to_ascii_lowercase(), None),
            };
            let num = |v: Option<&str>| -> Result<u64, String> {
                v.and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| format!("fault {k}: expected a non-negative integer"))
            };
            match k.as_str() {
                "id" => {}
                "status" => {
                    let n = num(v)?;
                    if !(100..=599).contains(&n) {
                        return Err("fault status: must be 100..=599".into());
                    }
                    f.status = Some(n as u16);
                }
                "retry-after" => f.retry_after = Some(v.unwrap_or_default().to_string()),
                "retry-after-ms" => f.retry_after_ms = Some(v.unwrap_or_default().to_string()),
                "delay-ms" => f.delay_ms = Some(num(v)?),
                "drop" => f.drop = true,
                "truncate" => f.truncate = true,
                "malformed-json" => f.malformed_json = true,
                "times" => f.times = Some(num(v)?),
                other => return Err(format!("unknown fault key {other:?}")),
            }
        }
        Ok(f)
    }
}

#[derive(Debug, Clone)]
struct Armed {
    method: Option<String>,
    path_prefix: Option<String>,
    fault: Fault,
    used: u64,
}

#[derive(Default)]
pub struct Faults {
    /// Requests seen per distinct header value.
    header_counts: HashMap<String, u64>,
    armed: Vec<Armed>,
}

impl Faults {
    /// The fault that applies to this request, consuming one use of it.
    pub fn take(&mut self, method: &str, path: &str, header: Option<&str>) -> Result<Option<Fault>, String> {
        if let Some(h) = header {
            let f = Fault::parse(h)?;
            let count = self.header_counts.entry(h.to_string()).or_insert(0);
            *count += 1;
            return Ok(match f.times {
                Some(n) if *count > n => None,
                _ => Some(f),
            });
        }
        for a in &mut self.armed {
            let m_ok = a.method.as_deref().map(|m| m.eq_ignore_ascii_case(method)).unwrap_or(true);
            let p_ok = a.path_prefix.as_deref().map(|p| path.starts_with(p)).unwrap_or(true);
            let left = a.fault.times.map(|t| a.used < t).unwrap_or(true);
            if m_ok && p_ok && left {
                a.used += 1;
                return Ok(Some(a.fault.clone()));
            }
        }
        Ok(None)
    }

    pub fn arm(&mut self, method: Option<String>, path_prefix: Option<String>, fault: Fault) {
        self.armed.push(Armed { method, path_prefix, fault, used: 0 });
    }

    pub fn clear(&mut self) {
        self.armed.clear();
        self.header_counts.clear();
    }
}
