//! Issue #15, finding 10, over HTTP: two admins disabling each other at the same moment must
//! never both succeed (they used to in 14 of 15 trials, locking everyone out). The refused one
//! gets 409 naming the last enabled admin (or 401 when its request arrived after its own
//! account was disabled), and the audit log records both the disable and the refusal.

mod common;

use common::{backends, TestServer};
use serde_json::Value;

/// Simultaneous cross-disables per backend.
const TRIALS: usize = 15;

fn audit(s: &TestServer) -> Vec<Value> {
    let (st, v) = s.call("GET", "/v1/audit?limit=10000", Some(&s.admin), None);
    assert_eq!(st, 200, "{v}");
    v.as_array().unwrap().clone()
}

#[test]
fn concurrent_cross_disable_keeps_an_admin() {
    for b in backends() {
        let s = TestServer::start(&b);
        let ann = s.user("ann", "admin", &[]);
        let token = |name: &str| if name == "root" { &s.admin } else { &ann }.clone();
        let mut conflicts = 0;
        for trial in 0..TRIALS {
            let barrier = std::sync::Barrier::new(2);
            let results: Vec<(String, u16, Value)> = std::thread::scope(|scope| {
                let handles: Vec<_> = [("root", "ann"), ("ann", "root")]
                    .into_iter()
                    .map(|(actor, target)| {
                        let (s, barrier, t) = (&s, &barrier, token(actor));
                        scope.spawn(move || {
                            barrier.wait();
                            let path = format!("/v1/users/{target}/disable");
                            let (st, v) = s.call("POST", &path, Some(&t), None);
                            (actor.to_string(), st, v)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let winners: Vec<&String> = results
                .iter()
                .filter(|r| r.1 == 200)
                .map(|r| &r.0)
                .collect();
            assert_eq!(winners.len(), 1, "trial {trial}: {results:?}");
            for (_, st, v) in results.iter().filter(|r| r.1 != 200) {
                let msg = v["error"]["message"].as_str().unwrap_or_default();
                match st {
                    409 => {
                        assert!(msg.contains("last enabled admin"), "{v}");
                        conflicts += 1;
                    }
                    401 => assert!(msg.contains("disabled account"), "{v}"),
                    _ => panic!("trial {trial}: {results:?}"),
                }
            }
            // The survivor re-enables the other for the next trial.
            let survivor = winners[0].clone();
            let other = if survivor == "root" { "ann" } else { "root" };
            let path = format!("/v1/users/{other}/enable");
            let (st, v) = s.call("POST", &path, Some(&token(&survivor)), None);
            assert_eq!(st, 200, "{v}");
        }
        assert!(
            conflicts > 0,
            "{b:?}: no trial raced past authentication; the test exercised nothing"
        );
        let entries = audit(&s);
        let count = |action: &str| entries.iter().filter(|e| e["action"] == action).count();
        assert_eq!(count("user.disable"), TRIALS, "{b:?}");
        assert_eq!(count("user.enable"), TRIALS, "{b:?}");
        let refusals = entries
            .iter()
            .filter(|e| {
                e["action"] == "request.rejected"
                    && e["details"]
                        .as_str()
                        .is_some_and(|d| d.contains("409") && d.contains("last enabled admin"))
            })
            .count();
        assert_eq!(
            refusals, conflicts,
            "{b:?}: every refusal is in the audit log"
        );
        s.audit_len();
        eprintln!("{b:?}: {conflicts} of {TRIALS} trials refused with 409");
    }
}
