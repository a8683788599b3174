//! A request as a page (through the extension) or an HTTP client sends it: the JSON envelope,
//! the command and its arguments, and the id finder used on the prefix of an oversized request.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vss_protocol::wire::{request_id_in_prefix, Request};
use vss_protocol::Command;

fuzz_target!(|data: &[u8]| {
    let _ = request_id_in_prefix(data);
    if let Ok(request) = serde_json::from_slice::<Request>(data) {
        if let Ok(command) = Command::parse(&request.command, &request.arguments) {
            let _ = command.name();
        }
        // The envelope survives a round trip (the HTTP layer re-serialises it).
        let text = serde_json::to_vec(&request).expect("serialise");
        let again: Request = serde_json::from_slice(&text).expect("own JSON reads back");
        assert_eq!(again.command, request.command);
        assert_eq!(again.id, request.id);
    }
    // Arguments of every command, whatever the envelope: the first line names the command.
    if let Some(i) = data.iter().position(|&b| b == b'\n') {
        if let (Ok(name), Ok(arguments)) = (
            std::str::from_utf8(&data[..i]),
            serde_json::from_slice::<serde_json::Value>(&data[i + 1..]),
        ) {
            let _ = Command::parse(name, &arguments);
        }
    }
});
