//! The `antonnia-sandbox` binary: one start line with the base URL, serving,
//! a clear error for a bad flag, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_its_base_url_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_antonnia-sandbox"))
        .args(["--port", "0", "--time-scale", "0.01"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base_url = line
        .trim()
        .strip_prefix("antonnia-sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected start line {line:?}"))
        .to_string();
    assert!(
        base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/conversations/v2/api/v1")
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{base_url}/agents/agent_abc"))
            .bearer_auth("sk_test_sandbox")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 200);

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let exit = child.wait().unwrap();
    assert!(exit.success(), "a clean exit on SIGTERM, got {exit:?}");
}

#[test]
fn a_bad_flag_exits_2_naming_it() {
    let output = Command::new(env!("CARGO_BIN_EXE_antonnia-sandbox"))
        .args(["--time-scale", "fast"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--time-scale"));
}
