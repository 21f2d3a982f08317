//! JSON text as the language bindings exchange it.

/// JSON text checked to be valid JSON but never built into a tree. Passing it through unparsed
/// saves a parse and a re-serialisation per call in bindings whose language parses JSON itself.
pub type RawJson = Box<serde_json::value::RawValue>;

/// Decodes `text` into `T`. On failure, returns the JSON path of the value where decoding
/// stopped (`data[2].name`; `.` for the document) with serde_json's error. The path is found by
/// re-scanning the text up to the error's position, so each model is instantiated once, for the
/// plain `serde_json` deserializer: tracking the path while decoding (`serde_path_to_error`)
/// doubled the decoding code of every model, about 1 MB of the FFI library.
pub fn decode<T: serde::de::DeserializeOwned>(text: &[u8]) -> Result<T, (String, serde_json::Error)> {
    serde_json::from_slice(text).map_err(|e| {
        let stop = match e.classify() {
            serde_json::error::Category::Eof => Stop::Eof,
            _ if e.to_string().starts_with("missing field") => Stop::MissingField,
            _ => Stop::Value,
        };
        (path_at(text, e.line(), e.column(), stop), e)
    })
}

/// The path of the value at serde_json's error position (`line`, 1-based; `column`, the bytes
/// of that line it consumed). An object or array that starts right there is the value the error
/// is about (serde_json reports a wrong-typed container before consuming it); a `}` right there
/// belongs to a missing field's error, which is raised at the closing brace of its object.
/// Text that ends early names the object or array it ended in.
fn path_at(text: &[u8], line: usize, column: usize, stop: Stop) -> String {
    if line == 0 {
        return ".".to_string();
    }
    let line_start = text.split_inclusive(|b| *b == b'\n').take(line - 1).map(<[u8]>::len).sum::<usize>();
    let at = (line_start + column).min(text.len());
    let end = match text.get(at) {
        Some(b'{' | b'[') => at + 1,
        Some(b'}') if stop == Stop::MissingField => at + 1,
        _ => at,
    };
    let eof = stop == Stop::Eof;
    let mut scan = PathScan { text: &text[..end], eof, at: 0, path: Vec::new(), last: Vec::new() };
    scan.value();
    render(&scan.last)
}

/// What stopped the decoding: text that ended early, a missing field, or any other error at
/// the value just read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    Eof,
    MissingField,
    Value,
}

#[derive(Clone)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A scan of (possibly truncated) JSON text that remembers the path of the last value it
/// entered or closed.
struct PathScan<'a> {
    text: &'a [u8],
    eof: bool,
    at: usize,
    path: Vec<Segment>,
    last: Vec<Segment>,
}

impl PathScan<'_> {
    fn skip_space(&mut self) -> Option<u8> {
        while self.at < self.text.len() && matches!(self.text[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
        self.text.get(self.at).copied()
    }

    /// Marks a value as entered at the current path (also when the text ends where it should
    /// start), then walks it; `false` when the text ends.
    fn value(&mut self) -> bool {
        self.last = self.path.clone();
        let Some(first) = self.skip_space() else { return false };
        match first {
            b'{' => self.container(b'}', true),
            b'[' => self.container(b']', false),
            b'"' => self.string().is_some(),
            _ => {
                let start = self.at;
                while self.at < self.text.len()
                    && !matches!(self.text[self.at], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    self.at += 1;
                }
                // A number or literal that the text's end cut short is where the text ended.
                self.at < self.text.len() || serde_json::from_slice::<serde_json::Value>(&self.text[start..]).is_ok()
            }
        }
    }

    /// An object (`keyed`) or an array after its opening bracket; `false` when the text ends inside.
    fn container(&mut self, close: u8, keyed: bool) -> bool {
        self.at += 1;
        let mut index = 0;
        loop {
            match self.skip_space() {
                None => return self.ended_in_container(),
                Some(b',') => self.at += 1,
                Some(b) if b == close => {
                    self.at += 1;
                    self.last = self.path.clone();
                    return true;
                }
                Some(_) => {
                    let segment = if keyed {
                        let Some(key) = self.string() else { return self.ended_in_container() };
                        if self.skip_space() != Some(b':') {
                            return self.ended_in_container();
                        }
                        self.at += 1;
                        Segment::Key(key)
                    } else {
                        index += 1;
                        Segment::Index(index - 1)
                    };
                    self.path.push(segment);
                    let done = self.value();
                    self.path.pop();
                    if !done {
                        return false;
                    }
                }
            }
        }
    }

    /// The text ended between a container's values: for text that ended early, the error is
    /// the container's.
    fn ended_in_container(&mut self) -> bool {
        if self.eof {
            self.last = self.path.clone();
        }
        false
    }

    /// A string token (at its opening quote), unescaped; `None` when the text ends inside it.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.at += 1;
        while self.at < self.text.len() {
            match self.text[self.at] {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    let raw = &self.text[start..self.at];
                    let fallback = || String::from_utf8_lossy(&raw[1..raw.len() - 1]).into_owned();
                    return Some(serde_json::from_slice(raw).unwrap_or_else(|_| fallback()));
                }
                _ => self.at += 1,
            }
        }
        None
    }
}

/// `serde_path_to_error`'s notation: `.` for the document, `a.b[2].c` below it.
fn render(path: &[Segment]) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(k) if out.is_empty() => out.push_str(k),
            Segment::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::decode;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Doc {
        id: String,
        count: i64,
        tags: Vec<String>,
        items: Vec<Item>,
        next: Option<Item>,
        #[serde(flatten)]
        rest: serde_json::Map<String, serde_json::Value>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Item {
        name: String,
        created_at: String,
        flags: Vec<bool>,
        #[serde(default)]
        note: Option<String>,
    }

    const VALID: &str = r#"{"id":"a\"b","count":3,"tags":["x","y"],"items":[{"name":"n0","createdAt":"t","flags":[true]},{"name":"n\u0031","createdAt":"t","flags":[false,true],"note":"k"}],"next":{"name":"z","createdAt":"t","flags":[]},"extra":{"deep":[1,{"x":2}]}}"#;

    fn expected(text: &str) -> Option<String> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, Doc>(de).err().map(|e| e.path().to_string())
    }

    fn located(text: &str) -> Option<String> {
        decode::<Doc>(text.as_bytes()).err().map(|(path, _)| path)
    }

    /// Every value swapped for one of each other JSON type, and every field removed, in compact
    /// and pretty-printed text: the path found by re-scanning is the one `serde_path_to_error`
    /// tracks while decoding.
    #[test]
    fn paths_match_path_tracking_decode() {
        let valid: serde_json::Value = serde_json::from_str(VALID).unwrap();
        assert!(located(VALID).is_none());
        let mut variants = Vec::new();
        mutate(&valid, &mut Vec::new(), &valid, &mut variants);
        assert!(variants.len() > 40, "{} variants", variants.len());
        let mut checked = 0;
        for doc in variants {
            for text in [doc.to_string(), serde_json::to_string_pretty(&doc).unwrap()] {
                let Some(want) = expected(&text) else { continue };
                assert_eq!(located(&text).as_deref(), Some(want.as_str()), "{text}");
                checked += 1;
            }
        }
        assert!(checked > 40, "only {checked} documents failed to decode");
    }

    fn mutate(
        root: &serde_json::Value,
        at: &mut Vec<serde_json::Value>,
        v: &serde_json::Value,
        out: &mut Vec<serde_json::Value>,
    ) {
        use serde_json::{json, Value};
        let replace = |with: Value| -> Value {
            let mut doc = root.clone();
            *pointer(&mut doc, at) = with;
            doc
        };
        for wrong in [json!(7), json!("s"), json!(true), json!({"k": 1}), json!([1]), Value::Null] {
            if std::mem::discriminant(&wrong) != std::mem::discriminant(v) {
                out.push(replace(wrong));
            }
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let mut doc = root.clone();
                    pointer(&mut doc, at).as_object_mut().unwrap().remove(k);
                    out.push(doc);
                    at.push(Value::String(k.clone()));
                    mutate(root, at, child, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    at.push(Value::from(i));
                    mutate(root, at, child, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }

    fn pointer<'a>(doc: &'a mut serde_json::Value, at: &[serde_json::Value]) -> &'a mut serde_json::Value {
        at.iter().fold(doc, |v, seg| match seg {
            serde_json::Value::String(k) => &mut v[k.as_str()],
            i => &mut v[i.as_u64().unwrap() as usize],
        })
    }

    /// Truncated text names the value the text stopped in.
    #[test]
    fn truncated_text_names_where_it_stopped() {
        let text = r#"{"id":"x","count":1,"tags":[],"items":[{"name":"n","createdAt":"#;
        assert_eq!(located(text).as_deref(), Some("items[0].createdAt"));
        assert_eq!(located("").as_deref(), Some("."));
        // Everywhere `serde_path_to_error` names the place (it writes `?` inside a cut-off key).
        for n in 1..VALID.len() {
            let want = expected(&VALID[..n]).unwrap();
            if !want.contains('?') {
                assert_eq!(located(&VALID[..n]), Some(want), "{}", &VALID[..n]);
            }
        }
    }
}
