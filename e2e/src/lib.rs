//! Harness for the end-to-end tests: starts the real `kartenn` binary and a real headless
//! Chromium (through chromedriver) on loopback, and offers the few page probes the tests need.
//! Every process started here is killed, by its own handle, when its guard is dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The workspace root (this crate lives in `<root>/e2e`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Where tests leave screenshots: `target/e2e/`.
pub fn artifacts_dir() -> Result<PathBuf> {
    let dir = workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// A running `kartenn serve`.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// Starts `kartenn serve` on a free loopback port with the built viewer and the demo data.
    /// The binary is `$KARTENN_BIN`, else `target/debug/kartenn`; the viewer `$KARTENN_VIEWER_DIR`,
    /// else `dist/` (both built by `cargo xtask test`).
    pub async fn start() -> Result<Self> {
        Self::start_with(&[]).await
    }

    /// Like [`Self::start`], with more arguments for `kartenn serve` (files to serve, say).
    pub async fn start_with(args: &[&str]) -> Result<Self> {
        Self::start_at("127.0.0.1:0", args).await
    }

    /// Like [`Self::start_with`], listening on `bind` (when the URL must be known beforehand, as
    /// the `public_url` of sign-in).
    pub async fn start_at(bind: &str, args: &[&str]) -> Result<Self> {
        let root = workspace_root();
        let bin = std::env::var_os("KARTENN_BIN")
            .map_or_else(|| root.join("target/debug/kartenn"), PathBuf::from);
        let viewer =
            std::env::var_os("KARTENN_VIEWER_DIR").map_or_else(|| root.join("dist"), PathBuf::from);
        if !bin.is_file() {
            bail!("{} is missing: run `cargo xtask test`", bin.display());
        }
        if !viewer.join("index.html").is_file() {
            bail!(
                "the viewer is not built in {}: run `cargo xtask test`",
                viewer.display()
            );
        }
        let mut child = Command::new(&bin)
            .args(["serve", "--bind", bind])
            .args(args)
            .env("KARTENN_VIEWER_DIR", &viewer)
            .env("KARTENN_DEMO_DIR", root.join("data/demo"))
            .env_remove("KARTENN_BIND")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(rest) = line.strip_prefix("Kartenn listening on ") {
                    return Ok(rest.trim_end_matches('/').to_owned());
                }
            }
            bail!("kartenn exited before listening")
        })
        .await
        .context("kartenn did not start within 30 s")??;
        Ok(Self { child, url })
    }
}

impl Server {
    /// Waits (20 s at most) until the public catalogue lists the layer `id` (OGC sources are
    /// harvested in the background); answers that catalogue.
    pub async fn wait_for_catalog_layer(&self, id: &str) -> Result<Value> {
        let client = http_client()?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let body = client
                .get(format!("{}/api/catalog", self.url))
                .send()
                .await?
                .text()
                .await?;
            let catalog: Value =
                serde_json::from_str(&body).context("the catalogue is not JSON")?;
            let listed = catalog["layers"]
                .as_array()
                .is_some_and(|layers| layers.iter().any(|l| l["id"] == id));
            if listed {
                return Ok(catalog);
            }
            if Instant::now() > deadline {
                bail!("{id} not in the catalogue after 20 s: {catalog}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A loopback port free at the time of asking.
pub fn free_loopback_port() -> Result<u16> {
    free_port()
}

/// An HTTP client for talking to the servers under test.
pub fn http_client() -> Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .build()
        .context("building an HTTP client")
}

/// A static file server with HTTP range support (Debian's lighttpd) on a free loopback port,
/// sending `Access-Control-Allow-Origin: *` as public tile servers do.
pub struct StaticServer {
    child: Child,
    _dir: TempDir,
    pub url: String,
}

impl StaticServer {
    pub async fn start(root: &Path) -> Result<Self> {
        let port = free_port()?;
        let dir =
            std::env::temp_dir().join(format!("kartenn-lighttpd-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let dir = TempDir(dir);
        let conf = dir.0.join("lighttpd.conf");
        std::fs::write(
            &conf,
            format!(
                "server.modules += (\"mod_setenv\")\n\
                 server.document-root = \"{}\"\nserver.bind = \"127.0.0.1\"\nserver.port = {port}\n\
                 server.errorlog = \"{}\"\n\
                 mimetype.assign = (\".fgb\" => \"application/octet-stream\", \".png\" => \"image/png\", \".geojson\" => \"application/geo+json\")\n\
                 setenv.add-response-header = (\"Access-Control-Allow-Origin\" => \"*\")\n",
                root.display(),
                dir.0.join("error.log").display()
            ),
        )?;
        let child = Command::new(lighttpd_binary())
            .args(["-D", "-f"])
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting lighttpd (apt-get install lighttpd; `cargo xtask test` does it)")?;
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if Instant::now() > deadline {
                bail!("lighttpd did not listen on {url}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Self {
            child,
            _dir: dir,
            url,
        })
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn lighttpd_binary() -> &'static str {
    if Path::new("/usr/sbin/lighttpd").is_file() {
        "/usr/sbin/lighttpd"
    } else {
        "lighttpd"
    }
}

/// Headless Chromium driven through chromedriver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    /// Starts chromedriver and a Chromium window of `width`×`height` CSS px at `scale` device
    /// pixels per CSS pixel.
    pub async fn start(width: u32, height: u32, scale: f64) -> Result<Self> {
        let port = free_port()?;
        // Its own process group: Chromium and its helpers join it, and are all ended with it.
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .context("starting chromedriver (apt-get install chromium-driver; `cargo xtask test` does it)")?;
        let profile =
            std::env::temp_dir().join(format!("kartenn-e2e-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&profile)?;
        let profile = TempDir(profile);
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--user-data-dir={}", profile.0.display()),
            format!("--window-size={width},{height}"),
            format!("--force-device-scale-factor={scale}"),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({ "binary": chromium_binary(), "args": args }),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let attempt =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&webdriver)
                    .await;
            match attempt {
                Ok(client) => break client,
                Err(err) if Instant::now() > deadline => {
                    return Err(anyhow::anyhow!("cannot start a browser session: {err}"));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Ok(Self {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Ends the session and chromedriver.
    pub async fn close(mut self) -> Result<()> {
        self.client
            .clone()
            .close()
            .await
            .context("closing the browser")?;
        let _ = self.driver.start_kill();
        Ok(())
    }

    /// Runs a script (`return ...;`) in the page.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.client
            .execute(script, args)
            .await
            .with_context(|| format!("script failed: {script}"))
    }

    /// Waits (15 s at most) until an element matches the CSS selector `css`; answers it.
    pub async fn wait_for_element(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("{css} never appeared"))
    }

    /// Waits for the element matching `css` (as [`Self::wait_for_element`]) and clicks it.
    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for_element(css)
            .await?
            .click()
            .await
            .with_context(|| format!("clicking {css}"))?;
        Ok(())
    }

    /// Types `text` into the element matching `css`, which must be on the page already.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        self.client
            .find(Locator::Css(css))
            .await?
            .send_keys(text)
            .await?;
        Ok(())
    }

    /// Waits until the map says every wanted tile is loaded and drawn sharp.
    pub async fn wait_map_ready(&self) -> Result<MapState> {
        self.wait_map_ready_after(0).await
    }

    /// Like [`Self::wait_map_ready`], for a state drawn after frame `frame` (the state before an
    /// action): never mistakes the state before the action for the state after it.
    pub async fn wait_map_ready_after(&self, frame: u64) -> Result<MapState> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.map_state().await;
            match state {
                Ok(state) if state.ready && state.frame > frame => return Ok(state),
                _ if Instant::now() > deadline => bail!("map not ready after 30 s: {state:?}"),
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn map_state(&self) -> Result<MapState> {
        let v = self
            .js(
                "const m = document.querySelector('.map'); const c = m && m.querySelector('canvas');\
                 if (!m || !m.dataset.center) return null;\
                 return { center: m.dataset.center, zoom: m.dataset.zoom, resolution: m.dataset.resolution,\
                          frame: m.dataset.frame,\
                          ready: m.dataset.ready === 'true', width: m.clientWidth, height: m.clientHeight,\
                          canvasWidth: c.width, canvasHeight: c.height, ratio: window.devicePixelRatio };",
                vec![],
            )
            .await?;
        MapState::from_json(&v).with_context(|| format!("map state unreadable: {v}"))
    }

    /// RGBA values of the canvas over a `(2r+1)²` square of device pixels around a CSS pixel.
    pub async fn pixels_around(&self, css: [f64; 2], r: i64) -> Result<Vec<[u8; 4]>> {
        let v = self
            .js(
                "const [x, y, r] = arguments; const c = document.querySelector('.map canvas');\
                 const k = window.devicePixelRatio; const ctx = c.getContext('2d');\
                 const d = ctx.getImageData(Math.round(x * k) - r, Math.round(y * k) - r, 2 * r + 1, 2 * r + 1).data;\
                 return Array.from(d);",
                vec![json!(css[0]), json!(css[1]), json!(r)],
            )
            .await?;
        let bytes: Vec<u8> = v
            .as_array()
            .context("pixels are not an array")?
            .iter()
            .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()).unwrap_or(0))
            .collect();
        Ok(bytes
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect())
    }

    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let path = artifacts_dir()?.join(name);
        std::fs::write(&path, png)?;
        Ok(path)
    }
}

impl Drop for Browser {
    /// Kills the process group led by chromedriver (ours alone), so no browser outlives a test,
    /// even one that failed half-way.
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.driver.start_kill();
    }
}

fn chromium_binary() -> String {
    std::env::var("KARTENN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// What the map publishes about itself on its container (see the viewer's `publish_state`).
#[derive(Debug, Clone, PartialEq)]
pub struct MapState {
    pub lon: f64,
    pub lat: f64,
    pub zoom: f64,
    /// Metres per CSS pixel.
    pub resolution: f64,
    pub ready: bool,
    /// Frames drawn when this state was read.
    pub frame: u64,
    pub width: f64,
    pub height: f64,
    pub canvas_width: f64,
    pub canvas_height: f64,
    pub pixel_ratio: f64,
}

impl MapState {
    fn from_json(v: &Value) -> Option<Self> {
        let num = |k: &str| v.get(k)?.as_f64();
        let text_num = |k: &str| v.get(k)?.as_str()?.parse::<f64>().ok();
        let (lon, lat) = v.get("center")?.as_str()?.split_once(',')?;
        Some(Self {
            lon: lon.parse().ok()?,
            lat: lat.parse().ok()?,
            zoom: text_num("zoom")?,
            resolution: text_num("resolution")?,
            ready: v.get("ready")?.as_bool()?,
            frame: v.get("frame")?.as_str()?.parse().ok()?,
            width: num("width")?,
            height: num("height")?,
            canvas_width: num("canvasWidth")?,
            canvas_height: num("canvasHeight")?,
            pixel_ratio: num("ratio")?,
        })
    }

    /// The CSS pixel showing `(lon, lat)`, computed here independently of the engine.
    pub fn pixel_of(&self, lon: f64, lat: f64) -> [f64; 2] {
        let (x, y) = mercator(lon, lat);
        let (cx, cy) = mercator(self.lon, self.lat);
        [
            (x - cx) / self.resolution + self.width / 2.0,
            (cy - y) / self.resolution + self.height / 2.0,
        ]
    }
}

/// EPSG:3857 metres of a WGS 84 position.
pub fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    const R: f64 = 6_378_137.0;
    let y = (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
        .tan()
        .ln()
        * R;
    (lon.to_radians() * R, y)
}

/// True when two colours differ by at most `tolerance` on every channel.
pub fn close_to(pixel: [u8; 4], rgb: [u8; 3], tolerance: u8) -> bool {
    pixel[..3]
        .iter()
        .zip(rgb)
        .all(|(&a, b)| a.abs_diff(b) <= tolerance)
}

/// Share of `pixels` close to `rgb`.
pub fn share_close_to(pixels: &[[u8; 4]], rgb: [u8; 3], tolerance: u8) -> f64 {
    if pixels.is_empty() {
        return 0.0;
    }
    pixels
        .iter()
        .filter(|p| close_to(**p, rgb, tolerance))
        .count() as f64
        / pixels.len() as f64
}

/// Runs `script` in the page until it returns something truthy (10 s at most); returns that.
pub async fn wait_for(browser: &Browser, what: &str, script: &str) -> Result<Value> {
    wait_for_within(browser, what, script, 10).await
}

/// Like [`wait_for`], waiting `secs` at most.
pub async fn wait_for_within(
    browser: &Browser,
    what: &str,
    script: &str,
    secs: u64,
) -> Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let value = browser.js(script, vec![]).await?;
        let truthy = match &value {
            Value::Null | Value::Bool(false) => false,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return Ok(value);
        }
        if Instant::now() > deadline {
            bail!("{what}: still {value} after {secs} s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A request made by the page itself (with its cookie): status and body.
pub async fn page_fetch(browser: &Browser, url: &str) -> Result<(u16, String)> {
    let value = browser
        .js(
            "return fetch(arguments[0]).then(async r => [r.status, await r.text()]);",
            vec![json!(url)],
        )
        .await?;
    let status = u16::try_from(value[0].as_u64().context("status")?).context("status")?;
    Ok((status, value[1].as_str().unwrap_or_default().to_owned()))
}

/// The ids of the layers in the catalogue the page sees (with its cookie).
pub async fn catalogue_ids(browser: &Browser) -> Result<Vec<String>> {
    let (status, body) = page_fetch(browser, "/api/catalog").await?;
    anyhow::ensure!(status == 200, "catalogue: HTTP {status}");
    let catalog: Value = serde_json::from_str(&body)?;
    Ok(catalog["layers"]
        .as_array()
        .context("layers")?
        .iter()
        .filter_map(|l| l["id"].as_str().map(str::to_owned))
        .collect())
}

/// From a Kartenn page showing the sign-in button: signs in at the OpenID provider's login page
/// as `user` and waits to be back, signed in (the account control shown).
pub async fn sign_in_as(browser: &Browser, user: &str, password: &str) -> Result<()> {
    browser.click("#sign-in").await?;
    browser
        .wait_for_element("#username")
        .await?
        .send_keys(user)
        .await?;
    browser.type_into("#password", password).await?;
    browser
        .client
        .find(Locator::Css("#kc-login"))
        .await?
        .click()
        .await?;
    browser.wait_for_element("#account").await?;
    Ok(())
}

/// Writes `toml` as `<dir>/kartenn.toml`; answers its path.
pub fn write_config(dir: &Path, toml: &str) -> Result<PathBuf> {
    let config = dir.join("kartenn.toml");
    std::fs::write(&config, toml).with_context(|| format!("writing {}", config.display()))?;
    Ok(config)
}

/// A configuration signing in at `issuer` (the client secret written beside it), listening at
/// `http://127.0.0.1:{port}`, with the demo's countries (public) and a store in `dir`.
/// `layers` (more layers and sources; `{demo}` stands for the demo data's directory) goes before
/// the countries' rule, `rules` after it, `oidc_extra` after the `[oidc]` table
/// (`[oidc.roles]`, say).
pub fn write_oidc_config(
    dir: &Path,
    port: u16,
    issuer: &str,
    layers: &str,
    rules: &str,
    oidc_extra: &str,
) -> Result<PathBuf> {
    let demo = workspace_root().join("data/demo");
    let demo = demo.display().to_string();
    std::fs::write(
        dir.join("oidc-secret"),
        kartenn_peers::oidc::OidcProvider::DEFAULT_CLIENT_SECRET,
    )?;
    let toml = format!(
        r#"[server]
public_url = "http://127.0.0.1:{port}"
[map]
center = [-4.3, 48.3]
zoom = 8
[store]
path = "{db}"
[[layers]]
id = "countries"
title = "Countries"
path = "{demo}/countries.fgb"
{layers}[[rules]]
layer = "countries"
view = "public"
{rules}[oidc]
issuer = "{issuer}"
client_id = "kartenn"
client_secret_file = "oidc-secret"
{oidc_extra}"#,
        db = dir.join("kartenn.db").display(),
        layers = layers.replace("{demo}", &demo),
    );
    write_config(dir, &toml)
}

/// A configuration with no layer of its own and the MapServer at `ows` as source `ms`, its
/// `*private*` layers closed and the others public (view and query); `extra` is appended (it
/// may go on with that last rule).
pub fn write_mapserver_config(dir: &Path, ows: &str, extra: &str) -> Result<PathBuf> {
    let toml = format!(
        r#"layers = []
[map]
center = [-4.3, 48.3]
zoom = 9
[store]
path = "{db}"
[[sources]]
id = "ms"
title = "MapServer"
url = "{ows}"
[[rules]]
layer = "*private*"
[[rules]]
layer = "*"
source = "ms"
view = "public"
query = "public"
{extra}"#,
        db = dir.join("kartenn.db").display(),
    );
    write_config(dir, &toml)
}

/// A public configuration opening on Brittany (`[-3.0, 48.2]`, zoom 7.5) with `layers` (TOML;
/// `{demo}` stands for the demo data's directory).
pub fn write_public_config(dir: &Path, layers: &str) -> Result<PathBuf> {
    let demo = workspace_root().join("data/demo");
    let toml = format!(
        "\n[map]\ncenter = [-3.0, 48.2]\nzoom = 7.5\n\n[access]\ndefault = \"public\"\n\n{}",
        layers.replace("{demo}", &demo.display().to_string())
    );
    write_config(dir, &toml)
}

/// Writes a GeoJSON collection of one point at `(lon, lat)` with `properties` to `path`.
pub fn write_geojson_point(path: &Path, properties: &Value, (lon, lat): (f64, f64)) -> Result<()> {
    std::fs::write(
        path,
        json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": properties,
             "geometry": {"type": "Point", "coordinates": [lon, lat]}}]})
        .to_string(),
    )
    .with_context(|| format!("writing {}", path.display()))
}
