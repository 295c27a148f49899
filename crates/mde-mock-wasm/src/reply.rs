//! [`Reply`]: the engine's answer as JavaScript reads it: status, headers, body, the delay to wait first, and
//! the connection fault to enact (`close`, or `truncate` after `truncateAfter` bytes), and the pacing of the body
//! (`firstByteMs`, then `chunkBytes` every `chunkIntervalMs`; see `mde_mock_engine::pacing`).

use std::time::Duration;

use mde_mock_engine::{ConnectionFault, Pacing};
use wasm_bindgen::prelude::*;

/// One answer of the engine. The facade reads its fields, takes the body, and frees it.
#[wasm_bindgen]
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
    delay_ms: f64,
    fault: Option<ConnectionFault>,
    pacing: Option<Pacing>,
}

impl From<mde_mock_engine::Reply> for Reply {
    fn from(r: mde_mock_engine::Reply) -> Reply {
        let headers = r.headers.into_iter().flat_map(|(name, value)| [name.to_string(), value]).collect();
        Reply { status: r.status, headers, body: r.body, delay_ms: whole_ms(r.delay), fault: r.fault, pacing: r.pacing }
    }
}

/// A delay in whole milliseconds, as a JavaScript number.
fn whole_ms(d: Duration) -> f64 {
    d.as_millis() as f64
}

#[wasm_bindgen]
impl Reply {
    /// The HTTP status (also set for a `truncate` fault; meaningless for `close`).
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers as a flat list `[name, value, name, value, ...]`, names in lower case, without
    /// `content-length` (the driver frames the body).
    pub fn headers(&self) -> Vec<String> {
        self.headers.clone()
    }

    /// The body (empty for `HEAD`, `204` and `close`); moves it out, so a second call gives an empty one.
    #[wasm_bindgen(js_name = takeBody)]
    pub fn take_body(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.body)
    }

    /// The body's length in bytes (what [`Reply::copy_body`] needs room for).
    #[wasm_bindgen(getter, js_name = bodyLength)]
    pub fn body_length(&self) -> u32 {
        u32::try_from(self.body.len()).unwrap_or(u32::MAX)
    }

    /// Copies the body to the start of `into` in one copy from the module's memory, if `into` has room for it
    /// (at least [`Reply::body_length`] bytes): then true; else false and nothing is copied. The body stays in
    /// the reply. For a driver that writes large bodies from buffers it reuses rather than from a new array
    /// each time (`takeBody`).
    #[wasm_bindgen(js_name = copyBody)]
    pub fn copy_body(&self, into: &js_sys::Uint8Array) -> bool {
        let Ok(length) = u32::try_from(self.body.len()) else { return false };
        if into.length() < length {
            return false;
        }
        into.subarray(0, length).copy_from(&self.body);
        true
    }

    /// How long to wait before answering, in milliseconds (`latencyMs`; 0 for `/__admin/`).
    #[wasm_bindgen(getter, js_name = delayMs)]
    pub fn delay_ms(&self) -> f64 {
        self.delay_ms
    }

    /// `"close"`, `"truncate"`, or `undefined` for a normal answer.
    #[wasm_bindgen(getter)]
    pub fn fault(&self) -> Option<String> {
        self.fault.map(|f| f.name().to_string())
    }

    /// For `truncate`: how many bytes of the body are sent before the connection breaks.
    #[wasm_bindgen(getter, js_name = truncateAfter)]
    pub fn truncate_after(&self) -> Option<f64> {
        match self.fault {
            Some(ConnectionFault::Truncate { after }) => Some(after as f64),
            _ => None,
        }
    }

    /// For a paced body: the wait between the head and the first chunk, in milliseconds (fractions kept);
    /// `undefined` for a body sent at once.
    #[wasm_bindgen(getter, js_name = firstByteMs)]
    pub fn first_byte_ms(&self) -> Option<f64> {
        self.pacing.map(|p| p.first_byte.as_secs_f64() * 1000.0)
    }

    /// For a paced body: the bytes of each chunk (the last may be shorter).
    #[wasm_bindgen(getter, js_name = chunkBytes)]
    pub fn chunk_bytes(&self) -> Option<f64> {
        self.pacing.map(|p| p.chunk_bytes as f64)
    }

    /// For a paced body: the time between the starts of two chunks, in milliseconds (fractions kept); chunk `k`
    /// is due `firstByteMs + k * chunkIntervalMs` after the head.
    #[wasm_bindgen(getter, js_name = chunkIntervalMs)]
    pub fn chunk_interval_ms(&self) -> Option<f64> {
        self.pacing.map(|p| p.interval.as_secs_f64() * 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_flatten_in_order_and_faults_keep_their_length() {
        let r = Reply::from(mde_mock_engine::Reply {
            status: 200,
            headers: vec![("a", "1".into()), ("b", "2".into())],
            body: b"0123456789".to_vec(),
            delay: Duration::from_millis(25),
            fault: Some(ConnectionFault::Truncate { after: 5 }),
            pacing: None,
        });
        assert_eq!(r.headers(), ["a", "1", "b", "2"]);
        assert_eq!(
            (r.status(), r.delay_ms(), r.fault().as_deref(), r.truncate_after()),
            (200, 25.0, Some("truncate"), Some(5.0))
        );
        let mut r = r;
        assert_eq!(r.take_body(), b"0123456789");
        assert!(r.take_body().is_empty());
        assert_eq!(r.first_byte_ms(), None);
    }

    #[test]
    fn pacing_crosses_in_milliseconds() {
        let pacing = Pacing {
            first_byte: Duration::from_millis(300),
            chunk_bytes: 3,
            interval: Duration::from_micros(1500),
            len: 10,
        };
        let r = Reply::from(mde_mock_engine::Reply {
            status: 200,
            headers: vec![],
            body: b"0123456789".to_vec(),
            delay: Duration::ZERO,
            fault: None,
            pacing: Some(pacing),
        });
        assert_eq!((r.first_byte_ms(), r.chunk_bytes(), r.chunk_interval_ms()), (Some(300.0), Some(3.0), Some(1.5)));
    }
}
