//! MapServer 8 as a CGI behind Debian's lighttpd on a free loopback port: the stand-in for
//! GeoServer in integration tests (WMS 1.3.0, WFS 2.0, a TIME dimension, a layer group).
//!
//! [`MapServer::start`] renders `peers/mapserver/kartenn.map` into a temporary directory,
//! writes a MapServer 8 config file (`MAPSERVER_CONFIG_FILE`, whose `ENV` names the mapfile, so
//! clients never pass `map=`) and a `lighttpd.conf` mapping `/ows` to the `mapserv` binary, then
//! starts `lighttpd -D` and waits for a WMS GetCapabilities to answer. Dropping the guard kills
//! that lighttpd (by its handle) and removes the directory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

use crate::free_port;

/// The mapfile template; `{{DATA}}`, `{{FIXTURES}}` and `{{TMP}}` are replaced at start-up.
const MAPFILE_TEMPLATE: &str = include_str!("../mapserver/kartenn.map");

const INSTALL_HINT: &str =
    "apt-get install cgi-mapserver mapserver-bin lighttpd; `cargo xtask test` does it";

/// A running MapServer behind lighttpd, stopped when dropped.
pub struct MapServer {
    /// The OWS endpoint, without query string: `http://127.0.0.1:PORT/ows`.
    pub url: String,
    child: Child,
    dir: TempDir,
}

impl MapServer {
    /// WMS layer names, in capabilities order. WFS type names are these with the `ms:` prefix.
    pub const LAYERS: [&'static str; 5] = [
        "communes",
        "coastline",
        "mairies",
        "observations",
        "private_sites",
    ];
    /// The named layer group (a WMS layer with children, also requestable in `LAYERS=`).
    pub const GROUP: &'static str = "littoral";
    /// The children of [`Self::GROUP`].
    pub const GROUP_LAYERS: [&'static str; 2] = ["coastline", "mairies"];
    /// The layer with a WMS `time` dimension (attribute `observed`).
    pub const TIME_LAYER: &'static str = "observations";
    /// Its advertised extent: 20 instants, every 6 hours.
    pub const TIME_EXTENT: &'static str = "2024-06-01T00:00:00Z/2024-06-05T18:00:00Z/PT6H";
    /// What MapServer uses when a request has no `TIME` (or an unusable one).
    pub const TIME_DEFAULT: &'static str = "2024-06-01T00:00:00Z";
    /// The layer proxy tests treat as forbidden.
    pub const PRIVATE_LAYER: &'static str = "private_sites";
    /// `(lon, lat)` inside the commune of Brest (`code` 29019) and exactly on the fixed
    /// observation station `brest`, which has one observation at each of the 20 instants.
    pub const BREST: (f64, f64) = (-4.49, 48.39);

    /// Starts lighttpd + mapserv on a free loopback port and waits until it serves WMS
    /// GetCapabilities (30 s at most).
    pub async fn start() -> Result<Self> {
        let mapserv = mapserv_binary()?;
        let lighttpd = lighttpd_binary()?;
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let fixtures = manifest.join("mapserver");
        let data = manifest
            .parent()
            .map_or_else(|| PathBuf::from("data/demo"), |root| root.join("data/demo"));
        for file in ["communes.fgb", "coastline.fgb", "mairies.fgb"] {
            let path = data.join(file);
            if !path.is_file() {
                bail!("demo data {} is missing", path.display());
            }
        }
        let mut last_error = None;
        // A free port can be taken between the probe and lighttpd's bind: try a few.
        for _ in 0..3 {
            let port = free_port()?;
            let dir = TempDir::new(port)?;
            let conf = write_config(&dir.0, port, &mapserv, &data, &fixtures)?;
            let child = Command::new(&lighttpd)
                .args(["-D", "-f"])
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::from(std::fs::File::create(
                    dir.0.join("lighttpd.out"),
                )?))
                .stderr(Stdio::from(std::fs::File::create(
                    dir.0.join("lighttpd.err"),
                )?))
                .kill_on_drop(true)
                .spawn()
                .with_context(|| format!("starting {} ({INSTALL_HINT})", lighttpd.display()))?;
            let mut server = Self {
                url: format!("http://127.0.0.1:{port}/ows"),
                child,
                dir,
            };
            match server.wait_ready(port).await {
                Ok(()) => return Ok(server),
                Err(err) => last_error = Some(err.context(server.diagnostics())),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("MapServer did not start")))
    }

    /// WMS layer names (see [`Self::LAYERS`]).
    pub fn layer_names(&self) -> &'static [&'static str] {
        &Self::LAYERS
    }

    /// The endpoint with a query string: `ows("SERVICE=WMS&REQUEST=GetCapabilities")`.
    pub fn ows(&self, query: &str) -> String {
        format!("{}?{query}", self.url)
    }

    /// The rendered mapfile (for running `mapserv` by hand while debugging).
    pub fn mapfile(&self) -> PathBuf {
        self.dir.0.join("kartenn.map")
    }

    /// MapServer's own log (`MS_ERRORFILE`, debug level 1): one line per CGI request and the
    /// errors MapServer met, handy in a failing assertion's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.0.join("mapserver.log")).unwrap_or_default()
    }

    /// lighttpd's and MapServer's logs, for error messages.
    fn diagnostics(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.0.join(name)).unwrap_or_default();
        format!(
            "lighttpd stderr: {}\nlighttpd error log: {}\nMapServer log: {}",
            read("lighttpd.err").trim(),
            read("lighttpd-error.log").trim(),
            self.log().trim()
        )
    }

    async fn wait_ready(&mut self, port: u16) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("lighttpd exited with {status}");
            }
            let last = match get(
                port,
                "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
            )
            .await
            {
                Ok(response) => {
                    let ok = response.starts_with("HTTP/1.0 200")
                        || response.starts_with("HTTP/1.1 200");
                    if ok && response.contains("<WMS_Capabilities") {
                        return Ok(());
                    }
                    response.chars().take(600).collect()
                }
                Err(err) => err.to_string(),
            };
            if Instant::now() > deadline {
                bail!(
                    "MapServer did not answer GetCapabilities on 127.0.0.1:{port} within 30 s; last answer: {last}"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for MapServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        // Reap it so no zombie is left behind; it dies at once on SIGKILL.
        let deadline = Instant::now() + Duration::from_secs(2);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Writes the mapfile, MapServer's config file and lighttpd's; returns lighttpd's.
fn write_config(
    dir: &Path,
    port: u16,
    mapserv: &Path,
    data: &Path,
    fixtures: &Path,
) -> Result<PathBuf> {
    for path in [dir, mapserv, data, fixtures] {
        let text = path.to_string_lossy();
        if text.contains(['"', '\\', '\n']) {
            bail!(
                "path unusable in a mapfile or lighttpd.conf: {}",
                path.display()
            );
        }
    }
    let mapfile = dir.join("kartenn.map");
    let rendered = MAPFILE_TEMPLATE
        .replace("{{DATA}}", &data.to_string_lossy())
        .replace("{{FIXTURES}}", &fixtures.to_string_lossy())
        .replace("{{TMP}}", &dir.to_string_lossy());
    if let Some(at) = rendered.find("{{") {
        let rest: String = rendered[at..].chars().take(40).collect();
        bail!("unknown placeholder left in the mapfile template: {rest}");
    }
    std::fs::write(&mapfile, rendered)?;

    // MapServer 8 refuses to run without a config file; its ENV section is the only place
    // MS_MAPFILE is read from when the CGI environment is lighttpd's.
    let ms_conf = dir.join("mapserver.conf");
    std::fs::write(
        &ms_conf,
        format!(
            "CONFIG\n  ENV\n    MS_MAPFILE \"{}\"\n    MS_ERRORFILE \"{}\"\n    MS_MAP_NO_PATH \"1\"\n  END\n  MAPS\n  END\nEND\n",
            mapfile.display(),
            dir.join("mapserver.log").display()
        ),
    )?;

    let www = dir.join("www");
    std::fs::create_dir_all(&www)?;
    let conf = dir.join("lighttpd.conf");
    std::fs::write(
        &conf,
        format!(
            "server.modules += (\"mod_alias\", \"mod_cgi\", \"mod_setenv\")\n\
             server.document-root = \"{www}\"\n\
             server.bind = \"127.0.0.1\"\n\
             server.port = {port}\n\
             server.errorlog = \"{errorlog}\"\n\
             server.upload-dirs = (\"{tmp}\")\n\
             alias.url = (\"/ows\" => \"{mapserv}\")\n\
             $HTTP[\"url\"] =~ \"^/ows\" {{\n\
             \x20 cgi.assign = (\"\" => \"\")\n\
             \x20 setenv.set-environment = (\"MAPSERVER_CONFIG_FILE\" => \"{ms_conf}\")\n\
             }}\n",
            www = www.display(),
            errorlog = dir.join("lighttpd-error.log").display(),
            tmp = dir.display(),
            mapserv = mapserv.display(),
            ms_conf = ms_conf.display(),
        ),
    )?;
    Ok(conf)
}

/// A bare HTTP/1.0 GET on loopback: the whole response, head and body, as text.
async fn get(port: u16, target: &str) -> Result<String> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream
        .write_all(format!("GET {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes())
        .await?;
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes))
        .await
        .context("no answer within 10 s")??;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The MapServer CGI: Debian's `/usr/lib/cgi-bin/mapserv`, else `/usr/bin/mapserv`, else PATH.
fn mapserv_binary() -> Result<PathBuf> {
    find_binary("mapserv", &["/usr/lib/cgi-bin/mapserv", "/usr/bin/mapserv"])
        .with_context(|| format!("MapServer's CGI `mapserv` is not installed ({INSTALL_HINT})"))
}

fn lighttpd_binary() -> Result<PathBuf> {
    find_binary("lighttpd", &["/usr/sbin/lighttpd"])
        .with_context(|| format!("`lighttpd` is not installed ({INSTALL_HINT})"))
}

fn find_binary(name: &str, known: &[&str]) -> Option<PathBuf> {
    known
        .iter()
        .map(PathBuf::from)
        .chain(
            std::env::var_os("PATH")
                .iter()
                .flat_map(std::env::split_paths)
                .map(|dir| dir.join(name)),
        )
        .find(|path| path.is_file())
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(port: u16) -> Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "kartenn-mapserver-{}-{port}-{n}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
