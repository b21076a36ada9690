//! The [`Transport`] trait: one command out, one response back.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::Error;

/// Anything that carries one command APDU to a card and brings back its response APDU
/// (data + SW1 SW2), unchanged: a PC/SC reader, an NFC controller, a socket, or the in-process
/// [`Router`](crate::Router) of a software card.
///
/// A transport does no APDU-level processing (no GET RESPONSE, no chaining): that is
/// [`Card`](crate::Card)'s job. It is object safe: `Box<dyn Transport>` and `&mut dyn Transport`
/// are transports too.
///
/// ```
/// use mpay_apdu::{Error, Transport};
/// /// A card that answers every command with 6D00.
/// struct Mute;
/// impl Transport for Mute {
///     fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, Error> {
///         Ok(vec![0x6D, 0x00])
///     }
/// }
/// let mut t: Box<dyn Transport> = Box::new(Mute);
/// assert_eq!(t.transmit(&[0x00, 0xCA, 0x9F, 0x36])?, [0x6D, 0x00]);
/// # Ok::<(), Error>(())
/// ```
pub trait Transport {
    /// Sends the command bytes and returns the response bytes (data followed by SW1 SW2).
    ///
    /// Errors are failures of the link ([`Error::Transport`]), never card status words.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, Error>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, Error> {
        (**self).transmit(command)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, Error> {
        (**self).transmit(command)
    }
}
