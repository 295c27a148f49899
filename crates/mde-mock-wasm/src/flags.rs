//! The bin's command line, decided in Rust: the engine's flag table for the JavaScript syntax layer (which
//! builds `parseArgs` options, the environment fallback and `--help` from it), and [`Invocation`], the values
//! read by the engine's `flags::parse` and the `--data` file by its `data::parse_investigations`. The bin
//! itself knows no flag.

use std::net::IpAddr;

use mde_mock_engine::data::{parse_investigations, Single};
use mde_mock_engine::flags::{self, FLAGS};
use wasm_bindgen::prelude::*;

use crate::error::{Kind, Thrown};

/// The flag table as JSON: `[{"long", "env", "valueName", "default", "help", "repeatable", "switch"}, ...]`, in
/// the order of the help; `default` is `null` for a flag without one; a switch takes no value (`valueName` is
/// empty) and reaches `Invocation.parse` as `true`.
pub fn table_json() -> String {
    let flags: Vec<serde_json::Value> = FLAGS
        .iter()
        .map(|f| {
            serde_json::json!({
                "long": f.long,
                "env": f.env,
                "valueName": f.value_name,
                "default": f.default,
                "help": f.help,
                "repeatable": f.repeatable,
                "switch": f.switch,
            })
        })
        .collect();
    serde_json::Value::Array(flags).to_string()
}

/// The flag table (see [`table_json`]).
#[wasm_bindgen(js_name = flagTable)]
pub fn flag_table() -> String {
    table_json()
}

/// The first line of `--help`, the same as the native binary's.
#[wasm_bindgen]
pub fn about() -> String {
    flags::ABOUT.to_string()
}

/// The package's version (this crate's, which `cargo xtask package` writes into package.json).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A command line read by the engine: where to listen, the data file, the mock's options.
#[wasm_bindgen]
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    inner: flags::Invocation,
}

impl Invocation {
    /// Reads `[long, value, long, value, ...]` (flags without dashes, in order; a repeatable flag once per
    /// value) with the engine's `flags::parse`.
    pub fn from_pairs(pairs: &[String]) -> Result<Invocation, Thrown> {
        if !pairs.len().is_multiple_of(2) {
            return Err(Thrown::new(Kind::InvalidFlag, "flags and values come in pairs"));
        }
        let values = pairs.chunks_exact(2).map(|p| (p[0].as_str(), p[1].as_str()));
        Ok(Invocation { inner: flags::parse(values)? })
    }

    /// Serves the investigations of a `--data` file's bytes; the message names the item and the field.
    pub fn data(&mut self, bytes: &[u8]) -> Result<(), Thrown> {
        crate::memory::reserve_for_json(bytes.len());
        let items = parse_investigations(bytes, Single::Refused)
            .map_err(|e| Thrown::new(Kind::InvalidInvestigations, e.to_string()))?;
        self.inner.options.investigations = Some(items);
        Ok(())
    }

    /// The parsed command line.
    pub fn inner(&self) -> &flags::Invocation {
        &self.inner
    }
}

#[wasm_bindgen]
impl Invocation {
    /// `Invocation.parse([long, value, ...])`; throws an `InvalidFlag` JSON text with the engine's message.
    pub fn parse(pairs: Vec<String>) -> Result<Invocation, JsValue> {
        Invocation::from_pairs(&pairs).map_err(Thrown::into_js)
    }

    /// `--host`, as text (`127.0.0.1`, `::1`).
    #[wasm_bindgen(getter)]
    pub fn host(&self) -> String {
        self.inner.host.to_string()
    }

    /// `--host` as a URL writes it: IPv6 in brackets (`[::1]`).
    #[wasm_bindgen(getter, js_name = urlHost)]
    pub fn url_host(&self) -> String {
        match self.inner.host {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        }
    }

    /// `--port`.
    #[wasm_bindgen(getter)]
    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// `--data`: the file to read, if given.
    #[wasm_bindgen(getter, js_name = dataFile)]
    pub fn data_file(&self) -> Option<String> {
        self.inner.data.clone()
    }

    /// Serves the investigations of the `--data` file's bytes; throws `InvalidInvestigations` (`item 1:
    /// ...`), which the bin prints as `mde-mock: data file PATH: item 1: ...`.
    #[wasm_bindgen(js_name = loadData)]
    pub fn load_data(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        self.data(bytes).map_err(Thrown::into_js)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn pairs(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_table_is_the_engines() {
        let table: Value = serde_json::from_str(&table_json()).unwrap();
        let table = table.as_array().unwrap();
        assert_eq!(table.len(), FLAGS.len());
        for (row, flag) in table.iter().zip(FLAGS) {
            assert_eq!(row["long"], flag.long);
            assert_eq!(row["env"], flag.env);
            assert_eq!(row["valueName"], flag.value_name);
            assert_eq!(row["default"].as_str(), flag.default);
            assert_eq!(row["help"], flag.help);
            assert_eq!(row["repeatable"], flag.repeatable);
        }
    }

    #[test]
    fn pairs_reach_the_engines_parser() {
        let inv = Invocation::from_pairs(&pairs(&["host", "::1", "port", "0", "token", "a", "token", "b"])).unwrap();
        assert_eq!((inv.host(), inv.url_host(), inv.port()), ("::1".to_string(), "[::1]".to_string(), 0));
        assert_eq!(inv.inner().options.tokens, ["a", "b"]);
        let inv = Invocation::from_pairs(&[]).unwrap();
        assert_eq!((inv.url_host(), inv.port(), inv.data_file()), ("127.0.0.1".to_string(), 4010, None));
        let e = Invocation::from_pairs(&pairs(&["window", "tumbling"])).unwrap_err();
        assert!(e.message.contains("unknown window `tumbling`"), "{}", e.message);
        assert!(Invocation::from_pairs(&pairs(&["port"])).is_err());
    }

    #[test]
    fn data_files_read_as_the_native_binary_reads_them() {
        let mut inv = Invocation::from_pairs(&pairs(&["data", "x.json"])).unwrap();
        assert_eq!(inv.data_file().as_deref(), Some("x.json"));
        let e = inv.data(br#"[{"id": "1"}, {"id": "2", "endTime": "not a time"}]"#).unwrap_err();
        assert_eq!(e.kind, Kind::InvalidInvestigations);
        assert!(e.message.starts_with("item 1: `endTime`"), "{}", e.message);
        assert!(inv.data(br#"{"id": "1"}"#).is_err(), "a single object is not a data file");
        inv.data(br#"{"value": [{"id": 5}]}"#).unwrap();
        assert_eq!(inv.inner().options.investigations.as_ref().unwrap()[0].id, "5");
    }
}
