//! Identify answers as text: GetFeatureInfo bodies (GeoJSON, Kartenn's JSON errors, OGC
//! exception reports) read into attribute lists, attribute values written as text, and popup
//! templates (`Commune : {nom}`) filled in. Everything here produces plain text: the viewer puts
//! it in text nodes, so HTML in data or templates shows literally.

use serde_json::Value;

/// One feature's attributes, name and value as text, in the order the server sent them.
pub type Attributes = Vec<(String, String)>;

/// An attribute value as text: strings as they are, numbers and booleans as JSON writes them,
/// `null` as nothing, arrays and objects as compact JSON.
pub fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Fills `{name}` placeholders with `value(name)` (nothing for an unknown attribute). Braces that
/// do not make a placeholder (`{`, `{}`, `{ }`, `{a{b}`) stay as written.
pub fn fill_template(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_end = after.find(['{', '}']);
        match name_end {
            Some(end) if after[end..].starts_with('}') && !after[..end].trim().is_empty() => {
                out.push_str(&value(&after[..end]).unwrap_or_default());
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Fills a template from a feature's attributes.
pub fn fill_from(template: &str, attributes: &Attributes) -> String {
    fill_template(template, |name| {
        attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
}

/// The features of a GetFeatureInfo answer (one GeoJSON FeatureCollection), or why there are
/// none: Kartenn's `{"code", "message"}`, an OGC exception report, or anything else.
pub fn parse_feature_info(body: &str) -> Result<Vec<Attributes>, String> {
    let Ok(doc) = serde_json::from_str::<Value>(body) else {
        return Err(exception_text(body).unwrap_or_else(|| "unexpected answer".to_owned()));
    };
    if let Some(features) = doc.get("features").and_then(Value::as_array) {
        return Ok(features
            .iter()
            .map(|f| {
                f.get("properties")
                    .and_then(Value::as_object)
                    .map(|props| {
                        props
                            .iter()
                            .map(|(k, v)| (k.clone(), json_text(v)))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect());
    }
    Err(error_message(&doc).unwrap_or_else(|| "unexpected answer".to_owned()))
}

/// The message of Kartenn's JSON error body.
pub fn error_message(doc: &Value) -> Option<String> {
    doc.get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The text of the first `ServiceException` / `ExceptionText` of an OGC exception report.
pub fn exception_text(body: &str) -> Option<String> {
    for tag in ["ServiceException", "ows:ExceptionText", "ExceptionText"] {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut from = 0;
        while let Some(found) = body[from..].find(&open) {
            let start = from + found + open.len();
            from = start;
            // `<ServiceException` must not be the start of `<ServiceExceptionReport`.
            if !body[start..].starts_with(['>', ' ', '\t', '\n', '\r']) {
                continue;
            }
            let inner = &body[start..];
            let (Some(open_end), Some(end)) = (inner.find('>'), inner.find(&close)) else {
                continue;
            };
            let text = inner.get(open_end + 1..end).unwrap_or_default().trim();
            if !text.is_empty() {
                return Some(unescape_xml(text));
            }
        }
    }
    None
}

/// Text with XML's character references resolved (`&lt;`, `&#39;`, `&#x27;`...); anything
/// that is not a reference stays as written.
pub fn unescape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        if let Some((c, end)) = decoded {
            out.push(c);
            rest = &after[end + 1..];
        } else {
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_references_are_resolved_and_the_rest_kept() {
        assert_eq!(
            unescape_xml("a &lt;b&gt; &quot;c&quot; &apos;d&#39; &#x263A; &#X41;"),
            "a <b> \"c\" 'd' \u{263a} A"
        );
        assert_eq!(
            unescape_xml("R&D &amp;amp; &#xZZ; &unknown; &"),
            "R&D &amp; &#xZZ; &unknown; &"
        );
    }

    #[test]
    fn values_become_text() {
        assert_eq!(json_text(&json!("Brest")), "Brest");
        assert_eq!(json_text(&json!(140_064)), "140064");
        assert_eq!(json_text(&json!(1.5)), "1.5");
        assert_eq!(json_text(&json!(true)), "true");
        assert_eq!(json_text(&json!(null)), "");
        assert_eq!(json_text(&json!([1, "a"])), r#"[1,"a"]"#);
    }

    #[test]
    fn templates_fill_placeholders_and_keep_stray_braces() {
        let attrs: Attributes = vec![
            ("nom".into(), "Brest".into()),
            ("population".into(), "140064".into()),
        ];
        assert_eq!(
            fill_from("Commune : {nom} ({population} hab.)", &attrs),
            "Commune : Brest (140064 hab.)"
        );
        assert_eq!(fill_from("{absent}!", &attrs), "!");
        assert_eq!(
            fill_from("{ } {} { {nom}} {nom", &attrs),
            "{ } {} { Brest} {nom"
        );
        assert_eq!(fill_from("{a{nom}", &attrs), "{aBrest");
    }

    #[test]
    fn html_in_values_and_templates_stays_text() {
        let attrs: Attributes = vec![("nom".into(), "<img src=x onerror=alert(1)>".into())];
        assert_eq!(
            fill_from("<b>{nom}</b>", &attrs),
            "<b><img src=x onerror=alert(1)></b>"
        );
    }

    #[test]
    fn mapserver_geojson_answers_give_the_features_in_order() {
        let body = r#"{"type": "FeatureCollection", "name": "communes",
            "features": [{"type": "Feature", "properties": {"code": "29019", "nom": "Brest",
              "population": 140064}, "geometry": null}, {"type": "Feature", "geometry": null}]}"#;
        let features = parse_feature_info(body).unwrap();
        assert_eq!(features.len(), 2);
        assert_eq!(
            features[0],
            [
                ("code".to_owned(), "29019".to_owned()),
                ("nom".to_owned(), "Brest".to_owned()),
                ("population".to_owned(), "140064".to_owned()),
            ]
        );
        assert!(features[1].is_empty());
        assert_eq!(
            parse_feature_info(r#"{"type":"FeatureCollection","features":[ ]}"#),
            Ok(vec![])
        );
    }

    #[test]
    fn errors_say_why() {
        assert_eq!(
            parse_feature_info(r#"{"code":"upstream","message":"the upstream server failed"}"#),
            Err("the upstream server failed".to_owned())
        );
        let report = r#"<?xml version='1.0'?><ServiceExceptionReport version="1.3.0">
            <ServiceException code="LayerNotDefined">
            msWMSLoadGetMapParams(): Invalid layer(s)
            </ServiceException></ServiceExceptionReport>"#;
        assert_eq!(
            parse_feature_info(report),
            Err("msWMSLoadGetMapParams(): Invalid layer(s)".to_owned())
        );
        let ows = r#"<ows:ExceptionReport><ows:Exception exceptionCode="X">
            <ows:ExceptionText>bad typename</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"#;
        assert_eq!(parse_feature_info(ows), Err("bad typename".to_owned()));
        let quoted = "<ServiceException>layer &#39;mairies&#39; &amp; &lt;b&gt;</ServiceException>";
        assert_eq!(
            parse_feature_info(quoted),
            Err("layer 'mairies' & <b>".to_owned())
        );
        assert_eq!(
            parse_feature_info("<html>oops</html>"),
            Err("unexpected answer".to_owned())
        );
        assert_eq!(
            parse_feature_info("[1]"),
            Err("unexpected answer".to_owned())
        );
    }
}
