//! `cargo bench -p stripe-handshake --bench compare`: round-robin medians and ratios.
//!
//! Each case runs in a loop of its own: `case` monomorphises the loop around the closure (one
//! dynamic call per batch, none per iteration), so the measured code is inlined into it. After
//! a warm-up (calibration, then one untimed repetition), each repetition times every case once,
//! in turn (a batch of iterations sized to ~20 ms), so a ratio compares cases measured under the
//! same machine conditions. Reported: median, min and max over 11 repetitions, and the median of
//! the per-repetition time ratios against the named baseline, with their range.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

use stripe_handshake::host::{self, OsEnv, Spelling, Value};
use stripe_handshake::{
    hmac_sha256,
    install::{install_payload, verify_install_callback, InstallVerifyOptions, StateField},
    oauth::{connect_oauth_link, ConnectAccountType, ConnectLinkParams, Scope},
    state::{issue_state_token, verify_state_token, Flow, StateCheck, StateKey, StateKeys, StateTokenParams},
    testing::{percent_encode_into, sign_header},
    webhook::{verify, SignatureHeader},
    RedirectAllowList, RedirectMode, SigningSecret, Tolerance, Verifier,
};

const REPS: usize = 11;

struct Case<'a> {
    name: String,
    baseline: Option<String>,
    /// Runs the case `n` times: the loop is compiled for this case's closure alone.
    batch: Box<dyn FnMut(u64) + 'a>,
    iters: u64,
    samples: Vec<f64>,
}

fn case<'a>(name: impl Into<String>, baseline: Option<&str>, mut f: impl FnMut() + 'a) -> Case<'a> {
    let batch = Box::new(move |n: u64| {
        for _ in 0..n {
            f();
        }
    });
    Case { name: name.into(), baseline: baseline.map(str::to_owned), batch, iters: 0, samples: Vec::new() }
}

fn time(c: &mut Case<'_>, n: u64) -> std::time::Duration {
    let t = Instant::now();
    (c.batch)(black_box(n));
    t.elapsed()
}

fn run(cases: &mut [Case<'_>]) {
    for c in cases.iter_mut() {
        // Calibrate: iterations for ~20 ms.
        let mut n = 1u64;
        while time(c, n).as_millis() < 20 {
            n *= 2;
        }
        c.iters = n;
    }
    for c in cases.iter_mut() {
        let n = c.iters;
        time(c, n); // warm-up repetition, not recorded
    }
    for _ in 0..REPS {
        for c in cases.iter_mut() {
            let n = c.iters;
            let ns = time(c, n).as_nanos() as f64 / n as f64;
            c.samples.push(ns);
        }
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    s[s.len() / 2]
}

fn report(title: &str, cases: &[Case<'_>]) {
    println!("\n### {title}\n");
    println!("| case | median ns/op | min | max | vs baseline (median, range) |");
    println!("| --- | ---: | ---: | ---: | --- |");
    for c in cases {
        let m = median(&c.samples);
        let min = c.samples.iter().copied().fold(f64::INFINITY, f64::min);
        let max = c.samples.iter().copied().fold(0.0, f64::max);
        let ratio = c.baseline.as_ref().map_or(String::new(), |b| {
            let base = cases.iter().find(|x| &x.name == b).unwrap();
            let ratios: Vec<f64> = c.samples.iter().zip(&base.samples).map(|(o, b)| o / b).collect();
            let (lo, hi) = ratios.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
            format!("{:.2}x ({lo:.2}–{hi:.2}) the time of {}", median(&ratios), b)
        });
        println!("| {} | {:.0} | {:.0} | {:.0} | {} |", c.name, m, min, max, ratio);
    }
}

/// The index of verifier method `name` in the schema's `verifier.methods`.
fn method_index(schema: &str, name: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(schema).unwrap();
    v["verifier"]["methods"].as_array().unwrap().iter().position(|m| m["name"] == name).unwrap()
}

fn main() {
    let secret = SigningSecret::new("whsec_bench_secret_0123456789").unwrap();
    let others = [SigningSecret::new("whsec_old_1").unwrap(), SigningSecret::new("whsec_old_2").unwrap()];
    let t = 1_700_000_000u64;
    let one = Verifier::new(std::slice::from_ref(&secret), Tolerance::default()).unwrap();
    let three = Verifier::new(&[others[0].clone(), others[1].clone(), secret.clone()], Tolerance::default()).unwrap();

    for size in [100usize, 2 * 1024, 64 * 1024] {
        let payload = vec![b'x'; size];
        let header = sign_header(&payload, &secret, t).unwrap();
        let bad = header.replace("v1=", "v1=0").chars().take(header.len()).collect::<String>();
        let signed = [t.to_string().as_bytes(), b".", &payload].concat();
        let mut cases = vec![
            case("raw HMAC-SHA256 of t.payload (floor)", None, || {
                black_box(hmac_sha256(black_box(secret.expose_secret().as_bytes()), &[black_box(&signed)]).unwrap());
            }),
            case("Verifier::verify, valid, 1 secret", Some("raw HMAC-SHA256 of t.payload (floor)"), || {
                black_box(one.verify(black_box(&payload), black_box(&header), t).unwrap());
            }),
            case("Verifier::verify, invalid, 1 secret", Some("raw HMAC-SHA256 of t.payload (floor)"), || {
                black_box(one.verify(black_box(&payload), black_box(&bad), t).unwrap_err());
            }),
            case("Verifier::verify, valid, 3 secrets", Some("raw HMAC-SHA256 of t.payload (floor)"), || {
                black_box(three.verify(black_box(&payload), black_box(&header), t).unwrap());
            }),
            case("SignatureHeader::parse only", Some("raw HMAC-SHA256 of t.payload (floor)"), || {
                black_box(SignatureHeader::parse(black_box(&header)).unwrap());
            }),
            case("verify (one-shot), valid, 1 secret", Some("raw HMAC-SHA256 of t.payload (floor)"), || {
                black_box(
                    verify(
                        black_box(&payload),
                        black_box(&header),
                        std::slice::from_ref(&secret),
                        t,
                        Tolerance::default(),
                    )
                    .unwrap(),
                );
            }),
        ];
        run(&mut cases);
        report(&format!("Stripe-Signature, {size}-byte payload"), &cases);
    }

    // A webhook event: what `verify_webhook` adds to `verify` (reading the event's envelope),
    // and the host's record of it (`host::verifier::call`, what the Node and Python bindings run).
    let event =
        br#"{"id":"evt_1","type":"a.b","livemode":false,"created":1,"data":{"object":{"p":"xxxxxxxxxxxxxxxxx"}}}"#;
    let event_header = sign_header(event, &secret, t).unwrap();
    let method = stripe_handshake::host::schema_json();
    let webhook_index = method_index(&method, "verify_webhook");
    let (body, head) = (Value::Bytes(event.as_slice().into()), Value::Str(event_header.as_str().into()));
    let now = Value::Number(1_700_000_000.0);
    let mut cases = vec![
        case("Verifier::verify (100-byte event)", None, || {
            black_box(one.verify(black_box(event), black_box(&event_header), t).unwrap());
        }),
        case("Verifier::verify_webhook", Some("Verifier::verify (100-byte event)"), || {
            black_box(one.verify_webhook(black_box(event), black_box(&event_header), t).unwrap());
        }),
        case(
            "host: verifier method verify_webhook (the bindings' record)",
            Some("Verifier::verify (100-byte event)"),
            || {
                black_box(
                    host::verifier::call(&one, webhook_index, [&body, &head, &now], &OsEnv, Spelling::Camel).unwrap(),
                );
            },
        ),
    ];
    run(&mut cases);
    report("Webhook event, 100 bytes", &cases);

    let app = SigningSecret::new("absec_bench").unwrap();
    let payload = install_payload(StateField::Value("st_8hG2kq"), "usr_123", "acct_123");
    let mut query = String::from("user_id=usr_123&account_id=acct_123&state=st_8hG2kq&install_signature=");
    percent_encode_into(&mut query, &sign_header(payload.as_bytes(), &app, t).unwrap());
    let keys = StateKeys::new(vec![StateKey::new("k1", &[7; 32]).unwrap()]).unwrap();
    let params = StateTokenParams {
        flow: Flow::ConnectOAuth,
        session_id: b"session-123",
        ttl_secs: None,
        data: None,
        mode: None,
    };
    let token = issue_state_token(&keys, &params, t, &[1; 32]).unwrap();
    let allow = RedirectAllowList::new(&["https://platform.example/callback"], RedirectMode::Live).unwrap();
    let mut link = ConnectLinkParams::new("ca_123456", ConnectAccountType::Standard { scope: Scope::ReadWrite });
    link.state = Some(&token);
    let mut cases = vec![
        case("install callback from raw query (verify_install_callback)", None, || {
            let opts = InstallVerifyOptions {
                secrets: std::slice::from_ref(&app),
                now: t,
                tolerance: Tolerance::default(),
                state: StateCheck::Plain { expected: "st_8hG2kq" },
                marketplace: stripe_handshake::install::Marketplace::Refuse,
            };
            black_box(verify_install_callback(black_box(&query), &opts).unwrap());
        }),
        case("issue_state_token", None, || {
            black_box(issue_state_token(&keys, &params, t, &[1; 32]).unwrap());
        }),
        case("verify_state_token", None, || {
            black_box(
                verify_state_token(&keys, Some(black_box(&token)), b"session-123", Flow::ConnectOAuth, t).unwrap(),
            );
        }),
        case("connect_oauth_link (Standard, state, allow-list)", None, || {
            black_box(connect_oauth_link(black_box(&link), &allow).unwrap());
        }),
    ];
    run(&mut cases);
    report("Callbacks, state and links", &cases);
}
