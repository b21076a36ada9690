//! [`Card`]: the terminal-side helper over a [`Transport`] that handles `61xx`, `6Cxx`, command
//! chaining and the length form, every loop bounded.

use alloc::vec::Vec;

use crate::{Class, Command, CommandBuf, Error, LengthForm, Response, Status, Transport, ins};

/// Limits and capabilities for [`Card`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardConfig {
    /// The card accepts extended lengths (from its ATR / EF.ATR, or known). Default `false`.
    pub extended_length: bool,
    /// Most data bytes the card takes in one command; longer data is sent as a chain.
    /// Default 255 (short Lc); at most 65 535.
    pub max_command_data: usize,
    /// Send GET RESPONSE on `61xx`. Default `true`.
    pub get_response: bool,
    /// Most GET RESPONSE rounds for one command before [`Error::GetResponseLimit`]. Default 256.
    pub max_get_response: usize,
    /// Resend with the card's Le on `6Cxx`. Default `true`.
    pub fix_wrong_le: bool,
    /// Most `6Cxx` resends for one command before [`Error::WrongLeLimit`]. Default 2.
    pub max_wrong_le_resends: usize,
    /// Most response data collected for one command before [`Error::ResponseTooLong`].
    /// Default 65 536.
    pub max_response_len: usize,
}

impl Default for CardConfig {
    fn default() -> Self {
        CardConfig {
            extended_length: false,
            max_command_data: 255,
            get_response: true,
            max_get_response: 256,
            fix_wrong_le: true,
            max_wrong_le_resends: 2,
            max_response_len: 65536,
        }
    }
}

impl CardConfig {
    /// Defaults for a card that takes extended lengths (data up to 65 535 bytes per command).
    pub fn extended() -> Self {
        CardConfig {
            extended_length: true,
            max_command_data: 65535,
            ..CardConfig::default()
        }
    }
}

/// Sends commands to a card and returns complete responses.
///
/// * `61xx`: GET RESPONSE (`CLA C0 00 00 xx`, CLA on the command's channel) until the card has
///   given everything, appending the data;
/// * `6Cxx`: the same command again with Le = `xx`;
/// * data longer than [`CardConfig::max_command_data`]: a command chain (CLA b5 set on every
///   block but the last; each intermediate block must get `9000`);
/// * Ne above 256 on a card without extended lengths: Le `00`, the rest through `61xx`.
///
/// Every loop has a bound in [`CardConfig`]; a card that answers `61xx` forever ends in
/// [`Error::GetResponseLimit`].
///
/// ```
/// use mpay_apdu::{Card, CommandBuf, Response, Router, StatusWord, Application, Command};
/// struct Hello;
/// impl Application for Hello {
///     fn process(&mut self, _c: &Command<'_>) -> Response {
///         Response::ok(b"hello".to_vec())
///     }
/// }
/// let mut router = Router::new();
/// router.add_exact(&[0xF0, 0x01, 0x02, 0x03, 0x04], mpay_apdu::Target::Host, Hello);
/// let mut card = Card::new(router);
/// let fci = card.send(&CommandBuf::select_aid(&[0xF0, 0x01, 0x02, 0x03, 0x04]))?;
/// assert_eq!(fci.sw, StatusWord::SUCCESS);
/// let r = card.send(&CommandBuf::new(0x80, 0xCA, 0x00, 0x00).le(256))?;
/// assert_eq!(r.data, b"hello");
/// # Ok::<(), mpay_apdu::Error>(())
/// ```
#[derive(Debug)]
pub struct Card<T> {
    transport: T,
    config: CardConfig,
    buf: Vec<u8>,
}

impl<T: Transport> Card<T> {
    /// A card with the default [`CardConfig`] (short lengths).
    pub fn new(transport: T) -> Self {
        Card::with_config(transport, CardConfig::default())
    }
    /// A card with explicit limits.
    pub fn with_config(transport: T, config: CardConfig) -> Self {
        Card {
            transport,
            config,
            buf: Vec::new(),
        }
    }
    /// The configuration.
    pub fn config(&self) -> &CardConfig {
        &self.config
    }
    /// The configuration, to change.
    pub fn config_mut(&mut self) -> &mut CardConfig {
        &mut self.config
    }
    /// The transport below.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }
    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        self.transport
    }

    /// One exchange exactly as given: no GET RESPONSE, no resend, no chaining.
    pub fn transmit_raw(&mut self, command: &[u8]) -> Result<Response, Error> {
        Response::from_vec(self.transport.transmit(command)?)
    }

    /// Sends an owned command (see [`Card::send_command`]).
    pub fn send(&mut self, command: &CommandBuf) -> Result<Response, Error> {
        self.send_command(&command.view())
    }

    /// Sends a command, chaining, fixing Le and collecting `61xx` data as needed. The card picks
    /// the length form: extended only when needed and [`CardConfig::extended_length`] allows it.
    pub fn send_command(&mut self, command: &Command<'_>) -> Result<Response, Error> {
        let data = command.data();
        let max = self.config.max_command_data.clamp(1, 65535);
        let max = if self.config.extended_length {
            max
        } else {
            max.min(255)
        };
        if data.len() <= max {
            return self.exchange(command.cla(), command, data);
        }
        let blocks = data.len().div_ceil(max);
        let chained = command.class().with_chaining(true)?;
        for (block, chunk) in data.chunks(max).enumerate().take(blocks - 1) {
            let part = Command::new(
                chained.0,
                command.ins(),
                command.p1(),
                command.p2(),
                chunk,
                None,
            );
            let part = self.fit(part);
            self.buf.clear();
            part.encode_into(&mut self.buf)?;
            let r = Response::from_vec(self.transport.transmit(&self.buf)?)?;
            if r.sw != crate::StatusWord::SUCCESS {
                return Err(Error::ChainingRejected {
                    block,
                    blocks,
                    sw: r.sw,
                });
            }
        }
        let last = &data[(blocks - 1) * max..];
        let last_cla = command.class().with_chaining(false)?;
        self.exchange(last_cla.0, command, last)
    }

    /// Picks the form for the card: short unless extended is both needed and allowed; Ne above
    /// what the form carries is capped (the rest comes with `61xx`).
    fn fit<'c>(&self, cmd: Command<'c>) -> Command<'c> {
        if self.config.extended_length && (cmd.nc() > 255 || cmd.ne().is_some_and(|n| n > 256)) {
            cmd.with_form(LengthForm::Extended)
        } else {
            let ne = cmd.ne().map(|n| n.min(256));
            cmd.with_form(LengthForm::Short).with_ne(ne)
        }
    }

    fn transmit_cmd(&mut self, cmd: &Command<'_>) -> Result<Response, Error> {
        self.buf.clear();
        cmd.encode_into(&mut self.buf)?;
        Response::from_vec(self.transport.transmit(&self.buf)?)
    }

    fn exchange(&mut self, cla: u8, orig: &Command<'_>, data: &[u8]) -> Result<Response, Error> {
        let cmd = self.fit(Command::new(
            cla,
            orig.ins(),
            orig.p1(),
            orig.p2(),
            data,
            orig.ne(),
        ));
        let mut resends = 0usize;
        let mut resp = self.resend_loop(cmd, &mut resends)?;
        let mut rounds = 0usize;
        let gr_cla = Class(0x00)
            .with_channel(orig.channel())
            .unwrap_or(Class(0x00));
        while self.config.get_response {
            let Status::MoreData(n) = resp.sw.status() else {
                break;
            };
            if rounds >= self.config.max_get_response {
                return Err(Error::GetResponseLimit { rounds });
            }
            rounds += 1;
            let gr = Command::new(gr_cla.0, ins::GET_RESPONSE, 0, 0, &[], Some(n));
            let next = self.resend_loop(gr, &mut resends)?;
            if resp.data.len() + next.data.len() > self.config.max_response_len {
                return Err(Error::ResponseTooLong {
                    limit: self.config.max_response_len,
                });
            }
            resp.data.extend_from_slice(&next.data);
            resp.sw = next.sw;
        }
        Ok(resp)
    }

    /// Sends `cmd`, resending with the corrected Le on `6Cxx` (bounded by `resends`).
    fn resend_loop(
        &mut self,
        mut cmd: Command<'_>,
        resends: &mut usize,
    ) -> Result<Response, Error> {
        loop {
            let r = self.transmit_cmd(&cmd)?;
            if r.data.len() > self.config.max_response_len {
                return Err(Error::ResponseTooLong {
                    limit: self.config.max_response_len,
                });
            }
            match r.sw.status() {
                Status::WrongLe(n) if self.config.fix_wrong_le => {
                    if *resends >= self.config.max_wrong_le_resends {
                        return Err(Error::WrongLeLimit {
                            resends: *resends,
                            sw: r.sw,
                        });
                    }
                    *resends += 1;
                    cmd = cmd.with_ne(Some(n));
                }
                _ => return Ok(r),
            }
        }
    }
}
