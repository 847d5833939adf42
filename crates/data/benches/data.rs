//! Import throughput in bars per second on a 1,000,000-bar file:
//!
//! - `csv_import/gauntlet`: [`import_csv`] (detection, checks, ordering) on plain CSV;
//! - `csv_import/gauntlet_gzip`: the same file gzip-compressed;
//! - `csv_import/reference_csv_crate`: the reference, the `csv` crate reading the same file and parsing
//!   the five numbers of each row, nothing else, to show what our checks cost on top;
//! - `parquet/load` and `parquet/write`: [`read_parquet`] / [`write_parquet`] of the same bars.
//!
//! Run: `cargo bench -p gauntlet-data --bench data`. Criterion prints `thrpt` in elements (bars) per
//! second.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_core::Timestamp;
use gauntlet_data::{ImportOptions, ParquetMetadata, import_csv, read_parquet, write_parquet};

const BARS: usize = 1_000_000;
const MINUTE_MS: i64 = 60_000;

/// Writes a deterministic 1-minute OHLCV random-looking walk (no RNG: a fixed arithmetic sequence).
fn write_csv(path: &Path) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "timestamp,open,high,low,close,volume").unwrap();
    let start = Timestamp::from_ymd(2020, 1, 1).unwrap().millis();
    let mut close = 100.0f64;
    for index in 0..BARS {
        let phase = index as f64;
        let step = 0.001 * ((phase * 0.731).sin() + 0.5 * (phase * 0.0173).cos());
        let open = close;
        close = (open * (1.0 + step)).max(1.0);
        let high = open.max(close) * (1.0 + 0.0004 * (phase * 1.37).sin().abs());
        let low = open.min(close) * (1.0 - 0.0004 * (phase * 2.11).cos().abs());
        let volume = 1_000.0 + (index % 977) as f64;
        let time = Timestamp(start + index as i64 * MINUTE_MS);
        writeln!(
            out,
            "{time},{open:.5},{high:.5},{low:.5},{close:.5},{volume}"
        )
        .unwrap();
    }
}

fn reference_read(path: &Path) -> f64 {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut record = csv::ByteRecord::new();
    let mut checksum = 0.0;
    while reader.read_byte_record(&mut record).unwrap() {
        for field in 1..6 {
            let text = std::str::from_utf8(&record[field]).unwrap();
            checksum += text.parse::<f64>().unwrap();
        }
    }
    checksum
}

fn benches(criterion: &mut Criterion) {
    let folder = tempfile::tempdir().unwrap();
    let csv_path = folder.path().join("bars.csv");
    write_csv(&csv_path);
    let gzip_path = folder.path().join("bars.csv.gz");
    {
        let mut encoder = flate2::write::GzEncoder::new(
            std::fs::File::create(&gzip_path).unwrap(),
            flate2::Compression::default(),
        );
        encoder
            .write_all(&std::fs::read(&csv_path).unwrap())
            .unwrap();
        encoder.finish().unwrap();
    }
    let options = ImportOptions::default();
    let series = import_csv(&csv_path, &options).unwrap().series;
    assert_eq!(series.len(), BARS);
    let parquet_path = folder.path().join("bars.parquet");
    let metadata = ParquetMetadata::from([("symbol".to_string(), "SYNTH".to_string())]);
    write_parquet(&parquet_path, &series, &metadata).unwrap();

    let mut group = criterion.benchmark_group("csv_import");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(BARS as u64));
    group.bench_function("gauntlet", |bench| {
        bench.iter(|| black_box(import_csv(&csv_path, &options).unwrap().series.len()))
    });
    group.bench_function("gauntlet_gzip", |bench| {
        bench.iter(|| black_box(import_csv(&gzip_path, &options).unwrap().series.len()))
    });
    group.bench_function("reference_csv_crate", |bench| {
        bench.iter(|| black_box(reference_read(&csv_path)))
    });
    group.finish();

    let mut group = criterion.benchmark_group("parquet");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(BARS as u64));
    group.bench_function("load", |bench| {
        bench.iter(|| black_box(read_parquet(&parquet_path).unwrap().0.len()))
    });
    let out_path = folder.path().join("out.parquet");
    group.bench_function("write", |bench| {
        bench.iter(|| write_parquet(&out_path, &series, &metadata).unwrap())
    });
    group.finish();
}

criterion_group!(data, benches);
criterion_main!(data);
