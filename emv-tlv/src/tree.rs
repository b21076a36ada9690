//! The tree (feature `alloc`): every object with its children, borrowed from the input, in order
//! with duplicates kept, and path lookup that matches constructed tags too.
//!
//! Paths are tags in hex separated by `/`:
//! - `"61/4F"` — every `4F` directly inside a `61`, the `61` being at any depth;
//! - `"BF0C/61"` — every `61` directly inside a `BF0C`;
//! - `"/6F/A5/88"` — anchored: `6F` must be a top-level object;
//! - `"9F38"` — every `9F38` at any depth.
//!
//! ```
//! use mpay_emv_tlv::{Tag, Tree};
//! // A PPSE response with two 61 entries (Visa and UnionPay AIDs).
//! let ppse = [
//!     0x6F, 0x1E, 0x84, 0x02, 0x32, 0x50, 0xA5, 0x18, 0xBF, 0x0C, 0x15,
//!     0x61, 0x09, 0x4F, 0x07, 0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10,
//!     0x61, 0x08, 0x4F, 0x06, 0xA0, 0x00, 0x00, 0x03, 0x33, 0x01,
//! ];
//! let tree = Tree::parse(&ppse).unwrap();
//! assert_eq!(tree.find_all("BF0C/61").len(), 2);
//! let aids: Vec<&[u8]> = tree.find_all("61/4F").iter().map(|n| n.value()).collect();
//! assert_eq!(aids[1], [0xA0, 0x00, 0x00, 0x03, 0x33, 0x01]);
//! assert_eq!(tree.find("/6F/84").unwrap().value(), b"2P");
//! assert_eq!(tree.to_vec().unwrap(), ppse);
//! ```

use alloc::vec::Vec;
use core::fmt;

use crate::build::TlvWrite;
use crate::parse::{MAX_DEPTH, Walk};
use crate::{Error, Options, Tag, Tlv};

/// One object of a [`Tree`] and its children.
#[derive(Clone, PartialEq, Eq)]
pub struct Node<'a> {
    tlv: Tlv<'a>,
    children: Vec<Node<'a>>,
}

/// A parsed sequence of objects with their nesting.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Tree<'a> {
    roots: Vec<Node<'a>>,
}

/// A parsed tag path (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Path {
    tags: [Tag; MAX_DEPTH + 1],
    len: usize,
    anchored: bool,
}

impl Path {
    /// Parses `"61/4F"`, `"/6F/A5"`; at most [`MAX_DEPTH`]` + 1` segments.
    pub fn parse(s: &str) -> Result<Path, Error> {
        let (anchored, body) = match s.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, s),
        };
        let mut tags = [Tag::new(0x01); MAX_DEPTH + 1];
        let mut len = 0;
        let mut pos = usize::from(anchored);
        for seg in body.split('/') {
            if len == tags.len() {
                return Err(Error::InvalidPath { offset: pos });
            }
            tags[len] =
                Tag::parse_hex(seg.trim()).map_err(|_| Error::InvalidPath { offset: pos })?;
            len += 1;
            pos += seg.len() + 1;
        }
        Ok(Path {
            tags,
            len,
            anchored,
        })
    }

    /// A path of these tags.
    pub fn from_tags(t: &[Tag], anchored: bool) -> Result<Path, Error> {
        if t.is_empty() || t.len() > MAX_DEPTH + 1 {
            return Err(Error::InvalidPath { offset: 0 });
        }
        let mut tags = [Tag::new(0x01); MAX_DEPTH + 1];
        tags[..t.len()].copy_from_slice(t);
        Ok(Path {
            tags,
            len: t.len(),
            anchored,
        })
    }

    /// The path's tags.
    pub fn tags(&self) -> &[Tag] {
        &self.tags[..self.len]
    }

    /// Whether the first tag must be a top-level object.
    pub fn is_anchored(&self) -> bool {
        self.anchored
    }
}

impl From<Tag> for Path {
    fn from(t: Tag) -> Path {
        let mut tags = [Tag::new(0x01); MAX_DEPTH + 1];
        tags[0] = t;
        Path {
            tags,
            len: 1,
            anchored: false,
        }
    }
}

fn collect_chain<'n, 'a>(nodes: &'n [Node<'a>], path: &[Tag], out: &mut Vec<&'n Node<'a>>) {
    for n in nodes {
        if n.tlv.tag() == path[0] {
            if path.len() == 1 {
                out.push(n);
            } else {
                collect_chain(&n.children, &path[1..], out);
            }
        }
    }
}

fn collect_anywhere<'n, 'a>(nodes: &'n [Node<'a>], path: &[Tag], out: &mut Vec<&'n Node<'a>>) {
    collect_chain(nodes, path, out);
    for n in nodes {
        collect_anywhere(&n.children, path, out);
    }
}

fn find_all_in<'n, 'a>(nodes: &'n [Node<'a>], path: &Path) -> Vec<&'n Node<'a>> {
    let mut out = Vec::new();
    if path.anchored {
        collect_chain(nodes, path.tags(), &mut out);
    } else {
        collect_anywhere(nodes, path.tags(), &mut out);
        out.sort_by_key(|n| n.tlv.offset());
    }
    out
}

impl<'a> Tree<'a> {
    /// Parses `input` with the default [`Options`].
    pub fn parse(input: &'a [u8]) -> Result<Tree<'a>, Error> {
        Tree::parse_with(input, Options::new())
    }

    /// Parses `input` with `opts` (depth limit and lenient mode apply as in [`Walk`]).
    pub fn parse_with(input: &'a [u8], opts: Options) -> Result<Tree<'a>, Error> {
        let mut roots: Vec<Node<'a>> = Vec::new();
        // The chain of open constructed nodes.
        let mut open: Vec<Node<'a>> = Vec::new();
        fn close<'a>(open: &mut Vec<Node<'a>>, roots: &mut Vec<Node<'a>>) {
            if let Some(n) = open.pop() {
                match open.last_mut() {
                    Some(p) => p.children.push(n),
                    None => roots.push(n),
                }
            }
        }
        for t in Walk::new(input, opts) {
            let t = t?;
            while open.len() > t.depth() {
                close(&mut open, &mut roots);
            }
            let node = Node {
                tlv: t,
                children: Vec::new(),
            };
            if t.is_constructed() && !t.is_opaque() {
                open.push(node);
            } else {
                match open.last_mut() {
                    Some(p) => p.children.push(node),
                    None => roots.push(node),
                }
            }
        }
        while !open.is_empty() {
            close(&mut open, &mut roots);
        }
        Ok(Tree { roots })
    }

    /// The top-level objects, in order.
    pub fn roots(&self) -> &[Node<'a>] {
        &self.roots
    }

    /// All objects matching `path`, in input order. An invalid path matches nothing (use
    /// [`Path::parse`] to check one).
    pub fn find_all(&self, path: &str) -> Vec<&Node<'a>> {
        match Path::parse(path) {
            Ok(p) => find_all_in(&self.roots, &p),
            Err(_) => Vec::new(),
        }
    }

    /// The first object matching `path` in input order, if any.
    pub fn find(&self, path: &str) -> Option<&Node<'a>> {
        self.find_all(path).into_iter().next()
    }

    /// All objects matching a parsed path, in input order.
    pub fn find_path(&self, path: &Path) -> Vec<&Node<'a>> {
        find_all_in(&self.roots, path)
    }

    /// The first object with this tag at any depth, in input order.
    pub fn get(&self, tag: Tag) -> Option<&Node<'a>> {
        self.iter().find(|n| n.tag() == tag)
    }

    /// The value of the first object with this tag at any depth.
    pub fn value_of(&self, tag: Tag) -> Option<&'a [u8]> {
        self.get(tag).map(|n| n.value())
    }

    /// Every object depth-first (parents before children), in input order.
    pub fn iter(&self) -> Descendants<'_, 'a> {
        Descendants {
            stack: vec_of_rev(&self.roots),
        }
    }

    /// Encodes the tree canonically: no padding, minimal lengths. For canonical input this is
    /// the input again.
    pub fn encode<W: TlvWrite>(&self, w: &mut W) -> Result<(), Error> {
        for n in &self.roots {
            n.encode(w)?;
        }
        Ok(())
    }

    /// [`Tree::encode`] into a new `Vec`.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut v = Vec::new();
        self.encode(&mut v)?;
        Ok(v)
    }
}

fn vec_of_rev<'n, 'a>(nodes: &'n [Node<'a>]) -> Vec<&'n Node<'a>> {
    nodes.iter().rev().collect()
}

/// Depth-first iterator over a tree's or a node's objects.
#[derive(Debug)]
pub struct Descendants<'n, 'a> {
    stack: Vec<&'n Node<'a>>,
}

impl<'n, 'a> Iterator for Descendants<'n, 'a> {
    type Item = &'n Node<'a>;
    fn next(&mut self) -> Option<&'n Node<'a>> {
        let n = self.stack.pop()?;
        self.stack.extend(n.children.iter().rev());
        Some(n)
    }
}

impl<'a> Node<'a> {
    /// The object.
    pub fn tlv(&self) -> &Tlv<'a> {
        &self.tlv
    }

    /// Its tag.
    pub fn tag(&self) -> Tag {
        self.tlv.tag()
    }

    /// Its value (for a constructed object, the encoded content).
    pub fn value(&self) -> &'a [u8] {
        self.tlv.value()
    }

    /// Its offset in the input.
    pub fn offset(&self) -> usize {
        self.tlv.offset()
    }

    /// Its nesting depth (0 = top level).
    pub fn depth(&self) -> usize {
        self.tlv.depth()
    }

    /// Whether the tag is constructed.
    pub fn is_constructed(&self) -> bool {
        self.tlv.is_constructed()
    }

    /// Lenient mode: constructed, but the content is kept as opaque bytes.
    pub fn is_opaque(&self) -> bool {
        self.tlv.is_opaque()
    }

    /// The objects directly inside this one, in order.
    pub fn children(&self) -> &[Node<'a>] {
        &self.children
    }

    /// The first direct child with this tag.
    pub fn child(&self, tag: Tag) -> Option<&Node<'a>> {
        self.children.iter().find(|n| n.tag() == tag)
    }

    /// Objects below this one matching `path` (relative: `"61/4F"` inside this node).
    pub fn find_all(&self, path: &str) -> Vec<&Node<'a>> {
        match Path::parse(path) {
            Ok(p) => find_all_in(&self.children, &p),
            Err(_) => Vec::new(),
        }
    }

    /// The first object below this one matching `path`.
    pub fn find(&self, path: &str) -> Option<&Node<'a>> {
        self.find_all(path).into_iter().next()
    }

    /// This node and everything below it, depth-first.
    pub fn iter(&self) -> Descendants<'_, 'a> {
        Descendants {
            stack: alloc::vec![self],
        }
    }

    /// Encodes this node canonically (opaque values are written as they are).
    pub fn encode<W: TlvWrite>(&self, w: &mut W) -> Result<(), Error> {
        if self.is_constructed() && !self.is_opaque() {
            w.constructed(self.tag(), |w| {
                for c in &self.children {
                    c.encode(w)?;
                }
                Ok(())
            })
        } else {
            w.primitive(self.tag(), self.value())
        }
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_constructed() && !self.is_opaque() {
            f.debug_struct("Node")
                .field("tag", &self.tag())
                .field("children", &self.children)
                .finish()
        } else {
            fmt::Debug::fmt(&self.tlv, f)
        }
    }
}

impl fmt::Debug for Tree<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.roots).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::prelude::rust_2024::*;

    #[test]
    fn paths() {
        assert!(Path::parse("61/4F").is_ok());
        assert_eq!(Path::parse("61/4G"), Err(Error::InvalidPath { offset: 3 }));
        assert_eq!(
            Path::parse("/6F/9F").unwrap_err(),
            Error::InvalidPath { offset: 4 }
        );
        assert!(Path::parse("").is_err());
    }

    #[test]
    fn nested_duplicates_and_anchor() {
        // 70 { 61 { 61 { 4F 01 } } } and a top-level 61 { 4F 02 }
        let d = [
            0x70, 0x07, 0x61, 0x05, 0x61, 0x03, 0x4F, 0x01, 0x01, 0x61, 0x03, 0x4F, 0x01, 0x02,
        ];
        let t = Tree::parse(&d).unwrap();
        let v: Vec<u8> = t.find_all("61/4F").iter().map(|n| n.value()[0]).collect();
        assert_eq!(v, [1, 2]);
        assert_eq!(t.find_all("61/61").len(), 1);
        assert_eq!(t.find_all("/61/4F").len(), 1);
        assert_eq!(t.find_all("/61/4F")[0].value(), [2]);
        assert_eq!(t.find_all("61").len(), 3);
        assert_eq!(t.iter().count(), 6);
        assert_eq!(t.to_vec().unwrap(), d);
        assert_eq!(t.roots()[0].find_all("61/4F").len(), 1);
    }
}
