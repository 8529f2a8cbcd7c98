//! The axum router: pages rendered by Leptos, server functions under `/api`, the live
//! event stream, `/healthz`, and the compiled site's static files.

use std::sync::Arc;

use app::account::session::{ClientAddr, SignInLimiter};
use app::error::RequestId;
use app::store::Store;
use app::{shell, App};
use axum::body::Body;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::trace::TraceLayer;

use crate::live::Hub;

/// What every handler may need.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub store: Arc<dyn Store>,
    pub hub: Hub,
    pub limiter: Arc<SignInLimiter>,
}

impl AppState {
    /// What pages and server functions find in their Leptos context.
    fn provide_context(&self) {
        provide_context(self.store.clone());
        provide_context(self.limiter.clone());
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
pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "pitlane".into()))
        .site_root(site_root)
        .site_pkg_dir(std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".into()))
        .site_addr(addr)
        .build()
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || state.provide_context()
    };
    let shell_options = state.leptos.clone();
    Router::new()
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
        )
        // Outermost, so the id exists before the span above is made.
        .layer(axum::middleware::from_fn(assign_request_id))
        .with_state(state)
}

/// Gives every request an id before it is traced; server functions find it in the
/// request parts and report it as the trace id of an internal error. Also records the
/// client's address, which sign-in rate limiting keys on.
async fn assign_request_id(mut req: Request<Body>, next: axum::middleware::Next) -> Response {
    req.extensions_mut().insert(RequestId::new());
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        req.extensions_mut().insert(ClientAddr(peer.ip()));
    }
    next.run(req).await
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || state.provide_context(), req).await
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.store.backend();
    match state.store.ping().await {
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
    let state = AppState {
        leptos: leptos_options(&config.site_root, addr),
        store: db.store(),
        hub,
        limiter: Arc::new(SignInLimiter::new()),
    };
    let app = router(state);
    tracing::info!(%addr, database = db.store().backend(), "serving");
    Ok(tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    }))
}
