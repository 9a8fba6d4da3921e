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

#[test]
fn each_command_has_its_help_after_it() {
    for (command, needle) in [
        ("explain-webhook", "--tolerance"),
        ("explain-callback", "--manifest FILE"),
        ("sign", "--at N"),
        ("emulate", "STRIPE_HANDSHAKE_EMULATOR"),
    ] {
        let (code, out, _) = run(&[command, "--help"], &[]);
        assert_eq!((code, out.contains(needle)), (0, true), "{command}: {out}");
        assert!(out.contains("Exit codes") || command == "emulate", "{command}: {out}");
    }
}

#[test]
fn explain_callback_checks_the_url_against_the_manifest_or_the_redirect_list() {
    let manifest = file(
        "stripe-app.json",
        br#"{"id":"com.example.app","version":"1.0.0","stripe_api_access_type":"oauth",
             "allowed_redirect_uris":["https://p.example/stripe/callback","http://localhost:3000/cb"]}"#,
    );
    let install = "user_id=usr_1&account_id=acct_1&install_signature=t%3D1%2Cv1%3D00";
    let (code, out, _) = run(
        &[
            "explain-callback",
            &format!("https://p.example/stripe/callback/?{install}"),
            "--manifest",
            &manifest,
            "--json",
        ],
        &[],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "redirect_nearest_entry",
            "differs_trailing_slash",
            "flow_install_link",
            "access_type_mismatch",
            "state_absent"
        ]
    );
    // Its accept twin: the URL is an entry, and an OAuth-type app's code redirect is its kind.
    let (_, out, _) = run(
        &[
            "explain-callback",
            "http://localhost:3000/cb?code=ac_1&user_id=usr_1&account_id=acct_1&state=s",
            "--manifest",
            &manifest,
        ],
        &[],
    );
    assert!(out.starts_with("redirect_allowed:"), "{out}");
    assert!(out.contains("flow_apps_oauth:") && !out.contains("access_type_mismatch"), "{out}");
    // A Connect platform has no manifest: its allow-list is given entry by entry.
    let (_, out, _) =
        run(&["explain-callback", "https://evil.example/cb?code=ac_1", "--redirect", "https://p.example/cb"], &[]);
    assert!(out.starts_with("redirect_other_host:"), "{out}");
    let (code, _, err) =
        run(&["explain-callback", "code=x", "--manifest", &manifest, "--redirect", "https://p.example/cb"], &[]);
    assert_eq!((code, err.contains("not both")), (2, true), "{err}");
    let bad = file("bad-manifest.json", b"{\"id\":\"x\"}");
    let (code, _, err) = run(&["explain-callback", "code=x", "--manifest", &bad], &[]);
    assert_eq!((code, err.contains("allowed_redirect_uris")), (2, true), "{err}");
}

#[test]
fn emulate_starts_the_emulator_and_refuses_typos() {
    use std::io::{BufRead as _, Read as _, Write as _};
    for (args, needle) in [
        (vec!["emulate", "--prot", "1"], "unknown option"),
        (vec!["emulate", "--port", "http"], "port number"),
        (vec!["emulate", "--webhook", "http://127.0.0.1:1/hook"], "URL=whsec_"),
        (vec!["emulate", "--port"], "needs a value"),
    ] {
        let (code, _, err) = run(&args, &[]);
        assert_eq!((code, err.contains(needle)), (2, true), "{args:?}: {err}");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_stripe-handshake"))
        .args(["emulate", "--port", "0", "--redirect", "http://127.0.0.1:9/cb"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url = first.trim().strip_prefix("Stripe emulator on http://").unwrap_or_else(|| panic!("{first}"));
    let mut conn = std::net::TcpStream::connect(url).unwrap();
    write!(conn, "GET /_emulator/log HTTP/1.1\r\nHost: {url}\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    // Not found: a message that says where the emulator lives, not a Node stack trace.
    let (code, _, err) = run(&["emulate"], &[("STRIPE_HANDSHAKE_EMULATOR", "/nonexistent/cli.mjs")]);
    assert_ne!(code, 0, "{err}");
}

/// The README's "Troubleshooting" stories show what the CLI prints: run each story and find its
/// output in the README, verbatim, so the README cannot drift from the CLI.
#[test]
fn readme_stories_print_what_the_cli_prints() {
    use stripe_handshake::state::{issue_state_token, Flow, StateKey, StateKeys, StateTokenParams};
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let t = "1733140800";
    let mut missing = Vec::new();
    // 1. Express: app.use(express.json()) before the webhook route; the handler verifies
    // JSON.stringify(req.body), which is no longer the bytes Stripe signed.
    let sent = "{\n  \"id\": \"evt_1QHandshake\",\n  \"object\": \"event\",\n  \"type\": \"account.application.deauthorized\"\n}";
    let secret = "whsec_readme_story_secret";
    let (_, header, _) =
        run(&["sign", "--body", &file("sent.json", sent.as_bytes()), "--secret", secret, "--at", t], &[]);
    let received = file(
        "received.json",
        br#"{"id":"evt_1QHandshake","object":"event","type":"account.application.deauthorized"}"#,
    );
    let (code, out, _) = run(
        &["explain-webhook", "--body", &received, "--header", header.trim(), "--secret-env", "SH_S", "--now", t],
        &[("SH_S", secret)],
    );
    assert_eq!(code, 1);
    missing.extend((!readme.contains(&out)).then(|| format!("story 1:\n{out}")));
    // 2. A Stripe App's developer verifies the app's events with the app's absec_ secret.
    let (code, out, _) = run(
        &[
            "explain-webhook",
            "--body",
            &file("sent2.json", sent.as_bytes()),
            "--header",
            header.trim(),
            "--secret-env",
            "SH_S",
            "--now",
            t,
        ],
        &[("SH_S", "absec_the_apps_signing_secret")],
    );
    assert_eq!(code, 1);
    missing.extend((!readme.contains(&out)).then(|| format!("story 2:\n{out}")));
    // 3. The user left Stripe's consent page open for 20 minutes: Stripe's redirect is freshly
    // signed, but the state (10 minutes) has expired.
    let key = [7u8; 32];
    let keys = StateKeys::new(vec![StateKey::new("k1", &key).unwrap()]).unwrap();
    let issued = 1_733_140_800u64;
    let p =
        StateTokenParams { flow: Flow::InstallLink, session_id: b"sess_4f2a", ttl_secs: None, data: None, mode: None };
    let state = issue_state_token(&keys, &p, issued, &[3; 32]).unwrap();
    let now = issued + 1200;
    let app_secret = "absec_readme_story_app";
    let payload = format!(r#"{{"state":"{state}","user_id":"usr_1Story","account_id":"acct_1Story"}}"#);
    let (_, sig, _) = run(
        &[
            "sign",
            "--body",
            &file("install.json", payload.as_bytes()),
            "--secret",
            app_secret,
            "--at",
            &now.to_string(),
        ],
        &[],
    );
    let enc =
        |s: &str| s.replace('%', "%25").replace('=', "%3D").replace(',', "%2C").replace('+', "%2B").replace('/', "%2F");
    let url = format!(
        "https://platform.example/stripe/apps/callback?user_id=usr_1Story&account_id=acct_1Story&state={}&install_signature={}",
        enc(&state),
        enc(sig.trim())
    );
    let manifest = file(
        "story-app.json",
        br#"{"id":"com.example.story","version":"1.0.0","allowed_redirect_uris":["https://platform.example/stripe/apps/callback"]}"#,
    );
    let (code, out, _) = run(
        &[
            "explain-callback",
            &url,
            "--manifest",
            &manifest,
            "--secret-env",
            "SH_S",
            "--state-key",
            &format!("k1:{}", "07".repeat(32)),
            "--session",
            "sess_4f2a",
            "--now",
            &now.to_string(),
        ],
        &[("SH_S", app_secret)],
    );
    assert_eq!(code, 1);
    missing.extend((!readme.contains(&out)).then(|| format!("story 3:\n{out}")));
    assert!(missing.is_empty(), "the README's stories differ from what the CLI prints:\n{}", missing.join("\n"));
}
