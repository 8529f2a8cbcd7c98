//! Short texts people type (a note, what was found on a car, why a price was adjusted):
//! trimmed, bounded in characters, free of control characters. [`bounded_text!`]
//! declares each as a newtype that parses, so holding one means it is valid.

/// Declares `$name`, a trimmed text of `$min..=$max` characters refused with `$error`
/// otherwise; line breaks are kept when `$lines` is true, other control characters never.
macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr, lines: $lines:expr, $error:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest text accepted, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims, and refuses a text that is too short or too long or holds control
            /// characters.
            pub fn parse(input: &str) -> Result<$name, $crate::Error> {
                let text = input.trim();
                let chars = text.chars().count();
                let control = text
                    .chars()
                    .any(|c| c.is_control() && !($lines && (c == '\n' || c == '\r')));
                if !($min..=$max).contains(&chars) || control {
                    return Err($error);
                }
                Ok($name(text.to_owned()))
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::Error;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(text: $name) -> String {
                text.0
            }
        }
    };
}
pub(crate) use bounded_text;
