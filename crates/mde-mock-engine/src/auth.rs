//! Bearer tokens: who may call, who is refused.
//!
//! - no `Authorization` header, another scheme than `Bearer`, or an empty token: `401 Unauthorized`;
//! - a token given with `--forbidden-token`: `403 Forbidden` (a valid token without the permission);
//! - with `--token` given: any other token is `401`; without it: any non-empty token is accepted.

use std::collections::HashSet;

use crate::rng::fnv1a64;

/// Which tokens are accepted and which are forbidden.
#[derive(Debug, Clone, Default)]
pub struct TokenPolicy {
    accepted: HashSet<String>,
    forbidden: HashSet<String>,
}

/// Why a call is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `401`, with the reason.
    Unauthorized(&'static str),
    /// `403`.
    Forbidden,
}

impl TokenPolicy {
    /// A policy accepting `accepted` (any non-empty token when empty) and forbidding `forbidden`.
    pub fn new(accepted: impl IntoIterator<Item = String>, forbidden: impl IntoIterator<Item = String>) -> TokenPolicy {
        TokenPolicy { accepted: accepted.into_iter().collect(), forbidden: forbidden.into_iter().collect() }
    }

    /// Checks an `Authorization` header value; returns the token when it may call.
    pub fn check<'a>(&self, authorization: Option<&'a str>) -> Result<&'a str, Refusal> {
        let token = bearer(authorization)?;
        if self.forbidden.contains(token) {
            return Err(Refusal::Forbidden);
        }
        if !self.accepted.is_empty() && !self.accepted.contains(token) {
            return Err(Refusal::Unauthorized("The access token is not valid for this API."));
        }
        Ok(token)
    }
}

/// The token of a `Bearer` header (scheme case-insensitive), or why there is none.
pub fn bearer(authorization: Option<&str>) -> Result<&str, Refusal> {
    let value = authorization.ok_or(Refusal::Unauthorized("The Authorization header is missing."))?.trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Refusal::Unauthorized("The Authorization header must be `Bearer <access token>`."));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(Refusal::Unauthorized("The bearer token is empty."));
    }
    Ok(token)
}

/// What the journal shows of a token: 16 hex digits of its FNV-1a hash. Not the token, not a secure hash:
/// it only lets a test tell two tokens apart.
pub fn token_hash(token: &str) -> String {
    format!("{:016x}", fnv1a64(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_decides_as_documented() {
        let open = TokenPolicy::new(Vec::new(), vec!["bad".to_string()]);
        assert_eq!(open.check(Some("Bearer abc")), Ok("abc"));
        assert_eq!(open.check(Some("bearer  abc ")), Ok("abc"));
        assert!(matches!(open.check(None), Err(Refusal::Unauthorized(_))));
        assert!(matches!(open.check(Some("Bearer ")), Err(Refusal::Unauthorized(_))));
        assert!(matches!(open.check(Some("Basic abc")), Err(Refusal::Unauthorized(_))));
        assert_eq!(open.check(Some("Bearer bad")), Err(Refusal::Forbidden));
        let closed = TokenPolicy::new(vec!["t".to_string()], Vec::new());
        assert_eq!(closed.check(Some("Bearer t")), Ok("t"));
        assert!(matches!(closed.check(Some("Bearer u")), Err(Refusal::Unauthorized(_))));
    }

    #[test]
    fn hash_hides_the_token() {
        let h = token_hash("secret-token");
        assert_eq!(h.len(), 16);
        assert!(!h.contains("secret"));
        assert_ne!(h, token_hash("secret-token2"));
    }
}
