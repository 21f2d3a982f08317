//! Wire encodings shared by the generated code: int64-as-string, open enums, query values.

/// `int64` fields travel as JSON strings (proto3 JSON). Decodes a string or a number; encodes a string.
pub mod int64 {
    use serde::{de, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = i64;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a 64-bit integer as a decimal string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<i64, E> {
                s.parse().map_err(|_| E::custom(format_args!("`{s}` is not a 64-bit integer")))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<i64, E> {
                Ok(n)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<i64, E> {
                i64::try_from(n).map_err(|_| E::custom("integer out of 64-bit range"))
            }
        }
        d.deserialize_any(V)
    }
}

/// Optional form of [`int64`].
pub mod int64_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(n) => s.collect_str(n),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "super::int64")] i64);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}

/// A value that can be sent as one query parameter. Arrays are comma-separated, as the API expects.
pub trait QueryValue {
    fn to_query(&self) -> String;
}

impl QueryValue for String {
    fn to_query(&self) -> String {
        self.clone()
    }
}
impl QueryValue for &str {
    fn to_query(&self) -> String {
        (*self).to_string()
    }
}
impl QueryValue for i32 {
    fn to_query(&self) -> String {
        self.to_string()
    }
}
impl QueryValue for i64 {
    fn to_query(&self) -> String {
        self.to_string()
    }
}
impl QueryValue for f64 {
    fn to_query(&self) -> String {
        self.to_string()
    }
}
impl QueryValue for bool {
    fn to_query(&self) -> String {
        if *self { "true" } else { "false" }.to_string()
    }
}
impl<T: QueryValue> QueryValue for Vec<T> {
    fn to_query(&self) -> String {
        self.iter().map(QueryValue::to_query).collect::<Vec<_>>().join(",")
    }
}

/// Declares an enum that keeps values it does not know: `Unknown(String)` carries them, so a
/// server adding a value never breaks decoding. Serialises as the exact wire string.
#[macro_export]
#[doc(hidden)]
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $first:ident => $first_wire:literal, $($variant:ident => $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            #[default]
            #[doc = concat!("`", $first_wire, "`")]
            $first,
            $(#[doc = concat!("`", $wire, "`")] $variant,)*
            /// A value this version of the SDK does not know, kept as received.
            Unknown(String),
        }

        impl $name {
            /// Every value this SDK version knows, in spec order.
            pub const KNOWN: &'static [&'static str] = &[$first_wire, $($wire,)*];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    Self::$first => $first_wire,
                    $(Self::$variant => $wire,)*
                    Self::Unknown(s) => s.as_str(),
                }
            }

            /// True for values this SDK version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $first_wire => Self::$first,
                    $($wire => Self::$variant,)*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(s.as_ref()))
            }
        }

        impl $crate::codec::QueryValue for $name {
            fn to_query(&self) -> String {
                self.as_str().to_string()
            }
        }
    };
}
