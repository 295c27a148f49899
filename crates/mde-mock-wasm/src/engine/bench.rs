//! Only with the feature `serde-wasm-bindgen-bench` (never in the package): the journal, the investigations and
//! the options crossing as serde-wasm-bindgen values instead of JSON texts, for `cargo xtask bench-mock-npm` to
//! measure both ways on the same module (see BENCHMARKS.md).

use mde_mock_engine::Options;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::MockEngine;
use crate::error::{Kind, Thrown};

/// JavaScript values as `JSON.parse` gives them: `null` for a missing value, plain objects for maps.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).map_err(Into::into)
}

fn options_from(value: JsValue) -> Result<Options, Thrown> {
    let value: Value = serde_wasm_bindgen::from_value(value)
        .map_err(|e| Thrown::new(Kind::InvalidOption, format!("the options do not read: {e}")))?;
    Ok(Options::from_json(&value)?)
}

#[wasm_bindgen]
impl MockEngine {
    /// The journal as serde-wasm-bindgen objects.
    #[wasm_bindgen(js_name = journalValue)]
    pub fn journal_value(&self) -> Result<JsValue, JsValue> {
        to_js(&self.engine.journal())
    }

    /// Every investigation as serde-wasm-bindgen objects.
    #[wasm_bindgen(js_name = investigationsValue)]
    pub fn investigations_value(&self) -> Result<JsValue, JsValue> {
        let items: Vec<_> = self.engine.dataset().investigations().collect();
        to_js(&items)
    }

    /// `createMockApi`'s engine from an options object read by serde-wasm-bindgen.
    #[wasm_bindgen(js_name = fromValue)]
    pub fn from_value(options: JsValue, now_ms: f64) -> Result<MockEngine, JsValue> {
        let options = options_from(options).map_err(Thrown::into_js)?;
        let engine =
            mde_mock_engine::Engine::new(options, super::millis(now_ms)).map_err(|e| Thrown::from(e).into_js())?;
        Ok(MockEngine { engine, listen: mde_mock_engine::Listen::default() })
    }

    /// Only reads options from a JSON text (no engine): how many investigations they hold.
    #[wasm_bindgen(js_name = readOptionsJson)]
    pub fn read_options_json(text: &str) -> Result<f64, JsValue> {
        let value: Value = serde_json::from_str(text).map_err(|e| JsValue::from_str(&e.to_string()))?;
        let options = Options::from_json(&value).map_err(|e| Thrown::from(e).into_js())?;
        Ok(options.investigations.map_or(0, |i| i.len()) as f64)
    }

    /// Only reads options from a JavaScript object (no engine): how many investigations they hold.
    #[wasm_bindgen(js_name = readOptionsValue)]
    pub fn read_options_value(options: JsValue) -> Result<f64, JsValue> {
        let options = options_from(options).map_err(Thrown::into_js)?;
        Ok(options.investigations.map_or(0, |i| i.len()) as f64)
    }
}
