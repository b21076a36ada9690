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

use std::error::Error;

use mpay::emv::card::mask_pan;
use mpay::otp::replay::{MemoryReplayGuard, ReplayGuard};
use mpay::otp::throttle::{ThrottlePolicy, ThrottleState};
use mpay::otp::{Algorithm, Hotp};
use mpay::tokenization::pan::Pan;
use mpay::tokenization::payment::{
    AuthRequest, Channel, DomainControls, IdvMethod, TokenBinRange, TokenRequestor, TokenState, Tsp,
};

type Res<T> = Result<T, Box<dyn Error>>;

const PAN: &str = "6212345678901234";
const WALLET: &str = "40010075001";
const TODAY: u16 = 2611;

struct Log(Vec<String>);

impl Log {
    fn say(&mut self, who: &str, line: impl AsRef<str>) {
        let l = format!("[{who:>7}] {}", line.as_ref());
        println!("{l}");
        self.0.push(l);
    }
}

fn expect(ok: bool, what: &str) -> Res<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected outcome: {what}").into())
    }
}

fn run(log: &mut Log) -> Res<()> {
    let tsp = Tsp::new("MPAY", [0x31; 32], [0x32; 32])?;
    tsp.register_requestor(TokenRequestor::new(
        WALLET,
        "mpay demo wallet",
        TokenBinRange::new("489537", "489537", 16)?,
    )?)?;
    let pan = Pan::parse(PAN)?;

    // 1. Token request, before ID&V.
    let domain = DomainControls::new(vec![Channel::Contactless, Channel::InApp])
        .merchants(&["MPAYDEMOSHOP001", "MPAYCAFE0000002"]);
    let issued = tsp.request_token(WALLET, &pan, IdvMethod::None, domain.clone())?;
    log.say(
        "tsp",
        format!(
            "token {} for PAN {}: {:?}, assurance {}",
            mask_pan(&issued.token),
            mask_pan(PAN),
            issued.state,
            issued.assurance
        ),
    );
    expect(
        issued.state == TokenState::Inactive,
        "a token issued without ID&V starts inactive",
    )?;
    let refused = tsp.authorize(&AuthRequest::new(
        &issued.token,
        Channel::Contactless,
        "MPAYDEMOSHOP001",
        TODAY,
    ));
    log.say(
        "tsp",
        format!(
            "use before ID&V: {}",
            refused
                .as_ref()
                .map(|_| "accepted".to_string())
                .unwrap_or_else(|e| e.to_string())
        ),
    );
    expect(refused.is_err(), "an inactive token is refused")?;

    // 2. ID&V by one-time password.
    let otp_key = *b"issuer-otp-key-for-this-card-001";
    let hotp = Hotp::new(Algorithm::Sha256, &otp_key, 6)?;
    let guard = MemoryReplayGuard::new();
    let policy = ThrottlePolicy::default();
    let mut throttle = ThrottleState::default();
    let counter = 7;
    let sms = hotp.generate(counter).to_string();
    log.say(
        "issuer",
        format!("one-time password sent to the phone on file (counter {counter})"),
    );
    let mut now = 1_795_000_000;
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    for code in [wrong, sms.as_str(), sms.as_str()] {
        policy.check(&throttle, now)?;
        let m = guard.consume(PAN, hotp.verify(code, counter, 2)?)?;
        match m {
            Some(m) => {
                policy.record_success(&mut throttle);
                let assurance = tsp.complete_idv(&issued.token, IdvMethod::Otp)?;
                log.say(
                    "issuer",
                    format!("OTP accepted ({m:?}); token activated with assurance {assurance}"),
                );
            }
            None => {
                policy.record_failure(&mut throttle, now);
                log.say(
                    "issuer",
                    format!(
                        "OTP {} refused ({} consecutive failure(s))",
                        if code == wrong { "wrong" } else { "replayed" },
                        throttle.failures
                    ),
                );
            }
        }
        now += 5;
    }
    expect(
        tsp.state(&issued.token)? == TokenState::Active,
        "ID&V activates the token",
    )?;
    expect(
        throttle.failures == 1,
        "one failure (the replay) after the success",
    )?;

    // 3. Domain restriction controls.
    let at_pos = tsp.authorize(&AuthRequest::new(
        &issued.token,
        Channel::Contactless,
        "MPAYDEMOSHOP001",
        TODAY,
    ));
    log.say(
        "tsp",
        format!(
            "contactless at MPAYDEMOSHOP001: {}",
            at_pos
                .as_ref()
                .map(|p| format!("PAN {}", mask_pan(&p.expose())))
                .unwrap_or_else(|e| e.to_string())
        ),
    );
    expect(at_pos.is_ok(), "contactless at an allowed merchant")?;
    for (channel, merchant) in [
        (Channel::Ecommerce, "MPAYDEMOSHOP001"),
        (Channel::Contactless, "ELSEWHERE000001"),
    ] {
        let r = tsp.authorize(&AuthRequest::new(&issued.token, channel, merchant, TODAY));
        log.say(
            "tsp",
            format!(
                "{channel:?} at {merchant}: {}",
                r.as_ref()
                    .map(|_| "accepted".to_string())
                    .unwrap_or_else(|e| e.to_string())
            ),
        );
        expect(r.is_err(), "use outside the domain is refused")?;
    }

    // 4. Lifecycle.
    tsp.transition(&issued.token, TokenState::Suspended)?;
    let r = tsp.authorize(&AuthRequest::new(
        &issued.token,
        Channel::Contactless,
        "MPAYDEMOSHOP001",
        TODAY,
    ));
    log.say(
        "tsp",
        format!(
            "suspended: {}",
            r.as_ref()
                .map(|_| "accepted".to_string())
                .unwrap_or_else(|e| e.to_string())
        ),
    );
    expect(r.is_err(), "a suspended token is refused")?;
    tsp.transition(&issued.token, TokenState::Active)?;
    expect(
        tsp.authorize(&AuthRequest::new(
            &issued.token,
            Channel::Contactless,
            "MPAYCAFE0000002",
            TODAY,
        ))
        .is_ok(),
        "resumed",
    )?;
    log.say("tsp", "resumed: accepted");

    let second = tsp.request_token(WALLET, &pan, IdvMethod::IssuerApp, domain)?;
    log.say(
        "tsp",
        format!(
            "second device: token {} ({:?}); PAR equal: {}",
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

    tsp.transition(&issued.token, TokenState::Deleted)?;
    let r = tsp.authorize(&AuthRequest::new(
        &issued.token,
        Channel::Contactless,
        "MPAYDEMOSHOP001",
        TODAY,
    ));
    expect(r.is_err(), "a deleted token is refused")?;
    let back = tsp.transition(&issued.token, TokenState::Active);
    log.say(
        "tsp",
        format!(
            "deleted: refused; deleted → active: {}",
            back.as_ref()
                .map(|_| "allowed".to_string())
                .unwrap_or_else(|e| e.to_string())
        ),
    );
    expect(back.is_err(), "deleted is final")?;
    log.say("demo", "all steps ended as expected");
    Ok(())
}

fn main() -> std::process::ExitCode {
    let mut log = Log(Vec::new());
    let result = run(&mut log);
    let dir = std::path::Path::new("target/mpay-demo/card_binding");
    if let Err(e) = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(dir.join("transcript.txt"), log.0.join("\n") + "\n"))
    {
        eprintln!("card_binding: cannot write the transcript: {e}");
    }
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("card_binding: FAILED: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
