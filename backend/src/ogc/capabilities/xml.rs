//! A small owned XML tree for capabilities documents, read with the security checks
//! (size, depth, DOCTYPE entities, undeclared entity references) and written back.
//!
//! Element and attribute names are matched by local name: WMS 1.3.0 uses a default namespace,
//! WMS 1.1.1 none, WFS 2.0 mixes `wfs:`, `ows:` and a default namespace.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer, XmlVersion};

use super::{CapabilitiesError, MAX_DEPTH, MAX_DOCUMENT_BYTES};

/// A parsed document: the root element and what surrounds it (comments, PIs).
#[derive(Debug)]
pub(super) struct Document {
    pub root: Element,
    prolog: Vec<Event<'static>>,
    epilog: Vec<Event<'static>>,
}

#[derive(Debug)]
pub(super) struct Element {
    pub start: BytesStart<'static>,
    pub children: Vec<Node>,
    /// Written as `<x/>` in the source.
    empty: bool,
}

#[derive(Debug)]
pub(super) enum Node {
    Element(Element),
    /// Text, CDATA, comment, PI or a (predefined / character) entity reference.
    Other(Event<'static>),
}

/// Reads a document, refusing what is unsafe or not well-formed.
pub(super) fn read(xml: &[u8]) -> Result<Document, CapabilitiesError> {
    if xml.len() > MAX_DOCUMENT_BYTES {
        return Err(CapabilitiesError::TooLarge(xml.len()));
    }
    let text = to_utf8(xml)?;
    let mut reader = Reader::from_str(&text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.expand_empty_elements = false;

    let mut builder = Builder::default();
    loop {
        let event = reader.read_event().map_err(|e| {
            CapabilitiesError::Xml(format!("{e} (near byte {})", reader.error_position()))
        })?;
        if matches!(event, Event::Eof) {
            break;
        }
        builder.add(event)?;
    }
    builder.finish()
}

/// The tree under construction: open elements on a stack (no recursion on input).
#[derive(Default)]
struct Builder {
    stack: Vec<Element>,
    root: Option<Element>,
    prolog: Vec<Event<'static>>,
    epilog: Vec<Event<'static>>,
    seen_doctype: bool,
}

impl Builder {
    fn add(&mut self, event: Event<'_>) -> Result<(), CapabilitiesError> {
        let outside = self.stack.is_empty();
        match event {
            Event::Eof => {}
            Event::Decl(_) => {
                if self.root.is_some() || !outside || !self.prolog.is_empty() || self.seen_doctype {
                    return Err(xml_error("XML declaration not at the start"));
                }
            }
            Event::DocType(doctype) => {
                if self.seen_doctype || self.root.is_some() || !outside {
                    return Err(xml_error("DOCTYPE misplaced"));
                }
                if contains_ignore_case(&doctype, b"<!entity") {
                    return Err(CapabilitiesError::Forbidden(
                        "DOCTYPE with entity declarations (XXE / entity expansion)",
                    ));
                }
                self.seen_doctype = true;
            }
            Event::Start(start) => {
                check_start(&start, self.stack.len(), self.root.is_some())?;
                self.stack.push(Element {
                    start: start.into_owned(),
                    children: Vec::new(),
                    empty: false,
                });
            }
            Event::Empty(start) => {
                check_start(&start, self.stack.len(), self.root.is_some())?;
                self.attach(Element {
                    start: start.into_owned(),
                    children: Vec::new(),
                    empty: true,
                });
            }
            Event::End(_) => {
                let element = self
                    .stack
                    .pop()
                    .ok_or_else(|| xml_error("unmatched end tag"))?;
                self.attach(element);
            }
            Event::GeneralRef(reference) => {
                let valid = if reference.is_char_ref() {
                    matches!(reference.resolve_char_ref(), Ok(Some(_)))
                } else {
                    reference
                        .decode()
                        .is_ok_and(|name| quick_xml::escape::resolve_xml_entity(&name).is_some())
                };
                if !valid {
                    return Err(CapabilitiesError::Forbidden(
                        "reference to an entity that is not predefined",
                    ));
                }
                self.push_inside(Event::GeneralRef(reference.into_owned()))?;
            }
            Event::Text(t) => {
                if !outside {
                    self.push_inside(Event::Text(t.into_owned()))?;
                } else if !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(xml_error("text outside the root element"));
                }
            }
            Event::CData(c) => self.push_inside(Event::CData(c.into_owned()))?,
            other @ (Event::Comment(_) | Event::PI(_)) => match self.stack.last_mut() {
                Some(parent) => parent.children.push(Node::Other(other.into_owned())),
                None if self.root.is_some() => self.epilog.push(other.into_owned()),
                None => self.prolog.push(other.into_owned()),
            },
        }
        Ok(())
    }

    fn attach(&mut self, element: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(element)),
            None => self.root = Some(element),
        }
    }

    fn push_inside(&mut self, event: Event<'static>) -> Result<(), CapabilitiesError> {
        let parent = self
            .stack
            .last_mut()
            .ok_or_else(|| xml_error("content outside the root element"))?;
        parent.children.push(Node::Other(event));
        Ok(())
    }

    fn finish(self) -> Result<Document, CapabilitiesError> {
        if let Some(open) = self.stack.last() {
            return Err(CapabilitiesError::Xml(format!(
                "unclosed element <{}>",
                String::from_utf8_lossy(open.start.name().as_ref())
            )));
        }
        Ok(Document {
            root: self.root.ok_or_else(|| xml_error("no root element"))?,
            prolog: self.prolog,
            epilog: self.epilog,
        })
    }
}

/// The document as UTF-8: as is when it is valid UTF-8, transcoded when it declares Latin-1.
fn to_utf8(xml: &[u8]) -> Result<Cow<'_, str>, CapabilitiesError> {
    if let Ok(text) = std::str::from_utf8(xml) {
        return Ok(Cow::Borrowed(text));
    }
    let head = xml.get(..xml.len().min(200)).unwrap_or_default();
    let latin1 = [
        b"iso-8859-1".as_slice(),
        b"latin1",
        b"latin-1",
        b"windows-1252",
    ]
    .iter()
    .any(|name| contains_ignore_case(head, name));
    if latin1 && head.starts_with(b"<?xml") {
        Ok(Cow::Owned(xml.iter().map(|&b| char::from(b)).collect()))
    } else {
        Err(xml_error("not UTF-8"))
    }
}

fn check_start(
    start: &BytesStart<'_>,
    depth: usize,
    has_root: bool,
) -> Result<(), CapabilitiesError> {
    if depth == 0 && has_root {
        return Err(xml_error("more than one root element"));
    }
    if depth >= MAX_DEPTH {
        return Err(CapabilitiesError::TooDeep);
    }
    // Every attribute must be well-formed, unique, and reference only predefined entities:
    // what is written back is then well-formed without a DTD.
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| CapabilitiesError::Xml(e.to_string()))?;
        if let Err(e) = attribute.normalized_value(XmlVersion::Implicit1_0) {
            return Err(match e {
                quick_xml::Error::Escape(_) => {
                    CapabilitiesError::Forbidden("reference to an entity that is not predefined")
                }
                other => CapabilitiesError::Xml(other.to_string()),
            });
        }
    }
    Ok(())
}

fn xml_error(message: &str) -> CapabilitiesError {
    CapabilitiesError::Xml(message.to_owned())
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

impl Document {
    /// Writes the document as UTF-8 with a fresh declaration and without any DOCTYPE.
    pub fn write(&self) -> Result<Vec<u8>, CapabilitiesError> {
        let mut out = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_vec();
        let mut writer = Writer::new(&mut out);
        for event in &self.prolog {
            write_event(&mut writer, event.borrow())?;
        }
        write_element(&mut writer, &self.root)?;
        for event in &self.epilog {
            write_event(&mut writer, event.borrow())?;
        }
        Ok(out)
    }
}

fn write_element(
    writer: &mut Writer<&mut Vec<u8>>,
    element: &Element,
) -> Result<(), CapabilitiesError> {
    if element.empty && element.children.is_empty() {
        return write_event(writer, Event::Empty(element.start.borrow()));
    }
    write_event(writer, Event::Start(element.start.borrow()))?;
    for child in &element.children {
        match child {
            Node::Element(e) => write_element(writer, e)?,
            Node::Other(event) => write_event(writer, event.borrow())?,
        }
    }
    write_event(writer, Event::End(element.start.to_end()))
}

fn write_event(
    writer: &mut Writer<&mut Vec<u8>>,
    event: Event<'_>,
) -> Result<(), CapabilitiesError> {
    writer
        .write_event(event)
        .map_err(|e| CapabilitiesError::Xml(format!("writing: {e}")))
}

impl Element {
    pub fn local_name(&self) -> &[u8] {
        self.start.local_name().into_inner()
    }

    /// Whether the local name is `name` (ASCII case-insensitively: servers differ).
    pub fn is(&self, name: &str) -> bool {
        self.local_name().eq_ignore_ascii_case(name.as_bytes())
    }

    /// The qualified name as text.
    pub fn qualified_name(&self) -> String {
        String::from_utf8_lossy(self.start.name().as_ref()).into_owned()
    }

    /// The value of the attribute with this local name (`href` finds `xlink:href`).
    pub fn attr(&self, name: &str) -> Option<String> {
        self.start.attributes().flatten().find_map(|a| {
            if a.key
                .local_name()
                .as_ref()
                .eq_ignore_ascii_case(name.as_bytes())
            {
                a.normalized_value(XmlVersion::Implicit1_0)
                    .ok()
                    .map(Cow::into_owned)
            } else {
                None
            }
        })
    }

    /// Replaces the value of the attributes with this local name, keeping the others.
    pub fn set_attr(&mut self, name: &str, value: &str) {
        let qualified = self.qualified_name();
        let mut start = BytesStart::new(qualified);
        for a in self.start.attributes().flatten() {
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            let current = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map(Cow::into_owned)
                .unwrap_or_default();
            let new = if a
                .key
                .local_name()
                .as_ref()
                .eq_ignore_ascii_case(name.as_bytes())
            {
                value
            } else {
                current.as_str()
            };
            start.push_attribute((key.as_str(), new));
        }
        self.start = start;
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Other(_) => None,
        })
    }

    pub fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Other(_) => None,
        })
    }

    /// Direct children with this local name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.is(name))
    }

    /// The first direct child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(name))
    }

    /// Follows a path of local names through first matches.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names
            .iter()
            .try_fold(self, |element, name| element.child(name))
    }

    /// Every descendant (depth first, document order) with this local name.
    pub fn descendants<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for e in self.elements() {
            if e.is(name) {
                out.push(e);
            }
            e.descendants(name, out);
        }
    }

    /// The text directly inside (references resolved), trimmed.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for node in &self.children {
            match node {
                Node::Other(Event::Text(t)) => {
                    if let Ok(s) = t.xml10_content() {
                        text.push_str(&s);
                    }
                }
                Node::Other(Event::CData(c)) => {
                    if let Ok(s) = c.decode() {
                        text.push_str(&s);
                    }
                }
                Node::Other(Event::GeneralRef(r)) => {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        text.push(c);
                    } else if let Some(s) = r
                        .decode()
                        .ok()
                        .and_then(|name| quick_xml::escape::resolve_xml_entity(&name))
                    {
                        text.push_str(s);
                    }
                }
                _ => {}
            }
        }
        text.trim().to_owned()
    }

    /// The text of the first child with this local name, when not empty.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(Element::text)
            .filter(|t| !t.is_empty())
    }

    /// Removes the direct children for which `keep` is false, and with each the whitespace
    /// text just before it (so the output has no blank lines where they were).
    pub fn retain_elements(&mut self, mut keep: impl FnMut(&mut Element) -> bool) {
        let mut kept = Vec::with_capacity(self.children.len());
        let mut pending_space: Option<Node> = None;
        for node in std::mem::take(&mut self.children) {
            match node {
                Node::Other(Event::Text(ref t)) if t.iter().all(u8::is_ascii_whitespace) => {
                    if let Some(space) = pending_space.replace(node) {
                        kept.push(space);
                    }
                }
                Node::Element(mut e) => {
                    if keep(&mut e) {
                        kept.extend(pending_space.take());
                        kept.push(Node::Element(e));
                    } else {
                        pending_space = None;
                    }
                }
                other @ Node::Other(_) => {
                    kept.extend(pending_space.take());
                    kept.push(other);
                }
            }
        }
        kept.extend(pending_space);
        self.children = kept;
    }
}
