//! The micro benchmarks' ratios measured in one run, interleaved: every
//! round times a batch of each case back to back, so load from other work
//! on a shared machine hits all cases alike. Criterion (`cargo bench -p
//! hss-bench --bench micro`) gives the careful absolute figures; this gives
//! the ratios that the targets are about, and the medians for the report.
//!
//! `cargo run --release -p hss-bench --bin micro-report [-- --quick]`

use std::hint::black_box;
use std::time::{Duration, Instant};

use clap::Parser;
use hss_api::types::ListVulScanTaskHostResponse;
use hss_bench::micro::{self, ENUM_TEXTS, SignCase};
use hss_bench::stats::median;

/// Interleaved micro benchmarks of decoding, signing and enum parsing.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// 5 rounds of 5 ms batches instead of 31 rounds of 20 ms.
    #[arg(long)]
    quick: bool,
}

struct Case<'a> {
    name: &'static str,
    run: Box<dyn FnMut() -> usize + 'a>,
    iterations: u64,
    ns_per_op: Vec<f64>,
}

fn main() {
    let args = Args::parse();
    let (rounds, batch) = if args.quick {
        (5, Duration::from_millis(5))
    } else {
        (31, Duration::from_millis(20))
    };
    if cfg!(debug_assertions) {
        eprintln!("micro-report: WARNING: a debug build; figures mean nothing (use --release)");
    }
    let page = hss_bench::fixture::first_page_of_100k();
    let decoded: ListVulScanTaskHostResponse =
        serde_json::from_slice(&page).expect("the fixture decodes");
    let sign = SignCase::new();

    let mut cases = vec![
        Case::new("decode 200-host page: generated types", || {
            micro::decode_generated(black_box(&page))
        }),
        Case::new("decode 200-host page: serde_json::Value", || {
            micro::decode_value(black_box(&page))
        }),
        Case::new("decode 200-host page: floor structs", || {
            micro::decode_floor(black_box(&page))
        }),
        Case::new(
            "decode 200-host page: generated types, UTF-8 checked once",
            || micro::decode_generated_utf8_once(black_box(&page)),
        ),
        Case::new("decode 200-host page: hss_ext::decode_page", || {
            micro::decode_hss_ext(black_box(&page))
        }),
        Case::new("sign one request (fixed clock)", || {
            let mut headers = sign.headers();
            sign.sign(black_box(&mut headers));
            headers.len()
        }),
        Case::new("parse 14 texts as each of the 3 enums", || {
            micro::parse_enum_texts(black_box(&ENUM_TEXTS))
        }),
        Case::new("typed fields of a 200-host page", || {
            micro::typed_fields_of_page(black_box(&decoded))
        }),
    ];
    for case in &mut cases {
        case.calibrate(batch);
    }
    for round in 0..rounds {
        let n = cases.len();
        for i in 0..n {
            cases[(i + round) % n].time_batch();
        }
    }

    println!(
        "# hss-bench micro-report: {rounds} interleaved rounds, page of {} bytes",
        page.len()
    );
    println!("machine: {}", hss_bench::machine::Machine::read());
    println!();
    println!("| case | median per op | min per op |");
    println!("| --- | ---: | ---: |");
    for case in &cases {
        let min = case.ns_per_op.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "| {} | {} | {} |",
            case.name,
            human(median(&case.ns_per_op).unwrap_or(f64::NAN)),
            human(min)
        );
    }
    let speedup = paired_ratio(&cases[1].ns_per_op, &cases[0].ns_per_op);
    let floor = paired_ratio(&cases[2].ns_per_op, &cases[0].ns_per_op);
    println!();
    println!(
        "decode speed-up of the generated types over serde_json::Value: {speedup:.2}x (target ≥ 1.5: {})",
        if speedup >= 1.5 { "met" } else { "MISSED" }
    );
    println!("floor structs time / generated types time: {floor:.2}");
    let once = paired_ratio(&cases[3].ns_per_op, &cases[0].ns_per_op);
    println!("UTF-8 checked once time / generated types time: {once:.2}");
    let ext = paired_ratio(&cases[4].ns_per_op, &cases[0].ns_per_op);
    let ext_value = paired_ratio(&cases[1].ns_per_op, &cases[4].ns_per_op);
    println!(
        "hss_ext::decode_page time / generated types time: {ext:.2}; speed-up over serde_json::Value: {ext_value:.2}x (target ≥ 1.5: {})",
        if ext_value >= 1.5 { "met" } else { "MISSED" }
    );
}

impl<'a> Case<'a> {
    fn new(name: &'static str, run: impl FnMut() -> usize + 'a) -> Case<'a> {
        Case {
            name,
            run: Box::new(run),
            iterations: 1,
            ns_per_op: Vec::new(),
        }
    }

    /// Finds how many iterations take about `batch`.
    fn calibrate(&mut self, batch: Duration) {
        let mut iterations = 1u64;
        loop {
            let started = Instant::now();
            for _ in 0..iterations {
                black_box((self.run)());
            }
            let took = started.elapsed();
            if took >= batch / 4 || iterations >= 1 << 30 {
                let scale = batch.as_secs_f64() / took.as_secs_f64().max(1e-9);
                self.iterations = ((iterations as f64 * scale) as u64).max(1);
                return;
            }
            iterations *= 4;
        }
    }

    fn time_batch(&mut self) {
        let started = Instant::now();
        for _ in 0..self.iterations {
            black_box((self.run)());
        }
        let ns = started.elapsed().as_nanos() as f64 / self.iterations as f64;
        self.ns_per_op.push(ns);
    }
}

/// The median over rounds of `top[i] / bottom[i]`.
fn paired_ratio(top: &[f64], bottom: &[f64]) -> f64 {
    let ratios: Vec<f64> = top.iter().zip(bottom).map(|(t, b)| t / b).collect();
    median(&ratios).unwrap_or(f64::NAN)
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}
