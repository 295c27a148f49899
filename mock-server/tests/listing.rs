//! Acceptance 2: `GET /api/investigations` and `/api/investigations/{id}`, through HTTP.

mod common;

use common::*;
use mde_core::{Investigation, InvestigationState};

/// Oracle for the documented order, written without mde-core's helpers: startTime descending (missing
/// last), then id descending as OData compares strings (ordinally, by UTF-16 code units: `"9"` after `"10"`).
fn oracle_sorted(mut items: Vec<Investigation>) -> Vec<String> {
    items.sort_by(|a, b| {
        let ta = a.start_time.map(|t| (t.unix_seconds(), t.subsec_nanos()));
        let tb = b.start_time.map(|t| (t.unix_seconds(), t.subsec_nanos()));
        let by_time = match (ta, tb) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_time.then_with(|| b.id.encode_utf16().cmp(a.id.encode_utf16()))
    });
    items.into_iter().map(|i| i.id).collect()
}

#[tokio::test]
async fn page_has_the_service_shape_and_the_documented_order() {
    let api = builder().count(250).start().await.unwrap();
    let c = client();
    let a = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_eq!(a.status, 200);
    assert!(a.header("content-type").unwrap().starts_with("application/json"));
    let v = a.json();
    assert_eq!(v["@odata.context"], format!("{}/api/$metadata#Investigations", api.uri()));
    assert!(v.get("@odata.nextLink").is_none());
    let items = v["value"].as_array().unwrap();
    assert_eq!(items.len(), 250);
    // Every item has the nine properties, with nulls where there is no value.
    for item in items {
        let obj = item.as_object().unwrap();
        for key in [
            "id",
            "startTime",
            "endTime",
            "state",
            "cancelledBy",
            "statusDetails",
            "machineId",
            "computerDnsName",
            "triggeringAlertId",
        ] {
            assert!(obj.contains_key(key), "{key} missing in {item}");
        }
        assert_eq!(obj.len(), 9);
        assert!(item["id"].is_string());
    }
    assert!(items.iter().any(|i| i["endTime"].is_null()) || items.iter().any(|i| i["cancelledBy"].is_null()));
    assert_eq!(a.ids(), oracle_sorted(api.investigations().await));
}

#[tokio::test]
async fn top_and_skip_cut_the_ordered_list() {
    let api = builder().count(120).start().await.unwrap();
    let c = client();
    let all = oracle_sorted(api.investigations().await);
    let a = get(&c, &api.uri(), "/api/investigations?$top=10&$skip=25", "t").await;
    assert_eq!(a.ids(), all[25..35].to_vec());
    let a = get(&c, &api.uri(), "/api/investigations?%24skip=115&%24top=10", "t").await;
    assert_eq!(a.ids(), all[115..].to_vec());
    let a = get(&c, &api.uri(), "/api/investigations?$skip=500", "t").await;
    assert_eq!(a.ids(), Vec::<String>::new());
}

#[tokio::test]
async fn without_top_a_page_holds_at_most_10000() {
    let api = builder().count(10_003).start().await.unwrap();
    let c = client();
    let a = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_eq!(a.ids().len(), 10_000);
    let a = get(&c, &api.uri(), "/api/investigations?$top=10000&$skip=9999", "t").await;
    assert_eq!(a.ids().len(), 4);
}

#[tokio::test]
async fn filters_arrive_in_every_encoding_and_match_an_oracle() {
    let api = builder().count(400).start().await.unwrap();
    let c = client();
    let data = api.investigations().await;
    let running: Vec<String> =
        oracle_sorted(data.iter().filter(|i| i.state == InvestigationState::Benign).cloned().collect());
    assert!(!running.is_empty());
    for qs in [
        "$filter=state eq 'Benign'",
        "%24filter=state%20eq%20%27Benign%27",
        "$filter=state+eq+'Benign'",
        "%24filter=state+eq+%27Benign%27&%24top=10000",
    ] {
        // reqwest would re-encode a space; send the raw bytes the client chose.
        let url = format!("{}/api/investigations?{}", api.uri(), qs.replace(' ', "%20"));
        let a = send(c.get(url).bearer_auth("t")).await;
        assert_eq!(a.status, 200, "{qs}: {}", String::from_utf8_lossy(&a.body));
        assert_eq!(a.ids(), running, "{qs}");
    }
    // A time range plus a machine: the oracle compares instants and strings itself.
    let pivot = data[data.len() / 2].start_time.unwrap();
    let machine = data[7].machine_id.clone().unwrap();
    let expected: Vec<String> = oracle_sorted(
        data.iter()
            .filter(|i| i.start_time.is_some_and(|t| t >= pivot) || i.machine_id.as_deref() == Some(machine.as_str()))
            .cloned()
            .collect(),
    );
    let qs = format!("$filter=startTime ge {pivot} or machineId eq '{machine}'&$top=10000").replace(' ', "%20");
    let a = get(&c, &api.uri(), &format!("/api/investigations?{qs}"), "t").await;
    assert_eq!(a.ids(), expected);
    // Filter, then skip, then top.
    let qs = format!("$filter=startTime ge {pivot}&$skip=3&$top=5").replace(' ', "%20");
    let a = get(&c, &api.uri(), &format!("/api/investigations?{qs}"), "t").await;
    let after: Vec<String> =
        oracle_sorted(data.iter().filter(|i| i.start_time.is_some_and(|t| t >= pivot)).cloned().collect());
    assert_eq!(a.ids(), after[3..8].to_vec());
}

#[tokio::test]
async fn odata_401_syntax_needs_the_flag() {
    use mde_mock::ODataVersion;
    let strict = builder().count(60).start().await.unwrap();
    let v401 = builder().count(60).odata(ODataVersion::V401).start().await.unwrap();
    let c = client();
    let data = strict.investigations().await;
    let wanted: Vec<String> = oracle_sorted(
        data.iter()
            .filter(|i| matches!(i.state, InvestigationState::Benign | InvestigationState::Failed))
            .cloned()
            .collect(),
    );
    let as_40 = "$filter=state eq 'Benign' or state eq 'Failed'";
    for qs in ["$filter=state in ('Benign','Failed')", "$filter=state EQ 'Benign' Or state eq 'Failed'"] {
        let path = |q: &str| format!("/api/investigations?{}", q.replace(' ', "%20"));
        let refused = get(&c, &strict.uri(), &path(qs), "t").await;
        assert_error(&refused, 400, "ODataError");
        assert!(refused.json()["error"]["message"].as_str().unwrap().contains("OData 4.0"), "{qs}");
        assert_eq!(get(&c, &v401.uri(), &path(qs), "t").await.ids(), wanted, "{qs}");
        assert_eq!(get(&c, &strict.uri(), &path(as_40), "t").await.ids(), wanted);
    }
    // Property names in any case, in both versions.
    let mixed = "/api/investigations?$filter=State%20eq%20%27Benign%27%20or%20STATE%20eq%20%27Failed%27";
    assert_eq!(get(&c, &strict.uri(), mixed, "t").await.ids(), wanted);
}

#[tokio::test]
async fn bad_queries_get_400_with_the_error_body() {
    let api = builder().count(10).start().await.unwrap();
    let c = client();
    for (qs, code, needle) in [
        ("$top=0", "ODataError", "$top"),
        ("$top=-1", "ODataError", "$top"),
        ("$top=10001", "ODataError", "$top"),
        ("$top=ten", "ODataError", "$top"),
        ("$skip=-3", "ODataError", "$skip"),
        ("$filter=state eq", "ODataError", "filter"),
        ("$filter=startTime ge 'yesterday'", "ODataError", "filter"),
        ("$filter=computerDnsName eq 'x'", "ODataError", "computerDnsName"),
        ("$filter=endTime gt 2024-01-01T00:00:00Z", "ODataError", "endTime"),
        ("$orderby=startTime", "ODataError", "$orderby"),
    ] {
        let a = get(&c, &api.uri(), &format!("/api/investigations?{}", qs.replace(' ', "%20")), "t").await;
        assert_error(&a, 400, code);
        let msg = a.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(msg.contains(needle), "{qs}: {msg}");
    }
}

#[tokio::test]
async fn one_investigation_by_id_or_alert_id() {
    let api = builder().count(50).start().await.unwrap();
    let c = client();
    let data = api.investigations().await;
    let target = &data[13];
    let a = get(&c, &api.uri(), &format!("/api/investigations/{}", target.id), "t").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["id"], target.id.as_str());
    assert!(a.json().get("@odata.context").is_none() || a.json()["id"].is_string());
    let alert = target.triggering_alert_id.clone().unwrap();
    let a = get(&c, &api.uri(), &format!("/api/investigations/{alert}"), "t").await;
    assert_eq!(a.json()["id"], target.id.as_str());
    let a = get(&c, &api.uri(), "/api/investigations/999999999999", "t").await;
    assert_error(&a, 404, "ResourceNotFound");
}

#[tokio::test]
async fn other_paths_and_methods_get_error_bodies() {
    let api = builder().count(5).start().await.unwrap();
    let c = client();
    assert_error(&get(&c, &api.uri(), "/api/alerts", "t").await, 404, "NotFound");
    assert_error(&get(&c, &api.uri(), "/", "t").await, 404, "NotFound");
    assert_error(&get(&c, &api.uri(), "/nope?x=1", "").await, 404, "NotFound");
    let a = send(c.post(format!("{}/api/investigations", api.uri())).bearer_auth("t")).await;
    assert_error(&a, 405, "MethodNotAllowed");
}

#[tokio::test]
async fn one_connection_carries_many_answers_of_every_kind() {
    // The relay before wiremock frames each answer: pages, errors, preflights and HEADs in a row on one
    // keep-alive connection must all arrive whole.
    let api = builder().count(3_000).start().await.unwrap();
    let c = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
    for round in 0..5 {
        let a = get(&c, &api.uri(), "/api/investigations?$top=3000", "t").await;
        assert_eq!(a.ids().len(), 3_000, "round {round}");
        let a = send(c.request(reqwest::Method::OPTIONS, format!("{}/api/investigations", api.uri()))).await;
        assert_eq!(a.status, 204);
        let a = send(c.head(format!("{}/api/investigations", api.uri())).bearer_auth("t")).await;
        assert_eq!(a.status, 200);
        assert!(a.body.is_empty());
        assert_error(&get(&c, &api.uri(), "/api/investigations?$top=0", "t").await, 400, "ODataError");
    }
}
