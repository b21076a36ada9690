//! Bankcard simulation, end to end — what Mobile QuickPass, Apple Pay and Google Pay do:
//!
//! 1. **card binding**: the wallet asks the Token Service Provider for a payment token for the
//!    cardholder's PAN; the TSP issues it with domain controls (contactless only);
//! 2. **the phone** runs an HCE contactless card application personalised with the token, behind
//!    an AID router (PPSE + the payment application);
//! 3. **the POS** runs the contactless kernel against the phone over APDUs, builds an ISO 8583
//!    0100 with field 55, and sends it over TCP to the switch;
//! 4. **the switch** routes by BIN: a token BIN goes to the TSP, which detokenizes only within
//!    the token's domain; the 0100 with the real PAN goes over TCP to the issuer through a `Mux`;
//! 5. **the issuer** verifies the ARQC and answers 0110 with the ARPC in field 55;
//! 6. the POS shows the result. A suspended token is then refused by the switch, and a
//!    resumed one approved again;
//! 7. a UnionPay card with the national algorithms (SM4 cryptogram, SM2 fDDA) goes online;
//! 8. a standard-flow card approves a small amount offline (SM2 DDA, TC), then — past its
//!    lower consecutive offline limit, with no line to the switch — is approved offline by
//!    the terminal's default action analysis (ARC Y3).
//!
//! Everything runs on loopback with in-memory stores; the transcript (PANs masked) is printed
//! and written to `target/mpay-demo/contactless/transcript.txt`. Exit status 1 if any step
//! does not end as expected.

mod common;

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use common::Transcript;
use futures_util::{SinkExt, StreamExt};
use mpay::apdu::{Card, Router, Target};
use mpay::emv::card::{CardProfile, ContactlessCard, Ppse, mask_pan, phone_router};
use mpay::emv::card::{GpoFlow, ONLINE_PIN_CVM_LIST, OfflineLimits, STANDARD_CDOL1};
use mpay::emv::crypto::cvn::{Cvn, IssuerKeys};
use mpay::emv::crypto::keys::Sm4Key;
use mpay::emv::crypto::keys::TdesKey;
use mpay::emv::crypto::pboc::Sm4IssuerKeys;
use mpay::emv::issuer;
use mpay::emv::kernel::{
    ActionCodes, CaKey, CaPublicKey, Decision, Kernel, Oda, OdaMethod, TerminalConfig,
    TransactionRequest,
};
use mpay::emv::oda::sm2;
use mpay::gmt::sm2::PrivateKey;
use mpay::iso8583::frame::codec::FrameCodec;
use mpay::iso8583::frame::{Framing, LengthHeader};
use mpay::iso8583::mux::{Mux, MuxConfig};
use mpay::iso8583::{Message, MessageView, Spec, specs};
use mpay::tokenization::pan::Pan;
use mpay::tokenization::payment::{
    AuthRequest, Channel, DomainControls, IdvMethod, TokenBinRange, TokenRequestor, TokenState, Tsp,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{FramedRead, FramedWrite};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

const SPEC: &Spec = &specs::ISO87_BINARY;
const FRAMING: Framing = Framing::new(LengthHeader::Binary2, 8192);
const CARDHOLDER_PAN: &str = "4761739001010119";
const WALLET: &str = "40010075001";
const MERCHANT: &str = "MPAYDEMOSHOP001";
const TODAY_YYMM: u16 = 2611;

fn issuer_keys() -> Res<IssuerKeys> {
    Ok(IssuerKeys::new(
        TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210")?,
        TdesKey::from_hex("FEDCBA98765432100123456789ABCDEF")?,
        TdesKey::from_hex("89ABCDEF0123456776543210FEDCBA98")?,
    ))
}

/// The issuer host: verifies the ARQC with the keys of the token the card was personalised
/// with (carried in field 48 by the switch), answers 0110 with the ARPC.
async fn issuer_host(listener: TcpListener, t: Transcript) -> Res<()> {
    let keys = issuer_keys()?;
    let (sock, _) = listener.accept().await?;
    let (rd, wr) = sock.into_split();
    let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
    let mut wr = FramedWrite::new(wr, FrameCodec(FRAMING));
    while let Some(frame) = rd.next().await {
        let frame = frame?;
        let req = Message::unpack(SPEC, &frame)?;
        if req.mti.as_str() != "0100" {
            continue;
        }
        // Field 55 as the bytes the terminal sent (the owned message holds it decoded).
        let f55 = MessageView::unpack(SPEC, &frame)?
            .raw(55)
            .unwrap_or_default()
            .to_vec();
        let pan = req.text(2).unwrap_or_default().to_string();
        let token = req.text(48).unwrap_or_default().to_string();
        let psn = req.text(23).unwrap_or("001");
        let psn = &psn[psn.len().saturating_sub(2)..];
        let mut resp = Message::new(SPEC, "0110".parse()?);
        for n in [2, 3, 4, 11, 41, 42, 49] {
            if let Some(v) = req.get(n) {
                resp.set(n, v.clone())?;
            }
        }
        match issuer::authorise(&keys, Cvn::Visa18, &token, psn, &f55, *b"00") {
            Ok(auth) => {
                t.say(
                    "issuer",
                    format!(
                        "ARQC verified for {} (ATC {}), approve",
                        mask_pan(&pan),
                        auth.atc
                    ),
                );
                resp.set(38, "A1B2C3")?;
                resp.set(39, "00")?;
                resp.set(55, auth.field55)?;
            }
            Err(e) => {
                t.say("issuer", format!("decline {}: {e}", mask_pan(&pan)));
                resp.set(39, "05")?;
            }
        }
        let buf = resp.pack()?;
        wr.send(&buf[..]).await?;
    }
    Ok(())
}

/// The switch: one POS connection in, one Mux-managed issuer link out.
async fn switch(
    listener: TcpListener,
    issuer_addr: std::net::SocketAddr,
    tsp: Arc<Tsp>,
    t: Transcript,
) -> Res<()> {
    let link = TcpStream::connect(issuer_addr).await?;
    let (to_issuer, _events) = Mux::start(
        link,
        SPEC,
        FRAMING,
        MuxConfig {
            timeout: Duration::from_secs(5),
            ..MuxConfig::default()
        },
    );
    let (sock, _) = listener.accept().await?;
    let (rd, wr) = sock.into_split();
    let mut rd = FramedRead::new(rd, FrameCodec(FRAMING));
    let mut wr = FramedWrite::new(wr, FrameCodec(FRAMING));
    while let Some(frame) = rd.next().await {
        let req = Message::unpack(SPEC, &frame?)?;
        let token = req.text(2).unwrap_or_default().to_string();
        let mut resp;
        // Route by BIN: 489537 is the TSP's token range.
        if token.starts_with("489537") {
            let auth = AuthRequest::new(
                &token,
                Channel::Contactless,
                req.text(42).unwrap_or(""),
                TODAY_YYMM,
            );
            match tsp.authorize(&auth) {
                Ok(pan) => {
                    let pan = pan.expose().to_string();
                    t.say(
                        "switch",
                        format!(
                            "token {} → PAN {} (TSP, contactless domain)",
                            mask_pan(&token),
                            mask_pan(&pan)
                        ),
                    );
                    let mut fwd = req.clone();
                    fwd.set(2, pan.as_str())?;
                    fwd.set(48, token.as_str())?;
                    resp = to_issuer.request(fwd).await?;
                    resp.set(2, token.as_str())?;
                }
                Err(e) => {
                    t.say(
                        "switch",
                        format!("TSP refused token {}: {e}", mask_pan(&token)),
                    );
                    resp = Message::new(SPEC, "0110".parse()?);
                    for n in [2, 3, 4, 11, 41, 42, 49] {
                        if let Some(v) = req.get(n) {
                            resp.set(n, v.clone())?;
                        }
                    }
                    resp.set(39, "62")?; // restricted card
                }
            }
        } else {
            t.say(
                "switch",
                format!("no route for BIN of {}", mask_pan(&token)),
            );
            resp = Message::new(SPEC, "0110".parse()?);
            resp.set(39, "15")?;
        }
        let buf = resp.pack()?;
        wr.send(&buf[..]).await?;
    }
    Ok(())
}

/// One tap: the kernel against the phone, then the 0100/0110 exchange.
async fn tap(
    phone: &mut Card<Router>,
    pos: &Mux,
    stan: u32,
    amount: u64,
    t: &Transcript,
) -> Res<String> {
    let kernel = Kernel::new(TerminalConfig::demo());
    let req = TransactionRequest {
        amount,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0x00,
        unpredictable_number: (stan.wrapping_mul(2_654_435_761)).to_be_bytes(),
    };
    let out = kernel.run(phone, &req)?;
    for l in &out.log {
        t.say("kernel", l);
    }
    if out.decision != Decision::OnlineRequest {
        return Err(format!("kernel decision {:?}", out.decision).into());
    }
    let pan = out.pan().ok_or("no PAN from the card")?;
    let mut m = Message::new(SPEC, "0100".parse()?);
    m.set(2, pan.as_str())?;
    m.set(3, "000000")?;
    m.set(4, format!("{amount:012}"))?;
    m.set(7, "1121093000")?;
    m.set(11, format!("{stan:06}"))?;
    m.set(12, "093000")?;
    m.set(13, "1121")?;
    if let Some(e) = out.expiry_yymm() {
        m.set(14, e)?;
    }
    m.set(22, "071")?;
    if let Some(psn) = out.psn() {
        m.set(23, psn)?;
    }
    m.set(25, "00")?;
    if let Some(t2) = out.track2() {
        m.set(35, t2)?;
    }
    m.set(41, "POS00001")?;
    m.set(42, MERCHANT)?;
    m.set(49, "156")?;
    m.set(55, out.field55())?;
    t.say(
        "pos",
        format!(
            "0100 for {} amount {}.{:02} CNY, field 55 {} bytes",
            mask_pan(&pan),
            amount / 100,
            amount % 100,
            out.field55().len()
        ),
    );
    let resp = pos.request(m).await?;
    let rc = resp.text(39).unwrap_or("??").to_string();
    t.say(
        "pos",
        format!(
            "0110 response code {rc}{}",
            if resp.get(55).is_some() {
                " with issuer authentication data (91)"
            } else {
                ""
            }
        ),
    );
    Ok(rc)
}

async fn run(t: Transcript) -> Res<()> {
    // 1. Card binding.
    let tsp = Arc::new(Tsp::new("MPAY", [0x11; 32], [0x22; 32])?);
    tsp.register_requestor(TokenRequestor::new(
        WALLET,
        "mpay demo wallet",
        TokenBinRange::new("489537", "489537", 16)?,
    )?)?;
    let issued = tsp.request_token(
        WALLET,
        &Pan::parse(CARDHOLDER_PAN)?,
        IdvMethod::Otp,
        DomainControls::new(vec![Channel::Contactless]),
    )?;
    t.say(
        "tsp",
        format!(
            "token {} issued for PAN {} (assurance {}, {:?})",
            mask_pan(&issued.token),
            mask_pan(CARDHOLDER_PAN),
            issued.assurance,
            issued.state
        ),
    );
    if issued.state != TokenState::Active {
        tsp.complete_idv(&issued.token, IdvMethod::Otp)?;
    }

    // 2. The phone: PPSE + an HCE card personalised with the token.
    let profile = CardProfile::visa_demo(&issued.token, Cvn::Visa18, &issuer_keys()?)?;
    let mut router = Router::new();
    router.add_exact(
        Ppse::AID,
        Target::Host,
        Ppse::new(vec![profile.ppse_entry()]),
    );
    let aid = profile.aid.clone();
    router.add_exact(&aid, Target::Host, ContactlessCard::new(profile));
    let mut phone = Card::new(router);

    // 3. Network on loopback: issuer ← switch ← POS.
    let issuer_l = TcpListener::bind("127.0.0.1:0").await?;
    let issuer_addr = issuer_l.local_addr()?;
    let switch_l = TcpListener::bind("127.0.0.1:0").await?;
    let switch_addr = switch_l.local_addr()?;
    tokio::spawn(issuer_host(issuer_l, t.clone()));
    tokio::spawn(switch(switch_l, issuer_addr, tsp.clone(), t.clone()));
    let (pos, _events) = Mux::start(
        TcpStream::connect(switch_addr).await?,
        SPEC,
        FRAMING,
        MuxConfig {
            timeout: Duration::from_secs(5),
            ..MuxConfig::default()
        },
    );
    t.say("pos", format!("connected to the switch at {switch_addr}"));

    // 4. Tap to pay.
    let rc = tap(&mut phone, &pos, 1, 12_880, &t).await?;
    if rc != "00" {
        return Err(format!("first payment: expected approval, got {rc}").into());
    }
    // 5. The wallet is reported lost: the token is suspended; the next tap is refused.
    tsp.transition(&issued.token, TokenState::Suspended)?;
    t.say("tsp", "token suspended");
    let rc = tap(&mut phone, &pos, 2, 3_500, &t).await?;
    if rc == "00" {
        return Err("a suspended token was approved".into());
    }
    // 6. Found again: resumed, approved.
    tsp.transition(&issued.token, TokenState::Active)?;
    t.say("tsp", "token resumed");
    let rc = tap(&mut phone, &pos, 3, 3_500, &t).await?;
    if rc != "00" {
        return Err(format!("after resume: expected approval, got {rc}").into());
    }
    // 7. A UnionPay card with the national algorithms: SM4 cryptogram, SM2 fDDA.
    national_algorithms_tap(&t)?;
    // 8. Offline: a standard-flow card approves small amounts offline and, with the switch
    //    unreachable, the terminal's default action analysis decides.
    offline_taps(&t)?;
    t.say("demo", "all steps ended as expected");
    Ok(())
}

/// A UICS (PBOC 3.0) card on the phone: the terminal asks for the national algorithms (DF69),
/// verifies the card's SM2 certificate chain and fDDA signature, and the issuer checks the
/// SM4 ARQC from field 55.
fn national_algorithms_tap(t: &Transcript) -> Res<()> {
    let (ca, issuer_sm2) = (
        PrivateKey::from_bytes(&[0x0C; 32])?,
        PrivateKey::from_bytes(&[0x1E; 32])?,
    );
    let c90 = sm2::sign_issuer_certificate(
        &ca,
        &issuer_sm2.public_key(),
        [0x62, 0x28, 0x48, 0xFF],
        [0x12, 0x30],
        [0, 0, 1],
    )?;
    let keys = Sm4IssuerKeys::single(Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210")?);
    let pan = "6228480000000000017";
    let profile = CardProfile::pboc_sm4_demo(pan, &keys)?.with_sm2_oda(
        0x0B,
        c90,
        &issuer_sm2,
        PrivateKey::from_bytes(&[0x1C; 32])?,
    )?;
    let router = phone_router(vec![profile]);
    let ca_key = CaKey {
        rid: [0xA0, 0, 0, 0x03, 0x33],
        index: 0x0B,
        key: CaPublicKey::Sm2(ca.public_key()),
    };
    let kernel = Kernel::new(TerminalConfig {
        ca_keys: vec![ca_key],
        ..TerminalConfig::demo()
    });
    let req = TransactionRequest {
        amount: 6_600,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0x00,
        unpredictable_number: [7, 7, 7, 7],
    };
    let out = kernel.run(&mut Card::new(router), &req)?;
    for l in &out.log {
        t.say("kernel", l);
    }
    if out.decision != Decision::OnlineRequest
        || out.oda
            != (Oda::Passed {
                method: OdaMethod::Fdda,
                sm2: true,
            })
    {
        return Err(format!("UICS card: {:?}, ODA {:?}", out.decision, out.oda).into());
    }
    let auth = issuer::authorise_sm4(&keys, pan, "01", &out.field55(), *b"00")?;
    t.say(
        "issuer",
        format!(
            "SM4 ARQC verified for {} (ATC {}), ARPC returned",
            mask_pan(pan),
            auth.atc
        ),
    );
    Ok(())
}

/// A UICS card in the standard flow with offline limits: the first small payment is approved
/// offline by the card (SM2 DDA, SM4 TC); the second goes over its lower consecutive offline
/// limit, so the terminal asks to go online, cannot, and completes with ARC Y3 — approved
/// offline within the card's upper limit. The issuer later verifies the first TC (clearing).
fn offline_taps(t: &Transcript) -> Res<()> {
    let ca = PrivateKey::from_bytes(&[0x0C; 32])?;
    let issuer_sm2 = PrivateKey::from_bytes(&[0x1E; 32])?;
    let c90 = sm2::sign_issuer_certificate(
        &ca,
        &issuer_sm2.public_key(),
        [0x62, 0x28, 0x48, 0xFF],
        [0x12, 0x30],
        [0, 0, 2],
    )?;
    let keys = Sm4IssuerKeys::single(Sm4Key::from_hex("0123456789ABCDEFFEDCBA9876543210")?);
    let pan = "6228480000000000025";
    let mut profile = CardProfile::pboc_sm4_demo(pan, &keys)?;
    profile.flow = GpoFlow::Standard;
    profile.cdol1 = [STANDARD_CDOL1, &[0xDF, 0x69, 0x01]].concat();
    profile.cvm_list = ONLINE_PIN_CVM_LIST.to_vec();
    profile.iac = Some(ActionCodes {
        denial: [0; 5],
        online: [0xDC, 0x40, 0x80, 0xF0, 0x00],
        default: [0xDC, 0x40, 0x80, 0x20, 0x00],
    });
    profile.offline_limits = Some(OfflineLimits {
        lower_consecutive: 1,
        upper_consecutive: 3,
        cumulative_amount: 20_000,
    });
    let profile =
        profile.with_sm2_oda(0x0B, c90, &issuer_sm2, PrivateKey::from_bytes(&[0x2D; 32])?)?;
    let mut phone = Card::new(phone_router(vec![profile]));
    let kernel = Kernel::new(TerminalConfig {
        ca_keys: vec![CaKey {
            rid: [0xA0, 0, 0, 0x03, 0x33],
            index: 0x0B,
            key: CaPublicKey::Sm2(ca.public_key()),
        }],
        floor_limit: 10_000,
        ..TerminalConfig::demo()
    });
    let req = |un: u8| TransactionRequest {
        amount: 4_500,
        amount_other: 0,
        date: [0x26, 0x11, 0x21],
        transaction_type: 0x00,
        unpredictable_number: [un, 0x42, 0x42, un],
    };
    let first = kernel.run(&mut phone, &req(1))?;
    for l in &first.log {
        t.say("kernel", l);
    }
    if first.decision != Decision::ApprovedOffline {
        return Err(format!("offline tap: expected a TC, got {:?}", first.decision).into());
    }
    t.say("pos", "approved offline (TC): kept for clearing");
    let second = kernel.run(&mut phone, &req(2))?;
    for l in &second.log {
        t.say("kernel", l);
    }
    if second.decision != Decision::OnlineRequest {
        return Err(format!("second tap: expected an ARQC, got {:?}", second.decision).into());
    }
    t.say("pos", "no line to the switch: completing offline");
    let done = kernel.complete_unable_online(&mut phone, &second)?;
    for l in &done.log {
        t.say("kernel", l);
    }
    if !done.approved {
        return Err("unable to go online: expected approval within the upper limit".into());
    }
    // Clearing: the issuer verifies the offline TC as it verifies an ARQC.
    let cleared = issuer::authorise_sm4(&keys, pan, "01", &first.field55(), *b"00")?;
    t.say(
        "issuer",
        format!(
            "clearing: SM4 TC of {} (ATC {}) verified",
            mask_pan(pan),
            cleared.atc
        ),
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let t = Transcript::default();
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Into::into)
        .and_then(|rt| rt.block_on(run(t.clone())));
    common::finish("contactless", &t, result)
}
