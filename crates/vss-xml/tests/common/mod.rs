//! Test fixtures shared by the integration tests: software keys standing in for a token (made
//! with the openssl CLI, as a CA would), an `XmlSigner` over them, and `xmlsec1`.

#![allow(dead_code)]

pub mod envelope;
pub mod soft_signer;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub use soft_signer::SoftSigner;

/// The BHXH-shaped forms of the corpus that every signing matrix runs over.
pub const FORMS: &[&str] = &["tk1-ts.xml", "d02-ts.xml", "bhxhdientu.xml"];

/// The corpus of BHXH-shaped forms.
pub fn corpus(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/xml-corpus")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One software key with its self-signed certificate, in the files xmlsec1 wants.
pub struct KeyFiles {
    pub dir: PathBuf,
    pub key_pem: PathBuf,
    pub cert_pem: PathBuf,
    pub key_der: Vec<u8>,
    pub cert_der: Vec<u8>,
    pub rsa: bool,
}

pub struct Fixtures {
    _tmp: tempfile::TempDir,
    pub rsa: KeyFiles,
    pub ec: KeyFiles,
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A Vietnamese unit certificate: MST in a UID entry, names with diacritics.
const SUBJECT: &str =
    "/C=VN/ST=Hà Nội/L=Cầu Giấy/O=CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ ÁNH DƯƠNG/CN=CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ ÁNH DƯƠNG/UID=MST:0101234567";

fn make_key(dir: &Path, name: &str, rsa: bool) -> KeyFiles {
    let key_pem = dir.join(format!("{name}-key.pem"));
    let cert_pem = dir.join(format!("{name}-cert.pem"));
    let key_der = dir.join(format!("{name}-key.der"));
    let cert_der = dir.join(format!("{name}-cert.der"));
    let newkey = if rsa {
        vec!["-newkey", "rsa:2048"]
    } else {
        vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    };
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-nodes", "-utf8", "-days", "3650", "-subj", SUBJECT,
        ])
        .args(newkey)
        .arg("-keyout")
        .arg(&key_pem)
        .arg("-out")
        .arg(&cert_pem));
    run(Command::new("openssl")
        .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
        .arg(&key_pem)
        .arg("-out")
        .arg(&key_der));
    run(Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&cert_pem)
        .arg("-out")
        .arg(&cert_der));
    KeyFiles {
        dir: dir.to_path_buf(),
        key_der: std::fs::read(&key_der).expect("key DER"),
        cert_der: std::fs::read(&cert_der).expect("cert DER"),
        key_pem,
        cert_pem,
        rsa,
    }
}

pub fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temp dir");
        let rsa = make_key(tmp.path(), "rsa", true);
        let ec = make_key(tmp.path(), "ec", false);
        Fixtures { _tmp: tmp, rsa, ec }
    })
}

impl SoftSigner {
    pub fn new(k: &KeyFiles) -> Self {
        if k.rsa {
            SoftSigner::rsa(&k.key_der, &k.cert_der)
        } else {
            SoftSigner::p256(&k.key_der, &k.cert_der)
        }
    }
}

/// `xmlsec1 --verify` with `trusted` as the only trust anchor; the certificate comes from
/// KeyInfo. Panics when xmlsec1 is missing: interop is never skipped silently.
pub fn xmlsec_verify(signed: &[u8], trusted: &Path) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("signed.xml");
    std::fs::write(&file, signed).expect("write");
    let out = Command::new("xmlsec1")
        .args(["--verify", "--enabled-key-data", "x509", "--trusted-pem"])
        .arg(trusted)
        .arg(&file)
        .output()
        .expect("xmlsec1 must be installed (Debian package xmlsec1)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
