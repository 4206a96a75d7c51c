//! Where requests go and how they are signed: base URL, token, headers.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::Error;
use crate::http::{HttpRequest, Method, is_secret_header};

/// The production base URL given by the Quick Start.
pub const DEFAULT_BASE_URL: &str = "https://services.antonnia.com/conversations/v2/api/v1";

/// The path under which the API lives; a base URL without it is the most
/// common newcomer mistake, so 404 messages point it out.
pub const API_PATH_PREFIX: &str = "/conversations/v2/api/v1";

/// The SDK's version, as it appears in the `User-Agent`.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// An API token. Its value never appears in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Checks a token: it must be non-empty printable ASCII without spaces,
    /// because it travels in an HTTP header and no real token has any.
    pub fn new(token: impl Into<String>) -> Result<Token, Error> {
        let token = token.into();
        if token.is_empty() {
            return Err(Error::invalid("token", "must not be empty"));
        }
        if token.chars().any(|c| c.is_control()) {
            return Err(Error::invalid(
                "token",
                "contains control characters (a stray newline?)",
            ));
        }
        if !token.is_ascii() {
            return Err(Error::invalid("token", "contains non-ASCII characters"));
        }
        if token.contains(' ') {
            return Err(Error::invalid("token", "contains spaces"));
        }
        Ok(Token(token))
    }

    /// The secret value, for the one place that needs it: the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Everything every request needs: where to send it and how to authenticate.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    base_url: String,
    // None: no Authorization header (a proxy in front of the API adds it).
    token: Option<Token>,
    user_agent: String,
    extra_headers: Vec<(String, String)>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("token", &self.token)
            .field("user_agent", &self.user_agent)
            .field(
                "extra_headers",
                &self
                    .extra_headers
                    .iter()
                    .map(|(k, v)| {
                        let shown = if is_secret_header(k) { "[redacted]" } else { v };
                        (k.as_str(), shown)
                    })
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn check_header_value(field: &str, value: &str) -> Result<(), Error> {
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(field, "contains control characters"));
    }
    if !value.is_ascii() {
        return Err(Error::invalid(field, "contains non-ASCII characters"));
    }
    Ok(())
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

impl Config {
    /// A configuration for the production API with this token.
    pub fn new(token: &str) -> Result<Config, Error> {
        Ok(Config {
            token: Some(Token::new(token)?),
            ..Config::anonymous()
        })
    }

    /// A configuration that sends no token: for a proxy in front of the API
    /// that authenticates its callers its own way (the session of a web page
    /// or a mobile app) and adds the token itself, so that no secret ships to
    /// browsers or app binaries. Point it at the proxy with
    /// [`with_base_url`](Self::with_base_url).
    pub fn anonymous() -> Config {
        Config {
            base_url: DEFAULT_BASE_URL.to_string(),
            token: None,
            user_agent: format!("antonnia-sdk/{SDK_VERSION} (rust)"),
            extra_headers: Vec::new(),
        }
    }

    /// Uses another base URL (a sandbox, a proxy). Its path is kept: paths are
    /// joined after it; one trailing slash is tolerated.
    pub fn with_base_url(mut self, base_url: &str) -> Result<Config, Error> {
        self.base_url = normalize_base_url(base_url)?;
        Ok(self)
    }

    /// Names the binding in the `User-Agent`: `antonnia-sdk/<version> (<binding>)`.
    pub fn with_binding(mut self, binding: &str) -> Result<Config, Error> {
        check_header_value("binding", binding)?;
        if binding.contains(['(', ')']) {
            return Err(Error::invalid("binding", "must not contain parentheses"));
        }
        self.user_agent = format!("antonnia-sdk/{SDK_VERSION} ({binding})");
        Ok(self)
    }

    /// Adds a header sent with every request (after the SDK's own headers,
    /// replacing one of the same name).
    ///
    /// `Authorization` is taken only by an [anonymous](Self::anonymous)
    /// configuration: that is the proxy pattern, where a web page or an app
    /// authenticates to its own backend (with a user's session or an app
    /// token) and the backend adds the API token. With an API token set, the
    /// header is refused: the token already fills it, and two sources for it
    /// would hide which one was sent.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Config, Error> {
        if name.is_empty() || !name.chars().all(is_token_char) {
            return Err(Error::invalid(
                "headers",
                format!("{name:?} is not a valid header name"),
            ));
        }
        if name.eq_ignore_ascii_case("authorization") && self.token.is_some() {
            return Err(Error::invalid(
                "headers",
                "an Authorization header cannot be set beside the token: the token \
                 fills it (for a proxy that authenticates its callers its own way, \
                 configure no token and set the header)",
            ));
        }
        check_header_value("headers", value).map_err(|_| {
            Error::invalid(
                "headers",
                format!("the value of {name} contains control or non-ASCII characters"),
            )
        })?;
        let name = name.to_ascii_lowercase();
        self.extra_headers.retain(|(k, _)| *k != name);
        self.extra_headers.push((name, value.to_string()));
        Ok(self)
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token, unless the configuration is [anonymous](Self::anonymous).
    pub fn token(&self) -> Option<&Token> {
        self.token.as_ref()
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The extra headers.
    pub fn extra_headers(&self) -> &[(String, String)] {
        &self.extra_headers
    }

    /// The credentials this configuration sends (the API token, or a proxy
    /// credential set as a header), which error messages must never repeat.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = self.token.iter().map(|t| t.expose().to_string()).collect();
        for (name, value) in &self.extra_headers {
            if is_secret_header(name) {
                // "Bearer abc": the credential is what follows the scheme.
                let credential = value.rsplit(' ').next().unwrap_or(value);
                secrets.push(credential.to_string());
            }
        }
        secrets
    }

    /// Builds a request to `path` (already encoded, starting with `/`).
    pub(crate) fn request(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> HttpRequest {
        let mut url = String::with_capacity(self.base_url.len() + path.len());
        url.push_str(&self.base_url);
        url.push_str(path);
        let mut headers = Vec::with_capacity(4 + self.extra_headers.len());
        if let Some(token) = &self.token {
            headers.push((
                "authorization".to_string(),
                format!("Bearer {}", token.expose()),
            ));
        }
        headers.push(("accept".to_string(), "application/json".to_string()));
        if body.is_some() {
            headers.push(("content-type".to_string(), "application/json".to_string()));
        }
        headers.push(("user-agent".to_string(), self.user_agent.clone()));
        for (k, v) in &self.extra_headers {
            headers.retain(|(name, _)| name != k);
            headers.push((k.clone(), v.clone()));
        }
        HttpRequest {
            method,
            url,
            headers,
            body,
        }
    }
}

fn normalize_base_url(input: &str) -> Result<String, Error> {
    let url = input.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| Error::invalid("base_url", "must start with http:// or https://"))?;
    let host_end = rest.find('/').unwrap_or(rest.len());
    if host_end == 0 {
        return Err(Error::invalid("base_url", "has no host"));
    }
    let authority = &rest[..host_end];
    // Never echoed: the URL may hold a password.
    if authority.contains('@') {
        return Err(Error::invalid(
            "base_url",
            "must not carry credentials (user:password@host); the token authenticates",
        ));
    }
    let port =
        match authority.strip_prefix('[') {
            Some(v6) => {
                let (addr, after) = v6.split_once(']').ok_or_else(|| {
                    Error::invalid("base_url", "has an IPv6 host without its closing ']'")
                })?;
                if addr.is_empty()
                    || !addr
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
                {
                    return Err(Error::invalid("base_url", "has an invalid IPv6 host"));
                }
                match after {
                    "" => None,
                    p => Some(p.strip_prefix(':').ok_or_else(|| {
                        Error::invalid("base_url", "has text after its IPv6 host")
                    })?),
                }
            }
            None => authority.split_once(':').map(|(_, p)| p),
        };
    if let Some(port) = port {
        if port.is_empty()
            || port.len() > 5
            || !port.bytes().all(|b| b.is_ascii_digit())
            || port.parse::<u32>().map_or(true, |n| n > 65_535)
        {
            return Err(Error::invalid("base_url", "has an invalid port"));
        }
    }
    if url.contains(['?', '#']) {
        return Err(Error::invalid(
            "base_url",
            "must not contain a query or fragment",
        ));
    }
    if url.chars().any(|c| c.is_control() || c == ' ') || !url.is_ascii() {
        return Err(Error::invalid(
            "base_url",
            "contains spaces, control or non-ASCII characters",
        ));
    }
    Ok(url.strip_suffix('/').unwrap_or(url).to_string())
}

/// Everything but RFC 3986 unreserved characters is encoded, so an id can
/// never leave its path segment (`/`, `?`, `#`, `%`, `.` sequences, spaces).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment.
///
/// `.` and `..` are encoded as `%2E` / `%2E%2E` so that no client or proxy can
/// normalize them away.
pub fn encode_segment(segment: &str) -> String {
    if segment == "." || segment == ".." {
        return "%2E".repeat(segment.len());
    }
    utf8_percent_encode(segment, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_redacted_everywhere() {
        let cfg = Config::new("sk_live_secret").unwrap();
        let shown = format!("{cfg:?} {} {:?}", cfg.token().unwrap(), cfg.token());
        assert!(!shown.contains("sk_live_secret"), "{shown}");
        let req = cfg.request(Method::Get, "/x", None);
        assert!(!format!("{req:?}").contains("sk_live_secret"));
        assert_eq!(req.header("Authorization"), Some("Bearer sk_live_secret"));
    }

    #[test]
    fn anonymous_configs_send_no_authorization() {
        let cfg = Config::anonymous()
            .with_base_url("https://proxy.example.test/antonnia")
            .unwrap();
        let req = cfg.request(Method::Get, "/sessions/s", None);
        assert_eq!(req.header("authorization"), None);
        assert_eq!(req.url, "https://proxy.example.test/antonnia/sessions/s");
        assert!(cfg.token().is_none());
    }

    #[test]
    fn bad_tokens_are_named_but_not_echoed() {
        for bad in ["", "sk_live\nx", "sk\u{0}", " sk", "sk_é"] {
            let e = Config::new(bad).unwrap_err();
            assert_eq!(e.kind(), "invalid_request");
            let text = e.to_string();
            assert!(text.starts_with("invalid token"), "{text}");
            if !bad.is_empty() {
                assert!(!text.contains(bad));
            }
        }
    }

    #[test]
    fn base_url_keeps_its_path() {
        let cfg = Config::new("t")
            .unwrap()
            .with_base_url("http://127.0.0.1:8080/prefix/v1/")
            .unwrap();
        assert_eq!(
            cfg.request(Method::Get, "/sessions", None).url,
            "http://127.0.0.1:8080/prefix/v1/sessions"
        );
        for bad in [
            "ftp://x",
            "http://",
            "http://x/?a=1",
            "http://x y",
            "sessions",
            "http://[::1",
            "http://[::1]x",
            "http://user:pw@host/v1",
            "http://host:99999",
            "http://host:80a",
        ] {
            assert!(
                Config::new("t").unwrap().with_base_url(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn base_url_credentials_are_refused_without_being_echoed() {
        let e = Config::new("t")
            .unwrap()
            .with_base_url("https://bob:hunter2@example.test/v1")
            .unwrap_err();
        assert!(e.to_string().contains("credentials") && !e.to_string().contains("hunter2"));
        for good in [
            "http://[::1]:8080/v1",
            "http://127.0.0.1:1/v1",
            "https://h.test",
        ] {
            assert!(
                Config::new("t").unwrap().with_base_url(good).is_ok(),
                "{good}"
            );
        }
    }

    #[test]
    fn segments_cannot_escape() {
        assert_eq!(encode_segment("../x?y#z"), "..%2Fx%3Fy%23z");
        assert_eq!(encode_segment(".."), "%2E%2E");
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(encode_segment("olá"), "ol%C3%A1");
        assert_eq!(encode_segment("sess_abc-1.2~"), "sess_abc-1.2~");
    }

    #[test]
    fn extra_headers_replace_defaults() {
        let cfg = Config::new("t")
            .unwrap()
            .with_header("X-Trace", "1")
            .unwrap()
            .with_header("User-Agent", "mine")
            .unwrap();
        let req = cfg.request(Method::Get, "/", None);
        assert_eq!(req.header("user-agent"), Some("mine"));
        assert_eq!(req.header("x-trace"), Some("1"));
        assert!(
            Config::new("t")
                .unwrap()
                .with_header("Authorization", "x")
                .is_err()
        );
        // The proxy pattern: no API token, the caller's own credential.
        let proxy = Config::anonymous()
            .with_header("Authorization", "Bearer app_token_for_my_backend")
            .unwrap();
        let req = proxy.request(Method::Get, "/", None);
        assert_eq!(
            req.header("authorization"),
            Some("Bearer app_token_for_my_backend")
        );
        assert!(
            Config::new("t")
                .unwrap()
                .with_header("bad name", "x")
                .is_err()
        );
        assert!(
            Config::new("t")
                .unwrap()
                .with_header("x", "a\r\nb")
                .is_err()
        );
    }
}
