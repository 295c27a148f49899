//! The crate's one JSON reader (`Node::parse`, and the page walk that shares its reader).

use mde_core::decode::{decode_page, Node};

/// `Node::parse` on any bytes:
/// - oracle `serde_json`: what it reads, the reader reads as the same tree (compared through `Node::to_json`,
///   which `serde_json` reads back); what the reader reads and `serde_json` refuses is a number beyond an `f64`
///   (which the reader, like `JSON.parse`, takes; `serde_json` does not);
/// - round trip: `to_json` of a tree parses to the same tree;
/// - the page walk (another path over the same reader) reports a syntax error exactly where `Node::parse` does.
pub fn json_reader(data: &[u8]) {
    let node = Node::parse(data);
    let oracle = serde_json::from_slice::<serde_json::Value>(data);
    match (&node, &oracle) {
        (Ok(n), Ok(v)) => {
            let printed = n.to_json();
            let again: serde_json::Value = serde_json::from_str(&printed).expect("to_json prints JSON");
            assert_eq!(&again, v, "the reader's tree differs from serde_json's");
        }
        (Ok(_), Err(e)) => {
            assert!(e.to_string().contains("number out of range"), "serde_json refused what the reader took: {e}")
        }
        (Err(e), Ok(_)) => panic!("the reader refused what serde_json took: {e}"),
        (Err(_), Err(_)) => {}
    }
    match &node {
        Ok(n) => {
            let printed = n.to_json();
            assert_eq!(Node::parse(printed.as_bytes()).as_ref(), Ok(n), "to_json does not read back");
            assert!(std::str::from_utf8(data).is_ok(), "accepted bytes that are not UTF-8");
        }
        Err(e) => {
            // A syntax error wins over any shape problem in the page walk, at the same place.
            let page = decode_page(data).expect_err("a page walk accepted what Node::parse refused");
            assert_eq!(page.location, format!("line {} column {}", e.line, e.column), "{e} / {page}");
        }
    }
}
