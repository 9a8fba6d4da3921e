//! `stripe-handshake`: explain why a `Stripe-Signature` does not verify, and sign payloads for
//! tests. A thin shell over the core: every rule and every finding is the library's.
//!
//! Exit codes: 0 success (verified, or signed), 1 it does not verify (the findings say why),
//! 2 a usage error (a message on stderr).

use std::io::Write as _;
use std::process::ExitCode;

use stripe_handshake::diagnose::{
    callback_passes, diagnose_callback, diagnose_signature, CallbackDiagnosisOptions, Finding,
};
use stripe_handshake::state::{StateKey, StateKeys};
use stripe_handshake::{testing::sign_header, SigningSecret, Tolerance};

const HELP: &str = "stripe-handshake: Stripe-Signature diagnostics and signing for tests

Usage:
  stripe-handshake explain-webhook --body FILE --header HEADER SECRET... [--now N] [--tolerance S] [--json]
  stripe-handshake explain-callback URL [SECRET...] [--state-key ID:HEX --session ID] [--now N] [--json]
  stripe-handshake sign --body FILE SECRET [--at N]
  stripe-handshake help [COMMAND]

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

Findings never show a secret or a MAC.";

const CALLBACK_HELP: &str = "stripe-handshake explain-callback: which flow a callback URL belongs to, and why it fails

  URL                the callback URL (or its query) exactly as received
  --secret-env NAME | --secret-file PATH | --secret VALUE
                     the app's signing secret (absec_...), to check an install_signature
  --state-key ID:HEX a state key (its id and its bytes in hex), to read a signed state; repeat to rotate
  --session ID       the session id the state should be bound to
  --now N            Unix seconds (default: the clock)
  --json             findings as JSON

Findings never show a secret or a MAC.";

const SIGN_HELP: &str = "stripe-handshake sign: a Stripe-Signature header for a payload, for tests

  --body FILE        the payload, byte for byte (- for stdin)
  --secret-env NAME | --secret-file PATH | --secret VALUE
  --at N             the timestamp, Unix seconds (default: the clock)";

/// A usage error: the message to print, exit code 2.
struct Usage(String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => help(args.get(1).map(String::as_str)),
        Some("explain-webhook") => explain_webhook(args.get(1..).unwrap_or_default()),
        Some("sign") => sign(args.get(1..).unwrap_or_default()),
        Some("explain-callback") => explain_callback(args.get(1..).unwrap_or_default()),
        Some(other) => Err(Usage(format!("unknown command {other:?}: see `stripe-handshake help`"))),
    };
    match result {
        Ok(code) => code,
        Err(Usage(msg)) => {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn help(command: Option<&str>) -> Result<ExitCode, Usage> {
    let text = match command {
        Some("explain-webhook") => EXPLAIN_HELP,
        Some("explain-callback") => CALLBACK_HELP,
        Some("sign") => SIGN_HELP,
        None => HELP,
        Some(other) => return Err(Usage(format!("no help for {other:?}: see `stripe-handshake help`"))),
    };
    println!("{text}");
    Ok(ExitCode::SUCCESS)
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
}

fn parse(args: &[String], allowed: &[&str]) -> Result<Opts, Usage> {
    let mut o = Opts::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(Usage("--help goes first: stripe-handshake help COMMAND".into()));
        }
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

fn explain_webhook(args: &[String]) -> Result<ExitCode, Usage> {
    let o = parse(
        args,
        &["--body", "--header", "--secret", "--secret-env", "--secret-file", "--now", "--tolerance", "--json"],
    )?;
    let body = o.body.ok_or_else(|| Usage("--body is required".into()))?;
    let header = o.header.unwrap_or_default();
    let tolerance = Tolerance::from_secs(o.tolerance.unwrap_or(300)).map_err(|e| Usage(e.to_string()))?;
    let secrets: Vec<&str> = o.secrets.iter().map(String::as_str).collect();
    let findings = diagnose_signature(&body, &header, &secrets, o.now.unwrap_or_else(clock), tolerance);
    let verified = findings.iter().any(|f| f.code() == "verified");
    print_findings(&findings, verified, o.json);
    Ok(if verified { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i.checked_add(2)?).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

fn print_findings(findings: &[Finding], verified: bool, json: bool) {
    if json {
        let list: Vec<_> = findings
            .iter()
            .map(|f| serde_json::json!({"code": f.code(), "message": f.message(), "action": f.action()}))
            .collect();
        println!("{}", serde_json::json!({"verified": verified, "findings": list}));
    } else {
        for f in findings {
            println!("{}: {}.\n  -> {}", f.code(), f.message(), f.action());
        }
    }
}

fn explain_callback(args: &[String]) -> Result<ExitCode, Usage> {
    let (url, rest) = args.split_first().ok_or_else(|| Usage("give the callback URL".into()))?;
    let o = parse(rest, &["--secret", "--secret-env", "--secret-file", "--state-key", "--session", "--now", "--json"])?;
    let keys = if o.state_keys.is_empty() {
        None
    } else {
        Some(StateKeys::new(o.state_keys.clone()).map_err(|e| Usage(e.to_string()))?)
    };
    let secrets: Vec<&str> = o.secrets.iter().map(String::as_str).collect();
    let opts = CallbackDiagnosisOptions {
        secrets: &secrets,
        state_keys: keys.as_ref(),
        session_id: o.session.as_deref().map(str::as_bytes),
        now: o.now.unwrap_or_else(clock),
        tolerance: Tolerance::default(),
    };
    let findings = diagnose_callback(url, &opts);
    let ok = callback_passes(&findings);
    print_findings(&findings, ok, o.json);
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn sign(args: &[String]) -> Result<ExitCode, Usage> {
    let o = parse(args, &["--body", "--secret", "--secret-env", "--secret-file", "--at"])?;
    let body = o.body.ok_or_else(|| Usage("--body is required".into()))?;
    let [secret] = o.secrets.as_slice() else { return Err(Usage("give exactly one secret".into())) };
    let secret = SigningSecret::new(secret).map_err(|e| Usage(e.to_string()))?;
    let header = sign_header(&body, &secret, o.now.unwrap_or_else(clock)).map_err(|e| Usage(e.to_string()))?;
    println!("{header}");
    Ok(ExitCode::SUCCESS)
}
