//! Finds or installs the tools the build needs, once per machine: the wasm32 target, trunk,
//! wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen, wasm-opt from npm `binaryen`, and for
//! the end-to-end tests Debian's Chromium, ChromeDriver and lighttpd. Nothing is downloaded at
//! build time.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::steps::{root, run_cmd, step};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132";

/// Environment for the commands that need the tools.
pub struct ToolEnv {
    /// `PATH` with the project's npm tools and cargo's bin directory first.
    pub path: String,
}

pub fn ensure(browser: bool) -> Result<ToolEnv, String> {
    let root = root();
    let cargo_bin = cargo_home().join("bin");
    let npm_bin = root.join(".tools/node_modules/.bin");
    let path = format!(
        "{}:{}:{}",
        npm_bin.display(),
        cargo_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = ToolEnv { path };

    if !output("rustup", &["target", "list", "--installed"])
        .is_some_and(|o| o.contains("wasm32-unknown-unknown"))
    {
        step("installing the wasm32-unknown-unknown target");
        run_cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    if !has_version(&env, "trunk", &format!("trunk {TRUNK_VERSION}")) {
        step(&format!(
            "installing trunk {TRUNK_VERSION} (once per machine, about 4 minutes)"
        ));
        run_cmd(fast_install().args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))?;
    }

    let bindgen = wasm_bindgen_version(&root)?;
    if !has_version(&env, "wasm-bindgen", &format!("wasm-bindgen {bindgen}")) {
        step(&format!(
            "installing wasm-bindgen-cli {bindgen} (once per machine, about 2 minutes)"
        ));
        // Not --locked: its lock file names a crate version this registry lacks.
        run_cmd(fast_install().args([
            "install",
            "--force",
            "wasm-bindgen-cli",
            "--version",
            &bindgen,
        ]))?;
    }

    let wasm_opt = npm_bin.join("wasm-opt");
    let has_binaryen = output(wasm_opt.to_str().unwrap_or("wasm-opt"), &["--version"])
        .is_some_and(|v| v.contains(&format!("version {BINARYEN_VERSION}")));
    if !has_binaryen {
        step(&format!(
            "installing wasm-opt (npm binaryen@{BINARYEN_VERSION})"
        ));
        std::fs::create_dir_all(root.join(".tools")).map_err(|e| e.to_string())?;
        run_cmd(Command::new("npm").current_dir(&root).args([
            "install",
            "--prefix",
            ".tools",
            "--no-audit",
            "--no-fund",
            &format!("binaryen@{BINARYEN_VERSION}"),
        ]))?;
    }

    let peers_present = on_path(&env, "chromium")
        && on_path(&env, "chromedriver")
        && (on_path(&env, "lighttpd") || Path::new("/usr/sbin/lighttpd").is_file())
        && on_path(&env, "mapserv");
    if browser && !peers_present {
        step(
            "installing the test peers: Chromium, ChromeDriver, lighttpd, MapServer (Debian packages)",
        );
        let sudo = if output("id", &["-u"]).is_some_and(|u| u.trim() == "0") {
            vec![]
        } else {
            vec!["sudo", "-n"]
        };
        let apt = |args: &[&str]| {
            let mut all = sudo.clone();
            all.push("apt-get");
            all.extend_from_slice(args);
            let mut cmd = Command::new(all[0]);
            cmd.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
            run_cmd(&mut cmd)
        };
        apt(&["update", "-qq"])?;
        apt(&[
            "install",
            "-y",
            "-qq",
            "chromium",
            "chromium-driver",
            "lighttpd",
            "cgi-mapserver",
            "mapserver-bin",
        ])?;
    }
    Ok(env)
}

/// `cargo install` with a release profile tuned for build time (tools, not products).
fn fast_install() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "true");
    cmd
}

/// The wasm-bindgen version in Cargo.lock; Trunk.toml must name the same.
pub fn wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"wasm-bindgen\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_owned())
        .ok_or("wasm-bindgen is not in Cargo.lock")?;
    let trunk =
        std::fs::read_to_string(root.join("Trunk.toml")).map_err(|e| format!("Trunk.toml: {e}"))?;
    if !trunk.contains(&format!("wasm_bindgen = \"{version}\"")) {
        return Err(format!(
            "Trunk.toml's [tools] wasm_bindgen must be \"{version}\", the version in Cargo.lock"
        ));
    }
    Ok(version)
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME").map_or_else(
        || PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"),
        PathBuf::from,
    )
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// True when `program --version` prints exactly `expected`.
fn has_version(env: &ToolEnv, program: &str, expected: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .env("PATH", &env.path)
        .output()
        .is_ok_and(|out| {
            out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == expected
        })
}

fn on_path(env: &ToolEnv, program: &str) -> bool {
    std::env::split_paths(&env.path).any(|dir| dir.join(program).is_file())
}
