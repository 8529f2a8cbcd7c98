//! Security headers on every response (OWASP ASVS 5.0 level 2, V3), set with
//! tower-http's `SetResponseHeaderLayer`.
//!
//! Pages carry their own `Content-Security-Policy` with a per-response nonce, set by
//! [`app::shell`] while it renders (only it knows the nonce Leptos put on its inline
//! scripts). Everything else (server functions, static files, errors) gets the strictest
//! policy, [`DEFAULT_CSP`]. On every response: no MIME sniffing, no framing, no referrer
//! to other sites, a separate browsing context; over https, HSTS.

use app::account::session::OverHttps;
use axum::http::{header, HeaderName, HeaderValue, Response};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// For responses that are not pages: nothing may load, nothing may frame them.
pub const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Two years, subdomains included.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The headers that do not depend on the request.
pub fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let fixed: [(HeaderName, &'static str); 4] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    let router = fixed.into_iter().fold(router, |r, (name, value)| {
        r.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ))
    });
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DEFAULT_CSP),
    ))
}

/// HSTS on responses to requests that came over https; the edge middleware marks them
/// with [`OverHttps`], so this layer must sit outside it.
pub fn with_hsts<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::STRICT_TRANSPORT_SECURITY,
        |res: &Response<axum::body::Body>| {
            res.extensions()
                .get::<OverHttps>()
                .is_some_and(|h| h.0)
                .then(|| HeaderValue::from_static(HSTS))
        },
    ))
}

/// The policy of a page, with the nonce Leptos put on this response's inline scripts
/// (the hydration loader and the streamed resource data). WebAssembly needs
/// `'wasm-unsafe-eval'`; nothing needs `'unsafe-inline'`. Called with the page's
/// context; server functions have no nonce and keep [`DEFAULT_CSP`].
pub fn page_csp() {
    use leptos::prelude::use_context;
    // A server function is never a page, whatever context its reactive owner finds: a
    // page's nonce once leaked into a server function's answer under load.
    let is_api = use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    let (false, Some(nonce), Some(res)) = (
        is_api,
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    // cargo-leptos's live reload (`cargo leptos watch`) talks over a websocket; read once.
    static DEV_RELOAD: std::sync::LazyLock<&str> = std::sync::LazyLock::new(|| {
        if std::env::var_os("LEPTOS_WATCH").is_some() {
            " ws:"
        } else {
            ""
        }
    });
    let dev_reload = *DEV_RELOAD;
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; connect-src 'self'{dev_reload}; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Whether a file name carries a content hash (`pitlane.<22 base64url chars>.wasm`, as
/// cargo-leptos names files when `LEPTOS_HASH_FILES=true`).
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    name.split('.').skip(1).any(|part| {
        part.len() == 22
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !part.bytes().all(|b| b == b'_')
    })
}

/// Caching of the compiled site under `/pkg/`: a content-hashed file never changes, so
/// browsers keep it a year without asking; anything else is revalidated on every use.
pub async fn static_cache(
    req: axum::http::Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let policy = path.starts_with("/pkg/").then(|| {
        if is_content_hashed(path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }
    });
    let mut res = next.run(req).await;
    let status = res.status();
    if let Some(policy) = policy {
        if status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED {
            let headers = res.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
            // The same URL is served brotli, gzip or plain by what the client accepts.
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_content_hashed_names() {
        assert!(is_content_hashed(
            "/pkg/pitlane.Xr8NWk1p0XqDk3pCIKv9yA.wasm"
        ));
        assert!(is_content_hashed(
            "/pkg/pitlane.Xr8NWk1p0XqDk3pCIKv9yA.wasm.br"
        ));
        assert!(!is_content_hashed("/pkg/pitlane.wasm"));
        assert!(!is_content_hashed("/pkg/pitlane.css"));
        assert!(!is_content_hashed("/pkg/snippets/x/inline0.js"));
        assert!(!is_content_hashed("/pkg/pitlane_______________________.js"));
    }
}
