//! `vss-agent serve`: the protocol over HTTP on 127.0.0.1 (off by default). Every request —
//! preflights and simple POSTs alike — passes [`guard`] before anything else: the Host must be
//! this listener (DNS rebinding), the peer must be a process of the same OS user (as NexU
//! does; Linux reads /proc/net/tcp), and the Origin must be on the allowlist, or, with no
//! Origin, a local program must present the bearer token kept in a file only the user can read.
//! CORS and Private-Network preflights are answered only for allowlisted origins, never `*`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, Method, Request as HttpRequest, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};
use vss_protocol::limits::MAX_REQUEST_BYTES;
use vss_protocol::{Error, ErrorCode, Lang, Request, Response};

use vss_core::{early_failure, Caller, Service};

/// Shared state of the HTTP front door.
#[derive(Clone)]
pub struct HttpState {
    pub service: Arc<Service>,
    pub port: u16,
    /// Bearer token for local programs (when `serve.allow_local_apps`).
    pub local_token: Option<Arc<String>>,
}

/// Where the bearer token for local programs is kept (mode 0600).
pub fn local_token_path() -> Option<PathBuf> {
    vss_config::config::user_data_dir().map(|d| d.join("serve-token"))
}

/// Reads the bearer token, creating it (readable by this user only) on first use.
pub fn load_or_create_local_token() -> std::io::Result<String> {
    let path = local_token_path().ok_or_else(|| std::io::Error::other("no user data directory"))?;
    if let Ok(token) = std::fs::read_to_string(&path) {
        if token.trim().len() >= 32 {
            return Ok(token.trim().to_string());
        }
    }
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    let token = hex::encode(bytes);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    std::io::Write::write_all(&mut options.open(&path)?, token.as_bytes())?;
    Ok(token)
}

/// The router: `POST /v1/request`, `GET /v1/version`, behind the guard and CORS.
pub fn router(state: HttpState) -> Router {
    let cors = CorsLayer::new()
        // The guard has already refused any origin off the allowlist, so mirroring is exact.
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .allow_private_network(true)
        .max_age(Duration::from_secs(600));
    Router::new()
        .route("/v1/request", post(request))
        .route("/v1/version", get(version))
        .layer(cors)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Binds 127.0.0.1:`port` and serves until the process ends.
pub async fn serve(state: HttpState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", state.port)).await?;
    tracing::info!(port = state.port, "serving on 127.0.0.1");
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

fn refuse(status: StatusCode, err: Error, lang: Lang) -> HttpResponse {
    (status, Json(early_failure("", &err, lang))).into_response()
}

async fn guard(
    State(state): State<HttpState>,
    request: HttpRequest<Body>,
    next: Next,
) -> HttpResponse {
    let lang = state.service.config.lang;
    let headers = request.headers();
    let host_ok = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| {
            h == format!("127.0.0.1:{}", state.port) || h == format!("localhost:{}", state.port)
        });
    if !host_ok {
        return refuse(
            StatusCode::FORBIDDEN,
            Error::bad_request("reason-host"),
            lang,
        );
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !peer.is_some_and(|peer| same_user(peer, state.port)) {
        return refuse(
            StatusCode::FORBIDDEN,
            Error::new(ErrorCode::OriginNotAllowed).arg("origin", "another user's process"),
            lang,
        );
    }
    let caller = match caller_of(&state, headers) {
        Ok(caller) => caller,
        Err(err) => return refuse(StatusCode::FORBIDDEN, err, lang),
    };
    let mut request = request;
    request.extensions_mut().insert(caller);
    next.run(request).await
}

fn caller_of(state: &HttpState, headers: &HeaderMap) -> Result<Caller, Error> {
    match headers.get(header::ORIGIN) {
        Some(origin) => {
            let origin = origin
                .to_str()
                .map_err(|_| Error::new(ErrorCode::OriginNotAllowed).arg("origin", "?"))?;
            state.service.web_caller(Some(origin))
        }
        None => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            match (&state.local_token, presented) {
                (Some(expected), Some(presented))
                    if constant_time_eq(expected.as_bytes(), presented.as_bytes()) =>
                {
                    Ok(Caller::LocalApp)
                }
                _ => Err(Error::new(ErrorCode::OriginNotAllowed)
                    .arg("origin", "—")
                    .cause("no Origin and no valid bearer token")),
            }
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn version() -> impl IntoResponse {
    Json(vss_core::commands::version::run().ok())
}

async fn request(State(state): State<HttpState>, request: HttpRequest<Body>) -> HttpResponse {
    let lang = state.service.config.lang;
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return refuse(StatusCode::FORBIDDEN, Error::internal("no caller"), lang);
    };
    let body = match to_bytes(request.into_body(), MAX_REQUEST_BYTES).await {
        Ok(body) => body,
        Err(_) => {
            let err = Error::new(ErrorCode::MessageTooLarge)
                .arg("size", format!("> {MAX_REQUEST_BYTES}"))
                .arg("limit", MAX_REQUEST_BYTES.to_string());
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, err, lang);
        }
    };
    let mut request: Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                Error::bad_request("reason-json").cause(e),
                lang,
            )
        }
    };
    // The origin is the one the browser sent in the header, never the body's.
    request.origin = caller.origin().map(|o| o.to_string());
    let service = state.service.clone();
    let response: Response =
        match tokio::task::spawn_blocking(move || service.handle(&caller, &request)).await {
            Ok(response) => response,
            Err(e) => early_failure("", &Error::internal(e), lang),
        };
    Json(response).into_response()
}

/// Whether the peer of a loopback connection runs as this process's user. Linux: the kernel's
/// socket table (/proc/net/tcp) names the uid owning the client end. Elsewhere: not checked
/// yet (Windows uses GetExtendedTcpTable in the installer issue); the Origin check still holds.
#[cfg(target_os = "linux")]
fn same_user(peer: SocketAddr, server_port: u16) -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return false;
    };
    table.lines().skip(1).any(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let port_of = |addr: &str| {
            addr.rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok())
        };
        cols.len() > 7
            && port_of(cols[1]) == Some(peer.port())
            && port_of(cols[2]) == Some(server_port)
            && cols[7].parse::<u32>().ok() == Some(me)
    })
}

#[cfg(not(target_os = "linux"))]
fn same_user(_peer: SocketAddr, _server_port: u16) -> bool {
    true
}
