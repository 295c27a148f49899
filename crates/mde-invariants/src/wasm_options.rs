//! The options that the npm package's users pass (`new InvestigationsClient(...)`, `client.list(...)`,
//! `validateFilter`), as the facade hands them to the wasm module: JSON texts read by mde-wasm.

use mde_core::filter::ParseOptions;
use mde_core::{BaseUrl, Filter, Listing, ListingOptions, RetryPolicy};
use mde_wasm::config::{filter_from_json, start_listing, ClientSettings};

/// Any bytes as each of the three JSON texts:
/// - client options: whatever is accepted is a base URL that reads back the same and a limiter whose state
///   reads back the same;
/// - a filter (`{"text": ..}` or `{"object": ..}`): an accepted filter printed as OData text parses to a filter
///   that prints the same (the same filter, its `in` lists written as OData 4.0's `or`s of `eq`s), and given
///   back as `{"text": ..}` too;
/// - list options: an accepted listing's resume token resumes a listing with the same token.
pub fn wasm_options(data: &[u8]) {
    let Some(json) = crate::text(data) else { return };
    if let Ok(settings) = ClientSettings::from_json(json) {
        let printed = settings.base.to_string();
        assert_eq!(BaseUrl::parse(&printed).as_ref(), Ok(&settings.base), "{json:?}");
        let state = settings.limiter.export();
        let again = mde_core::RateLimiter::import(settings.limiter.config().clone(), &state);
        assert_eq!(again.map(|l| l.export()).as_deref(), Ok(state.as_str()), "{json:?}");
    }
    if let Ok(filter) = filter_from_json(json) {
        let text = filter.to_odata();
        let again = Filter::parse_with(&text, &ParseOptions::LENIENT_STATES).map(|f| f.to_odata());
        assert_eq!(again.as_ref(), Ok(&text), "{json:?} printed as {text:?}");
        let mut as_text = String::from("{\"text\":");
        mde_core::decode::write_json_string(&text, &mut as_text);
        as_text.push('}');
        if Filter::parse(&text).is_ok() {
            let back = filter_from_json(&as_text).ok().map(|f| f.to_odata());
            assert_eq!(back.as_ref(), Some(&text), "{json:?} printed as {text:?}");
        }
    }
    let base = BaseUrl::parse("https://api.security.microsoft.com").expect("a valid base URL");
    if let Ok(listing) = start_listing(json, base.clone(), RetryPolicy::default(), 1_750_000_000_000) {
        let token = listing.resume_token();
        let resumed = Listing::resume(base, &token, ListingOptions::default())
            .unwrap_or_else(|e| panic!("{json:?}: its token {token:?} is refused: {e}"));
        assert_eq!(resumed.resume_token(), token, "{json:?}");
    }
}
