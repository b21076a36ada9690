//! Benchmarks on the reference 0100 (20 fields, 132-byte field 55) in the 1987 binary/BCD and
//! ASCII specs: unpack, pack into a reused buffer (heap allocations counted), unpack + field 55
//! BER-TLV decode, and the routing scanner. With MPAY_PYTHON set, pyiso8583 is timed on the
//! same message in the same run (benches/pyiso_bench.py).
//!
//! Time is the benchmark thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall time: the
//! machines this runs on are shared, and CPU time leaves out the time other processes hold the
//! core. pyiso8583 is timed the same way (`time.thread_time`).

#![allow(missing_docs)] // criterion_group! generates an undocumented function

mod reference;

use std::alloc::System;
use std::hint::black_box;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mpay_iso8583::{MessageView, Spec, scan::scan, specs};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Thread CPU time as a criterion measurement.
struct CpuTime;

impl Measurement for CpuTime {
    type Intermediate = cpu_time::ThreadTime;
    type Value = std::time::Duration;
    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }
    fn add(&self, a: &Self::Value, b: &Self::Value) -> Self::Value {
        *a + *b
    }
    fn zero(&self) -> Self::Value {
        std::time::Duration::ZERO
    }
    fn to_f64(&self, v: &Self::Value) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NanoFormatter
    }
}

/// Formats nanoseconds (CPU) and elements per CPU second.
struct NanoFormatter;

impl ValueFormatter for NanoFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        if typical < 1e3 {
            "ns (cpu)"
        } else {
            for v in values.iter_mut() {
                *v /= 1e3;
            }
            "µs (cpu)"
        }
    }
    fn scale_throughputs(&self, typical: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let per = match t {
            Throughput::Elements(n) => *n as f64,
            _ => 1.0,
        };
        let _ = typical;
        for v in values.iter_mut() {
            *v = per * 1e9 / *v / 1e6;
        }
        "M msg/s (cpu)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn allocations_per_pack(spec: &Spec) -> f64 {
    let m = reference::reference(spec);
    let mut buf = Vec::with_capacity(1024);
    m.pack_into(&mut buf).unwrap();
    let n = 10_000;
    let region = Region::new(GLOBAL);
    for _ in 0..n {
        buf.clear();
        m.pack_into(&mut buf).unwrap();
        black_box(&buf);
    }
    let s = region.change();
    (s.allocations + s.reallocations) as f64 / n as f64
}

fn allocations_per_unpack(spec: &Spec) -> f64 {
    let wire = reference::reference(spec).pack().unwrap();
    let n = 10_000;
    let region = Region::new(GLOBAL);
    for _ in 0..n {
        black_box(MessageView::unpack(spec, black_box(&wire)).unwrap());
    }
    let s = region.change();
    (s.allocations + s.reallocations) as f64 / n as f64
}

fn bench(c: &mut Criterion<CpuTime>) {
    for (name, spec) in [
        ("bin", &specs::ISO87_BINARY),
        ("ascii", &specs::ISO87_ASCII),
    ] {
        let m = reference::reference(spec);
        let wire = m.pack().unwrap();
        println!(
            "reference 0100 {name}: {} bytes; heap allocations per pack {}, per unpack {}",
            wire.len(),
            allocations_per_pack(spec),
            allocations_per_unpack(spec)
        );
        let mut g = c.benchmark_group(format!("iso87{name}"));
        g.throughput(Throughput::Elements(1));
        #[allow(clippy::redundant_closure)]
        g.bench_function(format!("unpack_0100_20f_{name}"), |b| {
            b.iter(|| MessageView::unpack(spec, black_box(&wire)).unwrap())
        });
        let mut buf = Vec::with_capacity(1024);
        g.bench_function(format!("pack_0100_20f_{name}"), |b| {
            b.iter(|| {
                buf.clear();
                m.pack_into(&mut buf).unwrap();
                black_box(buf.len())
            })
        });
        g.bench_function(format!("unpack_f55_tlv_{name}"), |b| {
            b.iter(|| {
                let v = MessageView::unpack(spec, black_box(&wire)).unwrap();
                let f55 = v.bin(55).unwrap();
                let mut n = 0usize;
                for t in mpay_emv_tlv::Options::strict_ber().iter(&f55) {
                    let t = t.unwrap();
                    n += t.value().len() + t.tag().as_bytes().len();
                }
                black_box(n)
            })
        });
        g.bench_function(format!("unpack_f55_owned_{name}"), |b| {
            b.iter(|| {
                let v = MessageView::unpack(spec, black_box(&wire)).unwrap();
                black_box(v.field(55).unwrap().value().unwrap())
            })
        });
        g.bench_function(format!("scan_11_41_{name}"), |b| {
            b.iter(|| {
                let s = scan(spec, black_box(&wire), &[11, 41]).unwrap();
                black_box((s.u64(11), s.raw(41)))
            })
        });
        g.finish();
    }
    if let Ok(py) = std::env::var("MPAY_PYTHON") {
        let mut cmd = std::process::Command::new(py);
        cmd.arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/pyiso_bench.py"
        ));
        cmd.arg(reference::F55_HEX);
        for (n, v) in reference::TEXT {
            cmd.arg(format!("{n}={v}"));
        }
        match cmd.output() {
            Ok(o) => print!("{}", String::from_utf8_lossy(&o.stdout)),
            Err(e) => eprintln!("pyiso8583 not run: {e}"),
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench
}
criterion_main!(benches);
