//! A FlatGeobuf file on a real static HTTP server (lighttpd, range requests) serves exactly the
//! same tiles as the same file on disk. Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyhow::{Context, Result, ensure};
use kartenn_e2e::{Server, StaticServer, http_client, workspace_root};

/// Tiles over Brest, Quimper, Vannes, Saint-Brieuc and Rennes from z4 to z14, and one
/// empty tile far away.
const TILES: &[&str] = &[
    "4/7/5",
    "5/15/11",
    "6/31/22",
    "7/62/44",
    "7/63/44",
    "8/124/88",
    "8/126/89",
    "9/249/177",
    "9/253/177",
    "10/499/354",
    "10/507/355",
    "12/1996/1417",
    "12/2028/1421",
    "14/7987/5668",
    "14/8115/5687",
    "8/0/0",
];

/// The features of a tile as comparable text, decoded by an independent decoder.
fn features(body: &[u8]) -> Result<Vec<String>> {
    if body.is_empty() {
        return Ok(Vec::new());
    }
    let reader = mvt_reader::Reader::new(body.to_vec()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let features = reader
        .get_features(0)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(features
        .iter()
        .map(|f| {
            format!(
                "{:?} {:?} {:?}",
                f.id,
                f.geometry,
                f.properties.as_ref().map(|p| {
                    let mut p: Vec<_> = p.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
                    p.sort();
                    p
                })
            )
        })
        .collect())
}

#[tokio::test]
#[ignore = "needs lighttpd: run `cargo xtask test`"]
async fn a_remote_flatgeobuf_serves_the_same_tiles_as_the_local_file() -> Result<()> {
    let demo = workspace_root().join("data/demo");
    let files = StaticServer::start(&demo).await?;
    let remote = format!("{}/communes.fgb", files.url);
    let local = demo.join("communes.fgb");
    let server = Server::start_with(&[&remote, local.to_str().context("path")?]).await?;
    let client = http_client()?;
    let index: serde_json::Value = serde_json::from_slice(
        &client
            .get(format!("{}/tiles", server.url))
            .send()
            .await?
            .bytes()
            .await?,
    )?;
    let ids: Vec<&str> = index
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    ensure!(ids == ["communes", "communes-2"], "layers {ids:?}");

    let mut non_empty = 0;
    for tile in TILES {
        let get = |layer: &str| {
            let url = format!("{}/tiles/{layer}/{tile}.mvt", server.url);
            let client = client.clone();
            async move {
                let response = client.get(&url).send().await?;
                Ok::<_, reqwest::Error>((response.status(), response.bytes().await?))
            }
        };
        let (remote_status, remote_body) = get("communes").await?;
        let (local_status, local_body) = get("communes-2").await?;
        ensure!(
            remote_status == local_status,
            "{tile}: {remote_status} remote, {local_status} local"
        );
        // Same features, geometry and attributes; only the layer name inside differs.
        ensure!(
            features(&remote_body)? == features(&local_body)?,
            "{tile}: remote and local tiles differ"
        );
        if !remote_body.is_empty() {
            non_empty += 1;
        }
    }
    ensure!(
        non_empty == TILES.len() - 1,
        "only {non_empty} tiles had data"
    );
    Ok(())
}

#[tokio::test]
#[ignore = "needs lighttpd: run `cargo xtask test`"]
async fn a_missing_remote_file_stops_start_up_with_its_url_and_status() -> Result<()> {
    let files = StaticServer::start(&workspace_root().join("data/demo")).await?;
    let missing = format!("{}/nope.fgb", files.url);
    let err = Server::start_with(&[&missing])
        .await
        .err()
        .context("kartenn started anyway")?;
    ensure!(
        err.to_string().contains("exited before listening"),
        "{err:#}"
    );
    Ok(())
}
