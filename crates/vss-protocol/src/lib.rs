//! Protocol v1 of VSS Token Signing (DESIGN.md §2): the request envelope, the commands and their
//! arguments, the certificate object, the stable error codes with their Vietnamese and English
//! messages and hints, and every size limit. This crate does no I/O.

pub mod certificate;
pub mod command;
pub mod error;
pub mod lang;
pub mod limits;
pub mod messages;
pub mod wire;

pub use certificate::{Certificate, Identity, KeyInfo, TokenRef};
pub use command::{
    Command, HashAlgorithm, ListCertificatesArgs, Padding, SignHashArgs, SignXmlArgs,
};
pub use error::{Error, ErrorBody, ErrorCode, Result};
pub use lang::Lang;
pub use wire::{Chunk, Request, Response};

/// The protocol version this crate speaks (`version` → `"protocol": 1`).
pub const PROTOCOL_VERSION: u32 = 1;

/// The name under which the agent is registered with browsers (DESIGN §6).
pub const NATIVE_HOST_NAME: &str = "vn.vss.token_signing";
