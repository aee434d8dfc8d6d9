//! Micro benchmarks (criterion): decoding a 200-host page into the generated
//! types against `serde_json::Value`, signing one request, parsing enums.
//!
//! `cargo bench -p hss-bench --bench micro`. Under `cargo test` criterion
//! runs each benchmark once, as a smoke test.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use hss_api::types::ListVulScanTaskHostResponse;
use hss_bench::micro::{self, ENUM_TEXTS, SignCase};

fn decode(c: &mut Criterion) {
    let page = hss_bench::fixture::first_page_of_100k();
    let mut group = c.benchmark_group("decode_page_200_hosts");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("generated_types", |b| {
        b.iter(|| micro::decode_generated(black_box(&page)))
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| micro::decode_value(black_box(&page)))
    });
    group.bench_function("generated_types_utf8_checked_once", |b| {
        b.iter(|| micro::decode_generated_utf8_once(black_box(&page)))
    });
    group.bench_function("hss_ext_decode_page", |b| {
        b.iter(|| micro::decode_hss_ext(black_box(&page)))
    });
    group.bench_function("floor_structs", |b| {
        b.iter(|| micro::decode_floor(black_box(&page)))
    });
    group.finish();
}

fn sign(c: &mut Criterion) {
    let case = SignCase::new();
    c.bench_function("sign_one_request", |b| {
        b.iter_batched_ref(
            || case.headers(),
            |headers| case.sign(black_box(headers)),
            BatchSize::SmallInput,
        )
    });
}

fn enums(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_enums");
    group.throughput(Throughput::Elements(3 * ENUM_TEXTS.len() as u64));
    group.bench_function("every_text_as_each_enum", |b| {
        b.iter(|| micro::parse_enum_texts(black_box(&ENUM_TEXTS)))
    });
    group.finish();

    let page: ListVulScanTaskHostResponse =
        serde_json::from_slice(&hss_bench::fixture::first_page_of_100k())
            .expect("the fixture decodes");
    c.bench_function("typed_fields_of_a_200_host_page", |b| {
        b.iter(|| micro::typed_fields_of_page(black_box(&page)))
    });
}

criterion_group!(benches, decode, sign, enums);
criterion_main!(benches);
