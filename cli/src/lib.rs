//! The `stripe-handshake` command line: explain why a `Stripe-Signature` or a callback does not
//! verify, sign payloads for tests, and start the local Stripe emulator. A thin shell over the
//! core: every rule and every finding is the library's. The same [`run`] serves the Rust binary,
//! `npx stripe-handshake` (the Node addon) and the Python console script, so the three cannot
//! drift.
//!
//! Exit codes: 0 success (verified, or signed), 1 it does not verify (the findings say why),
//! 2 a usage error (a message on stderr); `emulate` exits with the emulator's code.

use std::io::Write;

use stripe_handshake::diagnose::{
    callback_passes, diagnose_callback, diagnose_signature, CallbackDiagnosisOptions, Finding,
};
use stripe_handshake::install::AppAccess;
use stripe_handshake::redirect::AppManifest;
use stripe_handshake::state::{StateKey, StateKeys};
use stripe_handshake::{testing::sign_header, RedirectAllowList, RedirectMode, SigningSecret, Tolerance};

const HELP: &str = "stripe-handshake: Stripe-Signature and callback diagnostics, signing for tests, a local emulator

Usage:
  stripe-handshake explain-webhook --body FILE --header HEADER SECRET... [--now N] [--tolerance S] [--json]
  stripe-handshake explain-callback URL [SECRET...] [--manifest FILE | --redirect URI...]
                                        [--state-key ID:HEX --session ID] [--now N] [--json]
  stripe-handshake sign --body FILE SECRET [--at N]
  stripe-handshake emulate [--port N] [--redirect URL]... [--webhook URL=whsec_...]...
  stripe-handshake help [COMMAND]      (or COMMAND --help)

Secrets: --secret-env NAME (an environment variable) or --secret-file PATH (its first line),
so they stay out of your shell history; --secret VALUE also works. Repeat for several.

Exit codes: 0 verified (or signed), 1 does not verify (the findings say why), 2 usage error.";

const EXPLAIN_HELP: &str = "stripe-handshake explain-webhook: why a Stripe-Signature does not verify

  --body FILE        the raw request body, byte for byte (- for stdin)
  --header HEADER    the Stripe-Signature header value
  --secret-env NAME | --secret-file PATH | --secret VALUE
                     the endpoint's signing secret(s), as configured (repeat for several)
  --now N            Unix seconds (default: the clock)
  --tolerance S      seconds (default: 300)
  --json             findings as JSON: {\"verified\": bool, \"findings\": [{code, message, action}]}

Exit codes: 0 verified, 1 not (the findings say why), 2 usage error.
Findings never show a secret or a MAC.";

const CALLBACK_HELP: &str = "stripe-handshake explain-callback: which flow a callback URL belongs to, and why it fails

  URL                the callback URL (or its query) exactly as received
  --secret-env NAME | --secret-file PATH | --secret VALUE
                     the app's signing secret (absec_...), to check an install_signature
  --manifest FILE    the app's stripe-app.json: checks the URL against allowed_redirect_uris
                     and the callback against stripe_api_access_type
  --redirect URI     a platform's allowed redirect URI (repeat for several; not with --manifest)
  --state-key ID:HEX a state key (its id and its bytes in hex), to read a signed state; repeat to rotate
  --session ID       the session id the state should be bound to
  --now N            Unix seconds (default: the clock)
  --tolerance S      seconds, for install_signature (default: 300)
  --json             findings as JSON

Exit codes: 0 it would pass, 1 not (the findings say why), 2 usage error.
Findings never show a secret or a MAC.";

const SIGN_HELP: &str = "stripe-handshake sign: a Stripe-Signature header for a payload, for tests

  --body FILE        the payload, byte for byte (- for stdin)
  --secret-env NAME | --secret-file PATH | --secret VALUE
  --at N             the timestamp, Unix seconds (default: the clock)

Prints t=...,v1=... on stdout. Exit codes: 0 signed, 2 usage error.";

const EMULATE_HELP: &str = "stripe-handshake emulate: the local Stripe emulator (install links, Stripe Apps
and Connect OAuth, tokens, Account Links, webhooks and event notifications), on loopback

  --port N           the port (default 12111; 0 picks a free one)
  --redirect URL     an allowed redirect URI (repeat; default http://127.0.0.1:3000/stripe/callback)
  --webhook URL=whsec_...
                     an event destination and its signing secret (repeat)

The emulator is a Node.js program in the repository (tests/emulator/cli.mjs; it needs `node`
and the repository's `npm install`). It is found through STRIPE_HANDSHAKE_EMULATOR (a path to
cli.mjs) or next to the checkout this binary was built from. It prints its test credentials
and endpoints, and runs until interrupted; the exit code is the emulator's.";

/// A usage error: the message to print, exit code 2.
struct Usage(String);

/// Runs the command line with `args` (without the program name), writing to `out` and `err`;
/// returns the exit code.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let command = args.first().map(String::as_str);
    let rest = args.get(1..).unwrap_or_default();
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        return finish(help(command), out, err);
    }
    let result = match command {
        None | Some("help" | "--help" | "-h") => help(rest.first().map(String::as_str)),
        Some("explain-webhook") => explain_webhook(rest),
        Some("explain-callback") => explain_callback(rest),
        Some("sign") => sign(rest),
        Some("emulate") => emulate(rest),
        Some(other) => Err(Usage(format!("unknown command {other:?}: see `stripe-handshake help`"))),
    };
    finish(result, out, err)
}

/// What a command produced: its text for stdout and its exit code.
type Outcome = Result<(String, u8), Usage>;

fn finish(result: Outcome, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    // A closed stdout (`| head`) is not an error worth a panic: the exit code still tells.
    match result {
        Ok((text, code)) => {
            if !text.is_empty() {
                let _ = writeln!(out, "{text}");
            }
            let _ = out.flush();
            code
        }
        Err(Usage(msg)) => {
            let _ = writeln!(err, "error: {msg}");
            2
        }
    }
}

fn help(command: Option<&str>) -> Outcome {
    let text = match command {
        Some("explain-webhook") => EXPLAIN_HELP,
        Some("explain-callback") => CALLBACK_HELP,
        Some("sign") => SIGN_HELP,
        Some("emulate") => EMULATE_HELP,
        None | Some("help" | "--help" | "-h") => HELP,
        Some(other) => return Err(Usage(format!("no help for {other:?}: see `stripe-handshake help`"))),
    };
    Ok((text.to_owned(), 0))
}

/// The options common to the subcommands.
#[derive(Default)]
struct Opts {
    body: Option<Vec<u8>>,
    header: Option<String>,
    secrets: Vec<String>,
    now: Option<u64>,
    tolerance: Option<u64>,
    json: bool,
    state_keys: Vec<StateKey>,
    session: Option<String>,
    manifest: Option<String>,
    redirects: Vec<String>,
}

fn parse(args: &[String], allowed: &[&str]) -> Result<Opts, Usage> {
    let mut o = Opts::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if !allowed.contains(&flag.as_str()) {
            return Err(Usage(format!("unknown option {flag:?}: see `stripe-handshake help`")));
        }
        if flag == "--json" {
            o.json = true;
            continue;
        }
        let value = it.next().ok_or_else(|| Usage(format!("{flag} needs a value")))?;
        match flag.as_str() {
            "--body" => o.body = Some(read_body(value)?),
            "--header" => o.header = Some(value.clone()),
            "--secret" => o.secrets.push(value.clone()),
            "--secret-env" => o
                .secrets
                .push(std::env::var(value).map_err(|_| Usage(format!("the environment variable {value} is not set")))?),
            "--secret-file" => {
                let text = std::fs::read_to_string(value).map_err(|_| Usage(format!("cannot read {value}")))?;
                o.secrets.push(text.lines().next().unwrap_or_default().to_owned());
            }
            "--now" | "--at" => o.now = Some(number(flag, value)?),
            "--tolerance" => o.tolerance = Some(number(flag, value)?),
            "--session" => o.session = Some(value.clone()),
            "--state-key" => {
                let (id, hex_key) = value.split_once(':').ok_or_else(|| Usage("--state-key takes ID:HEX".into()))?;
                let bytes =
                    decode_hex(hex_key).ok_or_else(|| Usage("--state-key takes ID:HEX (the key in hex)".into()))?;
                o.state_keys.push(StateKey::new(id, &bytes).map_err(|e| Usage(e.to_string()))?);
            }
            "--manifest" => {
                o.manifest = Some(std::fs::read_to_string(value).map_err(|_| Usage(format!("cannot read {value}")))?);
            }
            "--redirect" => o.redirects.push(value.clone()),
            _ => return Err(Usage(format!("unknown option {flag:?}"))),
        }
    }
    Ok(o)
}

fn number(flag: &str, value: &str) -> Result<u64, Usage> {
    value.parse().map_err(|_| Usage(format!("{flag} takes a whole number of seconds")))
}

fn read_body(path: &str) -> Result<Vec<u8>, Usage> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|_| Usage("cannot read stdin".into()))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|_| Usage(format!("cannot read {path}")))
}

fn clock() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn tolerance(o: &Opts) -> Result<Tolerance, Usage> {
    Tolerance::from_secs(o.tolerance.unwrap_or(300)).map_err(|e| Usage(e.to_string()))
}

fn explain_webhook(args: &[String]) -> Outcome {
    let o = parse(
        args,
        &["--body", "--header", "--secret", "--secret-env", "--secret-file", "--now", "--tolerance", "--json"],
    )?;
    let body = o.body.as_deref().ok_or_else(|| Usage("--body is required".into()))?;
    let header = o.header.as_deref().unwrap_or_default();
    let secrets: Vec<&str> = o.secrets.iter().map(String::as_str).collect();
    let findings = diagnose_signature(body, header, &secrets, o.now.unwrap_or_else(clock), tolerance(&o)?);
    let verified = findings.iter().any(|f| f.code() == "verified");
    Ok((render(&findings, verified, o.json), if verified { 0 } else { 1 }))
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i.checked_add(2)?).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

fn render(findings: &[Finding], verified: bool, json: bool) -> String {
    if json {
        let list: Vec<_> = findings
            .iter()
            .map(|f| serde_json::json!({"code": f.code(), "message": f.message(), "action": f.action()}))
            .collect();
        return serde_json::json!({"verified": verified, "findings": list}).to_string();
    }
    let lines: Vec<String> =
        findings.iter().map(|f| format!("{}: {}.\n  -> {}", f.code(), f.message(), f.action())).collect();
    lines.join("\n")
}

fn explain_callback(args: &[String]) -> Outcome {
    let (url, rest) = args.split_first().ok_or_else(|| Usage("give the callback URL".into()))?;
    let o = parse(
        rest,
        &[
            "--secret",
            "--secret-env",
            "--secret-file",
            "--state-key",
            "--session",
            "--now",
            "--tolerance",
            "--manifest",
            "--redirect",
            "--json",
        ],
    )?;
    let keys = if o.state_keys.is_empty() {
        None
    } else {
        Some(StateKeys::new(o.state_keys.clone()).map_err(|e| Usage(e.to_string()))?)
    };
    if o.manifest.is_some() && !o.redirects.is_empty() {
        return Err(Usage("give --manifest or --redirect, not both".into()));
    }
    // Read leniently (loopback http allowed): a diagnosis explains, it does not accept.
    let manifest = match &o.manifest {
        Some(json) => Some(AppManifest::parse(json, RedirectMode::Test).map_err(|e| Usage(e.to_string()))?),
        None => None,
    };
    let listed = if o.redirects.is_empty() {
        None
    } else {
        Some(RedirectAllowList::new(&o.redirects, RedirectMode::Test).map_err(|e| Usage(e.to_string()))?)
    };
    let access = match &manifest {
        Some(m) => Some(AppAccess::from_manifest_value(m.stripe_api_access_type()).map_err(|e| Usage(e.to_string()))?),
        None => None,
    };
    let secrets: Vec<&str> = o.secrets.iter().map(String::as_str).collect();
    let opts = CallbackDiagnosisOptions {
        secrets: &secrets,
        state_keys: keys.as_ref(),
        session_id: o.session.as_deref().map(str::as_bytes),
        now: o.now.unwrap_or_else(clock),
        tolerance: tolerance(&o)?,
        access,
        redirect_uris: manifest.as_ref().map(AppManifest::redirect_uris).or(listed.as_ref()),
    };
    let findings = diagnose_callback(url, &opts);
    let ok = callback_passes(&findings);
    Ok((render(&findings, ok, o.json), if ok { 0 } else { 1 }))
}

fn sign(args: &[String]) -> Outcome {
    let o = parse(args, &["--body", "--secret", "--secret-env", "--secret-file", "--at"])?;
    let body = o.body.as_deref().ok_or_else(|| Usage("--body is required".into()))?;
    let [secret] = o.secrets.as_slice() else { return Err(Usage("give exactly one secret".into())) };
    let secret = SigningSecret::new(secret).map_err(|e| Usage(e.to_string()))?;
    let header = sign_header(body, &secret, o.now.unwrap_or_else(clock)).map_err(|e| Usage(e.to_string()))?;
    Ok((header, 0))
}

/// Where the emulator's entry point is: `STRIPE_HANDSHAKE_EMULATOR`, or the checkout this was
/// built from.
fn emulator_path() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("STRIPE_HANDSHAKE_EMULATOR") {
        return Some(p.into());
    }
    let built_from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/emulator/cli.mjs");
    built_from.is_file().then_some(built_from)
}

fn emulate(args: &[String]) -> Outcome {
    // Check the options here, so a typo is a usage error and not a Node stack trace.
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let (name, inline) = flag.split_once('=').map_or((flag.as_str(), None), |(n, v)| (n, Some(v)));
        if !["--port", "--redirect", "--webhook"].contains(&name) {
            return Err(Usage(format!("unknown option {flag:?}: see `stripe-handshake help emulate`")));
        }
        let value = match inline {
            Some(v) => v,
            None => it.next().ok_or_else(|| Usage(format!("{flag} needs a value")))?,
        };
        if name == "--port" && value.parse::<u16>().is_err() {
            return Err(Usage("--port takes a port number (0 picks a free one)".into()));
        }
        if name == "--webhook" && !value.contains("=whsec_") {
            return Err(Usage("--webhook takes URL=whsec_... (the destination and its signing secret)".into()));
        }
    }
    let script = emulator_path().ok_or_else(|| {
        Usage(
            "the emulator is not here: it is tests/emulator/cli.mjs in a checkout of the repository; \
             set STRIPE_HANDSHAKE_EMULATOR to its path"
                .into(),
        )
    })?;
    let mut node = std::process::Command::new("node");
    node.arg(&script).args(args);
    // Become the emulator where the OS allows (signals and the exit code are then its own, and
    // no child is left behind when this process is killed); elsewhere wait for it.
    #[cfg(unix)]
    {
        let e = std::os::unix::process::CommandExt::exec(&mut node);
        Err(Usage(format!("cannot start node ({e}): the emulator needs Node.js 20 or later on PATH")))
    }
    #[cfg(not(unix))]
    {
        let status = node
            .status()
            .map_err(|_| Usage("cannot start node: the emulator needs Node.js 20 or later on PATH".into()))?;
        Ok((String::new(), status.code().map_or(0, |c| u8::try_from(c).unwrap_or(1))))
    }
}
