//! The `type` string of the webhook envelope.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

macro_rules! event_types {
    ($( $(#[$doc:meta])* $variant:ident => $wire:literal, $proto:literal; )*) => {
        /// The envelope `type` of an objective-event webhook:
        /// `objective_event.` followed by the snake_case objective event kind
        /// (the 16 `OBJECTIVE_EVENT_TYPE_*` values of
        /// `WebhookDeliveryData.eventType`).
        ///
        /// Any other string is kept verbatim in [`WebhookEventType::Unknown`],
        /// so new server-side kinds never fail decoding. Serialises as the
        /// string.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum WebhookEventType {
            $( $(#[$doc])* #[doc = concat!("`", $wire, "`")] $variant, )*
            /// A `type` this SDK version does not know, kept as sent.
            Unknown(String),
        }

        impl WebhookEventType {
            /// Every known kind, in the spec's enum order.
            pub const KNOWN: &'static [WebhookEventType] = &[$( WebhookEventType::$variant, )*];

            /// The envelope string, e.g. `objective_event.tool_result`.
            pub fn as_str(&self) -> &str {
                match self {
                    $( WebhookEventType::$variant => $wire, )*
                    WebhookEventType::Unknown(other) => other,
                }
            }

            /// The matching `OBJECTIVE_EVENT_TYPE_*` name (as used by
            /// `WebhookDeliveryData.eventType`), or `None` for `Unknown`.
            pub fn objective_event_type(&self) -> Option<&'static str> {
                match self {
                    $( WebhookEventType::$variant => Some($proto), )*
                    WebhookEventType::Unknown(_) => None,
                }
            }

            /// Maps an `OBJECTIVE_EVENT_TYPE_*` name to its kind; other
            /// strings give `Unknown` holding the input unchanged.
            pub fn from_objective_event_type(name: &str) -> WebhookEventType {
                match name {
                    $( $proto => WebhookEventType::$variant, )*
                    other => WebhookEventType::Unknown(other.to_owned()),
                }
            }

            fn known(s: &str) -> Option<WebhookEventType> {
                match s {
                    $( $wire => Some(WebhookEventType::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

event_types! {
    Unspecified => "objective_event.unspecified", "OBJECTIVE_EVENT_TYPE_UNSPECIFIED";
    UserMessage => "objective_event.user_message", "OBJECTIVE_EVENT_TYPE_USER_MESSAGE";
    ToolApprovalRequested => "objective_event.tool_approval_requested", "OBJECTIVE_EVENT_TYPE_TOOL_APPROVAL_REQUESTED";
    ToolApproved => "objective_event.tool_approved", "OBJECTIVE_EVENT_TYPE_TOOL_APPROVED";
    ToolDenied => "objective_event.tool_denied", "OBJECTIVE_EVENT_TYPE_TOOL_DENIED";
    ToolCalled => "objective_event.tool_called", "OBJECTIVE_EVENT_TYPE_TOOL_CALLED";
    Error => "objective_event.error", "OBJECTIVE_EVENT_TYPE_ERROR";
    AssistantMessage => "objective_event.assistant_message", "OBJECTIVE_EVENT_TYPE_ASSISTANT_MESSAGE";
    ToolResult => "objective_event.tool_result", "OBJECTIVE_EVENT_TYPE_TOOL_RESULT";
    ToolError => "objective_event.tool_error", "OBJECTIVE_EVENT_TYPE_TOOL_ERROR";
    ContextWindowCompacted => "objective_event.context_window_compacted", "OBJECTIVE_EVENT_TYPE_CONTEXT_WINDOW_COMPACTED";
    MemoryRead => "objective_event.memory_read", "OBJECTIVE_EVENT_TYPE_MEMORY_READ";
    Cancelled => "objective_event.cancelled", "OBJECTIVE_EVENT_TYPE_CANCELLED";
    SubAgentSpawned => "objective_event.sub_agent_spawned", "OBJECTIVE_EVENT_TYPE_SUB_AGENT_SPAWNED";
    SubAgentUpdated => "objective_event.sub_agent_updated", "OBJECTIVE_EVENT_TYPE_SUB_AGENT_UPDATED";
    Finalized => "objective_event.finalized", "OBJECTIVE_EVENT_TYPE_FINALIZED";
}

impl WebhookEventType {
    /// Whether this is one of the known kinds (not `Unknown`).
    pub fn is_known(&self) -> bool {
        !matches!(self, WebhookEventType::Unknown(_))
    }
}

impl From<&str> for WebhookEventType {
    fn from(s: &str) -> Self {
        WebhookEventType::known(s).unwrap_or_else(|| WebhookEventType::Unknown(s.to_owned()))
    }
}

impl From<String> for WebhookEventType {
    fn from(s: String) -> Self {
        WebhookEventType::known(&s).unwrap_or(WebhookEventType::Unknown(s))
    }
}

impl FromStr for WebhookEventType {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(WebhookEventType::from(s))
    }
}

impl fmt::Display for WebhookEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for WebhookEventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WebhookEventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TypeVisitor;

        impl Visitor<'_> for TypeVisitor {
            type Value = WebhookEventType;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a webhook event type string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(WebhookEventType::from(v))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(WebhookEventType::from(v))
            }
        }

        deserializer.deserialize_string(TypeVisitor)
    }
}
