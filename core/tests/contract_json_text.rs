//! The JSON-text records of the binding contract: decoded once from text, unknown fields kept
//! as JSON text and written back, free-form fields as text.
#![cfg(feature = "binding")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cadenya::contract::json_text::{decode, encode};
use cadenya::ErrorClass;

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Inner {
    name: String,
    #[serde(flatten, with = "cadenya::contract::json_text::unknown_fields")]
    unknown_fields: Option<String>,
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Outer {
    inner: Inner,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "cadenya::contract::json_text::text_opt")]
    data: Option<String>,
    #[serde(flatten, with = "cadenya::contract::json_text::unknown_fields")]
    unknown_fields: Option<String>,
}

#[test]
fn unknown_fields_are_kept_at_every_level_and_written_back() {
    let text = r#"{"inner":{"name":"a","later":{"x":[1,2]}},"data":{"free":true},"top":"t"}"#;
    let o: Outer = decode(text, 200, None).unwrap();
    assert_eq!(o.inner.name, "a");
    assert_eq!(o.inner.unknown_fields.as_deref(), Some(r#"{"later":{"x":[1,2]}}"#));
    assert_eq!(o.unknown_fields.as_deref(), Some(r#"{"top":"t"}"#));
    assert_eq!(o.data.as_deref(), Some(r#"{"free":true}"#));
    let again: serde_json::Value = serde_json::from_str(&encode(&o).unwrap()).unwrap();
    assert_eq!(again, serde_json::from_str::<serde_json::Value>(text).unwrap());
    let plain: Inner = decode(r#"{"name":"b"}"#, 200, None).unwrap();
    assert_eq!(plain.unknown_fields, None);
    assert_eq!(encode(&plain).unwrap(), r#"{"name":"b"}"#);
}

#[test]
fn a_mismatch_is_a_decode_error_naming_the_path_and_bad_text_is_refused() {
    let e = decode::<Outer>(r#"{"inner":{"name":7}}"#, 200, Some("req_1")).unwrap_err();
    assert_eq!(e.class, ErrorClass::APIResponseValidationError);
    assert_eq!(
        (e.status, e.request_id.as_deref(), e.detail.as_deref()),
        (Some(200), Some("req_1"), Some("inner.name"))
    );
    let bad = Inner { name: "c".into(), unknown_fields: Some("[1]".into()) };
    assert_eq!(encode(&bad).unwrap_err().class, ErrorClass::InvalidRequestError);
    let bad =
        Outer { inner: Inner { name: "d".into(), unknown_fields: None }, data: Some("{".into()), unknown_fields: None };
    assert_eq!(encode(&bad).unwrap_err().class, ErrorClass::InvalidRequestError);
}
