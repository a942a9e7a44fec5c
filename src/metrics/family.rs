//! Labelled series: counters and histograms keyed by their label values.
//! A `Mutex`'d map, because label sets arrive at run time (routes, codes);
//! every caller passes values from a small closed set, so the maps stay small.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Upper bounds, in seconds, of every histogram's buckets: from a fast page
/// (5 ms) to the request timeout (30 s).
pub const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0,
];

/// One series per label set, each a `V`: a count, or a histogram's
/// observations.
pub struct Family<V> {
    pub name: &'static str,
    pub help: &'static str,
    pub labels: &'static [&'static str],
    series: Mutex<BTreeMap<Vec<String>, V>>,
}

/// A counter per label set.
pub type Counters = Family<u64>;

/// A histogram per label set, over `BUCKETS`.
pub type Histograms = Family<Observed>;

impl<V: Clone + Default> Family<V> {
    pub const fn new(
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            help,
            labels,
            series: Mutex::new(BTreeMap::new()),
        }
    }

    /// Applies `change` to the series for `values`, made empty the first time.
    fn update(&self, values: &[&str], change: impl FnOnce(&mut V)) {
        debug_assert_eq!(values.len(), self.labels.len(), "{}", self.name);
        let key = values.iter().map(|v| (*v).to_string()).collect();
        change(lock(&self.series).entry(key).or_default());
    }

    pub fn snapshot(&self) -> Vec<(Vec<String>, V)> {
        lock(&self.series)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

impl Counters {
    pub fn add(&self, values: &[&str], by: u64) {
        self.update(values, |count| *count += by);
    }
}

/// One histogram's observations: a count per bucket (not yet cumulative),
/// then the sum and the count of all of them.
#[derive(Clone, Default)]
pub struct Observed {
    pub buckets: [u64; BUCKETS.len()],
    pub sum: f64,
    pub count: u64,
}

impl Histograms {
    pub fn observe(&self, values: &[&str], seconds: f64) {
        self.update(values, |observed| {
            if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
                observed.buckets[i] += 1;
            }
            observed.sum += seconds;
            observed.count += 1;
        });
    }
}

/// A panic while a counter was held cannot leave it half-written (each
/// update is one `+=`), so a poisoned lock is used as it is.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
