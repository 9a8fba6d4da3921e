//! The command line as a user runs it: real files, real exit codes, real output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::Command;

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_stripe-handshake")).args(args).envs(env.iter().copied()).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("stripe-handshake-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_owned()
}

const SECRET: &str = "whsec_cli_test_secret";
const PRETTY: &[u8] = b"{\n  \"id\": \"evt_1\",\n  \"object\": \"event\"\n}";

#[test]
fn sign_then_explain_verifies_and_a_reserialized_body_is_named() {
    let body = file("pretty.json", PRETTY);
    let (code, header, _) =
        run(&["sign", "--body", &body, "--secret-env", "SH_SECRET", "--at", "1700000000"], &[("SH_SECRET", SECRET)]);
    assert_eq!(code, 0);
    let header = header.trim();
    assert!(header.starts_with("t=1700000000,v1="), "{header}");
    let (code, out, _) = run(
        &["explain-webhook", "--body", &body, "--header", header, "--secret-env", "SH_SECRET", "--now", "1700000001"],
        &[("SH_SECRET", SECRET)],
    );
    assert_eq!((code, out.starts_with("verified:")), (0, true), "{out}");
    // Reject twin: what express.json() + JSON.stringify hands over; exit 1, the cause named.
    let compact = file("compact.json", br#"{"id":"evt_1","object":"event"}"#);
    let (code, out, _) = run(
        &[
            "explain-webhook",
            "--body",
            &compact,
            "--header",
            header,
            "--secret-file",
            &file("secret", format!("{SECRET}\n").as_bytes()),
            "--now",
            "1700000001",
            "--json",
        ],
        &[],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["verified"].as_bool(), v["findings"][0]["code"].as_str()), (Some(false), Some("body_changed")));
    assert!(!out.contains(SECRET) && !out.contains(&header[16..]), "the output shows a secret or the MAC");
}

#[test]
fn wrong_secret_and_usage_errors() {
    let body = file("body2.json", PRETTY);
    let (_, header, _) = run(&["sign", "--body", &body, "--secret", SECRET, "--at", "5"], &[]);
    let (code, out, _) = run(
        &["explain-webhook", "--body", &body, "--header", header.trim(), "--secret", "sk_test_123", "--now", "5"],
        &[],
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("secret_is_api_key:"), "{out}");
    for (args, needle) in [
        (vec!["explain-webhook", "--header", "t=1"], "--body is required"),
        (vec!["explain-webhook", "--body"], "--body needs a value"),
        (vec!["explain-webhook", "--bodyy", "x"], "unknown option"),
        (vec!["sign", "--body", body.as_str()], "exactly one secret"),
        (vec!["frobnicate"], "unknown command"),
        (vec!["explain-webhook", "--body", body.as_str(), "--secret-env", "SH_NOT_SET_ANYWHERE"], "is not set"),
    ] {
        let (code, _, err) = run(&args, &[]);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn help_for_each_command() {
    for (args, needle) in [
        (vec!["help"], "Usage:"),
        (vec!["--help"], "Exit codes"),
        (vec!["help", "explain-webhook"], "--tolerance"),
        (vec!["help", "sign"], "--at N"),
    ] {
        let (code, out, _) = run(&args, &[]);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains(needle), "{args:?}: {out}");
    }
    assert_eq!(run(&["help", "nope"], &[]).0, 2);
}

#[test]
fn explain_callback_names_the_flow_and_the_state_verdict() {
    let (code, out, _) = run(&["explain-callback", "https://p.example/cb?error=access_denied"], &[]);
    assert_eq!(code, 1);
    assert!(out.starts_with("flow_denied:"), "{out}");
    let (code, out, _) = run(
        &[
            "explain-callback",
            "code=ac_1&state=plain",
            "--state-key",
            &format!("k1:{}", "01".repeat(32)),
            "--session",
            "s1",
            "--json",
        ],
        &[],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["flow_oauth", "state_not_a_token"]);
    assert_eq!(run(&["explain-callback", "x", "--state-key", "k1:zz"], &[]).0, 2);
    assert_eq!(run(&["explain-callback"], &[]).0, 2);
    let (code, out, _) = run(&["help", "explain-callback"], &[]);
    assert_eq!((code, out.contains("--state-key")), (0, true));
}
