//! Real revocation servers on 127.0.0.1 for the tests: an OCSP responder (`openssl ocsp -index
//! … -port`, the OpenSSL command-line responder) and a CRL served over HTTP (`python3 -m
//! http.server`). Both are stopped when dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::pki::TestCert;
use crate::serve::free_port;

/// What the responder's index says of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Good,
    /// Revoked a day ago (keyCompromise).
    Revoked,
}

/// A running `openssl ocsp` responder signing with the CA's own key (or another key, for
/// forged answers).
pub struct OcspResponder {
    child: Child,
    pub port: u16,
}

impl OcspResponder {
    /// The URL a certificate's AIA names for a responder on `port`.
    pub fn url(port: u16) -> String {
        format!("http://127.0.0.1:{port}/ocsp")
    }

    /// Starts a responder on `port` for certificates issued by `ca`, answering for `entries` (DER),
    /// its answers signed by `signer` (normally `ca`) and valid for `next_update_days`.
    pub fn start(
        dir: &Path,
        port: u16,
        ca: &TestCert,
        signer: &TestCert,
        entries: &[(&[u8], Status)],
        next_update_days: u32,
    ) -> OcspResponder {
        std::fs::create_dir_all(dir).expect("responder dir");
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).expect("responder file");
            p
        };
        let ca_pem = write("ocsp-ca.pem", &ca.pem());
        let signer_pem = write("ocsp-signer.pem", &signer.pem());
        let signer_key = write("ocsp-signer.key", &signer.key_pem);
        let mut index = String::new();
        for (cert, status) in entries {
            let serial = serial_hex(cert);
            let subject = format!("/CN={serial}");
            match status {
                Status::Good => index.push_str(&format!(
                    "V\t351231000000Z\t\t{serial}\tunknown\t{subject}\n"
                )),
                Status::Revoked => {
                    let when = (time::OffsetDateTime::now_utc() - time::Duration::days(1))
                        .format(time::macros::format_description!(
                            "[year repr:last_two][month][day][hour][minute][second]Z"
                        ))
                        .expect("time");
                    index.push_str(&format!(
                        "R\t351231000000Z\t{when},keyCompromise\t{serial}\tunknown\t{subject}\n"
                    ))
                }
            }
        }
        let index = write("index.txt", &index);
        let child = Command::new("openssl")
            .arg("ocsp")
            .arg("-index")
            .arg(&index)
            .arg("-port")
            .arg(port.to_string())
            .arg("-CA")
            .arg(&ca_pem)
            .arg("-rsigner")
            .arg(&signer_pem)
            .arg("-rkey")
            .arg(&signer_key)
            .arg("-ndays")
            .arg(next_update_days.to_string())
            .arg("-ignore_err")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl must be installed");
        // The responder serves one connection at a time: a probing connection would hold it up,
        // so readiness is its own "waiting" line.
        let mut child = child;
        let stderr = child.stderr.take().expect("stderr");
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if line.contains("waiting for OCSP client connections") {
                    let _ = ready_tx.send(());
                }
            }
        });
        ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("openssl ocsp did not start");
        OcspResponder { child, port }
    }
}

impl Drop for OcspResponder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `python3 -m http.server` on 127.0.0.1 serving a directory with `ca.crl`.
pub struct CrlServer {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl CrlServer {
    /// The URL a certificate's CRL distribution point names for a server on `port`.
    pub fn url(port: u16) -> String {
        format!("http://127.0.0.1:{port}/ca.crl")
    }

    pub fn start(dir: &Path, port: u16, crl: &[u8]) -> CrlServer {
        std::fs::create_dir_all(dir).expect("CRL dir");
        std::fs::write(dir.join("ca.crl"), crl).expect("CRL");
        let child = Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.0.0.1"])
            .arg(port.to_string())
            .arg("--directory")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 must be installed");
        wait_listening(port);
        CrlServer {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    /// Publishes another file beside the CRL (an issuer certificate, a PKCS#7 bundle); its URL.
    pub fn publish(&self, name: &str, bytes: &[u8]) -> String {
        std::fs::write(self.dir.join(name), bytes).expect("published file");
        format!("http://127.0.0.1:{}/{name}", self.port)
    }

    /// Serves another CRL from now on.
    pub fn replace(&self, crl: &[u8]) {
        std::fs::write(self.dir.join("ca.crl"), crl).expect("CRL");
    }
}

impl Drop for CrlServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two ports nobody listens on (for the AIA and CRL addresses of test certificates).
pub fn ports() -> (u16, u16) {
    let a = free_port();
    let mut b = free_port();
    while b == a {
        b = free_port();
    }
    (a, b)
}

fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on 127.0.0.1:{port}");
}

/// The serial as `openssl ocsp`'s index writes it: uppercase hex of the integer's bytes.
fn serial_hex(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    let (_, x) = x509_parser::certificate::X509Certificate::from_der(der).expect("cert");
    let raw = x.raw_serial();
    let start = raw
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(raw.len().saturating_sub(1));
    hex::encode_upper(&raw[start..])
}
