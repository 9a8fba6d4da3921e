//! Workloads for the constant-time checks of stripe-handshake.
//!
//! `ct memcheck <scenario>` runs one workload with its secret bytes marked undefined through a
//! valgrind client request (a no-op outside valgrind); `check.py` runs each under memcheck and
//! accepts a report only at the documented declassification points (the final accept/reject
//! bit, and configuration-time validation of a secret's format).
//! `ct dudect <scenario> <samples>` times two rejected input classes for a Welch t-test (dudect.py).

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use stripe_handshake::{
    hmac_sha256,
    state::{check_plain_state, issue_state_token, verify_state_token, Flow, StateKey, StateKeys, StateTokenParams},
    testing::sign_header,
    verify_hmac_sha256, SigningSecret, Tolerance, Verifier,
};

/// Memcheck client request (amd64), as `VALGRIND_DO_CLIENT_REQUEST_EXPR` in valgrind.h: the
/// rotations leave `rdi` unchanged and are the marker valgrind's JIT looks for. Natively the
/// sequence does nothing and `default` comes back.
#[cfg(target_arch = "x86_64")]
fn client_request(default: usize, request: usize, addr: usize, len: usize) -> usize {
    let args: [usize; 6] = [request, addr, len, 0, 0, 0];
    let mut result = default;
    // SAFETY: the magic sequence only rotates rdi by 128 bits in total and exchanges rbx with
    // itself; valgrind reads `args` through rax and writes the result to rdx.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3", "rol rdi, 13", "rol rdi, 61", "rol rdi, 51", "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") result,
            inout("rdi") 0usize => _,
            options(nostack, preserves_flags),
        );
    }
    black_box(&args);
    result
}

#[cfg(not(target_arch = "x86_64"))]
fn client_request(default: usize, _request: usize, _addr: usize, _len: usize) -> usize {
    default
}

const MC_BASE: usize = ((b'M' as usize) << 24) | ((b'C' as usize) << 16);
const MAKE_MEM_UNDEFINED: usize = MC_BASE + 1;
const MAKE_MEM_DEFINED: usize = MC_BASE + 2;

/// Marks bytes as secret: memcheck then reports any branch or address that depends on them.
fn secret(bytes: &[u8]) {
    client_request(0, MAKE_MEM_UNDEFINED, bytes.as_ptr() as usize, bytes.len());
}

/// Declassifies a value the caller is allowed to see (used only on the harness's own results).
fn public<T>(value: &T) {
    client_request(0, MAKE_MEM_DEFINED, value as *const T as usize, std::mem::size_of::<T>());
}

const NOW: u64 = 1_700_000_000;
const PAYLOAD: &[u8] = br#"{"id":"evt_1","object":"event","type":"account.application.deauthorized"}"#;

/// One memcheck workload: class 0 is the valid input, class 1 has one wrong byte at `i`.
/// Memcheck runs both, so the accept and the reject path are covered.
fn run(scenario: &str, class: u8, i: usize) -> bool {
    match scenario {
        // Webhook / install_signature verification with the signing secret marked secret.
        "signature" => {
            // Stripe's side signs with its own copy of the secret: only ours is marked.
            let stripe = SigningSecret::new("whsec_0123456789abcdef0123456789abcdef").expect("secret");
            let mut header = sign_header(PAYLOAD, &stripe, NOW).expect("sign");
            let text = String::from("whsec_0123456789abcdef0123456789abcdef");
            secret(text.as_bytes());
            let ours = SigningSecret::new(&text).expect("secret");
            let verifier = Verifier::new(&[ours], Tolerance::default()).expect("verifier");
            if class == 1 {
                flip_hex(&mut header, i);
            }
            let ok = verifier.verify(PAYLOAD, &header, NOW).is_ok();
            public(&ok);
            ok
        }
        // Signed state tokens: the state key is secret; the token comes from the browser.
        "state" => {
            // The token was issued earlier (by another server, say): only the verifying key is marked.
            let issuer = StateKeys::new(vec![StateKey::new("k1", &[0x5eu8; 32]).expect("key")]).expect("keys");
            let params =
                StateTokenParams { flow: Flow::ConnectOAuth, session_id: b"session-1", ttl_secs: None, data: None , mode: None };
            let mut token = issue_state_token(&issuer, &params, NOW, &[7u8; 32]).expect("issue");
            let key = vec![0x5eu8; 32];
            secret(&key);
            let keys = StateKeys::new(vec![StateKey::new("k1", &key).expect("key")]).expect("keys");
            if class == 1 {
                flip_b64(&mut token, i);
            }
            let ok = verify_state_token(&keys, Some(&token), b"session-1", Flow::ConnectOAuth, NOW).is_ok();
            public(&ok);
            ok
        }
        // Plain state kept in the session: the expected value is secret.
        "plain_state" => {
            let expected = String::from("Zq0n3J1mVx8bT7cQeR2sYhL5uW9kPaD4fG6iO1tN0yM");
            secret(expected.as_bytes());
            let mut received = String::from("Zq0n3J1mVx8bT7cQeR2sYhL5uW9kPaD4fG6iO1tN0yM");
            if class == 1 {
                flip_b64(&mut received, i);
            }
            let ok = check_plain_state(&expected, Some(&received)).is_ok();
            public(&ok);
            ok
        }
        // The raw helper: key secret, tag public.
        "hmac" => {
            let mut tag = hmac_sha256(&[0x42u8; 32], &[PAYLOAD]).expect("mac");
            let key = vec![0x42u8; 32];
            secret(&key);
            if class == 1 {
                let j = i % tag.len();
                tag[j] ^= 1;
            }
            let ok = verify_hmac_sha256(&key, &[PAYLOAD], &tag).is_ok();
            public(&ok);
            ok
        }
        // Negative control: a variable-time comparison must be caught, or the check is blind.
        "control_leaky_compare" => {
            let a = vec![1u8; 32];
            secret(&a);
            let mut b = vec![1u8; 32];
            if class == 1 {
                b[i % 32] = 2;
            }
            let ok = leaky_eq(&a, &b);
            public(&ok);
            ok
        }
        other => panic!("unknown scenario {other}"),
    }
}

#[inline(never)]
fn leaky_eq(a: &[u8], b: &[u8]) -> bool {
    // Early exit on the first difference: the classic timing leak.
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return false;
        }
    }
    true
}

/// Changes one hex digit of the first v1 (keeping it valid hex).
fn flip_hex(header: &mut String, i: usize) {
    let start = header.find("v1=").expect("v1") + 3;
    let pos = start + i % 64;
    let c = header.as_bytes()[pos];
    let new = if c == b'0' { '1' } else { '0' };
    header.replace_range(pos..=pos, &new.to_string());
}

/// Changes one base64url character (keeping it in the alphabet).
fn flip_b64(s: &mut String, i: usize) {
    let pos = i % s.len();
    let c = s.as_bytes()[pos];
    let new = if c == b'A' { 'B' } else { 'A' };
    s.replace_range(pos..=pos, &new.to_string());
}

/// One timing case: `prepare(class)` runs before the clock starts, `check()` is what is timed.
struct Case {
    prepare: Box<dyn Fn(usize)>,
    check: Box<dyn Fn() -> bool>,
}

/// Copies the class's input into one buffer before the clock starts, so both classes are read
/// from the same address (two allocations differ in alignment, which a timer can see).
fn slotted<T: Clone + 'static>(inputs: [T; 2], check: impl Fn(&T) -> bool + 'static) -> Case {
    let slot = Rc::new(RefCell::new(inputs[0].clone()));
    let read = Rc::clone(&slot);
    Case {
        prepare: Box::new(move |c| slot.borrow_mut().clone_from(&inputs[c])),
        check: Box::new(move || check(&read.borrow())),
    }
}

/// dudect classes: both inputs are rejected, the first differs from the secret-derived value at
/// its first byte, the second at its last. A comparison that exits early tells them apart.
/// Everything but the check itself is prepared outside the timed region.
fn timing_case(scenario: &str) -> Case {
    match scenario {
        "signature" => {
            let s = SigningSecret::new("whsec_0123456789abcdef0123456789abcdef").expect("secret");
            let verifier = Verifier::new(std::slice::from_ref(&s), Tolerance::default()).expect("verifier");
            let header = sign_header(PAYLOAD, &s, NOW).expect("sign");
            let inputs = [0, 63].map(|i| {
                let mut h = header.clone();
                flip_hex(&mut h, i);
                h
            });
            slotted(inputs, move |h: &String| verifier.verify(PAYLOAD, h, NOW).is_ok())
        }
        "state" => {
            let keys = StateKeys::new(vec![StateKey::new("k1", &[0x5eu8; 32]).expect("key")]).expect("keys");
            let params =
                StateTokenParams { flow: Flow::ConnectOAuth, session_id: b"session-1", ttl_secs: None, data: None , mode: None };
            let token = issue_state_token(&keys, &params, NOW, &[7u8; 32]).expect("issue");
            // The MAC is the token's last 32 bytes (43 base64url characters): flip inside it.
            let inputs = [token.len() - 40, token.len() - 5].map(|i| {
                let mut t = token.clone();
                flip_b64(&mut t, i);
                t
            });
            slotted(inputs, move |t: &String| {
                verify_state_token(&keys, Some(t), b"session-1", Flow::ConnectOAuth, NOW).is_ok()
            })
        }
        "plain_state" => {
            let expected = String::from("Zq0n3J1mVx8bT7cQeR2sYhL5uW9kPaD4fG6iO1tN0yM");
            let inputs = [0, 42].map(|i| {
                let mut r = expected.clone();
                flip_b64(&mut r, i);
                r
            });
            slotted(inputs, move |r: &String| check_plain_state(&expected, Some(r)).is_ok())
        }
        "hmac" => {
            let key = [0x42u8; 32];
            let tag = hmac_sha256(&key, &[PAYLOAD]).expect("mac");
            let inputs = [0, 31].map(|i| {
                let mut t = tag;
                t[i] ^= 1;
                t
            });
            slotted(inputs, move |t: &[u8; 32]| verify_hmac_sha256(&key, &[PAYLOAD], t).is_ok())
        }
        "control_leaky_compare" => {
            let a = vec![1u8; 32];
            let inputs = [0, 31].map(|i| {
                let mut b = a.clone();
                b[i] = 2;
                b
            });
            slotted(inputs, move |b: &Vec<u8>| leaky_eq(&a, b))
        }
        other => panic!("unknown scenario {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("memcheck") => {
            let scenario = args.get(2).expect("scenario");
            let a = run(scenario, 0, 0);
            let b = run(scenario, 1, 5);
            println!("{scenario}: valid accepted = {a}, tampered accepted = {b}");
            assert!(a && !b, "the workload itself is wrong");
        }
        Some("dudect") => {
            let scenario = args.get(2).expect("scenario");
            let samples: usize = args.get(3).map_or(100_000, |s| s.parse().expect("samples"));
            let case = timing_case(scenario);
            // Interleave the classes pseudo-randomly; print "class nanoseconds" per sample.
            let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
            let mut out = String::with_capacity(samples * 12);
            for _ in 0..samples {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let class = usize::from(x & 1 == 1);
                (case.prepare)(class);
                let t = Instant::now();
                let accepted = black_box((case.check)());
                let ns = t.elapsed().as_nanos();
                assert!(!accepted, "both classes must be rejected");
                out.push_str(&format!("{class} {ns}\n"));
            }
            print!("{out}");
        }
        _ => {
            eprintln!("usage: ct memcheck <scenario> | ct dudect <scenario> [samples]");
            std::process::exit(2);
        }
    }
}
