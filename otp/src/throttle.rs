//! Throttling and lockout (RFC 4226 §7.3): after `free_failures` consecutive failures each
//! further attempt waits an exponentially growing delay; after `lockout_after` failures the
//! credential is locked until [`ThrottleState::reset`].
//!
//! ```
//! use mpay_otp::throttle::{ThrottlePolicy, ThrottleState};
//! let policy = ThrottlePolicy { free_failures: 3, base_delay: 2, max_delay: 60, lockout_after: 10 };
//! let mut st = ThrottleState::default();
//! for _ in 0..3 { policy.check(&st, 1000)?; policy.record_failure(&mut st, 1000); }
//! // 3 failures: the next attempt must wait base_delay seconds.
//! assert!(policy.check(&st, 1001).is_err());
//! assert!(policy.check(&st, 1002).is_ok());
//! # Ok::<(), mpay_otp::Error>(())
//! ```

use crate::{Error, Result};

/// Back-off and lockout settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Consecutive failures allowed without delay.
    pub free_failures: u32,
    /// Delay (seconds) after the first failure beyond `free_failures`; doubles each time.
    pub base_delay: u64,
    /// Upper bound of the delay (seconds).
    pub max_delay: u64,
    /// Consecutive failures after which the credential is locked (0 = never).
    pub lockout_after: u32,
}

impl Default for ThrottlePolicy {
    /// 3 free failures, then 1 s, 2 s, 4 s … up to 5 minutes; locked after 10.
    fn default() -> Self {
        ThrottlePolicy {
            free_failures: 3,
            base_delay: 1,
            max_delay: 300,
            lockout_after: 10,
        }
    }
}

/// Per-credential failure record (persist it beside the credential).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThrottleState {
    /// Consecutive failures.
    pub failures: u32,
    /// Unix time of the last failure.
    pub last_failure: u64,
}

impl ThrottleState {
    /// Clears failures (after a success or an administrator's unlock).
    pub fn reset(&mut self) {
        *self = ThrottleState::default();
    }
}

impl ThrottlePolicy {
    /// Whether the credential is locked.
    pub fn is_locked(&self, st: &ThrottleState) -> bool {
        self.lockout_after != 0 && st.failures >= self.lockout_after
    }

    /// The earliest time of the next attempt.
    pub fn next_attempt_at(&self, st: &ThrottleState) -> u64 {
        if self.is_locked(st) {
            return u64::MAX;
        }
        if st.failures < self.free_failures || st.failures == 0 {
            return 0;
        }
        let exp = (st.failures - self.free_failures).min(63);
        let delay = self
            .base_delay
            .checked_shl(exp)
            .unwrap_or(u64::MAX)
            .min(self.max_delay);
        st.last_failure.saturating_add(delay)
    }

    /// `Ok` if an attempt is allowed at `now`, else [`Error::Throttled`].
    pub fn check(&self, st: &ThrottleState, now: u64) -> Result<()> {
        let at = self.next_attempt_at(st);
        if now >= at {
            Ok(())
        } else {
            Err(Error::Throttled {
                retry_at: at,
                locked: self.is_locked(st),
            })
        }
    }

    /// Records a failed attempt at `now`.
    pub fn record_failure(&self, st: &mut ThrottleState, now: u64) {
        st.failures = st.failures.saturating_add(1);
        st.last_failure = now;
    }

    /// Records a success: the failure count starts again.
    pub fn record_success(&self, st: &mut ThrottleState) {
        st.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps_then_locks() {
        let p = ThrottlePolicy {
            free_failures: 2,
            base_delay: 10,
            max_delay: 35,
            lockout_after: 6,
        };
        let mut st = ThrottleState::default();
        let mut delays = std::vec::Vec::new();
        for i in 0..6 {
            p.record_failure(&mut st, 1000 + i);
            delays.push(p.next_attempt_at(&st).saturating_sub(1000 + i));
        }
        // failures 1,2 free; 3 → 10 s; 4 → 20 s; 5 → 35 s (cap); 6 → locked.
        assert_eq!(&delays[..5], &[0, 10, 20, 35, 35][..]);
        assert!(p.is_locked(&st));
        assert_eq!(
            p.check(&st, u64::MAX - 1),
            Err(Error::Throttled {
                retry_at: u64::MAX,
                locked: true
            })
        );
        p.record_success(&mut st);
        assert!(p.check(&st, 0).is_ok());
    }
}
