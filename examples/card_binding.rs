//! Card binding with a Token Service Provider, as a wallet does it:
//!
//! 1. the cardholder enters the PAN once; the wallet (a registered token requestor) asks the
//!    TSP for a token — it is issued Inactive, pending identification and verification;
//! 2. the issuer sends a one-time password (HOTP, as an SMS would carry it) to the phone number
//!    on file; a wrong code is counted by the throttle policy, a replayed code is refused, the
//!    right one completes ID&V and activates the token with its assurance level;
//! 3. the token is used inside its domain (contactless at the POS) and refused outside it
//!    (e-commerce, another merchant);
//! 4. lifecycle: suspend → refused, resume → accepted, delete → refused for good, and an
//!    illegal transition (deleted → active) is rejected; a second device gets its own token with
//!    the same Payment Account Reference.
//!
//! In-memory stores; the transcript (PANs masked) goes to stdout and to
//! `target/mpay-demo/card_binding/transcript.txt`. Exit status 1 if any step does not end as
//! expected.

mod common;

use common::{Transcript, expect};
use mpay::emv::card::mask_pan;
use mpay::otp::replay::{MemoryReplayGuard, ReplayGuard};
use mpay::otp::throttle::{ThrottlePolicy, ThrottleState};
use mpay::otp::{Algorithm, Hotp};
use mpay::tokenization::pan::Pan;
use mpay::tokenization::payment::{
    AuthRequest, Channel, DomainControls, IdvMethod, TokenBinRange, TokenRequestor, TokenState, Tsp,
};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const PAN: &str = "6212345678901234";
const WALLET: &str = "40010075001";
const SHOP: &str = "MPAYDEMOSHOP001";
const TODAY: u16 = 2611;

/// Asks the TSP to authorise one use of the token and reports the answer.
fn try_use(
    tsp: &Tsp,
    log: &Transcript,
    token: &str,
    channel: Channel,
    merchant: &str,
    what: &str,
) -> bool {
    let r = tsp.authorize(&AuthRequest::new(token, channel, merchant, TODAY));
    let said = match &r {
        Ok(p) => format!("accepted, PAN {}", mask_pan(&p.expose())),
        Err(e) => e.to_string(),
    };
    log.say("tsp", format!("{what} ({channel:?} at {merchant}): {said}"));
    r.is_ok()
}

fn run(log: &Transcript) -> Res<()> {
    let tsp = Tsp::new("MPAY", [0x31; 32], [0x32; 32])?;
    let range = TokenBinRange::new("489537", "489537", 16)?;
    tsp.register_requestor(TokenRequestor::new(WALLET, "mpay demo wallet", range)?)?;
    let pan = Pan::parse(PAN)?;

    // 1. Token request, before ID&V.
    let domain = DomainControls::new(vec![Channel::Contactless, Channel::InApp])
        .merchants(&[SHOP, "MPAYCAFE0000002"]);
    let issued = tsp.request_token(WALLET, &pan, IdvMethod::None, domain.clone())?;
    let token = issued.token.as_str();
    log.say(
        "tsp",
        format!(
            "token {} for PAN {}: {:?}, assurance {}",
            mask_pan(token),
            mask_pan(PAN),
            issued.state,
            issued.assurance
        ),
    );
    expect(
        issued.state == TokenState::Inactive,
        "a token issued without ID&V starts inactive",
    )?;
    expect(
        !try_use(&tsp, log, token, Channel::Contactless, SHOP, "before ID&V"),
        "an inactive token is refused",
    )?;

    // 2. ID&V by one-time password.
    let hotp = Hotp::new(Algorithm::Sha256, b"issuer-otp-key-for-this-card-001", 6)?;
    let guard = MemoryReplayGuard::new();
    let policy = ThrottlePolicy::default();
    let mut throttle = ThrottleState::default();
    let counter = 7;
    let sms = hotp.generate(counter).to_string();
    log.say(
        "issuer",
        format!("one-time password sent to the phone on file (counter {counter})"),
    );
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    let mut now = 1_795_000_000;
    for code in [wrong, sms.as_str(), sms.as_str()] {
        policy.check(&throttle, now)?;
        match guard.consume(PAN, hotp.verify(code, counter, 2)?)? {
            Some(m) => {
                policy.record_success(&mut throttle);
                let assurance = tsp.complete_idv(token, IdvMethod::Otp)?;
                log.say(
                    "issuer",
                    format!("OTP accepted ({m:?}); token activated, assurance {assurance}"),
                );
            }
            None => {
                policy.record_failure(&mut throttle, now);
                let kind = if code == wrong { "wrong" } else { "replayed" };
                log.say(
                    "issuer",
                    format!(
                        "OTP {kind}: refused ({} consecutive failure(s))",
                        throttle.failures
                    ),
                );
            }
        }
        now += 5;
    }
    expect(
        tsp.state(token)? == TokenState::Active,
        "ID&V activates the token",
    )?;
    expect(
        throttle.failures == 1,
        "one failure (the replay) after the success",
    )?;

    // 3. Domain restriction controls.
    expect(
        try_use(
            &tsp,
            log,
            token,
            Channel::Contactless,
            SHOP,
            "inside the domain",
        ),
        "allowed use",
    )?;
    expect(
        !try_use(
            &tsp,
            log,
            token,
            Channel::Ecommerce,
            SHOP,
            "another channel",
        ),
        "channel control",
    )?;
    expect(
        !try_use(
            &tsp,
            log,
            token,
            Channel::Contactless,
            "ELSEWHERE000001",
            "another merchant",
        ),
        "merchant control",
    )?;

    // 4. Lifecycle, and a second device.
    tsp.transition(token, TokenState::Suspended)?;
    expect(
        !try_use(&tsp, log, token, Channel::Contactless, SHOP, "suspended"),
        "a suspended token is refused",
    )?;
    tsp.transition(token, TokenState::Active)?;
    expect(
        try_use(
            &tsp,
            log,
            token,
            Channel::Contactless,
            "MPAYCAFE0000002",
            "resumed",
        ),
        "a resumed token works",
    )?;
    let second = tsp.request_token(WALLET, &pan, IdvMethod::IssuerApp, domain)?;
    log.say(
        "tsp",
        format!(
            "second device: token {} ({:?}); same PAR: {}",
            mask_pan(&second.token),
            second.state,
            second.par == issued.par
        ),
    );
    expect(
        second.par == issued.par && second.token != issued.token,
        "one PAN, many tokens, one PAR",
    )?;
    expect(
        tsp.tokens_for_pan(&pan)?.len() == 2,
        "two tokens for the PAN",
    )?;
    tsp.transition(token, TokenState::Deleted)?;
    expect(
        !try_use(&tsp, log, token, Channel::Contactless, SHOP, "deleted"),
        "a deleted token is refused",
    )?;
    let back = tsp.transition(token, TokenState::Active);
    log.say(
        "tsp",
        format!(
            "deleted → active: {}",
            back.as_ref()
                .map(|_| "allowed".into())
                .unwrap_or_else(|e| e.to_string())
        ),
    );
    expect(back.is_err(), "deleted is final")?;
    log.say("demo", "all steps ended as expected");
    Ok(())
}

fn main() -> std::process::ExitCode {
    let log = Transcript::default();
    let result = run(&log);
    common::finish("card_binding", &log, result)
}
