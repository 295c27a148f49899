//! Helpers shared by the integration tests: a client, calls with a token, JSON bodies.
#![allow(dead_code)]

use std::time::Duration;

use mde_core::Timestamp;
use mde_mock::{MockApi, MockApiBuilder};
use serde_json::Value;

/// A fixed "now" so that generated data is the same on every run.
pub fn now() -> Timestamp {
    Timestamp::parse("2026-11-27T12:00:00Z").unwrap()
}

/// A builder with a fixed `now` and a small data set.
pub fn builder() -> MockApiBuilder {
    MockApi::builder().now(now()).count(300)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

/// The answer to one call: status, headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string())
    }

    /// The `error.code` of an error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }

    /// The `id`s of a page.
    pub fn ids(&self) -> Vec<String> {
        self.json()["value"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect()
    }
}

pub async fn send(req: reqwest::RequestBuilder) -> Answer {
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.unwrap().to_vec();
    Answer { status, headers, body }
}

/// `GET {base}{path_and_query}` with `Authorization: Bearer {token}`.
pub async fn get(client: &reqwest::Client, base: &str, path_and_query: &str, token: &str) -> Answer {
    send(client.get(format!("{base}{path_and_query}")).bearer_auth(token)).await
}

/// Asserts the service's error body: `code`, a non-empty `message`, a `target`.
pub fn assert_error(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.len() > 5), "{v}");
    assert!(v["error"]["target"].as_str().is_some_and(|t| !t.is_empty()), "{v}");
}
