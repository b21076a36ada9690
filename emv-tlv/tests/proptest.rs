//! Property tests: canonical round trips (`encode(decode(x)) == x`), the builder against an
//! independent encoder, DOL build/split, and "never panics" on arbitrary bytes.

use mpay_emv_tlv::{Dol, Options, Padding, Tag, TlvWrite, Tree, dictionary, walk};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Gen {
    Prim(Tag, Vec<u8>),
    Cons(Tag, Vec<Gen>),
}

/// Tag bytes: class, constructed bit, 1–3 bytes, minimal (second byte never 80 or 00).
fn tag_strategy(constructed: bool) -> impl Strategy<Value = Tag> {
    let c = if constructed { 0x20u8 } else { 0 };
    prop_oneof![
        (0u8..4, 1u8..0x1F).prop_map(move |(class, n)| Tag::new(((class << 6) | c | n) as u32)),
        (0u8..4, 1u8..0x80).prop_map(move |(class, n)| {
            Tag::new(u32::from_be_bytes([0, 0, (class << 6) | c | 0x1F, n]))
        }),
        (0u8..4, 0x81u8..=0xFF, 0u8..0x80).prop_map(move |(class, a, b)| {
            Tag::new(u32::from_be_bytes([0, (class << 6) | c | 0x1F, a, b]))
        }),
    ]
}

fn gen_strategy() -> impl Strategy<Value = Gen> {
    let leaf = (
        tag_strategy(false),
        prop::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(t, v)| Gen::Prim(t, v));
    leaf.prop_recursive(4, 40, 6, |inner| {
        (tag_strategy(true), prop::collection::vec(inner, 0..6)).prop_map(|(t, c)| Gen::Cons(t, c))
    })
}

/// An encoder written independently of the crate's builder.
fn encode_ref(g: &Gen, out: &mut Vec<u8>) {
    let (tag, value) = match g {
        Gen::Prim(t, v) => (*t, v.clone()),
        Gen::Cons(t, c) => {
            let mut v = Vec::new();
            for x in c {
                encode_ref(x, &mut v);
            }
            (*t, v)
        }
    };
    out.extend_from_slice(&tag.to_bytes());
    let n = value.len();
    match n {
        0..=0x7F => out.push(n as u8),
        0x80..=0xFF => out.extend([0x81, n as u8]),
        _ => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(&value);
}

fn encode_ours<W: TlvWrite>(g: &Gen, w: &mut W) {
    match g {
        Gen::Prim(t, v) => w.primitive(*t, v).unwrap(),
        Gen::Cons(t, c) => w
            .constructed(*t, |w| {
                for x in c {
                    encode_ours(x, w);
                }
                Ok(())
            })
            .unwrap(),
    }
}

fn preorder(g: &Gen, depth: usize, out: &mut Vec<(usize, Tag)>) {
    match g {
        Gen::Prim(t, _) => out.push((depth, *t)),
        Gen::Cons(t, c) => {
            out.push((depth, *t));
            for x in c {
                preorder(x, depth + 1, out);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn canonical_round_trip(gens in prop::collection::vec(gen_strategy(), 1..4)) {
        let mut reference = Vec::new();
        for g in &gens { encode_ref(g, &mut reference); }
        // The builder (Vec and slice) agrees with the reference encoder.
        let mut v = Vec::new();
        for g in &gens { encode_ours(g, &mut v); }
        prop_assert_eq!(&v, &reference);
        let mut buf = vec![0u8; reference.len()];
        let mut s = mpay_emv_tlv::SliceWriter::new(&mut buf);
        for g in &gens { encode_ours(g, &mut s); }
        prop_assert_eq!(s.written(), &reference[..]);
        // Strict decode, then encode: identity.
        let tree = Tree::parse_with(&reference, Options::strict_ber()).unwrap();
        prop_assert_eq!(tree.to_vec().unwrap(), reference.clone());
        // The walk sees the generated objects in order, with depths.
        let mut expected = Vec::new();
        for g in &gens { preorder(g, 0, &mut expected); }
        let seen: Vec<(usize, Tag)> = walk(&reference).map(|r| r.map(|t| (t.depth(), t.tag()))).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(seen, expected);
    }

    #[test]
    fn padding_between_objects_is_skipped(gens in prop::collection::vec(gen_strategy(), 1..4), pad in 0usize..4) {
        let mut padded = Vec::new();
        let mut canonical = Vec::new();
        for g in &gens {
            padded.extend(std::iter::repeat_n(0u8, pad));
            encode_ref(g, &mut padded);
            encode_ref(g, &mut canonical);
        }
        padded.extend(std::iter::repeat_n(0u8, pad));
        let tree = Tree::parse(&padded).unwrap();
        prop_assert_eq!(tree.to_vec().unwrap(), canonical);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..200), strict in any::<bool>(), lenient in any::<bool>(), depth in 0usize..20, pad in 0u8..3) {
        let padding = [Padding::Strict, Padding::Skip00, Padding::Skip00AndFF][pad as usize];
        let opts = Options::new().padding(padding).strict(strict).lenient(lenient).max_depth(depth);
        let _ = walk(&data).count();
        let _ = opts.walk(&data).count();
        if let Ok(tree) = Tree::parse_with(&data, opts) {
            for n in tree.iter() {
                let _ = dictionary::masked(n.tag(), n.value()).to_string();
            }
            let _ = tree.to_vec();
        }
        if let Ok(dol) = Dol::parse(&data) {
            let mut out = vec![0u8; dol.data_len()];
            let src: [(Tag, &[u8]); 1] = [(Tag::new(0x9F02), &data)];
            prop_assert_eq!(dol.build(&src, &mut out), Ok(dol.data_len()));
            prop_assert_eq!(dol.split(&out).unwrap().count(), dol.len());
        }
    }

    #[test]
    fn dol_build_then_split(entries in prop::collection::vec((tag_strategy(false), 0usize..40, prop::collection::vec(any::<u8>(), 0..50)), 0..12)) {
        let mut raw = Vec::new();
        for (t, len, _) in &entries {
            raw.extend_from_slice(&t.to_bytes());
            raw.push(*len as u8);
        }
        let dol = Dol::parse(&raw).unwrap();
        prop_assert_eq!(dol.len(), entries.len());
        let src: Vec<(Tag, Vec<u8>)> = entries.iter().map(|(t, _, v)| (*t, v.clone())).collect();
        let data = dol.build_vec(&src).unwrap();
        prop_assert_eq!(data.len(), entries.iter().map(|e| e.1).sum::<usize>());
        for ((t, v), (et, len, _)) in dol.split(&data).unwrap().zip(&entries) {
            prop_assert_eq!(t, *et);
            prop_assert_eq!(v.len(), *len);
            // The first occurrence of the tag in the source is what was used.
            let val = &src.iter().find(|(s, _)| s == et).unwrap().1;
            let fmt = dictionary::format_of(t);
            let n = val.len().min(*len);
            match fmt {
                dictionary::Format::N => prop_assert_eq!(&v[len - n..], &val[val.len() - n..]),
                _ => prop_assert_eq!(&v[..n], &val[..n]),
            }
        }
    }
}
