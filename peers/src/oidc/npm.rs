//! Installing the npm packages of `peers/oidc` (`npm ci`, once, when node_modules is missing or
//! stale), under a lock file shared by concurrent test processes.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::{INSTALL_HINT, tail};

const NPM_LOCK_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs `npm ci` in `dir` unless its node_modules already holds the pinned oidc-provider.
/// Concurrent callers (threads or test processes) wait on a lock file; the second finds the
/// packages installed and returns.
pub(super) fn ensure_node_modules(dir: &Path) -> Result<()> {
    if installed(dir) {
        return Ok(());
    }
    let _lock = LockFile::acquire(&dir.join(".npm-ci.lock"), NPM_LOCK_TIMEOUT)?;
    if installed(dir) {
        return Ok(());
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running npm ci in {} ({INSTALL_HINT})", dir.display()))?;
    if !output.status.success() {
        bail!(
            "npm ci in {} failed ({}):\n{}\n{}",
            dir.display(),
            output.status,
            tail(&String::from_utf8_lossy(&output.stdout), 20),
            tail(&String::from_utf8_lossy(&output.stderr), 40)
        );
    }
    if !installed(dir) {
        bail!(
            "npm ci in {} left no oidc-provider of the pinned version",
            dir.display()
        );
    }
    Ok(())
}

/// Whether `npm ci` finished in `dir` and installed the version package.json pins.
fn installed(dir: &Path) -> bool {
    let read = |path: PathBuf| -> Option<Value> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    };
    let modules = dir.join("node_modules");
    if !modules.join(".package-lock.json").is_file() {
        return false;
    }
    let pinned = read(dir.join("package.json")).and_then(|package| {
        package["dependencies"]["oidc-provider"]
            .as_str()
            .map(str::to_owned)
    });
    let present = read(modules.join("oidc-provider/package.json"))
        .and_then(|package| package["version"].as_str().map(str::to_owned));
    pinned.is_some() && pinned == present
}

/// A lock held by creating a file exclusively; removed on drop. A lock left by a dead process
/// (its PID gone from /proc) or older than 10 minutes is broken.
struct LockFile(PathBuf);

impl LockFile {
    fn acquire(path: &Path, timeout: Duration) -> Result<Self> {
        let deadline = Instant::now() + timeout;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut file) => {
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(Self(path.to_owned()));
                }
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                    if Self::stale(path) {
                        let _ = std::fs::remove_file(path);
                        continue;
                    }
                }
                Err(err) => {
                    return Err(err).with_context(|| format!("creating {}", path.display()));
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "{} is still held after {} s (remove it if no npm ci is running)",
                    path.display(),
                    timeout.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn stale(path: &Path) -> bool {
        let old = std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|modified| SystemTime::now().duration_since(modified).ok())
            .is_some_and(|age| age > Duration::from_secs(600));
        let dead = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
            .is_some_and(|pid| {
                Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
            });
        old || dead
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
