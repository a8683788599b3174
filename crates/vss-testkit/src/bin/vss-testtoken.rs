//! Creates SoftHSM2 test/demo tokens in a private directory; prints the manifest as JSON.
//! Usage: vss-testtoken --dir DIR [--scenario demo|standard|an-sinh|bao-minh|expiring|empty]

use std::path::PathBuf;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Create SoftHSM2 tokens with Vietnamese-style test certificates")]
struct Args {
    /// Directory for softhsm2.conf, the token store, certificates and manifest.json.
    #[arg(long)]
    dir: PathBuf,
    /// Which tokens to create.
    #[arg(long, default_value = "standard")]
    scenario: String,
    /// OCSP responder URL for the certificates' AIA (tests with a local responder).
    #[arg(long)]
    ocsp_url: Option<String>,
    /// CRL distribution point URL for the certificates.
    #[arg(long)]
    crl_url: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.dir)?;
    let tokens = vss_testkit::scenario(&args.scenario)?;
    let addresses = vss_testkit::Addresses {
        ocsp: args.ocsp_url,
        crl: args.crl_url,
    };
    let manifest = vss_testkit::create_with(&args.dir, &tokens, &addresses)?;
    println!("{}", serde_json::to_string_pretty(&manifest)?);
    Ok(())
}
