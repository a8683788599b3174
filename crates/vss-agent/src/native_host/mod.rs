//! Native-messaging host mode, as Chrome/Edge start it: `vss-agent chrome-extension://<id>/
//! [--parent-window=<hwnd>]`. One process serves the browser's port for its lifetime: requests
//! run concurrently (a `version` is answered while a PIN dialog is open), requests for one
//! token queue, and every request gets exactly one logical reply.

pub mod chunking;
pub mod framing;
pub mod stdio;

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::Value;
use vss_protocol::limits::{MAX_IN_FLIGHT, MAX_REQUEST_BYTES};
use vss_protocol::{Error, ErrorCode, Request, Response};

pub use vss_core::caller::check_extension as check_caller;

use framing::{read_frame, write_frame, Incoming};
use vss_core::caller::native_caller;
use vss_core::{early_failure, Service};

/// Serves requests from `input` until the port closes; `own_origin` is what [`check_caller`]
/// returned (the origin of the extension's own pages). Replies go to `output` (shared by the
/// request threads, one frame at a time).
pub fn serve(
    service: Arc<Service>,
    own_origin: &str,
    mut input: impl Read,
    output: impl Write + Send + 'static,
) {
    let output = Arc::new(Mutex::new(output));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let lang = service.config.lang;
    loop {
        let body = match read_frame(&mut input) {
            Ok(Incoming::Message(body)) => body,
            Ok(Incoming::TooLarge { size, id }) => {
                let err = Error::new(ErrorCode::MessageTooLarge)
                    .arg("size", size.to_string())
                    .arg("limit", MAX_REQUEST_BYTES.to_string())
                    .detail("limit", MAX_REQUEST_BYTES);
                send(
                    &output,
                    &early_failure(id.as_deref().unwrap_or(""), &err, lang),
                );
                continue;
            }
            Ok(Incoming::Corrupt(len)) => {
                tracing::warn!(len, "absurd frame length; closing the port");
                return;
            }
            Ok(Incoming::Closed) => {
                tracing::info!("port closed");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading from the browser failed");
                return;
            }
        };
        let request = match parse_request(&body) {
            Ok(request) => request,
            Err(failed) => {
                let (id, err) = *failed;
                send(&output, &early_failure(&id, &err, lang));
                continue;
            }
        };
        if in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT {
            in_flight.fetch_sub(1, Ordering::SeqCst);
            let lang = service.lang_of(request.lang.as_deref());
            send(
                &output,
                &early_failure(&request.id, &Error::new(ErrorCode::Busy), lang),
            );
            continue;
        }
        let (service, output, in_flight) = (service.clone(), output.clone(), in_flight.clone());
        let own_origin = own_origin.to_string();
        std::thread::spawn(move || {
            let caller = native_caller(&service.policy, &own_origin, request.origin.as_deref());
            let response = match caller {
                Ok(caller) => service.handle(&caller, &request),
                Err(err) => {
                    early_failure(&request.id, &err, service.lang_of(request.lang.as_deref()))
                }
            };
            send(&output, &response);
            in_flight.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Parses a request; on failure returns the id if one could be read, to echo it back.
fn parse_request(body: &[u8]) -> Result<Request, Box<(String, Error)>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Box::new((String::new(), Error::bad_request("reason-json").cause(e))))?;
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    serde_json::from_value::<Request>(value)
        .map_err(|e| Box::new((id, Error::bad_request("reason-envelope").cause(e))))
}

/// Writes one logical reply: one frame, or chunks when it would exceed Chrome's 1 MiB limit.
fn send(output: &Mutex<impl Write>, response: &Response) {
    let frames = chunking::frames(response);
    let mut out = output.lock();
    for frame in frames {
        if let Err(e) = write_frame(&mut *out, &frame) {
            tracing::warn!(error = %e, "writing to the browser failed");
            return;
        }
    }
}

#[cfg(test)]
mod caller_tests {
    use super::check_caller;

    #[test]
    fn chrome_passes_its_extension_origin() {
        assert_eq!(
            check_caller(
                "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp/",
                None,
                &[]
            )
            .unwrap(),
            "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp"
        );
        assert!(check_caller(
            "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/",
            None,
            &[]
        )
        .is_err());
    }

    #[test]
    fn firefox_passes_the_manifest_path_and_the_add_on_id() {
        let manifest = "/usr/lib/mozilla/native-messaging-hosts/vn.vss.token_signing.json";
        assert_eq!(
            check_caller(manifest, Some("token-signing@vss.vn"), &[]).unwrap(),
            "moz-extension://token-signing@vss.vn"
        );
        assert_eq!(
            check_caller(manifest, Some("other@example.com"), &[])
                .unwrap_err()
                .code,
            vss_protocol::ErrorCode::OriginNotAllowed
        );
        assert!(check_caller(manifest, None, &[]).is_err());
    }
}
