//! Where the three Standard Webhooks headers are read from.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// A set of HTTP headers the verifier can look names up in.
///
/// Names are matched ASCII-case-insensitively. Values are returned as raw
/// bytes, so header values that are not visible ASCII (allowed by
/// [`http::HeaderValue`]) are still seen exactly as sent.
///
/// Implemented for [`http::HeaderMap`], slices, arrays and `Vec`s of
/// `(name, value)` pairs, [`HashMap`] and [`BTreeMap`] (with any `K, V:
/// AsRef<str>`), and for references to any of these. None of the lookups
/// allocates.
pub trait HeaderSource {
    /// The value of the header called `name` (compared ignoring ASCII case),
    /// or `None` when there is none. When several headers match, lists return
    /// the first one and maps prefer a key that is byte-equal to `name`.
    fn header(&self, name: &str) -> Option<&[u8]>;
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    #[inline]
    fn header(&self, name: &str) -> Option<&[u8]> {
        (**self).header(name)
    }
}

impl HeaderSource for http::HeaderMap {
    #[inline]
    fn header(&self, name: &str) -> Option<&[u8]> {
        // `HeaderMap` stores names lower-cased and `get(&str)` normalises the
        // probe, so this is already case-insensitive; an invalid name gives None.
        self.get(name).map(http::HeaderValue::as_bytes)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderSource for [(K, V)] {
    #[inline]
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.iter().find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref().as_bytes())
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> HeaderSource for [(K, V); N] {
    #[inline]
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderSource for Vec<(K, V)> {
    #[inline]
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }
}

/// Map lookup: an exact key wins; otherwise the first case-insensitive match
/// in the map's iteration order.
fn map_lookup<'a, K, V, I>(entries: impl Fn() -> I, name: &str) -> Option<&'a [u8]>
where
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
    I: Iterator<Item = (&'a K, &'a V)>,
{
    entries()
        .find(|(k, _)| k.as_ref() == name)
        .or_else(|| entries().find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name)))
        .map(|(_, v)| v.as_ref().as_bytes())
}

impl<K: AsRef<str>, V: AsRef<str>, S: BuildHasher> HeaderSource for HashMap<K, V, S> {
    #[inline]
    fn header(&self, name: &str) -> Option<&[u8]> {
        map_lookup(|| self.iter(), name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderSource for BTreeMap<K, V> {
    #[inline]
    fn header(&self, name: &str) -> Option<&[u8]> {
        map_lookup(|| self.iter(), name)
    }
}
