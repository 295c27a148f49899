//! The OASIS OData ABNF test cases, adapted to this API's five properties (`tests/fixtures/odata-abnf-cases.json`,
//! whose `about` says how), against the client's parser (mde-core, what `validateFilter` runs) and against the
//! mock over HTTP, in its default OData 4.0 and with `--odata 4.01`. The npm package's Node tests run the same
//! file against `validateFilter`.

use mde_conformance::harness::{block_on, get, mock_with};
use mde_core::filter::Filter;
use mde_mock::ODataVersion;

#[derive(Debug)]
struct Case {
    source: String,
    filter: String,
    /// Accepted by the client and by the mock with `--odata 4.01`.
    accepted_401: bool,
    /// Accepted by the mock by default.
    accepted_40: bool,
}

fn cases() -> Vec<Case> {
    let text = include_str!("../fixtures/odata-abnf-cases.json");
    let v: serde_json::Value = serde_json::from_str(text).expect("the fixture is JSON");
    v["cases"]
        .as_array()
        .expect("an array of cases")
        .iter()
        .map(|c| {
            let dotnet = c["dotnet"].as_bool().unwrap_or(true);
            let deviation = c["deviation"]["accepted"].as_bool();
            Case {
                source: c["source"].as_str().unwrap().to_string(),
                filter: c["filter"].as_str().unwrap().to_string(),
                accepted_401: deviation.unwrap_or(c["valid401"].as_bool().unwrap() && dotnet),
                accepted_40: deviation.unwrap_or(c["valid40"].as_bool().unwrap() && dotnet),
            }
        })
        .collect()
}

#[test]
fn the_fixture_covers_what_the_issue_names() {
    let text = include_str!("../fixtures/odata-abnf-cases.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let all = v["cases"].as_array().unwrap();
    for category in ["dateTimeOffset", "string", "comparison", "logical"] {
        let n = all.iter().filter(|c| c["category"] == category).count();
        assert!(n >= 5, "{category}: {n} cases");
    }
    assert!(all.iter().any(|c| c["valid40"] == false && c["valid401"] == true), "4.01-only cases");
    assert!(all.iter().any(|c| c["dotnet"] == false), "cases outside .NET's DateTimeOffset");
    for c in all.iter().filter(|c| c.get("deviation").is_some()) {
        assert!(c["deviation"]["why"].as_str().is_some_and(|w| w.len() > 40), "{c}");
    }
}

#[test]
fn the_client_reads_what_odata_401_accepts_within_dotnet() {
    let wrong: Vec<String> = cases()
        .into_iter()
        .filter(|c| Filter::parse(&c.filter).is_ok() != c.accepted_401)
        .map(|c| format!("{:?} ({}): expected accepted = {}", c.filter, c.source, c.accepted_401))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_mock_accepts_what_its_odata_version_accepts() {
    let data = mde_conformance::oracle::gen::bulk(5, 1);
    block_on(std::time::Duration::from_secs(120), async {
        let v40 = mock_with(&data, |b| b.per_minute(100_000).per_hour(100_000)).await;
        let v401 = mock_with(&data, |b| b.per_minute(100_000).per_hour(100_000).odata(ODataVersion::V401)).await;
        let http = reqwest::Client::new();
        let mut wrong = Vec::new();
        for c in cases() {
            let encoded: String = url_encode(&c.filter);
            for (api, expected, version) in [(&v40, c.accepted_40, "4.0"), (&v401, c.accepted_401, "4.01")] {
                let answer = get(&http, &api.uri(), &format!("/api/investigations?$filter={encoded}")).await;
                let expected_status = if expected { 200 } else { 400 };
                if answer.status != expected_status {
                    wrong.push(format!("{version}: {:?} ({}) answered {}", c.filter, c.source, answer.status));
                }
                if answer.status == 400 {
                    assert_eq!(answer.json()["error"]["code"], "ODataError", "{}", c.filter);
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    });
}

/// Percent-encodes every byte but unreserved characters (so `+` in an offset is `%2B`, not a space).
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
