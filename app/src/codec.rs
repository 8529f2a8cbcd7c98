//! How server functions send their results: JSON, read as text.
//!
//! Leptos hands a resource's server-rendered value to the browser as text and reads it
//! with `serde_json::from_str`; server_fn's own `Json` reads a response with
//! `serde_json::from_slice`. Two readers meant the browser bundle carried a second copy
//! of every result type's decoder. [`JsonText`] is `Json` that reads from text too, so
//! both share one. Every `#[server]` function says `output = JsonText`.

use serde::{de::DeserializeOwned, Serialize};
use server_fn::{codec::Post, Bytes, ContentType, Decodes, Encodes, Format, FormatType};

/// JSON on the wire, decoded from text (see the module docs).
pub struct JsonTextEncoding;

impl ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonTextEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// A server function's results as JSON in the body of a `POST` answer.
pub type JsonText = Post<JsonTextEncoding>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_what_is_not_utf8() {
        let bytes = <JsonTextEncoding as Encodes<Vec<String>>>::encode(&vec!["苏K".into()])
            .expect("encodes");
        let back: Vec<String> =
            <JsonTextEncoding as Decodes<Vec<String>>>::decode(bytes).expect("decodes");
        assert_eq!(back, vec!["苏K".to_string()]);
        let bad =
            <JsonTextEncoding as Decodes<Vec<String>>>::decode(Bytes::from_static(b"[\"\xff\"]"));
        assert!(bad.is_err());
    }
}
