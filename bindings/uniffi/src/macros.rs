//! Declarative macros the generated code expands, so `generated.rs` stays data, not code.

/// An enum that keeps values it does not know: Kotlin sealed class / Swift enum with an
/// `Unknown(value)` case. Serialises as the exact wire string; usable as a query value.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($variant,)*
            /// A value this SDK version does not know, kept as received.
            Unknown { value: String },
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown { value } => value.as_str(),
                }
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
                Ok(match s.as_ref() {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown { value: other.to_string() },
                })
            }
        }

        impl $crate::rt::QueryArg for $name {
            fn to_query(&self) -> String {
                self.as_str().to_string()
            }
        }
    };
}

/// One page of a list of `$item`: `items()`, `nextCursor()`, `hasNextPage()` and the async
/// `nextPage()` (null after the last page), which repeats the request through the core.
macro_rules! page_type {
    ($name:ident, $item:ident) => {
        /// One page of a list; `next_page()` fetches the following one through the core.
        #[derive(uniffi::Object)]
        pub struct $name {
            items: Vec<$item>,
            next_cursor: Option<String>,
            core: cadenya::Page<serde_json::Value>,
        }

        impl $crate::rt::PageType for $name {
            type Item = $item;
            fn build(items: Vec<$item>, next_cursor: Option<String>, core: cadenya::Page<serde_json::Value>) -> Self {
                $name { items, next_cursor, core }
            }
        }

        #[uniffi::export(async_runtime = "tokio")]
        impl $name {
            /// The items of this page.
            pub fn items(&self) -> Vec<$item> {
                self.items.clone()
            }

            /// The cursor of the next page; null on the last page.
            pub fn next_cursor(&self) -> Option<String> {
                self.next_cursor.clone()
            }

            /// True when another page can be fetched.
            pub fn has_next_page(&self) -> bool {
                self.core.has_next_page()
            }

            /// The next page, or null after the last one.
            pub async fn next_page(&self) -> Result<Option<std::sync::Arc<$name>>, $crate::CadenyaError> {
                $crate::rt::next_page(&self.core).await
            }
        }
    };
}
