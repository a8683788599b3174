//! `vss-agent serve`: the protocol over HTTP on 127.0.0.1 (off by default). Every request —
//! preflights and simple POSTs alike — passes [`guard`] before anything else: the request
//! target is a path (no absolute-form, authority-form or `*`), there is exactly one Host and it
//! is this listener (DNS rebinding), at most one Origin, the peer is a process of the same OS
//! user (as NexU does; Linux reads /proc/net/tcp when the connection is accepted), and the
//! Origin is on the allowlist, or, with no Origin, a local program presents the bearer token
//! kept in a file only the user can read. CORS and Private-Network preflights are answered only
//! for allowlisted origins, never `*`. How many connections are held and for how long is
//! [`connections`]'s business. A request above the size limit is answered `413
//! message_too_large` under its id when its first bytes hold one.

pub mod connections;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, Request as HttpRequest, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use vss_protocol::limits::{HTTP_MAX_DRAINED_BYTES, MAX_ID_PREFIX_BYTES, MAX_REQUEST_BYTES};
use vss_protocol::wire::request_id_in_prefix;
use vss_protocol::{Error, ErrorCode, Lang, Request, Response};

use connections::{Activity, Peer};

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
        // Before the layers, so that unknown paths pass the guard too.
        .fallback(no_such_path)
        .layer(cors)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Binds 127.0.0.1:`port` and serves until the process ends.
pub async fn serve(state: HttpState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", state.port)).await?;
    tracing::info!(port = state.port, "serving on 127.0.0.1");
    let port = state.port;
    connections::accept_loop(listener, router(state), move |peer| same_user(peer, port)).await;
    Ok(())
}

fn refuse(status: StatusCode, err: Error, lang: Lang) -> HttpResponse {
    refuse_request("", status, err, lang)
}

fn refuse_request(id: &str, status: StatusCode, err: Error, lang: Lang) -> HttpResponse {
    (status, Json(early_failure(id, &err, lang))).into_response()
}

/// Why a request's shape is refused before anything else: its target is not a plain path,
/// or a header that decides who is asking appears more than once (a proxy and the agent could
/// each read a different one).
fn shape_refusal(request: &HttpRequest<Body>, port: u16) -> Option<Error> {
    let uri = request.uri();
    let origin_form = uri.scheme().is_none()
        && uri.authority().is_none()
        && uri.path().starts_with('/')
        && request.method() != Method::CONNECT;
    if !origin_form {
        return Some(Error::bad_request("reason-http-target").detail("refused", "request_target"));
    }
    let headers = request.headers();
    for (name, refused) in [
        (header::HOST, "duplicate_host"),
        (header::ORIGIN, "duplicate_origin"),
    ] {
        if headers.get_all(&name).iter().count() > 1 {
            return Some(
                Error::bad_request("reason-http-duplicate-header")
                    .arg("header", name.as_str())
                    .detail("refused", refused),
            );
        }
    }
    // Exactly this listener, as a browser writes it: no userinfo, no other case, no
    // trailing dot, the port always.
    let host_ok = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h == format!("127.0.0.1:{port}") || h == format!("localhost:{port}"));
    if !host_ok {
        return Some(Error::bad_request("reason-host").detail("refused", "host"));
    }
    None
}

async fn guard(
    State(state): State<HttpState>,
    request: HttpRequest<Body>,
    next: Next,
) -> HttpResponse {
    let lang = state.service.config.lang;
    if let Some(err) = shape_refusal(&request, state.port) {
        let status = match err.details.get("refused").and_then(|r| r.as_str()) {
            Some("host") => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        };
        return refuse(status, err, lang);
    }
    // Set by the accept loop; a request that did not come through it is nobody's.
    let same_user = request
        .extensions()
        .get::<Peer>()
        .is_some_and(|peer| peer.same_user);
    if !same_user {
        return refuse(
            StatusCode::FORBIDDEN,
            Error::new(ErrorCode::OriginNotAllowed).arg_text("origin", "caller-other-user"),
            lang,
        );
    }
    let headers = request.headers();
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

async fn no_such_path(State(state): State<HttpState>) -> HttpResponse {
    refuse(
        StatusCode::NOT_FOUND,
        Error::bad_request("reason-http-path"),
        state.service.config.lang,
    )
}

/// What reading a request body gave.
enum ReadBody {
    Whole(Vec<u8>),
    /// Above [`MAX_REQUEST_BYTES`] (declared or sent): its id, from the first bytes.
    TooLarge {
        id: Option<String>,
        declared: Option<u64>,
    },
    /// The client stopped or broke off.
    Broken,
}

async fn request(State(state): State<HttpState>, request: HttpRequest<Body>) -> HttpResponse {
    let lang = state.service.config.lang;
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return refuse(StatusCode::FORBIDDEN, Error::internal("no caller"), lang);
    };
    let Some(activity) = request.extensions().get::<Arc<Activity>>().cloned() else {
        return refuse(
            StatusCode::FORBIDDEN,
            Error::internal("no connection"),
            lang,
        );
    };
    let body = match read_body(request).await {
        ReadBody::Whole(body) => body,
        ReadBody::TooLarge { id, declared } => {
            let size = declared.map_or_else(|| format!("> {MAX_REQUEST_BYTES}"), |n| n.to_string());
            let err = Error::new(ErrorCode::MessageTooLarge)
                .arg("size", size)
                .arg("limit", MAX_REQUEST_BYTES.to_string())
                .detail("limit", MAX_REQUEST_BYTES);
            let mut response = refuse_request(
                id.as_deref().unwrap_or(""),
                StatusCode::PAYLOAD_TOO_LARGE,
                err,
                lang,
            );
            // Past the drained bytes the body is not read: the connection carries no more.
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            return response;
        }
        ReadBody::Broken => {
            return refuse(
                StatusCode::BAD_REQUEST,
                Error::bad_request("reason-http-body"),
                lang,
            )
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
    if !activity.start_working() {
        // The connection was chosen to make room for another; it is being closed.
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            Error::new(ErrorCode::Busy),
            lang,
        );
    }
    let service = state.service.clone();
    let response: Response =
        match tokio::task::spawn_blocking(move || service.handle(&caller, &request)).await {
            Ok(response) => response,
            Err(e) => early_failure("", &Error::internal(e), lang),
        };
    Json(response).into_response()
}

/// Reads a request body of at most [`MAX_REQUEST_BYTES`]. Above that — announced by
/// Content-Length or found while reading — only the first [`MAX_ID_PREFIX_BYTES`] are kept, to
/// find the request's id, and the rest (up to [`HTTP_MAX_DRAINED_BYTES`]) is read and dropped,
/// so that the client, still sending, receives the answer instead of a reset connection.
async fn read_body(request: HttpRequest<Body>) -> ReadBody {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut too_large = declared.is_some_and(|n| n > MAX_REQUEST_BYTES as u64);
    let drain = declared.is_none_or(|n| n <= HTTP_MAX_DRAINED_BYTES as u64);
    let mut body = request.into_body();
    let mut kept = Vec::new();
    let mut received = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return ReadBody::Broken;
        };
        let Some(data) = frame.data_ref() else {
            continue;
        };
        received += data.len();
        too_large |= received > MAX_REQUEST_BYTES;
        let room = if too_large {
            MAX_ID_PREFIX_BYTES
        } else {
            MAX_REQUEST_BYTES
        };
        let take = data.len().min(room.saturating_sub(kept.len()));
        kept.extend_from_slice(&data[..take]);
        if too_large && (!drain || received > HTTP_MAX_DRAINED_BYTES) {
            break;
        }
    }
    if too_large {
        kept.truncate(MAX_ID_PREFIX_BYTES);
        return ReadBody::TooLarge {
            id: request_id_in_prefix(&kept),
            declared,
        };
    }
    ReadBody::Whole(kept)
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
