//! The native-messaging frame reader (crates/vss-agent/src/native_host/framing.rs) on any byte
//! stream from the browser: frames read one after the other until the port closes or the
//! stream is corrupt. The first input byte chooses whether a long tail follows the input, so
//! the oversized-frame path (read an id prefix, drain the rest) is reached too.
//!
//! The source file is included by path: the agent crate would bring its HTTP server and the
//! token layer into the fuzz build, and the reader needs neither.
#![no_main]

use std::io::{Cursor, Read};

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../crates/vss-agent/src/native_host/framing.rs"]
mod framing;

use framing::{read_frame, write_frame, Incoming};

fuzz_target!(|data: &[u8]| {
    let Some((&flag, data)) = data.split_first() else {
        return;
    };
    // Up to 9 MiB of filler after the input: enough for a frame above MAX_REQUEST_BYTES.
    let tail = if flag & 1 == 1 { 9 << 20 } else { 0 };
    let mut input = Cursor::new(data).chain(std::io::repeat(b' ').take(tail));
    for _ in 0..64 {
        match read_frame(&mut input).expect("reading from memory cannot fail") {
            Incoming::Message(body) => {
                assert!(body.len() <= vss_protocol::limits::MAX_REQUEST_BYTES);
                // What the host writes back is readable as one frame of the same body.
                let mut out = Vec::new();
                write_frame(&mut out, &body).expect("write to memory");
                match read_frame(&mut Cursor::new(out)).expect("read from memory") {
                    Incoming::Message(again) => assert_eq!(again, body),
                    other => panic!("own frame read back as {other:?}"),
                }
            }
            Incoming::TooLarge { size, id } => {
                assert!(size > vss_protocol::limits::MAX_REQUEST_BYTES);
                if let Some(id) = id {
                    assert!(id.len() <= vss_protocol::limits::MAX_ID_PREFIX_BYTES);
                }
            }
            Incoming::Closed | Incoming::Corrupt(_) => break,
        }
    }
});
