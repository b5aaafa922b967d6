//! Fast paths for the shapes that make up nearly all of an instance body:
//! `<PROPERTY NAME=".." TYPE=".."><VALUE>text</VALUE></PROPERTY>`, the same with
//! `PROPERTY.ARRAY`/`VALUE.ARRAY`, and `<KEYBINDING NAME=".."><KEYVALUE ..>text</KEYVALUE>`.
//!
//! They scan the input bytes directly and, only when the whole element has exactly the
//! simple form (known attributes, no references, CR, comments, CDATA or empty-element tags,
//! values that parse), build the result and move quick-xml's reader past the element.
//! Anything else is declined before anything is consumed or interned, and the general
//! path then decodes it (and reports any error) exactly as before.

use std::borrow::Cow;
use std::io::BufRead;

use super::core::Parser;
use crate::cim::{CimArray, CimName, CimType, CimValue, KeyBinding, Property};

/// A cursor over the input.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    /// Skips XML whitespace.
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.i += 1;
        }
    }

    /// Consumes `s` if the input continues with it.
    fn lit(&mut self, s: &[u8]) -> bool {
        if self.b.get(self.i..self.i + s.len()) == Some(s) {
            self.i += s.len();
            true
        } else {
            false
        }
    }

    /// Character data up to the next `<`, `&` or CR (the cursor is left on it).
    fn text(&mut self) -> Option<(usize, usize)> {
        let start = self.i;
        let rest = self.b.get(start..)?;
        let k = rest.iter().position(|&c| TEXT_STOP[usize::from(c)])?;
        self.i = start + k;
        Some((start, start + k))
    }

    /// The attributes of a start tag (just after its name) up to and including its `>`:
    /// only the `N` names in `keys` (each given with its `=`), each at most once, values
    /// without quotes, references, `<` or control characters. Returns the value spans by
    /// key.
    #[inline]
    fn attrs<const N: usize>(
        &mut self,
        keys: [&'static [u8]; N],
    ) -> Option<[Option<(usize, usize)>; N]> {
        let mut out = [None; N];
        loop {
            if self.lit(b">") {
                return Some(out);
            }
            let before = self.i;
            self.ws();
            if self.i == before {
                return None;
            }
            if self.lit(b">") {
                return Some(out);
            }
            let rest = self.b.get(self.i..)?;
            let (slot, key) = keys.iter().enumerate().find(|(_, k)| rest.starts_with(k))?;
            let q = *rest.get(key.len())?;
            if q != b'"' && q != b'\'' {
                return None;
            }
            let vs = self.i + key.len() + 1;
            let vrest = self.b.get(vs..)?;
            let n = vrest.iter().position(|&c| ATTR_STOP[usize::from(c)])?;
            if vrest.get(n) != Some(&q) {
                return None;
            }
            let o = out.get_mut(slot)?;
            if o.is_some() {
                return None;
            }
            *o = Some((vs, vs + n));
            self.i = vs + n + 1;
        }
    }
}

/// Bytes that end (or make the fast path decline) an attribute value.
static ATTR_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t
};

/// Bytes that end (or make the fast path decline) character data.
static TEXT_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'<' as usize] = true;
    t[b'&' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

impl<'a> Parser<'a> {
    /// Where the reader stands if it is between markup and has no event pending (after a
    /// start tag that is not an empty-element tag, or after an end tag).
    fn fast_start(&self) -> Option<usize> {
        if !self.fast {
            return None;
        }
        let rest: &[u8] = self.reader.get_ref();
        let pos = self.input.len().checked_sub(rest.len())?;
        let before = self.input.get(pos.checked_sub(2)?..pos)?;
        (before.get(1) == Some(&b'>') && before.first() != Some(&b'/')).then_some(pos)
    }

    /// Moves the reader from `from` to `to` (an element consumed by a fast path).
    fn fast_skip(&mut self, from: usize, to: usize) {
        self.reader.stream().consume(to - from);
    }

    /// A scalar from VALUE text, or `None` to decline (the general path then reports the
    /// error).
    fn fast_scalar(&self, ty: CimType, text: Cow<'a, str>) -> Option<Option<CimValue>> {
        self.scalar(ty, text).ok()
    }

    /// Character data up to the next `<` (the cursor is left on it), with the predefined
    /// entity references replaced; `None` for CR, character or other references.
    fn fast_text(&self, s: &mut Scan<'a>) -> Option<Cow<'a, str>> {
        let (a, b) = s.text()?;
        let first = self.slice(a, b).ok()?;
        match s.b.get(b) {
            Some(b'<') => return Some(Cow::Borrowed(first)),
            Some(b'&') => {}
            _ => return None,
        }
        // The raw text up to the next `<` bounds the length of the result.
        let raw = s.b.get(a..)?.iter().position(|&c| c == b'<')?;
        let mut out = String::with_capacity(raw);
        out.push_str(first);
        loop {
            let rest = s.b.get(s.i..)?;
            let (c, n) = if rest.starts_with(b"&quot;") {
                ('"', 6)
            } else if rest.starts_with(b"&amp;") {
                ('&', 5)
            } else if rest.starts_with(b"&lt;") {
                ('<', 4)
            } else if rest.starts_with(b"&gt;") {
                ('>', 4)
            } else if rest.starts_with(b"&apos;") {
                ('\'', 6)
            } else {
                return None;
            };
            out.push(c);
            s.i += n;
            let (a, b) = s.text()?;
            out.push_str(self.slice(a, b).ok()?);
            match s.b.get(b) {
                Some(b'<') => return Some(Cow::Owned(out)),
                Some(b'&') => {}
                _ => return None,
            }
        }
    }

    /// A PROPERTY or PROPERTY.ARRAY of the simple form, consumed; `None` (nothing
    /// consumed) for anything else.
    pub(super) fn fast_property(&mut self) -> Option<Property> {
        let start = self.fast_start()?;
        if self.stack.len() + 3 > self.max_depth {
            return None;
        }
        let input: &'a [u8] = self.input;
        let mut s = Scan { b: input, i: start };
        s.ws();
        if !s.lit(b"<PROPERTY") {
            return None;
        }
        let array = s.lit(b".ARRAY");
        let [name, ty] = s.attrs([b"NAME=", b"TYPE="])?;
        let (na, nb) = name?;
        let cim_type = match ty {
            Some((a, b)) => self.parse_type(self.slice(a, b).ok()?).ok()?,
            None => CimType::String,
        };
        if cim_type == CimType::Reference {
            return None;
        }
        s.ws();
        let value = if !array {
            if s.lit(b"</PROPERTY>") {
                None
            } else {
                if !s.lit(b"<VALUE>") {
                    return None;
                }
                let t = self.fast_text(&mut s)?;
                if !s.lit(b"</VALUE>") {
                    return None;
                }
                s.ws();
                if !s.lit(b"</PROPERTY>") {
                    return None;
                }
                self.fast_scalar(cim_type, t)?
            }
        } else if s.lit(b"</PROPERTY.ARRAY>") {
            None
        } else {
            if !s.lit(b"<VALUE.ARRAY>") {
                return None;
            }
            let mark = self.scratch_items.len();
            let ok = loop {
                s.ws();
                if s.lit(b"</VALUE.ARRAY>") {
                    s.ws();
                    break s.lit(b"</PROPERTY.ARRAY>");
                }
                if !s.lit(b"<VALUE>") {
                    break false;
                }
                let Some(t) = self.fast_text(&mut s) else {
                    break false;
                };
                if !s.lit(b"</VALUE>") {
                    break false;
                }
                match self.fast_scalar(cim_type, t) {
                    Some(v) => self.scratch_items.push(v),
                    None => break false,
                }
            };
            if !ok {
                self.scratch_items.truncate(mark);
                return None;
            }
            let items: Vec<Option<CimValue>> = self.scratch_items.drain(mark..).collect();
            Some(CimValue::Array(Box::new(CimArray::new(cim_type, items))))
        };
        let name = self.fast_name(na, nb)?;
        self.fast_skip(start, s.i);
        Some(Property {
            name,
            value,
            cim_type,
            is_array: array,
            embedded: None,
            propagated: None,
            extra: None,
        })
    }

    /// An interned name from a span of the input.
    fn fast_name(&mut self, a: usize, b: usize) -> Option<CimName> {
        let n = self.slice(a, b).ok()?;
        Some(self.name(n))
    }

    /// A KEYBINDING with a string KEYVALUE of the simple form, consumed; `None` (nothing
    /// consumed) for anything else.
    pub(super) fn fast_keybinding(&mut self) -> Option<KeyBinding> {
        let start = self.fast_start()?;
        if self.stack.len() + 2 > self.max_depth {
            return None;
        }
        let input: &'a [u8] = self.input;
        let mut s = Scan { b: input, i: start };
        s.ws();
        if !s.lit(b"<KEYBINDING") {
            return None;
        }
        let [name] = s.attrs([b"NAME="])?;
        let (na, nb) = name?;
        s.ws();
        if !s.lit(b"<KEYVALUE") {
            return None;
        }
        let [vt] = s.attrs([b"VALUETYPE="])?;
        if let Some((a, b)) = vt {
            if !self.slice(a, b).ok()?.trim().eq_ignore_ascii_case("string") {
                return None;
            }
        }
        let text = self.fast_text(&mut s)?;
        if !s.lit(b"</KEYVALUE>") {
            return None;
        }
        s.ws();
        if !s.lit(b"</KEYBINDING>") {
            return None;
        }
        let value = CimValue::String(text.into_owned());
        let name = self.fast_name(na, nb)?;
        self.fast_skip(start, s.i);
        Some(KeyBinding { name, value })
    }
}

#[cfg(test)]
mod tests {
    use super::super::core::Parser;
    use super::super::input::prepare;
    use crate::xml::DecodeLimits;

    /// Decodes a response with or without the fast paths; the outcome as text.
    fn run(input: &[u8], fast: bool, max_depth: usize) -> String {
        let limits = DecodeLimits {
            max_depth,
            ..DecodeLimits::default()
        };
        let buf = match prepare(input, &limits) {
            Ok(b) => b,
            Err(e) => return format!("{e:?}"),
        };
        let mut p = Parser::new(&buf, limits.max_depth, String::new());
        p.fast = fast;
        let r = p.response_document().and_then(|r| p.finish().map(|()| r));
        format!("{r:?}")
    }

    const BODY: &str = concat!(
        "<VALUE.NAMEDINSTANCE>\n<INSTANCENAME CLASSNAME=\"X_V\">\n",
        "<KEYBINDING NAME=\"A\">\n<KEYVALUE VALUETYPE=\"string\">a1</KEYVALUE>\n</KEYBINDING>\n",
        "<KEYBINDING NAME='B'><KEYVALUE>b\u{e9}&amp;&apos;</KEYVALUE></KEYBINDING>",
        "<KEYBINDING NAME=\"C\"><KEYVALUE VALUETYPE=\"numeric\">12</KEYVALUE></KEYBINDING>",
        "</INSTANCENAME>\n<INSTANCE CLASSNAME=\"X_V\">\n",
        "<PROPERTY NAME=\"S\" TYPE=\"string\">\n<VALUE> x y </VALUE>\n</PROPERTY>\n",
        "<PROPERTY TYPE=\"uint16\" NAME=\"U\"><VALUE>65535</VALUE></PROPERTY>",
        "<PROPERTY NAME=\"B\" TYPE=\"boolean\"><VALUE>TRUE</VALUE></PROPERTY>",
        "<PROPERTY NAME=\"E\" TYPE=\"boolean\"><VALUE></VALUE></PROPERTY>",
        "<PROPERTY NAME=\"N\"><VALUE>n</VALUE></PROPERTY>",
        "<PROPERTY NAME=\"D\" TYPE=\"datetime\"><VALUE>20240115093000.000000+060</VALUE></PROPERTY>",
        "<PROPERTY NAME=\"I\" TYPE=\"sint32\"><VALUE>-7</VALUE></PROPERTY>",
        "<PROPERTY NAME=\"R\" TYPE=\"real64\"><VALUE>1.5</VALUE></PROPERTY>",
        "<PROPERTY NAME=\"Z\" TYPE=\"string\">\n</PROPERTY>\n",
        "<PROPERTY.ARRAY NAME=\"OS\" TYPE=\"uint16\">\n<VALUE.ARRAY>\n<VALUE>2</VALUE>\n<VALUE>32768</VALUE>\n</VALUE.ARRAY>\n</PROPERTY.ARRAY>\n",
        "<PROPERTY.ARRAY NAME=\"SA\" TYPE=\"string\"><VALUE.ARRAY></VALUE.ARRAY></PROPERTY.ARRAY>",
        "<PROPERTY.ARRAY NAME=\"NA\" TYPE=\"string\"></PROPERTY.ARRAY>",
        "<PROPERTY NAME=\"Q\" TYPE=\"string\"><VALUE>a&amp;b</VALUE></PROPERTY>",
        "<PROPERTY NAME=\"Q2\" TYPE=\"string\"><VALUE>&quot;g&quot; &lt;&gt;&apos;&#65;&#x42;</VALUE></PROPERTY>",
        "<PROPERTY NAME=\"Q3\" TYPE=\"string\"><VALUE>&quot;g&quot; &lt;&gt;&apos;</VALUE></PROPERTY>",
        "<PROPERTY.ARRAY NAME=\"QA\" TYPE=\"string\"><VALUE.ARRAY><VALUE>&lt;x&gt;</VALUE><VALUE>&amp;</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>",
        "</INSTANCE>\n</VALUE.NAMEDINSTANCE>\n",
    );

    fn doc() -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<CIM CIMVERSION=\"2.0\" DTDVERSION=\"2.0\"><MESSAGE ID=\"1\" PROTOCOLVERSION=\"1.0\"><SIMPLERSP><IMETHODRESPONSE NAME=\"EnumerateInstances\"><IRETURNVALUE>\n{BODY}{BODY}</IRETURNVALUE></IMETHODRESPONSE></SIMPLERSP></MESSAGE></CIM>\n"
        )
    }

    /// The fast paths give exactly the general path's results and errors, for the
    /// shapes they take, and for many damaged variants of them.
    #[test]
    fn fast_paths_match_the_general_path() {
        let seed = doc().into_bytes();
        let base = run(&seed, true, 32);
        assert!(base.starts_with("Ok("), "{base}");
        assert_eq!(base, run(&seed, false, 32));
        for depth in 6..12 {
            assert_eq!(run(&seed, true, depth), run(&seed, false, depth));
        }
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"<>/=\"'&;#x0 \n\r\t\xc3\xa9AZaz.[]!-?VALUE.ARRAYPROPERTY";
        let mut oks = 0;
        for _ in 0..4000 {
            let mut b = seed.clone();
            for _ in 0..(1 + next() % 3) {
                let i = (next() as usize) % b.len();
                match next() % 3 {
                    0 => b[i] = alphabet[(next() as usize) % alphabet.len()],
                    1 => {
                        b.remove(i);
                    }
                    _ => {
                        let j = (i + (next() as usize) % 40).min(b.len());
                        let chunk = b[i..j].to_vec();
                        b.splice(i..i, chunk);
                    }
                }
            }
            let fast = run(&b, true, 32);
            assert_eq!(fast, run(&b, false, 32), "{}", String::from_utf8_lossy(&b));
            oks += usize::from(fast.starts_with("Ok("));
        }
        assert!(oks > 100, "{oks}");
    }
}
