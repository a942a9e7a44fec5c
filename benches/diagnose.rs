//! Not a timed test: prints how long reading a pasted message takes per KB,
//! for a pathological shape (one long token full of numbers, which used to
//! cost the square of its length) and for ordinary text.
//!
//! cargo bench --bench diagnose [-- MAX_KB]

use std::time::Instant;

use apidesk::kb::diagnose;

fn main() {
    // A cap on the sizes tried, for timing an old quadratic version.
    let max_kb: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(256);
    let shapes: [(&str, &str); 3] = [
        ("numbers in one token", "100:"),
        ("numbers after a URL", "=100"),
        ("ordinary prose", "the request failed again today, "),
    ];
    println!(
        "{:<22} {:>7} {:>12} {:>10}",
        "shape", "KB", "µs per call", "µs per KB"
    );
    for (name, unit) in shapes {
        for kb in [4, 16, 64, 256].into_iter().filter(|&kb| kb <= max_kb) {
            let text = unit.repeat(kb * 1024 / unit.len());
            let runs = 5;
            let start = Instant::now();
            for _ in 0..runs {
                std::hint::black_box(diagnose(std::hint::black_box(&text)));
            }
            let per_call = start.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
            println!(
                "{name:<22} {kb:>7} {per_call:>12.1} {:>10.2}",
                per_call / kb as f64
            );
        }
    }
}
