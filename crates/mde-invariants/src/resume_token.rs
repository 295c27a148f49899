//! The resume token: a user hands back what an earlier listing gave (possibly edited, truncated or forged).

use mde_core::{Action, BaseUrl, Listing, ListingOptions, RateLimitConfig, RateLimiter};

/// Any bytes as a resume token: a token that is accepted gives a listing whose own token is accepted and reads
/// back the same (writing is then stable), and both listings ask for the same first page.
pub fn resume_token(data: &[u8]) {
    let Some(token) = crate::text(data) else { return };
    let base = BaseUrl::parse("https://api.security.microsoft.com").expect("a valid base URL");
    let Ok(listing) = Listing::resume(base.clone(), token, ListingOptions::default()) else { return };
    let written = listing.resume_token();
    let again = Listing::resume(base, &written, ListingOptions::default())
        .unwrap_or_else(|e| panic!("the token written after {token:?} is refused: {written:?}: {e}"));
    assert_eq!(again.resume_token(), written, "read from {token:?}");
    assert_eq!(first_action(listing), first_action(again), "read from {token:?}");
}

/// What a listing does first: its first request (or its end, when nothing is left to list).
fn first_action(mut listing: Listing) -> Action {
    let mut limiter = RateLimiter::new(RateLimitConfig::default());
    listing.poll(1_750_000_000_000, &mut limiter)
}
