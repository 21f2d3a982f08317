//! Records decoded straight from a response's JSON text, for bindings whose records are plain
//! data (UniFFI's Kotlin and Swift records): free-form JSON fields travel as JSON text, and the
//! fields this SDK version does not know are kept as the JSON text of an object, so they survive
//! a decode and an encode (the other languages keep them too).
//!
//! The codecs are for `#[serde(with = "…")]`; [`unknown_fields`] goes on a `#[serde(flatten)]`
//! field of type `Option<String>`.

use super::ErrorRecord;
use crate::error::Error;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Decodes `text` (a response body or one page item) into `T`; a mismatch is a decode error
/// naming the failing field path.
pub fn decode<T: DeserializeOwned>(text: &str, status: u16, request_id: Option<&str>) -> Result<T, ErrorRecord> {
    crate::json::decode(text.as_bytes()).map_err(|(path, e)| {
        let message = format!("response does not match the model at `{path}`: {e}");
        ErrorRecord::from(Error::Decode {
            message,
            path,
            status,
            request_id: request_id.map(str::to_string),
            call: None,
        })
    })
}

/// Encodes a request body as JSON text; a value that cannot be encoded (invalid JSON text in a
/// free-form field) is an invalid-request error.
pub fn encode<T: Serialize>(body: &T) -> Result<String, ErrorRecord> {
    serde_json::to_string(body).map_err(|e| ErrorRecord::invalid(format!("the request body: {e}")))
}

/// A free-form JSON value as its JSON text.
pub mod text {
    use super::*;

    pub fn serialize<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(Value::deserialize(d)?.to_string())
    }
}

/// [`text`] of an optional value.
pub mod text_opt {
    use super::*;

    pub fn serialize<S: Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        match text {
            Some(t) => super::text::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<Value>::deserialize(d)?.map(|v| v.to_string()))
    }
}

/// A list of free-form JSON values, each as its JSON text.
pub mod text_vec {
    use super::*;

    pub fn serialize<S: Serializer>(texts: &[String], s: S) -> Result<S::Ok, S::Error> {
        let raws = texts
            .iter()
            .map(|t| serde_json::from_str::<&RawValue>(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(serde::ser::Error::custom)?;
        raws.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(Vec::<Value>::deserialize(d)?.iter().map(Value::to_string).collect())
    }
}

/// [`text_vec`] of an optional list.
pub mod text_vec_opt {
    use super::*;

    pub fn serialize<S: Serializer>(texts: &Option<Vec<String>>, s: S) -> Result<S::Ok, S::Error> {
        match texts {
            Some(t) => super::text_vec::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        Ok(Option::<Vec<Value>>::deserialize(d)?.map(|v| v.iter().map(Value::to_string).collect()))
    }
}

/// The fields a record does not declare, as the JSON text of an object (`None` when there are
/// none), for a `#[serde(flatten)]` field: collected on decode, written back on encode.
pub mod unknown_fields {
    use super::*;

    pub fn serialize<S: Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        let fields: Map<String, Value> = match text {
            Some(t) => serde_json::from_str(t)
                .map_err(|e| serde::ser::Error::custom(format!("unknown fields must be a JSON object: {e}")))?,
            None => Map::new(),
        };
        fields.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let fields = Map::<String, Value>::deserialize(d)?;
        Ok((!fields.is_empty()).then(|| Value::Object(fields).to_string()))
    }
}
