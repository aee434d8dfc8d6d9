//! Decodes the 200-host fixture page N times with one decoder, for
//! instruction counts: `valgrind --tool=callgrind decode-count CASE N`;
//! run with two values of N and take the difference over the pages.

use std::hint::black_box;

use hss_bench::micro;

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| "generated".into());
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let decode: fn(&[u8]) -> usize = match case.as_str() {
        "generated" => micro::decode_generated,
        "utf8-once" => micro::decode_generated_utf8_once,
        "value" => micro::decode_value,
        "floor" => micro::decode_floor,
        "hss-ext" => micro::decode_hss_ext,
        other => {
            eprintln!("decode-count: unknown case {other:?}");
            std::process::exit(2);
        }
    };
    let page = hss_bench::fixture::first_page_of_100k();
    let mut hosts = 0;
    for _ in 0..n {
        hosts += decode(black_box(&page));
    }
    println!(
        "{case}: {n} pages, {hosts} hosts, {} bytes a page",
        page.len()
    );
}
