//! The StatusNotifierItem: icon name and pixmap per readiness state, tooltip, and the menu
//! entries of [`crate::menu`] as dbusmenu items whose activation goes to the main loop.

use std::sync::mpsc::Sender;

use ksni::menu::{CheckmarkItem, StandardItem, SubMenu};
use ksni::{Category, Icon, MenuItem, Status, ToolTip, Tray};
use vss_protocol::messages::text;
use vss_protocol::readiness::Level;

use super::Event;
use crate::app::App;
use crate::autostart::Autostart;
use crate::menu::{self, Entry};

/// What the item shows, computed on the main loop.
pub struct ItemView {
    level: Level,
    title: String,
    description: String,
    entries: Vec<Entry>,
}

impl ItemView {
    pub fn of(app: &App, autostart: Autostart) -> ItemView {
        let readiness = app.readiness();
        let lang = app.lang();
        ItemView {
            level: readiness.state,
            title: format!(
                "{} — {}",
                text(lang, "tray-title", &[]),
                menu::state_word(readiness.state, lang)
            ),
            description: menu::status_line(&readiness),
            entries: app.menu(autostart),
        }
    }
}

pub struct StatusItem {
    events: Sender<Event>,
    view: ItemView,
}

impl StatusItem {
    pub fn new(events: Sender<Event>) -> StatusItem {
        StatusItem {
            events,
            view: ItemView {
                level: Level::Problem,
                title: "VSS Token Signing".into(),
                description: String::new(),
                entries: Vec::new(),
            },
        }
    }

    pub fn show(&mut self, view: ItemView) {
        self.view = view;
    }
}

/// Icon names from the freedesktop icon theme, one per state.
pub fn icon_name(level: Level) -> &'static str {
    match level {
        Level::Ready => "security-high",
        Level::Attention => "security-medium",
        Level::Problem => "security-low",
    }
}

/// A round badge in the state's colour (green, amber, red), for panels without the theme.
fn pixmap(level: Level) -> Icon {
    const SIZE: i32 = 32;
    let (r, g, b) = match level {
        Level::Ready => (0x2e, 0x9d, 0x4f),
        Level::Attention => (0xe6, 0x9a, 0x00),
        Level::Problem => (0xc6, 0x28, 0x28),
    };
    let center = (SIZE as f32 - 1.0) / 2.0;
    let radius = SIZE as f32 / 2.0 - 1.0;
    let mut data = Vec::with_capacity((SIZE * SIZE * 4) as usize);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let d = ((x as f32 - center).powi(2) + (y as f32 - center).powi(2)).sqrt();
            let alpha = (radius + 0.5 - d).clamp(0.0, 1.0);
            data.extend_from_slice(&[(alpha * 255.0) as u8, r, g, b]);
        }
    }
    Icon {
        width: SIZE,
        height: SIZE,
        data,
    }
}

fn item(entry: &Entry) -> MenuItem<StatusItem> {
    match entry {
        Entry::Info(label) => StandardItem {
            label: label.clone(),
            enabled: false,
            ..Default::default()
        }
        .into(),
        Entry::Separator => MenuItem::Separator,
        Entry::Item {
            label,
            action,
            enabled,
        } => {
            let action = *action;
            StandardItem {
                label: label.clone(),
                enabled: *enabled,
                activate: Box::new(move |item: &mut StatusItem| {
                    let _ = item.events.send(Event::Menu(action));
                }),
                ..Default::default()
            }
            .into()
        }
        Entry::Check {
            label,
            checked,
            enabled,
            action,
        } => {
            let action = *action;
            CheckmarkItem {
                label: label.clone(),
                checked: *checked,
                enabled: *enabled,
                activate: Box::new(move |item: &mut StatusItem| {
                    let _ = item.events.send(Event::Menu(action));
                }),
                ..Default::default()
            }
            .into()
        }
        Entry::Submenu { label, children } => SubMenu {
            label: label.clone(),
            submenu: children.iter().map(item).collect(),
            ..Default::default()
        }
        .into(),
    }
}

impl Tray for StatusItem {
    fn id(&self) -> String {
        crate::PROGRAM.into()
    }

    fn title(&self) -> String {
        self.view.title.clone()
    }

    fn category(&self) -> Category {
        Category::ApplicationStatus
    }

    fn status(&self) -> Status {
        match self.view.level {
            Level::Ready => Status::Active,
            Level::Attention | Level::Problem => Status::NeedsAttention,
        }
    }

    fn icon_name(&self) -> String {
        icon_name(self.view.level).into()
    }

    fn attention_icon_name(&self) -> String {
        icon_name(self.view.level).into()
    }

    fn icon_pixmap(&self) -> Vec<Icon> {
        vec![pixmap(self.view.level)]
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip {
            icon_name: icon_name(self.view.level).into(),
            icon_pixmap: Vec::new(),
            title: self.view.title.clone(),
            description: self.view.description.clone(),
        }
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        self.view.entries.iter().map(item).collect()
    }
}
