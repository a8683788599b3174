//! A web origin never learns a token's serial (it would follow the user from site to site):
//! `list-certificates` gives it only the per-origin hash `status` gives, different for every
//! origin, through the native host and through `vss-agent serve`. The extension's own pages
//! (the popup) and local programs see the real serial, as DESIGN §2 allows.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use vss_testkit::fixture::Fixture;
use vss_testkit::native_host::NativeHost;
use vss_testkit::serve::ServeAgent;

const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";
const IVAN: &str = "https://ivan.example.vn";

fn real_serials(f: &Fixture) -> Vec<String> {
    f.manifest["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["serial"].as_str().unwrap().to_string())
        .collect()
}

/// The token serials a `list-certificates` reply shows, and those of `status`.
fn listed_serials(list: &Value) -> BTreeSet<String> {
    list["result"]["certificates"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|c| c["token"]["serial"].as_str().unwrap().to_string())
        .collect()
}

fn status_serials(status: &Value) -> BTreeSet<String> {
    status["result"]["tokens"]
        .as_array()
        .unwrap_or_else(|| panic!("{status}"))
        .iter()
        .map(|t| t["serial"].as_str().unwrap().to_string())
        .collect()
}

/// What two web origins and the extension's own page were told, checked the same way whatever
/// the transport: `ask(origin, command)` answers a reply.
fn check(f: &Fixture, mut ask: impl FnMut(&str, &str) -> Value, own: Option<&str>) {
    let real = real_serials(f);
    let mut seen_per_origin = Vec::new();
    for origin in [PORTAL, IVAN] {
        let list = ask(origin, "list-certificates");
        let status = ask(origin, "status");
        let text = format!("{list}{status}");
        for serial in &real {
            assert!(
                !text.contains(serial.as_str()),
                "{origin} never sees the raw serial {serial}: {text}"
            );
        }
        let listed = listed_serials(&list);
        assert_eq!(listed.len(), 2, "two tokens: {list}");
        assert_eq!(
            listed,
            status_serials(&status),
            "{origin}: list-certificates and status give the same hash"
        );
        assert!(listed
            .iter()
            .all(|s| s.len() == 16 && s.chars().all(|c| c.is_ascii_hexdigit())));
        seen_per_origin.push(listed);
    }
    assert!(
        seen_per_origin[0].is_disjoint(&seen_per_origin[1]),
        "two sites cannot match the same token: {seen_per_origin:?}"
    );
    if let Some(own) = own {
        let listed = listed_serials(&ask(own, "list-certificates"));
        assert_eq!(
            listed,
            real.iter().cloned().collect(),
            "the popup sees real serials"
        );
    }
}

#[test]
fn native_host_hashes_token_serials_per_origin_in_list_certificates() {
    let f = Fixture::new("standard");
    let mut host = NativeHost::start(&f, &[("VSS_ALLOWED_ORIGINS", IVAN)]);
    let mut n = 0;
    let own = format!("chrome-extension://{}", vss_protocol::EXTENSION_ID);
    check(
        &f,
        |origin, command| {
            n += 1;
            let arguments = if command == "list-certificates" {
                json!({"filter": {"include_expired": true}})
            } else {
                json!({})
            };
            host.request(&format!("r{n}"), command, origin, arguments)
        },
        Some(&own),
    );
}

#[test]
fn http_hashes_token_serials_per_origin_in_list_certificates() {
    let f = Fixture::new("standard");
    f.write_config("[serve]\nallow_local_apps = true\n");
    let agent = ServeAgent::start(&f, &[("VSS_ALLOWED_ORIGINS", IVAN)]);
    let ask = |headers: Vec<(&str, String)>, command: &str| {
        let body = json!({"id": "q", "command": command, "arguments": {"filter": {"include_expired": true}}});
        let mut all = vec![agent.host()];
        all.extend(headers);
        let reply = agent.request("POST", "/v1/request", &all, &body.to_string());
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.json()
    };
    check(
        &f,
        |origin, command| ask(vec![("Origin", origin.to_string())], command),
        None,
    );
    // A local program with the bearer token is a local caller: real serials.
    let token_file = std::fs::read_dir(f.dir.join("home/.local/share"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path().join("serve-token")))
        .find(|p| p.exists())
        .expect("the agent created its bearer token file");
    let token = std::fs::read_to_string(token_file).unwrap();
    let local = ask(
        vec![("Authorization", format!("Bearer {token}"))],
        "list-certificates",
    );
    assert_eq!(
        listed_serials(&local),
        real_serials(&f).into_iter().collect(),
        "a local program sees real serials"
    );
}
