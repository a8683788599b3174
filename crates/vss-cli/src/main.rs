//! `vss`: tokens, certificates and signing from the command line, and browser host
//! registration. Arguments are parsed here; the work is done by the signing service
//! (`vss-core`), with the caller "the user at this computer" (so the CLI sees everything, and
//! shows the same consent dialog).

mod doctor;
mod install_host;
mod output;
mod xml;

use std::process::ExitCode;

use base64::Engine;
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use time::OffsetDateTime;
use vss_config::Config;
use vss_core::{commands, Caller, Service};
use vss_protocol::command::{CertificateFilter, DocumentInfo, SignHashArgs};
use vss_protocol::{Certificate, Error, ErrorCode, HashAlgorithm, Lang, ListCertificatesArgs};

use output::Output;

#[derive(Parser)]
#[command(
    name = "vss",
    version,
    about = "VSS Token Signing — ký số hồ sơ BHXH bằng USB token"
)]
struct Cli {
    /// Language of messages: vi (default) or en. Also VSS_LANG.
    #[arg(long, global = true)]
    lang: Option<String>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// List the plugged-in tokens.
    Tokens,
    /// List the certificates on the plugged-in tokens.
    Certs {
        /// Also list expired certificates and CA certificates.
        #[arg(long)]
        all: bool,
    },
    /// Modules, tokens and configuration, as the agent sees them.
    Status,
    /// Sign a hash with a certificate's key (one consent + PIN dialog).
    SignHash {
        /// Certificate id (see `vss certs`); may be left out when exactly one valid certificate is present.
        #[arg(long)]
        cert: Option<String>,
        /// Hash algorithm: SHA-256, SHA-384, SHA-512 (SHA-1 only if the policy allows it).
        #[arg(long, default_value = "SHA-256")]
        alg: String,
        /// The hash, in hex.
        #[arg(
            long,
            conflicts_with = "hash_b64",
            required_unless_present = "hash_b64"
        )]
        hash: Option<String>,
        /// The hash, in base64.
        #[arg(long)]
        hash_b64: Option<String>,
        /// RSA padding: pkcs1 (default) or pss.
        #[arg(long)]
        padding: Option<String>,
        /// What is being signed, shown in the dialog.
        #[arg(long)]
        title: Option<String>,
    },
    /// Sign dossier XML files: one dialog and one PIN for the whole batch.
    SignXml(xml::SignXmlCli),
    /// Verify signed XML files: signature, signer, MST, signing time, chain trust.
    VerifyXml(xml::VerifyXmlCli),
    /// Print the canonical form of an XML file (to see why a digest differs).
    C14n(xml::C14nCli),
    /// Register (or remove) the native-messaging host with browsers.
    InstallHost(install_host::InstallHostArgs),
    /// Check everything signing needs and say what to fix.
    Doctor {
        /// Print a redacted support report to paste into a ticket instead (no PIN, no CCCD,
        /// serials hashed).
        #[arg(long)]
        report: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load() {
        Ok(config) => config,
        Err(err) => return Output::new(Lang::Vi, cli.json).failure(&err),
    };
    if let Some(lang) = cli.lang.as_deref().and_then(Lang::parse) {
        config.lang = lang;
    }
    let out = Output::new(config.lang, cli.json);
    // Batch commands report each file themselves and only say whether all went well.
    let batch = match &cli.command {
        Commands::VerifyXml(args) => Some(xml::verify_xml(args, &config, &out, config.lang)),
        Commands::C14n(args) => Some(xml::c14n(args)),
        Commands::Doctor { report } => {
            let service = Service::new(config.clone());
            Some(if *report {
                doctor::report(&service, &out)
            } else {
                doctor::run(&service, &out)
            })
        }
        Commands::SignXml(args) => {
            let service = Service::new(config.clone());
            Some(
                args_certificate(&service, args.cert())
                    .and_then(|cert| xml::sign_xml(&service, args, &out, cert)),
            )
        }
        _ => None,
    };
    if let Some(outcome) = batch {
        return match outcome {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(err) => out.failure(&err),
        };
    }
    let result = match cli.command {
        Commands::InstallHost(args) => install_host::run(&args, &out),
        command => {
            let service = Service::new(config.clone());
            run(&service, command, &out)
        }
    };
    match result {
        Ok(value) => out.success(&value),
        Err(err) => out.failure(&err),
    }
}

/// The caller every command of `vss` runs as: the user at this computer.
fn caller() -> Caller {
    Caller::local("vss")
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(Error::internal)
}

fn run(service: &Service, command: Commands, out: &Output) -> Result<Value, Error> {
    let lang = service.config.lang;
    match command {
        Commands::Tokens => {
            let status = commands::status::run(service, &caller(), lang)?;
            if status.tokens.is_empty() {
                // Say why: a module problem, or simply no token.
                service.modules().tokens()?;
                return Err(Error::new(ErrorCode::NoToken));
            }
            out.tokens(&status.tokens);
            Ok(json!({ "tokens": to_json(&status.tokens)? }))
        }
        Commands::Certs { all } => {
            let certificates: Vec<Certificate> = if all {
                service
                    .modules()
                    .certificates(OffsetDateTime::now_utc())?
                    .into_iter()
                    .map(|(_, r)| r.certificate)
                    .collect()
            } else {
                let args = ListCertificatesArgs {
                    filter: CertificateFilter {
                        mst: None,
                        include_expired: true,
                    },
                };
                commands::list_certificates::run(service, &caller(), &args)?.certificates
            };
            // Each certificate's chain and revocation status (OCSP/CRL, cached).
            let now = OffsetDateTime::now_utc();
            let candidates =
                vss_core::revocation::issuer_candidates(service, &service.modules(), now);
            let trust: Vec<vss_core::revocation::CertificateTrust> = certificates
                .iter()
                .filter_map(|c| {
                    base64::engine::general_purpose::STANDARD
                        .decode(&c.der)
                        .ok()
                })
                .map(|der| vss_core::revocation::certificate_trust(service, &der, &candidates, now))
                .collect();
            out.certificates(&certificates, &trust);
            Ok(json!({ "certificates": to_json(&certificates)?, "trust": to_json(&trust)? }))
        }
        Commands::Status => {
            let status = to_json(&commands::status::run(service, &caller(), lang)?)?;
            out.raw(&status);
            Ok(status)
        }
        Commands::SignHash {
            cert,
            alg,
            hash,
            hash_b64,
            padding,
            title,
        } => {
            let hash_b64 = match (hash, hash_b64) {
                (Some(hex_hash), _) => {
                    let bytes = hex::decode(hex_hash.trim())
                        .map_err(|_| Error::bad_request("reason-hash-hex"))?;
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                }
                (None, Some(b64)) => b64,
                (None, None) => return Err(Error::bad_request("reason-hash-required")),
            };
            // Refuse a malformed hash before looking for a certificate or asking for a PIN.
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(hash_b64.trim())
                .map_err(|_| Error::bad_request("reason-hash-base64"))?;
            HashAlgorithm::parse(&alg)?.check_len(&bytes)?;
            let certificate = args_certificate(service, cert.as_deref())?;
            let args = SignHashArgs {
                certificate,
                hash: hash_b64,
                hash_algorithm: alg,
                padding,
                document: title.map(|t| DocumentInfo {
                    title: Some(t),
                    description: None,
                }),
                mst: None,
            };
            let signature = commands::sign_hash::run(service, &caller(), lang, &args)?;
            out.signature(&signature);
            to_json(&signature)
        }
        Commands::InstallHost(_)
        | Commands::SignXml(_)
        | Commands::VerifyXml(_)
        | Commands::C14n(_)
        | Commands::Doctor { .. } => Err(Error::internal("handled in main")),
    }
}

/// The certificate the user named, else the only valid one.
fn args_certificate(service: &Service, cert: Option<&str>) -> Result<String, Error> {
    match cert {
        Some(cert) => Ok(cert.to_string()),
        None => only_valid_certificate(service),
    }
}

/// The id of the one valid signing certificate; `certificate_ambiguous` when several.
fn only_valid_certificate(service: &Service) -> Result<String, Error> {
    let listed =
        commands::list_certificates::run(service, &caller(), &ListCertificatesArgs::default())?;
    match listed.certificates.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(Error::new(ErrorCode::NoCertificates)),
        several => {
            let ids: Vec<Value> = several
                .iter()
                .map(|c| json!({"id": c.id, "holder": c.holder}))
                .collect();
            Err(Error::new(ErrorCode::CertificateAmbiguous)
                .detail("certificates", Value::Array(ids)))
        }
    }
}
