//! The accept loop of `vss-agent serve`: how many connections are held, for how long, and who
//! makes room for whom. Idle or malformed clients — even many of them, even another user's —
//! cannot keep the portal's request waiting:
//! - every connection has one deadline for the phase it is in: its request head must arrive
//!   within [`HTTP_HEADER_READ_TIMEOUT`] of its first byte (or of its opening), its body within
//!   [`HTTP_BODY_READ_TIMEOUT`] of the head, and a kept-alive connection may wait
//!   [`HTTP_IDLE_TIMEOUT`] for its next request; a request being executed has none (the dialog
//!   and the driver calls have their own limits);
//! - processes of the agent's own user share [`HTTP_MAX_CONNECTIONS`] places and other users'
//!   processes have [`HTTP_MAX_FOREIGN_CONNECTIONS`] of their own (the peer's user is read from
//!   the kernel's socket table when the connection is accepted), so no other user can crowd
//!   out the user's own browser;
//! - at the cap, the connection that has waited longest without a request being executed is
//!   closed to make room for the new one; only when every place is executing a request is the
//!   new connection turned away.
//!
//! hyper's own header-read timer is off: it would also be the keep-alive timeout.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use hyper::body::Incoming;
use hyper::service::Service as _;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;
use vss_protocol::limits::{
    HTTP_BODY_READ_TIMEOUT, HTTP_HEADER_READ_TIMEOUT, HTTP_IDLE_TIMEOUT, HTTP_MAX_CONNECTIONS,
    HTTP_MAX_FOREIGN_CONNECTIONS,
};

/// Whether the process at the other end of a connection runs as this agent's user; put into
/// every request's extensions for the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    pub same_user: bool,
}

/// Where a connection is in its life, and since when.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for (the rest of) a request head.
    Head(Instant),
    /// Kept alive after a response, nothing received yet.
    Idle(Instant),
    /// The head arrived; the body is being read.
    Body(Instant),
    /// The request is being executed.
    Working,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// Since when the connection has waited without a request being executed: its opening or
    /// its last response. The longest waiting is closed first at the cap.
    waiting_since: Instant,
    /// Chosen to make room: it may not start executing a request any more.
    evicted: bool,
}

/// One connection's phase, shared by its task, its I/O and its requests' handlers.
#[derive(Debug)]
pub struct Activity {
    state: Mutex<State>,
    /// Wakes the connection's task when its deadline may have moved earlier or it is evicted.
    changed: Notify,
}

impl Activity {
    fn new(now: Instant) -> Activity {
        Activity {
            state: Mutex::new(State {
                phase: Phase::Head(now),
                waiting_since: now,
                evicted: false,
            }),
            changed: Notify::new(),
        }
    }

    /// Bytes arrived: a kept-alive connection starts its next head.
    fn received(&self) {
        let mut state = self.state.lock();
        if let Phase::Idle(_) = state.phase {
            state.phase = Phase::Head(Instant::now());
            drop(state);
            self.changed.notify_one();
        }
    }

    fn head_received(&self) {
        self.state.lock().phase = Phase::Body(Instant::now());
        self.changed.notify_one();
    }

    fn responded(&self) {
        let now = Instant::now();
        let mut state = self.state.lock();
        state.phase = Phase::Idle(now);
        state.waiting_since = now;
        drop(state);
        self.changed.notify_one();
    }

    /// The body is read; the request starts executing. `false` if the connection was already
    /// chosen to make room (it is being closed; the request must not run).
    pub fn start_working(&self) -> bool {
        let mut state = self.state.lock();
        if state.evicted {
            return false;
        }
        state.phase = Phase::Working;
        true
    }

    /// Marks the connection evicted unless it is executing a request.
    fn try_evict(&self) -> bool {
        let mut state = self.state.lock();
        if matches!(state.phase, Phase::Working) {
            return false;
        }
        state.evicted = true;
        drop(state);
        self.changed.notify_one();
        true
    }

    fn evictable_since(&self) -> Option<Instant> {
        let state = self.state.lock();
        (!matches!(state.phase, Phase::Working)).then_some(state.waiting_since)
    }

    /// `Err(())` once the connection must close; else its deadline, if it has one.
    fn deadline(&self) -> Result<Option<Instant>, ()> {
        let state = self.state.lock();
        if state.evicted {
            return Err(());
        }
        Ok(match state.phase {
            Phase::Head(since) => Some(since + HTTP_HEADER_READ_TIMEOUT),
            Phase::Idle(since) => Some(since + HTTP_IDLE_TIMEOUT),
            Phase::Body(since) => Some(since + HTTP_BODY_READ_TIMEOUT),
            Phase::Working => None,
        })
    }
}

/// The connections held, in two pools: the agent's own user's and everyone else's.
#[derive(Default)]
struct Pools {
    own: Mutex<Vec<Arc<Activity>>>,
    foreign: Mutex<Vec<Arc<Activity>>>,
}

impl Pools {
    fn pool(&self, peer: Peer) -> (&Mutex<Vec<Arc<Activity>>>, usize) {
        if peer.same_user {
            (&self.own, HTTP_MAX_CONNECTIONS)
        } else {
            (&self.foreign, HTTP_MAX_FOREIGN_CONNECTIONS)
        }
    }

    /// A place for a new connection, closing the longest-waiting one at the cap; `None` when
    /// every place is executing a request.
    fn admit(&self, peer: Peer) -> Option<Arc<Activity>> {
        let (pool, cap) = self.pool(peer);
        let mut held = pool.lock();
        while held.len() >= cap {
            let oldest = held
                .iter()
                .enumerate()
                .filter_map(|(i, a)| a.evictable_since().map(|since| (since, i)))
                .min()?;
            let victim = held.swap_remove(oldest.1);
            if !victim.try_evict() {
                // It started executing a request in between: it keeps running, and counts.
                held.push(victim);
            }
        }
        let activity = Arc::new(Activity::new(Instant::now()));
        held.push(activity.clone());
        Some(activity)
    }

    fn release(&self, peer: Peer, activity: &Arc<Activity>) {
        self.pool(peer)
            .0
            .lock()
            .retain(|a| !Arc::ptr_eq(a, activity));
    }
}

/// Accepts connections on `listener` and serves `router` on each, until the process ends.
pub async fn accept_loop(
    listener: TcpListener,
    router: Router,
    same_user: impl Fn(SocketAddr) -> bool,
) {
    let pools = Arc::new(Pools::default());
    let mut http = hyper::server::conn::http1::Builder::new();
    // The deadlines above replace it (see the module's comment).
    http.header_read_timeout(None);
    let http = Arc::new(http);
    loop {
        let (stream, peer_addr) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors, typically: wait for connections to close.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let peer = Peer {
            same_user: same_user(peer_addr),
        };
        let Some(activity) = pools.admit(peer) else {
            tracing::warn!(
                same_user = peer.same_user,
                "every connection is executing a request; turning one away"
            );
            continue;
        };
        let (pools, http, router) = (pools.clone(), http.clone(), router.clone());
        tokio::spawn(async move {
            serve_connection(&http, stream, peer, router, &activity).await;
            pools.release(peer, &activity);
        });
    }
}

async fn serve_connection(
    http: &hyper::server::conn::http1::Builder,
    stream: TcpStream,
    peer: Peer,
    router: Router,
    activity: &Arc<Activity>,
) {
    let io = TokioIo::new(Tracked {
        stream,
        activity: activity.clone(),
    });
    let router = TowerToHyperService::new(router);
    let for_requests = activity.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        let activity = for_requests.clone();
        activity.head_received();
        let extensions = request.extensions_mut();
        extensions.insert(peer);
        extensions.insert(activity.clone());
        let response = router.call(request);
        async move {
            let response = response.await;
            activity.responded();
            Ok::<_, Infallible>(match response {
                Ok(response) => response,
                Err(never) => match never {},
            })
        }
    });
    let connection = http.serve_connection(io, service);
    tokio::pin!(connection);
    loop {
        let deadline = match activity.deadline() {
            Ok(deadline) => deadline,
            Err(()) => return, // evicted: dropping the connection closes it
        };
        let expired = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended");
                }
                return;
            }
            () = activity.changed.notified() => {}
            () = expired => {
                // The phase may have moved on just now; only a deadline still past counts.
                if matches!(activity.deadline(), Ok(Some(at)) if at <= Instant::now()) {
                    tracing::debug!(same_user = peer.same_user, "closing a connection past its deadline");
                    return;
                }
            }
        }
    }
}

/// A connection's stream that tells its [`Activity`] when bytes arrive.
struct Tracked {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.received();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: Peer = Peer { same_user: true };
    const OTHER: Peer = Peer { same_user: false };

    #[tokio::test(start_paused = true)]
    async fn at_the_cap_the_longest_waiting_connection_makes_room_never_a_working_one() {
        let pools = Pools::default();
        let first = pools.admit(OWN).unwrap();
        assert!(first.start_working());
        tokio::time::advance(std::time::Duration::from_secs(1)).await;
        let held: Vec<_> = (1..HTTP_MAX_CONNECTIONS)
            .map(|_| pools.admit(OWN).unwrap())
            .collect();
        let newcomer = pools.admit(OWN).unwrap();
        assert!(first.deadline().is_ok(), "executing: kept");
        assert!(
            held[0].deadline().is_err(),
            "the oldest waiting one was closed"
        );
        assert!(
            !held[0].start_working(),
            "an evicted connection runs nothing"
        );
        assert!(held[1..].iter().all(|a| a.deadline().is_ok()));
        assert!(newcomer.deadline().is_ok());
        assert_eq!(pools.own.lock().len(), HTTP_MAX_CONNECTIONS);
    }

    #[tokio::test(start_paused = true)]
    async fn when_every_place_is_working_a_newcomer_is_turned_away() {
        let pools = Pools::default();
        for _ in 0..HTTP_MAX_CONNECTIONS {
            assert!(pools.admit(OWN).unwrap().start_working());
        }
        assert!(pools.admit(OWN).is_none());
        assert!(pools.admit(OTHER).is_some(), "the pools are separate");
    }

    #[tokio::test(start_paused = true)]
    async fn other_users_cannot_take_the_users_places() {
        let pools = Pools::default();
        let foreign: Vec<_> = (0..HTTP_MAX_FOREIGN_CONNECTIONS * 10)
            .map(|_| pools.admit(OTHER).unwrap())
            .collect();
        assert_eq!(pools.foreign.lock().len(), HTTP_MAX_FOREIGN_CONNECTIONS);
        assert!(
            foreign.iter().filter(|a| a.deadline().is_ok()).count() == HTTP_MAX_FOREIGN_CONNECTIONS
        );
        let own = pools.admit(OWN).unwrap();
        assert!(own.deadline().is_ok());
        pools.release(OWN, &own);
        assert!(pools.own.lock().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn each_phase_has_its_deadline() {
        let activity = Activity::new(Instant::now());
        let opened = Instant::now();
        assert_eq!(
            activity.deadline(),
            Ok(Some(opened + HTTP_HEADER_READ_TIMEOUT))
        );
        activity.head_received();
        assert_eq!(
            activity.deadline(),
            Ok(Some(opened + HTTP_BODY_READ_TIMEOUT))
        );
        assert!(activity.start_working());
        assert_eq!(activity.deadline(), Ok(None));
        tokio::time::advance(std::time::Duration::from_secs(100)).await;
        activity.responded();
        let idle = Instant::now();
        assert_eq!(activity.deadline(), Ok(Some(idle + HTTP_IDLE_TIMEOUT)));
        tokio::time::advance(std::time::Duration::from_secs(1)).await;
        activity.received();
        assert_eq!(
            activity.deadline(),
            Ok(Some(
                idle + std::time::Duration::from_secs(1) + HTTP_HEADER_READ_TIMEOUT
            ))
        );
    }
}
