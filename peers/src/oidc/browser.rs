//! [`Browser`]: the provider's login and logout pages driven like a browser without JavaScript
//! (cookies kept, redirects followed while they stay on the provider).

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};

use super::http::{HttpResponse, form_encode, http_request, origin};
use super::tail;

/// Drives the provider's login and logout pages like a browser without JavaScript: keeps the
/// cookies the provider sets (ignoring their paths) and follows redirects while they stay on the
/// provider, stopping at the first one that leaves it (the client's `redirect_uri`).
#[derive(Debug, Clone, Default)]
pub struct Browser {
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of a cookie the provider set (`_session` is the provider session).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// GET with the cookies; redirects are not followed.
    pub fn get(&mut self, url: &str) -> Result<HttpResponse> {
        let headers = self.headers();
        let response = http_request("GET", url, &headers, None)?;
        self.keep_cookies(&response);
        Ok(response)
    }

    /// POST a form with the cookies; redirects are not followed.
    pub fn post_form(&mut self, url: &str, form: &[(&str, &str)]) -> Result<HttpResponse> {
        let mut headers = self.headers();
        headers.push((
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
        let response = http_request("POST", url, &headers, Some(form_encode(form).as_bytes()))?;
        self.keep_cookies(&response);
        Ok(response)
    }

    /// Opens `authorize_url`, signs in on the login form if it is shown, and returns the URL
    /// the provider finally sends the browser to (the `redirect_uri` with `code` and `state`).
    /// A refused password is an error quoting the page's message.
    pub fn login(&mut self, authorize_url: &str, username: &str, password: &str) -> Result<String> {
        let site = origin(authorize_url).to_owned();
        let page = self.get(authorize_url)?;
        if is_redirect(page.status) {
            return self.follow_redirects(&site, page);
        }
        let action = login_form_action(&page)?;
        let action = if action.starts_with('/') {
            format!("{site}{action}")
        } else {
            action
        };
        let answer = self.post_form(&action, &[("username", username), ("password", password)])?;
        if answer.status == 200 {
            bail!(
                "login refused: {}",
                input_error(&answer.body).unwrap_or_else(|| tail(&answer.body, 10))
            );
        }
        self.follow_redirects(&site, answer)
    }

    /// Opens `url` and follows the provider's redirects; returns the first URL outside the
    /// provider. An error when a page is shown instead (e.g. the login form).
    pub fn navigate(&mut self, url: &str) -> Result<String> {
        let site = origin(url).to_owned();
        let first = self.get(url)?;
        self.follow_redirects(&site, first)
    }

    fn follow_redirects(&mut self, site: &str, mut response: HttpResponse) -> Result<String> {
        for _ in 0..10 {
            if !is_redirect(response.status) {
                bail!(
                    "HTTP {} instead of a redirect: {}",
                    response.status,
                    tail(&response.body, 15)
                );
            }
            let location = response
                .header("location")
                .context("redirect without Location")?
                .to_owned();
            let location = if location.starts_with('/') {
                format!("{site}{location}")
            } else {
                location
            };
            if origin(&location) != site {
                return Ok(location);
            }
            response = self.get(&location)?;
        }
        bail!("too many redirects")
    }

    fn headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![(
            "Accept".to_owned(),
            "text/html,application/xhtml+xml,*/*;q=0.8".to_owned(),
        )];
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ");
            headers.push(("Cookie".to_owned(), cookie));
        }
        headers
    }

    fn keep_cookies(&mut self, response: &HttpResponse) {
        for set_cookie in response.set_cookies() {
            let mut attributes = set_cookie.split(';');
            let Some((name, value)) = attributes.next().and_then(|pair| pair.split_once('='))
            else {
                continue;
            };
            let expired = attributes.any(|attribute| {
                let attribute = attribute.trim().to_ascii_lowercase();
                attribute.starts_with("expires=") && attribute.contains("1970")
                    || attribute == "max-age=0"
            });
            if expired || value.is_empty() {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The `action` of the page's `<form id="kc-form-login">`, HTML entities decoded.
fn login_form_action(page: &HttpResponse) -> Result<String> {
    let form = page
        .body
        .find("id=\"kc-form-login\"")
        .map(|at| &page.body[at..])
        .with_context(|| {
            format!(
                "HTTP {}: no login form in {}",
                page.status,
                tail(&page.body, 15)
            )
        })?;
    let start = form
        .find("action=\"")
        .context("login form without action")?
        + 8;
    let end = form[start..]
        .find('"')
        .context("unterminated action attribute")?;
    Ok(html_unescape(&form[start..start + end]))
}

/// The text of `<span id="input-error">`, if any.
fn input_error(page: &str) -> Option<String> {
    let at = page.find("id=\"input-error\"")?;
    let start = at + page[at..].find('>')? + 1;
    let end = start + page[start..].find('<')?;
    Some(html_unescape(page[start..end].trim()))
}

fn html_unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::super::http::parse_response;
    use super::*;

    #[test]
    fn browser_keeps_and_forgets_cookies() {
        let mut browser = Browser::new();
        let response = parse_response(
            b"HTTP/1.1 200 OK\r\nSet-Cookie: _session=abc; path=/; httponly\r\nSet-Cookie: _interaction=x; path=/p\r\n\r\n",
        )
        .unwrap();
        browser.keep_cookies(&response);
        assert_eq!(browser.cookie("_session"), Some("abc"));
        let cleared = parse_response(
            b"HTTP/1.1 302 Found\r\nSet-Cookie: _session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n",
        )
        .unwrap();
        browser.keep_cookies(&cleared);
        assert_eq!(browser.cookie("_session"), None);
        assert_eq!(browser.cookie("_interaction"), Some("x"));
    }

    #[test]
    fn login_page_parts_are_found() {
        let page = HttpResponse {
            status: 200,
            headers: vec![],
            body: r#"<form id="kc-form-login" action="/realms/indigeo/login-actions/authenticate?session_code=u&amp;client_id=kartenn" method="post">
            <span id="input-error" class="kc-feedback-text">Invalid username or password.</span>"#
                .to_owned(),
        };
        assert_eq!(
            login_form_action(&page).unwrap(),
            "/realms/indigeo/login-actions/authenticate?session_code=u&client_id=kartenn"
        );
        assert_eq!(
            input_error(&page.body).as_deref(),
            Some("Invalid username or password.")
        );
    }
}
