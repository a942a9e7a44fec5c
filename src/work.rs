//! A step counter for the parsers that read what anonymous people send
//! (message recognition, redaction, cutting quoted mail): each ticks it for
//! the bytes it looks at, so a test can show the work is linear in the
//! input without timing anything. Free outside tests.

#[cfg(test)]
thread_local! {
    static STEPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// `n` more bytes looked at.
#[inline]
pub(crate) fn step(_n: usize) {
    #[cfg(test)]
    STEPS.with(|s| s.set(s.get() + _n));
}

/// Runs `f` and returns what it returned with the steps it took.
#[cfg(test)]
pub(crate) fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    STEPS.with(|s| s.set(0));
    let out = f();
    (out, STEPS.with(std::cell::Cell::get))
}
