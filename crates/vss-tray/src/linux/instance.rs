//! One tray per session: the bus name `vn.vss.TokenSigning.Tray`, taken without queueing, with
//! an object whose `Activate` (a second start) and `Quit` (`vss-tray --quit`, the demo, the
//! tests) reach the main loop.

use std::sync::mpsc::Sender;

use zbus::blocking::{connection, Connection, Proxy};
use zbus::fdo::{RequestNameFlags, RequestNameReply};

use super::Event;
use crate::INSTANCE_NAME;

/// The object path of the tray's control interface.
pub const PATH: &str = "/vn/vss/TokenSigning/Tray";
/// Its interface.
pub const INTERFACE: &str = "vn.vss.TokenSigning.Tray1";

struct Control {
    events: Sender<Event>,
}

#[zbus::interface(name = "vn.vss.TokenSigning.Tray1")]
impl Control {
    /// Shows that the tray runs (a notification).
    fn activate(&self) {
        let _ = self.events.send(Event::Activate);
    }

    /// Ends the tray.
    fn quit(&self) {
        let _ = self.events.send(Event::Quit);
    }
}

pub enum Claim {
    /// This process is the session's tray; keep the connection open.
    Ours(Connection),
    /// Another tray holds the name.
    Running,
}

/// Takes the session's tray name, or finds it taken.
pub fn claim(events: Sender<Event>) -> zbus::Result<Claim> {
    let connection = connection::Builder::session()?
        .serve_at(PATH, Control { events })?
        .build()?;
    match connection.request_name_with_flags(INSTANCE_NAME, RequestNameFlags::DoNotQueue.into()) {
        Ok(RequestNameReply::PrimaryOwner) | Ok(RequestNameReply::AlreadyOwner) => {
            Ok(Claim::Ours(connection))
        }
        Ok(_) | Err(zbus::Error::NameTaken) => Ok(Claim::Running),
        Err(err) => Err(err),
    }
}

/// Calls `method` (`Activate`, `Quit`) on the running tray; `Ok(false)` when none runs.
pub fn request(method: &str) -> zbus::Result<bool> {
    let connection = Connection::session()?;
    let proxy = Proxy::new(&connection, INSTANCE_NAME, PATH, INTERFACE)?;
    match proxy.call_method(method, &()) {
        Ok(_) => Ok(true),
        Err(zbus::Error::MethodError(name, _, _))
            if name.as_str() == "org.freedesktop.DBus.Error.ServiceUnknown" =>
        {
            Ok(false)
        }
        Err(err) => Err(err),
    }
}
