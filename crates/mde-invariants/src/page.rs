//! Page and single-investigation decoding: the two walks of a page agree, what decodes writes back and decodes
//! the same, and a body that is not JSON fails as the reader says.

use mde_core::decode::{decode_investigation, decode_page, outline_page, validate_investigation, Node};
use mde_core::Page;

/// Any bytes as a list page and as a single investigation:
/// - `outline_page` accepts exactly what `decode_page` accepts, with the same error, and on a page gives the same
///   ids, start times and next link;
/// - `validate_investigation` accepts exactly what `decode_investigation` accepts, with the same error;
/// - round trip: a decoded page (or investigation) written back as JSON (`serde_json`, the service's property
///   names) decodes to the same page;
/// - whatever decodes is JSON (`Node::parse` accepts it).
pub fn page(data: &[u8]) {
    let full = decode_page(data);
    let outline = outline_page(data);
    match (&full, &outline) {
        (Ok(p), Ok(o)) => {
            let ids: Vec<&str> = p.value.iter().map(|i| i.id.as_str()).collect();
            let outline_ids: Vec<&str> = o.ids.iter().map(|id| id.as_ref()).collect();
            assert_eq!(ids, outline_ids);
            let starts: Vec<_> = p.value.iter().map(|i| i.start_time).collect();
            assert_eq!(starts, o.start_times);
            assert_eq!(p.next_link, o.next_link);
            assert!(Node::parse(data).is_ok(), "a page that is not JSON decoded");
            let written = write_page(p);
            assert_eq!(decode_page(written.as_bytes()).as_ref(), Ok(p), "{written}");
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("decode_page {:?} but outline_page {:?}", a.as_ref().map(|_| ()), b.as_ref().map(|_| ())),
    }
    let one = decode_investigation(data);
    assert_eq!(validate_investigation(data), one.as_ref().map(|_| ()).map_err(Clone::clone));
    if let Ok(inv) = one {
        assert!(Node::parse(data).is_ok(), "an investigation that is not JSON decoded");
        let written = serde_json::to_string(&inv).expect("an investigation serialises");
        assert_eq!(decode_investigation(written.as_bytes()), Ok(inv), "{written}");
    }
}

/// A page as the service writes it.
fn write_page(p: &Page) -> String {
    let value = serde_json::to_value(&p.value).expect("investigations serialise");
    let mut page = serde_json::Map::new();
    if let Some(c) = &p.context {
        page.insert("@odata.context".into(), c.clone().into());
    }
    page.insert("value".into(), value);
    if let Some(l) = &p.next_link {
        page.insert("@odata.nextLink".into(), l.clone().into());
    }
    serde_json::Value::Object(page).to_string()
}
