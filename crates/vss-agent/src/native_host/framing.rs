//! Native-messaging framing: a 4-byte native-endian length, then that many bytes of UTF-8 JSON.
//! Written here rather than taken from the `native_messaging` crate because the agent needs two
//! things it does not offer: refusing an oversized request *without allocating it* (read only a
//! bounded prefix to find its `id`, drain the rest, answer `message_too_large` under that id so
//! the extension can route it to the page that sent it), and writing to a duplicated
//! descriptor instead of stdout.

use std::io::{self, Read, Write};

use vss_protocol::limits::{MAX_ID_PREFIX_BYTES, MAX_REQUEST_BYTES, MAX_SANE_FRAME_BYTES};
use vss_protocol::wire::request_id_in_prefix;

/// What one read from the browser gave.
#[derive(Debug)]
pub enum Incoming {
    Message(Vec<u8>),
    /// A frame of `size` bytes, above [`MAX_REQUEST_BYTES`], already drained from the stream;
    /// `id` is the request's id when its first [`MAX_ID_PREFIX_BYTES`] hold it.
    TooLarge {
        size: usize,
        id: Option<String>,
    },
    /// The port closed (EOF), cleanly or mid-frame.
    Closed,
    /// A length no browser sends: the stream cannot be trusted any more.
    Corrupt(usize),
}

/// Reads one frame.
pub fn read_frame(input: &mut impl Read) -> io::Result<Incoming> {
    let mut len = [0u8; 4];
    if !read_exact_or_eof(input, &mut len)? {
        return Ok(Incoming::Closed);
    }
    let len = u32::from_ne_bytes(len) as usize;
    if len > MAX_SANE_FRAME_BYTES {
        return Ok(Incoming::Corrupt(len));
    }
    if len > MAX_REQUEST_BYTES {
        let mut prefix = vec![0u8; MAX_ID_PREFIX_BYTES];
        if !read_exact_or_eof(input, &mut prefix)? {
            return Ok(Incoming::Closed);
        }
        let rest = (len - MAX_ID_PREFIX_BYTES) as u64;
        let drained = io::copy(&mut input.take(rest), &mut io::sink())?;
        return Ok(if drained == rest {
            Incoming::TooLarge {
                size: len,
                id: request_id_in_prefix(&prefix),
            }
        } else {
            Incoming::Closed
        });
    }
    let mut body = vec![0u8; len];
    if !read_exact_or_eof(input, &mut body)? {
        return Ok(Incoming::Closed);
    }
    Ok(Incoming::Message(body))
}

/// `Ok(false)` on EOF (even mid-buffer: a truncated frame is a closed port).
fn read_exact_or_eof(input: &mut impl Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Writes one frame and flushes.
pub fn write_frame(output: &mut impl Write, body: &[u8]) -> io::Result<()> {
    let len = u32::try_from(body.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    output.write_all(&len.to_ne_bytes())?;
    output.write_all(body)?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut v = (body.len() as u32).to_ne_bytes().to_vec();
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn reads_frames_in_sequence_then_closed() {
        let mut stream = frame(b"{}");
        stream.extend(frame(b"[1]"));
        let mut input = &stream[..];
        assert!(matches!(read_frame(&mut input).unwrap(), Incoming::Message(m) if m == b"{}"));
        assert!(matches!(read_frame(&mut input).unwrap(), Incoming::Message(m) if m == b"[1]"));
        assert!(matches!(read_frame(&mut input).unwrap(), Incoming::Closed));
    }

    #[test]
    fn oversized_frame_is_drained_and_the_next_one_read() {
        let mut stream = frame(&vec![b'x'; MAX_REQUEST_BYTES + 1]);
        let mut with_id = br#"{"id":"big","pad":""#.to_vec();
        with_id.resize(MAX_REQUEST_BYTES + 7, b'A');
        stream.extend(frame(&with_id));
        stream.extend(frame(b"{}"));
        let mut input = &stream[..];
        assert!(matches!(
            read_frame(&mut input).unwrap(),
            Incoming::TooLarge { size, id: None } if size == MAX_REQUEST_BYTES + 1
        ));
        assert!(matches!(
            read_frame(&mut input).unwrap(),
            Incoming::TooLarge { size, id: Some(id) } if size == MAX_REQUEST_BYTES + 7 && id == "big"
        ));
        assert!(matches!(read_frame(&mut input).unwrap(), Incoming::Message(m) if m == b"{}"));
    }

    #[test]
    fn absurd_length_and_truncation() {
        let stream = u32::MAX.to_ne_bytes();
        assert!(matches!(
            read_frame(&mut &stream[..]).unwrap(),
            Incoming::Corrupt(_)
        ));
        let mut truncated = 10u32.to_ne_bytes().to_vec();
        truncated.extend_from_slice(b"{\"id\"");
        assert!(matches!(
            read_frame(&mut &truncated[..]).unwrap(),
            Incoming::Closed
        ));
        // An oversized frame cut off inside its prefix, and after it.
        for sent in [100, MAX_ID_PREFIX_BYTES + 100] {
            let mut cut = ((MAX_REQUEST_BYTES + 1) as u32).to_ne_bytes().to_vec();
            cut.resize(4 + sent, b' ');
            assert!(matches!(
                read_frame(&mut &cut[..]).unwrap(),
                Incoming::Closed
            ));
        }
    }
}
