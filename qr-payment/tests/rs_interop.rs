//! The GF(32) Reed–Solomon codec against reedsolo (PyPI, through `MPAY_PYTHON`), which can
//! express Chirp's code: `RSCodec(8, nsize=31, c_exp=5, prim=0x25, generator=2, fcr=1)` applied
//! to `data + [0] * (23 - k)`. reedsolo computes the parities of random frames; our encoder must
//! agree, and our decoder must repair what reedsolo's corrupted words (errors and erasures).

mod common;

use common::{Rng, python, run_python};
use mpay_qr_payment::audio::rs;

const SCRIPT: &str = r#"
import sys, random, reedsolo
rs = reedsolo.RSCodec(8, nsize=31, c_exp=5, prim=0x25, generator=2, fcr=1)
random.seed(int(sys.stdin.readline()))
for _ in range(300):
    k = random.choice([10, 12, 1, 23, random.randint(1, 23)])
    data = [random.randrange(32) for _ in range(k)]
    parity = list(rs.encode(bytearray(data + [0] * (23 - k))))[23:]
    word = data + parity
    rho = random.randint(0, 8)
    nerr = random.randint(0, (8 - rho) // 2)
    pos = random.sample(range(len(word)), rho + nerr)
    bad = list(word)
    for i, p in enumerate(pos):
        bad[p] ^= random.randrange(32) if i < rho else random.randrange(1, 32)
    print(k, " ".join(map(str, data)), "|", " ".join(map(str, parity)), "|",
          " ".join(map(str, bad)), "|", " ".join(map(str, pos[:rho])))
"#;

fn nums(s: &str) -> Vec<usize> {
    s.split_whitespace().map(|x| x.parse().unwrap()).collect()
}

#[test]
fn agrees_with_reedsolo() {
    let Some(py) = python() else { return };
    let seed = Rng(0xC41A).next() % 1_000_000;
    let out = run_python(&py, SCRIPT, format!("{seed}\n").as_bytes());
    let mut n = 0;
    for line in out.lines() {
        let (k, rest) = line.split_once(' ').unwrap();
        let k: usize = k.parse().unwrap();
        let parts: Vec<&str> = rest.split('|').collect();
        let data: Vec<u8> = nums(parts[0]).into_iter().map(|x| x as u8).collect();
        let parity: Vec<u8> = nums(parts[1]).into_iter().map(|x| x as u8).collect();
        let mut bad: Vec<u8> = nums(parts[2]).into_iter().map(|x| x as u8).collect();
        let erasures = nums(parts[3]);
        assert_eq!(data.len(), k);
        assert_eq!(
            rs::encode(&data).unwrap().to_vec(),
            parity,
            "parity of {data:?}"
        );
        rs::decode(&mut bad, k, &erasures).unwrap();
        assert_eq!(&bad[..k], &data[..]);
        assert_eq!(&bad[k..], &parity[..]);
        n += 1;
    }
    assert_eq!(n, 300);
}
