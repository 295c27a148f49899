//! Bearer tokens: who may call, who is refused.
//!
//! - no `Authorization` header, another scheme than `Bearer`, or an empty token: `401 Unauthorized`;
//! - a token given with `--forbidden-token`: `403 Forbidden` (a valid token without the permission);
//! - with `--token` given: any other token is `401`; without it: any non-empty token is accepted.
//!
//! Whose quota a call spends ([`quota_key`]): the limits are "always on the combination of application+tenant"
//! (Microsoft, <https://github.com/MicrosoftDocs/microsoft-365-docs/issues/10124>), not per token string, so a
//! refreshed token does not reset them. A bearer token that is a JWT is read (its signature is not checked)
//! for the tenant (`tid`) and the application (`appid` in v1 tokens, `azp` in v2 tokens); an opaque token is
//! its own quota.

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

/// The quota a token's calls spend: `tenant/application` from a JWT's `tid` and `appid` (or `azp`) claims,
/// else the token itself.
pub fn quota_key(token: &str) -> String {
    jwt_application(token).map_or_else(|| token.to_string(), |(tid, app)| format!("jwt:{tid}/{app}"))
}

/// `(tid, appid or azp)` of a JWT (`header.payload.signature`, base64url without padding); `None` for
/// anything else.
fn jwt_application(token: &str) -> Option<(String, String)> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let claims: serde_json::Value = serde_json::from_slice(&base64url_decode(payload)?).ok()?;
    let claim = |name: &str| claims.get(name).and_then(|v| v.as_str()).filter(|s| !s.is_empty());
    let tid = claim("tid")?;
    let app = claim("appid").or_else(|| claim("azp"))?;
    Some((tid.to_string(), app.to_string()))
}

/// Decodes base64url (RFC 4648 section 5) without padding, as JWTs write their parts; `None` if it is not.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let sextet = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        }))
    };
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= sextet(*c)? << (18 - 6 * i);
        }
        let n = chunk.len() - 1;
        // The bits below the last whole byte must be zero (canonical encoding).
        if acc & (0x00FF_FFFF >> (8 * n)) != 0 {
            return None;
        }
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + n]);
    }
    Some(out)
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

    fn jwt(claims: &str) -> String {
        format!("eyJhbGciOiJub25lIn0.{}.sig", b64(claims.as_bytes()))
    }

    /// A plain base64url encoder for the tests (the decoder's oracle is the `base64` crate, below).
    fn b64(bytes: &[u8]) -> String {
        const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    #[test]
    fn quota_is_per_application_and_tenant_for_jwts() {
        let a = jwt(r#"{"tid":"t1","appid":"app","exp":1}"#);
        let refreshed = jwt(r#"{"tid":"t1","appid":"app","exp":2}"#);
        let v2 = jwt(r#"{"tid":"t1","azp":"app"}"#);
        let other_tenant = jwt(r#"{"tid":"t2","appid":"app"}"#);
        assert_ne!(a, refreshed);
        assert_eq!(quota_key(&a), quota_key(&refreshed));
        assert_eq!(quota_key(&a), quota_key(&v2));
        assert_eq!(quota_key(&a), "jwt:t1/app");
        assert_ne!(quota_key(&a), quota_key(&other_tenant));
        // Opaque tokens, and JWTs without the claims, are their own quota.
        for opaque in ["opaque", "a.b", "a.b.c.d", &jwt(r#"{"tid":"t1"}"#), &jwt("not json"), "x.!!!.y"] {
            assert_eq!(quota_key(opaque), opaque);
        }
    }

    proptest::proptest! {
        /// Oracle: the `base64` crate's URL-safe alphabet without padding.
        #[test]
        fn base64url_decodes_as_the_base64_crate_does(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40), junk in "[A-Za-z0-9_=+/.-]{0,12}") {
            use base64::Engine as _;
            let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let text = engine.encode(&bytes);
            proptest::prop_assert_eq!(base64url_decode(&text), Some(bytes));
            proptest::prop_assert_eq!(base64url_decode(&junk), engine.decode(&junk).ok());
        }
    }

    #[test]
    fn hash_hides_the_token() {
        let h = token_hash("secret-token");
        assert_eq!(h.len(), 16);
        assert!(!h.contains("secret"));
        assert_ne!(h, token_hash("secret-token2"));
    }
}
