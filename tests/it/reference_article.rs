//! The reference article (../shared/examples/lachin-checkpoint.txt): every quoted or reported
//! party found and resolved; Russia discussed but not quoted; the donation appeal yields nothing.

use std::collections::BTreeSet;

use crate::common::{run_jsonl, shared_file};

#[test]
fn every_party_is_found_and_resolved_and_nothing_else() {
    let Some(path) = shared_file("examples/lachin-checkpoint.txt") else { return };
    let statements = run_jsonl(&["quotes", path.to_str().unwrap()]);
    let text = std::fs::read_to_string(&path).unwrap();

    let actor_of = |needle: &str| -> String {
        let s = statements
            .iter()
            .find(|s| s["content"]["text"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no statement contains {needle:?}"));
        s["actor"]["id"].as_str().unwrap_or("-").to_owned()
    };
    assert_eq!(actor_of("established a border checkpoint on the sovereign territory"), "AZ");
    assert_eq!(actor_of("to prevent the illegal transportation"), "AZ");
    assert_eq!(actor_of("shall be implemented in interaction"), "AZ", "\"It added\" is Azerbaijan");
    assert_eq!(actor_of("deeply concerned"), "US");
    assert_eq!(actor_of("We reiterate that there should be free and open movement"), "US");
    assert_eq!(actor_of("deplores"), "FR");
    assert_eq!(actor_of("far-fetched and baseless pretext"), "AM");
    assert_eq!(actor_of("gross violation"), "AM", "\"It said\" after the Armenian ministry is Armenia");
    assert_eq!(actor_of("the Russian Federation to immediately begin discussions"), "NK-AUTH");
    assert_eq!(actor_of("of staging the demonstrations"), "AM");
    assert_eq!(actor_of("of using the corridor for the rotation"), "AZ");

    let subs: BTreeSet<(String, String)> = statements
        .iter()
        .filter_map(|s| Some((s["actor"]["id"].as_str()?.to_owned(), s["actor"]["sub"].as_str()?.to_lowercase())))
        .collect();
    assert!(subs.contains(&("AM".into(), "foreign ministry".into())), "{subs:?}");
    assert!(subs.contains(&("FR".into(), "foreign ministry".into())), "{subs:?}");
    assert!(subs.contains(&("US".into(), "state department".into())), "{subs:?}");

    let speakers: BTreeSet<&str> = statements.iter().filter_map(|s| s["actor"]["id"].as_str()).collect();
    assert_eq!(speakers, BTreeSet::from(["AM", "AZ", "FR", "NK-AUTH", "US"]), "Russia is discussed, never quoted");

    let appeal = text.find("we have a small favor to ask").expect("the article has its appeal");
    let chars_before_appeal = text[..appeal].chars().count() as u64;
    for s in &statements {
        assert!(
            s["content"]["span"]["start"].as_u64().unwrap() < chars_before_appeal,
            "the donation appeal produced a statement: {}",
            s["content"]["text"]
        );
    }
}
