//! Post-processing of the Swift that `uniffi-bindgen` writes: the cases of `CadenyaError` follow
//! Swift's naming (`CadenyaError.notFound`, enum cases are lowerCamelCase) instead of the Rust
//! variant names UniFFI keeps for error enums (`CadenyaError.NotFound`). Kotlin keeps its names.
//!
//! The names come from the error table (`emit::errors::uniffi_cases`). The rename touches, and must
//! find, the three places the bindgen spells a case: the declaration (`case NotFound(`), the
//! converter's `read` (`return .NotFound(`) and `write` (`case let .NotFound(`); anywhere else in
//! the file only a qualified `CadenyaError.NotFound` is renamed. A case that is a Swift keyword
//! (`internal`) is written in backticks, which is valid wherever a case name is.
//!
//! `check` verifies a file that was already rewritten; `cadenya-generator --check` runs it on the
//! committed `swift/Sources/Cadenya/Cadenya.swift`, and `scripts/test-kotlin.sh` compares fresh
//! post-processed bindgen output with that file.

use crate::emit::errors::uniffi_cases;

const ENUM: &str = "enum CadenyaError:";
const CONVERTER: &str = "struct FfiConverterTypeCadenyaError:";
const QUALIFIED: &str = "CadenyaError.";

/// Swift words that are not valid as a bare declaration name.
const KEYWORDS: &[&str] = &[
    "associatedtype",
    "class",
    "deinit",
    "enum",
    "extension",
    "fileprivate",
    "func",
    "import",
    "init",
    "inout",
    "internal",
    "let",
    "open",
    "operator",
    "private",
    "precedencegroup",
    "protocol",
    "public",
    "rethrows",
    "static",
    "struct",
    "subscript",
    "typealias",
    "var",
    "break",
    "case",
    "catch",
    "continue",
    "default",
    "defer",
    "do",
    "else",
    "fallthrough",
    "for",
    "guard",
    "if",
    "in",
    "repeat",
    "return",
    "throw",
    "switch",
    "where",
    "while",
    "as",
    "false",
    "is",
    "nil",
    "self",
    "Self",
    "super",
    "throws",
    "true",
    "try",
    "Any",
    "Type",
];

/// The name as written in Swift source: in backticks when it is a keyword.
fn spelled(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("`{name}`")
    } else {
        name.to_string()
    }
}

/// The byte range from the enum declaration to the end of its converter struct.
fn region(swift: &str) -> Result<(usize, usize), String> {
    let start = swift.find(ENUM).ok_or("no `enum CadenyaError:` in the Swift source")?;
    let conv =
        start + swift[start..].find(CONVERTER).ok_or("no `struct FfiConverterTypeCadenyaError:` after the enum")?;
    let end = conv + swift[conv..].find("\n}\n").ok_or("FfiConverterTypeCadenyaError has no closing `}` line")? + 3;
    Ok((start, end))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Byte offsets in `text` where `prefix` + `name` stands as a whole token (the prefix is not
/// glued to a longer identifier on its left unless it starts with `.`, and nothing identifier-like
/// follows the name).
fn token_hits(text: &str, prefix: &str, name: &str) -> Vec<usize> {
    let needle = format!("{prefix}{name}");
    let bytes = text.as_bytes();
    text.match_indices(&needle)
        .map(|(at, _)| at)
        .filter(|&at| {
            let end = at + needle.len();
            let left_ok = prefix.starts_with('.') || at == 0 || !is_ident(bytes[at - 1]);
            left_ok && bytes.get(end).is_none_or(|&b| !is_ident(b))
        })
        .collect()
}

/// Replaces every whole-token `prefix` + `old` with `prefix` + `new`; returns the count.
fn replace_tokens(text: &str, prefix: &str, old: &str, new: &str) -> (String, usize) {
    let hits = token_hits(text, prefix, old);
    let mut out = String::with_capacity(text.len() + hits.len() * 2);
    let mut copied = 0;
    for &at in &hits {
        out.push_str(&text[copied..at]);
        out.push_str(prefix);
        out.push_str(new);
        copied = at + prefix.len() + old.len();
    }
    out.push_str(&text[copied..]);
    (out, hits.len())
}

/// Renames every case of `CadenyaError` in the bindgen's Swift source; fails when the enum, its
/// converter or any case of the table is not where the bindgen writes it.
pub fn rename_error_cases(swift: &str) -> Result<String, String> {
    let (start, end) = region(swift)?;
    let mut inner = swift[start..end].to_string();
    let (mut before, mut after) = (swift[..start].to_string(), swift[end..].to_string());
    for (old, new) in uniffi_cases() {
        let new = spelled(&new);
        let mut counts = [0; 3];
        for (i, prefix) in ["case ", "return .", "case let ."].iter().enumerate() {
            let (text, n) = replace_tokens(&inner, prefix, &old, &new);
            inner = text;
            counts[i] = n;
        }
        if counts != [1, 1, 1] {
            return Err(format!(
                "CadenyaError.{old}: expected one declaration, one read and one write, found {counts:?}"
            ));
        }
        // Any other reference (docs, hand-added extensions) in or around the enum.
        (inner, _) = replace_tokens(&inner, ".", &old, &new);
        (before, _) = replace_tokens(&before, QUALIFIED, &old, &new);
        (after, _) = replace_tokens(&after, QUALIFIED, &old, &new);
    }
    let text = format!("{before}{inner}{after}");
    check(&text)?;
    Ok(text)
}

/// Verifies a rewritten source: each case of the table is declared once under its Swift name, and
/// no case is referred to by its UniFFI name any more.
pub fn check(swift: &str) -> Result<(), String> {
    let (start, end) = region(swift)?;
    let inner = &swift[start..end];
    for (old, new) in uniffi_cases() {
        let declared = token_hits(inner, "case ", &spelled(&new)).len();
        if declared != 1 {
            return Err(format!("CadenyaError.{new} is declared {declared} times in the Swift source"));
        }
        let stale = token_hits(inner, "case ", &old).len()
            + token_hits(inner, ".", &old).len()
            + token_hits(swift, QUALIFIED, &old).len();
        if stale > 0 {
            return Err(format!(
                "the Swift source still names CadenyaError.{old} ({stale} times): rename it to `{new}`"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// UniFFI 0.32's shape for `CadenyaError`, with every case of the table (one field each,
    /// which is all the rename looks at), a doc line naming a case and an unrelated enum whose
    /// cases share names with the error's.
    fn sample() -> String {
        let cases = uniffi_cases();
        let mut s = String::from("/// Swift: `CadenyaError.NotFound(...)`.\npublic\nenum CadenyaError: Swift.Error, Equatable, Hashable, Foundation.LocalizedError {\n");
        for (old, _) in &cases {
            s.push_str(&format!("    case {old}(message: String\n    )\n"));
        }
        s.push_str("}\n\npublic struct FfiConverterTypeCadenyaError: FfiConverterRustBuffer {\n    public static func read(from buf: inout (data: Data, offset: Data.Index)) throws -> CadenyaError {\n        switch variant {\n");
        for (i, (old, _)) in cases.iter().enumerate() {
            s.push_str(&format!(
                "        case {}: return .{old}(\n            message: try FfiConverterString.read(from: &buf)\n            )\n",
                i + 1
            ));
        }
        s.push_str("         default: throw UniffiInternalError.unexpectedEnumCase\n        }\n    }\n    public static func write(_ value: CadenyaError, into buf: inout [UInt8]) {\n        switch value {\n");
        for (i, (old, _)) in cases.iter().enumerate() {
            s.push_str(&format!(
                "        case let .{old}(message):\n            writeInt(&buf, Int32({}))\n            FfiConverterString.write(message, into: &buf)\n",
                i + 1
            ));
        }
        s.push_str("        }\n    }\n}\n\npublic enum Other {\n    case Timeout\n    case Internal\n}\nlet o: Other = .Timeout\n");
        s
    }

    #[test]
    fn every_case_is_renamed_in_declaration_read_and_write() {
        let text = rename_error_cases(&sample()).expect("renamed");
        for (old, new) in uniffi_cases() {
            let new = spelled(&new);
            assert!(text.contains(&format!("    case {new}(message: String\n")), "{new}");
            assert!(text.contains(&format!(": return .{new}(\n")), "{new}");
            assert!(text.contains(&format!("        case let .{new}(message):\n")), "{new}");
            // No reference by the UniFFI name is left in the enum and its converter.
            let (start, end) = region(&text).expect("region");
            let inner = &text[start..end];
            assert!(token_hits(inner, ".", &old).is_empty() && token_hits(inner, "case ", &old).is_empty(), "{old}");
        }
        assert_eq!(text.matches("`internal`").count(), 3, "the keyword case is escaped at all three places");
        assert!(text.contains("case notFound(") && text.contains("case let .waitTimeout(") && text.contains(".api("));
        assert!(text.contains("`CadenyaError.notFound(...)`"));
        // The unrelated enum keeps its names; the rewrite only renames, nothing else moves.
        assert!(text.contains("    case Timeout\n    case Internal\n}\nlet o: Other = .Timeout\n"));
        assert_eq!(text.lines().count(), sample().lines().count());
        check(&text).expect("the rewritten text passes the check");
    }

    #[test]
    fn the_names_are_lower_camel_case_from_the_table() {
        let cases = uniffi_cases();
        assert_eq!(cases.len(), 18);
        for (old, new) in &cases {
            assert_eq!(new.to_lowercase(), old.to_lowercase());
            assert!(new.starts_with(|c: char| c.is_ascii_lowercase()), "{new}");
        }
        assert!(cases.contains(&("NotFound".into(), "notFound".into())));
        assert!(cases.contains(&("UnprocessableEntity".into(), "unprocessableEntity".into())));
    }

    #[test]
    fn a_missing_case_or_a_stale_name_fails_loudly() {
        let missing = sample().replacen("    case Conflict(message: String\n    )\n", "", 1);
        let err = rename_error_cases(&missing).unwrap_err();
        assert!(err.contains("CadenyaError.Conflict") && err.contains("[0, 1, 1]"), "{err}");
        assert!(rename_error_cases("enum Other {}\n").unwrap_err().contains("no `enum CadenyaError:`"));
        let renamed = rename_error_cases(&sample()).expect("renamed");
        let err = check(&renamed.replacen("case let .notFound(", "case let .NotFound(", 1)).unwrap_err();
        assert!(err.contains("CadenyaError.NotFound"), "{err}");
        let err = check(&format!("{renamed}let e = CadenyaError.Timeout(message: \"\")\n")).unwrap_err();
        assert!(err.contains("CadenyaError.Timeout"), "{err}");
        assert!(check(&sample()).is_err(), "unrenamed bindgen output does not pass");
    }
}
