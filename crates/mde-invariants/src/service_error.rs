//! The service's error body, read from any response that is not a success.

use mde_core::decode::{decode_service_error, Node};

/// Any bytes as an error body: what is read writes back (as the service writes it) and reads the same; what is
/// not JSON is not read.
pub fn service_error(data: &[u8]) {
    let Some(e) = decode_service_error(data) else { return };
    assert!(Node::parse(data).is_ok(), "an error body that is not JSON was read");
    let written = serde_json::json!({ "error": { "code": e.code, "message": e.message, "target": e.target } });
    assert_eq!(decode_service_error(written.to_string().as_bytes()), Some(e), "{written}");
}
