//! A small deterministic PRNG: splitmix64. Plenty for synthetic data, and it
//! keeps the output stable across versions of any crate.

#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// An independent stream for item `index` of a kind (`stream`).
    pub(super) fn for_item(seed: u64, stream: u64, index: u64) -> Self {
        Self(mix(
            mix(seed ^ stream.wrapping_mul(GOLDEN)) ^ index.wrapping_mul(GOLDEN)
        ))
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..hi`.
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    pub(super) fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(total);
        for &(item, weight) in items {
            if r < weight {
                return item;
            }
            r -= weight;
        }
        items[items.len() - 1].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rng_is_deterministic_and_in_range() {
        let mut a = Rng::for_item(7, 1, 42);
        let mut b = Rng::for_item(7, 1, 42);
        for _ in 0..1_000 {
            assert_eq!(a.next_u64(), b.next_u64());
            let n = a.below(10);
            assert!(n < 10);
            b.below(10);
            let u = a.unit();
            assert!((0.0..1.0).contains(&u));
            b.unit();
        }
        assert_ne!(
            Rng::for_item(7, 1, 42).next_u64(),
            Rng::for_item(7, 1, 43).next_u64()
        );
    }
}
