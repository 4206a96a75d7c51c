//! The command line of the `antonnia-sandbox` binary.

use std::net::IpAddr;

use crate::{DEFAULT_PATH_PREFIX, DEFAULT_TOKEN, Limits, SandboxConfig};

/// `--help`.
pub const USAGE: &str = "\
antonnia-sandbox: a local Antonnia Conversations API with AI replies and signed webhooks

USAGE:
    antonnia-sandbox [OPTIONS]

OPTIONS:
    --port N                 port to listen on; 0 picks a free one [default: 8080]
    --host ADDR              address to listen on [default: 127.0.0.1]
    --token TOKEN            bearer token clients must send [default: sk_test_sandbox]
    --path-prefix PATH       where the API lives [default: /conversations/v2/api/v1]
    --time-scale F           multiplies every delay (debounce, schedules, webhook
                             retries); tests use 0.01 [default: 1]
    --webhook-url URL        http:// endpoint receiving every event (repeatable)
    --webhook-secret SECRET  sign deliveries (Standard Webhooks) with whsec_...
    --duplicate-webhooks P   deliver a fraction P (0..1) of events twice, out of order
    --webhook-attempts N     attempts per delivery before giving up [default: 5]
    --seed N                 seed for ids and the duplicate draw [default: 0]
    --max-sessions N         sessions kept before the oldest is forgotten [default: 10000]
    --max-messages N         messages kept per session before its oldest is
                             forgotten [default: 1000]
    -h, --help               print this help

On start it prints one line to stdout: `antonnia-sandbox listening on <BASE_URL>`.
A request header `x-sandbox-fail: <status>[;times=N][;retry-after=S][;id=K]`
makes the first N requests carrying that exact value fail with <status>.
";

/// What the command line asked for.
#[derive(Debug)]
pub enum Command {
    /// Run a sandbox with this configuration.
    Run(Box<SandboxConfig>),
    /// Print [`USAGE`].
    Help,
}

/// Reads the arguments (without the program name), naming the bad one.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut config = SandboxConfig {
        port: 8080,
        token: DEFAULT_TOKEN.to_string(),
        path_prefix: DEFAULT_PATH_PREFIX.to_string(),
        limits: Limits::default(),
        ..SandboxConfig::default()
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => config.port = number(&flag, &value()?)?,
            "--host" => {
                let v = value()?;
                config.host = v.parse::<IpAddr>().map_err(|_| {
                    format!("--host: expected an IP address such as 127.0.0.1, got {v:?}")
                })?;
            }
            "--token" => config.token = value()?,
            "--path-prefix" => config.path_prefix = value()?.trim_end_matches('/').to_string(),
            "--time-scale" => config.time_scale = number(&flag, &value()?)?,
            "--webhook-url" => config.webhook_urls.push(value()?),
            "--webhook-secret" => config.webhook_secret = Some(value()?),
            "--duplicate-webhooks" => config.duplicate_webhooks = number(&flag, &value()?)?,
            "--webhook-attempts" => config.webhook_attempts = number(&flag, &value()?)?,
            "--seed" => config.seed = number(&flag, &value()?)?,
            "--max-sessions" => config.limits.max_sessions = number(&flag, &value()?)?,
            "--max-messages" => config.limits.max_messages_per_session = number(&flag, &value()?)?,
            other => return Err(format!("unknown option {other:?} (see --help)")),
        }
    }
    config.validate().map_err(|e| e.to_string())?;
    Ok(Command::Run(Box::new(config)))
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag}: expected a number, got {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<SandboxConfig, String> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Command::Run(config) => Ok(*config),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn reads_every_flag() {
        let c = run(&[
            "--port",
            "0",
            "--time-scale=0.01",
            "--webhook-url",
            "http://127.0.0.1:9/a",
            "--webhook-url",
            "http://127.0.0.1:9/b",
            "--webhook-secret",
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "--duplicate-webhooks",
            "0.5",
            "--token",
            "sk_test_x",
            "--path-prefix",
            "/",
            "--max-sessions",
            "5",
        ])
        .unwrap();
        assert_eq!(c.port, 0);
        assert_eq!(c.time_scale, 0.01);
        assert_eq!(c.webhook_urls.len(), 2);
        assert_eq!(c.token, "sk_test_x");
        assert_eq!(c.path_prefix, "");
        assert_eq!(c.limits.max_sessions, 5);
    }

    #[test]
    fn names_the_bad_flag() {
        assert!(run(&["--port", "x"]).unwrap_err().contains("--port"));
        assert!(run(&["--bogus"]).unwrap_err().contains("--bogus"));
        assert!(run(&["--port"]).unwrap_err().contains("needs a value"));
        assert!(
            run(&["--duplicate-webhooks", "2"])
                .unwrap_err()
                .contains("duplicate")
        );
        assert!(
            run(&["--webhook-url", "https://x.test/"])
                .unwrap_err()
                .contains("http://")
        );
        assert!(
            run(&["--webhook-secret", "whsec_!!not base64!!"])
                .unwrap_err()
                .contains("secret")
        );
        assert!(matches!(parse(["--help".to_string()]), Ok(Command::Help)));
    }
}
