//! A large BHXHDienTu envelope for memory and speed measurements: the corpus envelope with one
//! more embedded file of pseudo-random base64, built in place without intermediate copies.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The corpus envelope (`base`) grown to about `target` bytes.
pub fn large_envelope(base: &[u8], target: usize) -> Vec<u8> {
    let marker = b"</ToKhais>";
    let at = base
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("the envelope lists its files");
    let mut out = Vec::with_capacity(target + base.len() + 256);
    out.extend_from_slice(&base[..at]);
    out.extend_from_slice(
        "  <ToKhai>\n        <LoaiToKhai>GiayTo</LoaiToKhai>\n        \
         <TenFile>Bảng kê chi tiết.pdf</TenFile>\n        <LoaiFile>pdf</LoaiFile>\n        \
         <NoiDungFile>"
            .as_bytes(),
    );
    let chars = target.saturating_sub(base.len()) / 4 * 4;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..chars {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push(ALPHABET[(state & 63) as usize]);
    }
    out.extend_from_slice(b"</NoiDungFile>\n      </ToKhai>\n    ");
    out.extend_from_slice(&base[at..]);
    out
}

/// Peak resident memory of this process so far (VmHWM), in bytes; Linux only.
pub fn peak_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Current resident memory (VmRSS), in bytes; Linux only.
pub fn current_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
