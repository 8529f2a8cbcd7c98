//! The error every server function returns.
//!
//! Clients see a kind and, for rule violations, the domain error (which the UI
//! translates); internal failures reach the client only as an opaque trace id while the
//! real cause is logged on the server.

use serde::{Deserialize, Serialize};
use server_fn::error::ServerFnErrorErr;
use server_fn::{error::FromServerFnError, Bytes, Encodes, ServerFnError};

use crate::codec::JsonTextEncoding;

use crate::i18n::{Lang, Msg};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The input broke a business rule or could not be parsed.
    #[error("invalid input: {0}")]
    Invalid(domain::Error),
    /// The request itself was malformed (missing or undecodable arguments).
    #[error("malformed request")]
    BadRequest,
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Nobody is signed in, and the request needs someone who is.
    #[error("not signed in")]
    Unauthenticated,
    /// The phone number or the password is wrong (which one is not said).
    #[error("wrong phone number or password")]
    BadCredentials,
    /// Too many sign-in attempts for this account or from this address.
    #[error("too many attempts")]
    RateLimited,
    /// Someone else changed the same data first; retrying after a refresh may work.
    #[error("conflict")]
    Conflict,
    /// The database is overloaded or locked for too long; retrying later may work.
    #[error("busy")]
    Busy,
    /// A failure on the server; the cause is in the server log under this trace id.
    #[error("internal error (trace id {trace_id})")]
    Internal { trace_id: String },
    /// The browser could not reach the server or read its answer.
    #[error("network error")]
    Network,
}

impl AppError {
    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::Invalid(_) => S::UNPROCESSABLE_ENTITY,
            AppError::BadRequest => S::BAD_REQUEST,
            AppError::NotFound => S::NOT_FOUND,
            AppError::Forbidden => S::FORBIDDEN,
            AppError::Unauthenticated | AppError::BadCredentials => S::UNAUTHORIZED,
            AppError::RateLimited => S::TOO_MANY_REQUESTS,
            AppError::Conflict => S::CONFLICT,
            AppError::Busy => S::SERVICE_UNAVAILABLE,
            AppError::Internal { .. } => S::INTERNAL_SERVER_ERROR,
            AppError::Network => S::BAD_GATEWAY,
        }
    }

    /// The message a person reads, in their language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Invalid(e) => crate::i18n::domain_error_text(e, lang).to_string(),
            AppError::BadRequest => Msg::ErrBadRequest.text(lang).to_string(),
            AppError::NotFound => Msg::ErrNotFound.text(lang).to_string(),
            AppError::Forbidden => Msg::ErrForbidden.text(lang).to_string(),
            AppError::Unauthenticated => Msg::ErrUnauthenticated.text(lang).to_string(),
            AppError::BadCredentials => Msg::ErrBadCredentials.text(lang).to_string(),
            AppError::RateLimited => Msg::ErrRateLimited.text(lang).to_string(),
            AppError::Conflict => Msg::ErrConflict.text(lang).to_string(),
            AppError::Busy => Msg::ErrBusy.text(lang).to_string(),
            AppError::Internal { trace_id } => {
                format!("{} ({trace_id})", Msg::ErrInternal.text(lang))
            }
            AppError::Network => Msg::ErrNetwork.text(lang).to_string(),
        }
    }

    /// Puts this error's status on the response being built, so API clients see 4xx
    /// for their mistakes rather than server_fn's default 500. Called once, where the
    /// error is encoded for the response ([`FromServerFnError::ser`]).
    ///
    /// A plain HTML form post (a page not yet hydrated, e.g. a kiosk on a weak network)
    /// is answered with a redirect back to the form instead, and that must stay a redirect.
    #[cfg(feature = "ssr")]
    fn record_status(&self) {
        use leptos::prelude::use_context;
        let from_html_form = use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
        });
        if let (false, Some(res)) = (
            from_html_form,
            use_context::<leptos_axum::ResponseOptions>(),
        ) {
            res.set_status(self.status());
        }
    }
}

impl From<domain::Error> for AppError {
    fn from(e: domain::Error) -> Self {
        AppError::Invalid(e)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonTextEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::BadRequest,
            // On the server these mean the request body could not be read.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::Response(_) => {
                AppError::BadRequest
            }
            ServerFnErrorErr::Request(_) => AppError::Network,
            // In the browser they mean the server's answer could not be read.
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::Response(_) => {
                AppError::Network
            }
            other => AppError::internal(other),
        }
    }

    fn ser(&self) -> Bytes {
        #[cfg(feature = "ssr")]
        self.record_status();
        // Serialising this plain enum to JSON cannot fail; an empty body would reach the
        // browser as a network error.
        <JsonTextEncoding as Encodes<Self>>::encode(self).unwrap_or_default()
    }
}

impl From<ServerFnError> for AppError {
    fn from(e: ServerFnError) -> Self {
        AppError::internal(e)
    }
}

/// The id the server gives each request; it names the request's log span and is the
/// trace id a person can quote to support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    pub fn new() -> Self {
        RequestId(uuid::Uuid::now_v7().simple().to_string())
    }
}

impl Default for RequestId {
    fn default() -> Self {
        RequestId::new()
    }
}

impl AppError {
    /// Logs the cause under the request's id and returns the opaque error for the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        let trace_id = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestId>().cloned())
            .unwrap_or_default()
            .0;
        #[cfg(not(feature = "ssr"))]
        let trace_id = RequestId::new().0;
        #[cfg(feature = "ssr")]
        tracing::error!(%trace_id, %cause, "internal error");
        #[cfg(not(feature = "ssr"))]
        let _ = &cause;
        AppError::Internal { trace_id }
    }
}

/// An error as every page shows it: in the reader's language, announced to screen readers.
pub fn error_view(e: AppError) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    let i18n = crate::i18n::use_i18n();
    view! { <p class="error" role="alert">{move || e.message(i18n.lang())}</p> }
}
