//! Clocks: the wall clock, or a virtual one that moves only when told to (and never back).

use std::time::{SystemTime, UNIX_EPOCH};

/// The wall clock, in Unix seconds.
pub fn wall_clock() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// A clock in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clock {
    /// The wall clock.
    Real,
    /// A virtual clock at this time.
    Virtual(f64),
}

impl Clock {
    /// The time now.
    pub fn now(&self) -> f64 {
        match self {
            Clock::Real => wall_clock(),
            Clock::Virtual(t) => *t,
        }
    }

    /// Moves a virtual clock forward to `t` (never backwards); the wall clock moves itself.
    pub fn advance_to(&mut self, t: f64) {
        if let Clock::Virtual(now) = self
            && t > *now
        {
            *now = t;
        }
    }

    /// Whether the clock is virtual.
    pub fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_virtual_clock_never_goes_back() {
        let mut c = Clock::Virtual(10.0);
        c.advance_to(5.0);
        assert_eq!(c.now(), 10.0);
        c.advance_to(12.5);
        assert_eq!(c.now(), 12.5);
        let real = Clock::Real;
        assert!(real.now() > 1.7e9 && !real.is_virtual());
    }
}
