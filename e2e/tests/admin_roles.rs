//! The role mapping page in a real browser against the real OpenID provider peer: Bob (group
//! `/geo-ocean`) is signed in and cannot see `zone_b`, which a rule opens to role `oceano`; the
//! administrator, in another browser, is told next to the field that `oceano` alone is not a
//! claim, then maps `group:/geo-ocean` to `oceano`; Bob's very next request — same session, no
//! new sign-in — lists `zone_b` and gets its tiles. Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyhow::{Context, Result, ensure};
use kartenn_e2e::{
    Browser, Server, catalogue_ids, free_loopback_port, page_fetch, sign_in_as, wait_for,
    write_oidc_config,
};
use kartenn_peers::oidc::{OidcOptions, OidcProvider};
use serde_json::json;

/// In the role mapping page: the file's mapping is listed read-only and the administrator's
/// own claims offered; `oceano` alone is refused next to the claim field; then
/// `group:/geo-ocean` → `oceano` is stored and listed.
async fn maps_geo_ocean_to_oceano(admin: &Browser) -> Result<()> {
    admin.click("#admin-link").await?;
    admin.click("#admin-tab-roles").await?;
    // The file's mapping is listed read-only; the administrator's own claims are offered.
    let listed = wait_for(
        admin,
        "the configured mapping",
        "const r = document.querySelector('.role-mappings .role-mapping.from-config');\
         const own = document.querySelector('.own-claims');\
         return r && own && r.textContent.includes('realm:indigeo-admin')\
           && own.textContent.includes('group:/iuem') && r.textContent;",
    )
    .await?;
    ensure!(listed.as_str().unwrap_or_default().contains("admin"));

    admin.click("#new-mapping").await?;
    admin.wait_for_element("#mapping-claim").await?;
    admin.type_into("#mapping-claim", "oceano").await?;
    admin.type_into("#mapping-roles", "oceano").await?;
    admin.click("#save-mapping").await?;
    wait_for(
        admin,
        "the claim field's error",
        "const e = document.querySelector('#mapping-claim ~ .field-error');\
         return e && e.textContent.includes('group:');",
    )
    .await?;
    admin
        .js(
            "const i = document.querySelector('#mapping-claim'); i.value = '';\
             i.dispatchEvent(new InputEvent('input', { bubbles: true }));",
            vec![],
        )
        .await?;
    admin
        .type_into("#mapping-claim", "group:/geo-ocean")
        .await?;
    admin.click("#save-mapping").await?;
    wait_for(
        admin,
        "the stored mapping in the list",
        "return !document.querySelector('#mapping-editor') && Array.from(\
         document.querySelectorAll('.role-mapping[data-mapping-id]')).some(r =>\
         r.textContent.includes('group:/geo-ocean') && r.textContent.includes('oceano'));",
    )
    .await?;
    admin.screenshot("admin-roles.png").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js, Chromium and the built viewer: run `cargo xtask test`"]
async fn a_role_mapped_to_a_group_in_the_ui_opens_a_layer_on_the_members_next_request() -> Result<()>
{
    let provider =
        tokio::task::spawn_blocking(move || OidcProvider::start(OidcOptions::default())).await??;
    let dir = std::env::temp_dir().join(format!("kartenn-e2e-roles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = free_loopback_port()?;
    let config = write_oidc_config(
        &dir,
        port,
        &provider.issuer(),
        r#"[[layers]]
id = "zone_b"
title = "Zone B"
path = "{demo}/mairies.fgb"
"#,
        r#"[[rules]]
layer = "zone_b"
view = ["oceano"]
"#,
        r#"[oidc.roles]
"realm:indigeo-admin" = "admin"
"#,
    )?;
    let server = Server::start_at(
        &format!("127.0.0.1:{port}"),
        &["--config", config.to_str().context("path")?],
    )
    .await?;

    let bob = Browser::start(1000, 700, 1.0).await?;
    bob.client.goto(&server.url).await?;
    sign_in_as(&bob, "bob", "bob-pw").await?;
    let before = catalogue_ids(&bob).await?;
    ensure!(!before.contains(&"zone_b".to_owned()), "{before:?}");
    let tile = "/tiles/zone_b/8/125/88.mvt";
    ensure!(page_fetch(&bob, tile).await?.0 == 403);

    let admin = Browser::start(1200, 900, 1.0).await?;
    admin.client.goto(&server.url).await?;
    sign_in_as(&admin, "admin", "admin-pw").await?;
    maps_geo_ocean_to_oceano(&admin).await?;

    // Bob's same session: the layer is his on the next request.
    let after = catalogue_ids(&bob).await?;
    ensure!(after.contains(&"zone_b".to_owned()), "{after:?}");
    let status = page_fetch(&bob, tile).await?.0;
    ensure!(
        status == 200 || status == 204,
        "zone_b tile for Bob: {status}"
    );
    let me = page_fetch(&bob, "/api/me").await?.1;
    ensure!(me.contains("\"oceano\""), "{me}");

    // The audit log names the change.
    let (status, audit) = page_fetch(&admin, "/api/admin/audit?action=role_mapping.create").await?;
    ensure!(
        status == 200 && audit.contains("group:/geo-ocean"),
        "{status} {audit}"
    );
    let rows: serde_json::Value = serde_json::from_str(&audit)?;
    ensure!(rows[0]["username"] == json!("admin"), "{rows}");

    bob.close().await?;
    admin.close().await?;
    drop(server);
    drop(provider);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
