//! The axum router: pages rendered by Leptos, server functions under `/api`, the live
//! event stream, `/healthz`, and the compiled site's static files.
//!
//! Around every request, outermost first:
//! - [`edge`]: a request id, the client's address (from a trusted proxy's
//!   `X-Forwarded-For` only) and whether it came over https;
//! - the security headers of [`crate::headers`] (CSP with a per-request nonce, HSTS over
//!   https, `nosniff`, Referrer-Policy, no framing);
//! - tracing, then a timeout (408) for requests that take too long to answer.

use std::sync::Arc;

use app::account::session::{ClientAddr, OverHttps, SignInLimiter};
use app::error::RequestId;
use app::storage::Storages;
use app::{shell, App};
use axum::body::Body;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ipnet::IpNet;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Limits;
use crate::live::{Hub, SseGate};

/// What every handler may need.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub storages: Storages,
    pub hub: Hub,
    pub limiter: Arc<SignInLimiter>,
    pub sse: Arc<SseGate>,
    pub edge: Arc<Edge>,
    pub limits: Limits,
    pub clock: app::clock::SharedClock,
}

impl AppState {
    /// What pages and server functions find in their Leptos context.
    fn provide_context(&self) {
        self.storages.provide();
        provide_context(self.limiter.clone());
        provide_context(self.limits.booking);
        provide_context(self.clock.clone());
        crate::headers::page_csp();
    }
}

impl FromRef<AppState> for Arc<SseGate> {
    fn from_ref(s: &AppState) -> Self {
        s.sse.clone()
    }
}

/// What the edge of the server knows about the network in front of it.
#[derive(Clone, Debug, Default)]
pub struct Edge {
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Every request came over https (TLS ends in front of us, configured).
    pub https: bool,
}

impl Edge {
    fn trusts(&self, ip: std::net::IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer, unless the peer is a trusted proxy; then the
    /// right-most address in `X-Forwarded-For` that is not itself a trusted proxy (the
    /// left part of the header is whatever the client chose to send).
    pub fn client_addr(
        &self,
        peer: std::net::IpAddr,
        headers: &http::HeaderMap,
    ) -> std::net::IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<std::net::IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map_while(|a| a.trim().parse().ok())
            .collect();
        forwarded
            .into_iter()
            .rev()
            .find(|a| !self.trusts(*a))
            .unwrap_or(peer)
    }

    /// Whether this request came over https.
    pub fn over_https(&self, peer: std::net::IpAddr, headers: &http::HeaderMap) -> bool {
        self.https
            || (self.trusts(peer)
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
    }
}

impl FromRef<AppState> for Storages {
    fn from_ref(s: &AppState) -> Self {
        s.storages.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos.clone()
    }
}

impl FromRef<AppState> for Hub {
    fn from_ref(s: &AppState) -> Self {
        s.hub.clone()
    }
}

/// Options for the Leptos renderer; cargo-leptos's `LEPTOS_*` variables win when set.
///
/// A release build made with `LEPTOS_HASH_FILES=true` (as `scripts/` do) has
/// content-hashed file names, listed in `hash.txt` next to the server binary; pages then
/// link the hashed names, which are cached for a year.
pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    let hash_file: Arc<str> = std::env::var("LEPTOS_HASH_FILE_NAME")
        .unwrap_or_else(|_| "hash.txt".into())
        .into();
    // Leptos panics while rendering if it is told to hash and the file is missing, so
    // the flag is only passed on when the file is there.
    let hash_files = std::env::var("LEPTOS_HASH_FILES").is_ok_and(|v| v == "true")
        && std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(&*hash_file)))
            .is_some_and(|f| f.is_file());
    LeptosOptions::builder()
        .output_name(std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "pitlane".into()))
        .site_root(site_root)
        .site_pkg_dir(std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".into()))
        .site_addr(addr)
        .hash_files(hash_files)
        .hash_file(hash_file)
        .build()
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || state.provide_context()
    };
    let shell_options = state.leptos.clone();
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route(app::live::EVENTS_PATH, get(crate::live::sse))
        .route("/api/{*fn_name}", get(server_fn).post(server_fn))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        // Innermost: the time to answer (to the first byte of a stream) is bounded.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.limits.request_timeout,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                let id = req
                    .extensions()
                    .get::<RequestId>()
                    .map_or("-", |r| r.0.as_str());
                tracing::info_span!(
                    "request",
                    %id,
                    method = %req.method(),
                    path = %req.uri().path(),
                )
            }),
        );
    let router = crate::headers::with_security_headers(router)
        .layer(axum::middleware::from_fn(crate::headers::static_cache))
        // Outside the span above, so the id exists before the span is made.
        .layer(axum::middleware::from_fn_with_state(
            state.edge.clone(),
            edge,
        ));
    crate::headers::with_hsts(router).with_state(state)
}

/// Gives every request an id before it is traced; server functions find it in the
/// request parts and report it as the trace id of an internal error. Also records the
/// client's address, which rate limits key on, and whether it came over https.
async fn edge(
    State(edge): State<Arc<Edge>>,
    mut req: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    req.extensions_mut().insert(RequestId::new());
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let client = edge.client_addr(peer.ip(), req.headers());
        let https = edge.over_https(peer.ip(), req.headers());
        req.extensions_mut().insert(ClientAddr(client));
        req.extensions_mut().insert(OverHttps(https));
        let mut res = next.run(req).await;
        res.extensions_mut().insert(OverHttps(https));
        return res;
    }
    next.run(req).await
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || state.provide_context(), req).await
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.storages.health.backend();
    match state.storages.health.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "database": backend })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": backend })),
            )
                .into_response()
        }
    }
}

/// A server listening on `listener`, with its database connected, migrated and (if
/// asked) loaded with demo data. Used by `serve` and by the black-box tests.
pub async fn start(
    config: &crate::config::Config,
    listener: tokio::net::TcpListener,
) -> anyhow::Result<tokio::task::JoinHandle<std::io::Result<()>>> {
    let hub = Hub::new();
    let db = crate::storage::Database::connect(&config.database_url, hub.clone()).await?;
    db.migrate().await?;
    if config.demo && db.seed_demo(&crate::demo::demo_data()).await? {
        tracing::info!("loaded the demo data into an empty database");
    }
    let addr = listener.local_addr()?;
    let limits = config.limits.clone();
    let state = AppState {
        leptos: leptos_options(&config.site_root, addr),
        storages: db.storages(),
        hub,
        limiter: Arc::new(
            SignInLimiter::with_bursts(
                limits.sign_in_burst,
                limits.sign_in_account_burst,
                limits.sign_up_burst,
            )
            .with_pin_bursts(limits.pin_person_burst, limits.pin_device_burst),
        ),
        sse: Arc::new(SseGate::new(limits.sse_per_address, limits.sse_total)),
        edge: Arc::new(Edge {
            trusted_proxies: config.trusted_proxies.clone(),
            https: config.https,
        }),
        limits,
        clock: config.clock.clone(),
    };
    // The jobs run beside the server, on its database and clock.
    crate::jobs::spawn(
        state.storages.clone(),
        state.limits.booking,
        config.clock.clone(),
        config.jobs_every,
    );
    let app = router(state);
    tracing::info!(%addr, database = db.storages().health.backend(), "serving");
    // Without TCP_NODELAY the last segment of a streamed page waits for the client's
    // delayed ACK: about 40 ms added to every request on a kept-alive connection.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    Ok(tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    }))
}
