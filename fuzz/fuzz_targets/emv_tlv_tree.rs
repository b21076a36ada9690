#![no_main]
//! The tree: never panics; re-encoding is canonical (parses again, re-encodes to itself and
//! keeps the same objects); path lookup and masking work on anything that parsed.
use libfuzzer_sys::fuzz_target;
use mpay_emv_tlv::{Options, Padding, Tree, dictionary};

fuzz_target!(|data: &[u8]| {
    let opts = Options::new().padding(Padding::Skip00AndFF).lenient(true);
    for opts in [Options::new(), opts] {
        let Ok(tree) = Tree::parse_with(data, opts) else {
            continue;
        };
        let _ = tree.find_all("61/4F");
        let _ = tree.find("/6F/A5/BF0C");
        for n in tree.iter() {
            let _ = dictionary::masked(n.tag(), n.value()).to_string();
        }
        let Ok(canon) = tree.to_vec() else { continue };
        // Opaque values (lenient) or FF tags under FF padding may not survive; the rest must.
        if !tree.iter().any(|n| n.is_opaque()) && opts == Options::new() {
            let again = Tree::parse(&canon).unwrap();
            assert_eq!(again.to_vec().unwrap(), canon);
            assert_eq!(again.iter().count(), tree.iter().count());
        }
    }
});
