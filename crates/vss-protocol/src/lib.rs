//! Protocol v1 of VSS Token Signing (DESIGN.md §2): the request envelope, the commands and their
//! arguments, the certificate object, the stable error codes with their Vietnamese and English
//! messages and hints, and every size limit. This crate does no I/O.

pub mod certificate;
pub mod command;
pub mod display;
pub mod error;
pub mod lang;
pub mod limits;
pub mod messages;
pub mod readiness;
pub mod result;
pub mod wire;

pub use certificate::{Certificate, Identity, KeyInfo, TokenRef};
pub use command::{
    BatchDocument, Command, HashAlgorithm, ListCertificatesArgs, Padding, SignHashArgs,
    SignXmlArgs, SignXmlBatchArgs, SummarizeXmlArgs, VerifyXmlArgs,
};
pub use error::{Error, ErrorBody, ErrorCode, Result};
pub use lang::Lang;
pub use result::{
    BatchOutcome, CertificateList, ConfigSummary, DocumentSummaries, DocumentSummary, DriverCrash,
    EmbeddedFileInfo, HashSignature, ModuleReport, PinState, SignedBatch, SignedXml, Status,
    TokenReport, VersionInfo,
};
pub use wire::{Chunk, Request, Response};

/// The protocol version this crate speaks (`version` → `"protocol": 1`).
pub const PROTOCOL_VERSION: u32 = 1;

/// The name under which the agent is registered with browsers (DESIGN §6).
pub const NATIVE_HOST_NAME: &str = "vn.vss.token_signing";

/// The extension's fixed id (from the `key` in extension/manifest.json). The agent accepts it
/// as a caller; host manifests list it in `allowed_origins`.
pub const EXTENSION_ID: &str = "aljobffeainbeaoomgcjaebgogaandcp";

/// The extension's id in Firefox (`browser_specific_settings.gecko.id` in
/// extension/manifest.json). Firefox starts the host with the manifest path and this id, and
/// Firefox host manifests list it in `allowed_extensions`.
pub const FIREFOX_EXTENSION_ID: &str = "token-signing@vss.vn";

/// The public key in extension/manifest.json that fixes [`EXTENSION_ID`].
pub const EXTENSION_KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsyK6eWJyDQN+LxKupfmN5bDSpll1q4wRCCz6K6G2VyuiDDm7aUq7/tl0l3vd1pA8UpNikNDoXHtybxh2AbtleEduj2GlPzaQ5QvkvgJNziC8WJBgi2J8kXtSvjF2d07k4GZIFICBEFnEv5p+z2RF23abHvUAXFsw6K4wCzi3B/YjQ/1s0MGDIOzqH+XeAR4439GX9NVtC7iK+9FlbwCgoae1s6j3nzJ6EC+0i6VhLgzKr1ASSDmEBmfwZD4YSoOnUdFyu7BLELaCncfS6BClsIYGakRIO5ZbFxHuXhIgAN+TE+ge8RbJ2V3I76/4UpodN9vrYedswYFDWM5JEPLykQIDAQAB";
