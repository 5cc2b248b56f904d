//! Tests of the configuration: defaults, precedence, validation messages.

use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn zero_configuration_serves_the_demo_on_loopback() {
    let config = Config::from_parts(
        FileConfig::default(),
        Path::new("."),
        &no_env,
        &Overrides::default(),
    )
    .unwrap();
    assert_eq!(config.server.bind, default_bind());
    let ids: Vec<_> = config.layers.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["countries", "communes", "coastline", "mairies"]);
    for layer in &config.layers {
        assert!(
            layer.path.is_file(),
            "demo file missing: {}",
            layer.path.display()
        );
    }
}

#[test]
fn environment_overrides_the_file_and_the_command_line_overrides_both() {
    let env = |key: &str| match key {
        "KARTENN_BIND" => Some("127.0.0.1:9000".to_owned()),
        "KARTENN_VIEWER_DIR" => Some("/srv/viewer".to_owned()),
        _ => None,
    };
    let text = "[server]\nbind = \"127.0.0.1:7000\"\nviewer_dir = \"www\"\n";
    let config = Config::from_toml(text, Path::new("/etc/kartenn"), &env).unwrap();
    assert_eq!(config.server.bind.port(), 9000);
    assert_eq!(config.server.viewer_dir, PathBuf::from("/srv/viewer"));

    let cli = Overrides {
        bind: Some("127.0.0.1:9100".parse().unwrap()),
        files: Vec::new(),
    };
    let config = Config::from_parts(
        parse(text, Path::new("x")).unwrap(),
        Path::new("."),
        &env,
        &cli,
    )
    .unwrap();
    assert_eq!(config.server.bind.port(), 9100);
}

#[test]
fn unknown_keys_are_reported_with_their_name() {
    let err = Config::from_toml(
        "[server]\nbnid = \"127.0.0.1:1\"\n",
        Path::new("."),
        &no_env,
    )
    .unwrap_err();
    assert!(err.to_string().contains("bnid"), "{err}");
}

#[test]
fn layer_paths_are_resolved_against_the_configuration_directory() {
    let text = "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"data/a.fgb\"\n";
    let config = Config::from_toml(text, Path::new("/etc/kartenn"), &no_env).unwrap();
    assert_eq!(
        config.layers[0].path,
        PathBuf::from("/etc/kartenn/data/a.fgb")
    );
}

#[test]
fn invalid_values_name_the_field() {
    let cases = [
        (
            "[[layers]]\nid = \"Bad Id\"\ntitle = \"A\"\npath = \"a.fgb\"\n",
            "layers[0].id",
        ),
        (
            "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\n[[layers]]\nid = \"a\"\ntitle = \"B\"\npath = \"b.fgb\"\n",
            "layers[1].id",
        ),
        (
            "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\nminzoom = 9\nmaxzoom = 3\n",
            "layers[0].maxzoom",
        ),
        (
            "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\nopacity = 1.5\n",
            "layers[0].opacity",
        ),
        (
            "[[geojson]]\nid = \"g\"\ntitle = \"G\"\npath = \"g.geojson\"\nopacity = -0.1\n",
            "geojson[0].opacity",
        ),
        ("[map]\ncenter = [200.0, 0.0]\n", "map.center"),
        ("[map]\nzoom = 30.0\n", "map.zoom"),
        ("[server]\npublic_url = \"ftp://x\"\n", "server.public_url"),
        (
            "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\nstyle = { fill = \"blue\" }\n",
            "blue",
        ),
    ];
    for (text, needle) in cases {
        let err = Config::from_toml(text, Path::new("."), &no_env).unwrap_err();
        assert!(err.to_string().contains(needle), "{text:?} gave {err}");
    }
}

#[test]
fn bad_bind_in_the_environment_is_an_error_not_a_default() {
    let env = |key: &str| (key == "KARTENN_BIND").then(|| "localhost".to_owned());
    let err = Config::from_toml("", Path::new("."), &env).unwrap_err();
    assert!(err.to_string().contains("KARTENN_BIND"), "{err}");
}

#[test]
fn identifiers_are_url_safe() {
    assert!(is_valid_id("fr_communes-2024"));
    for bad in ["", "A", "a b", "a/b", "a.b", "é", &"a".repeat(65)] {
        assert!(!is_valid_id(bad), "{bad}");
    }
}

#[test]
fn urls_are_kept_as_urls_and_not_joined_to_the_configuration_directory() {
    let text = "[[layers]]\nid = \"b\"\ntitle = \"B\"\npath = \"https://s3.example.org/b.fgb\"\n";
    let config = Config::from_toml(text, Path::new("/etc/kartenn"), &no_env).unwrap();
    assert_eq!(config.layers[0].url(), Some("https://s3.example.org/b.fgb"));
}

#[test]
fn field_selection_reads_all_none_or_a_list() {
    let layer = |fields: &str| {
        let text =
            format!("[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\nfields = {fields}\n");
        Config::from_toml(&text, Path::new("."), &no_env).map(|c| c.layers[0].fields.clone())
    };
    assert_eq!(layer("\"all\"").unwrap(), FieldSelection::All);
    assert_eq!(layer("\"none\"").unwrap(), FieldSelection::None);
    assert_eq!(
        layer("[\"nom\"]").unwrap(),
        FieldSelection::Only(vec!["nom".into()])
    );
    let err = layer("\"some\"").unwrap_err();
    assert!(err.to_string().contains("some"), "{err}");
}

#[test]
fn files_on_the_command_line_become_layers_named_after_their_stems() {
    let cli = Overrides {
        bind: None,
        files: vec![
            PathBuf::from("/data/Communes France.fgb"),
            PathBuf::from("/other/communes-france.fgb"),
            PathBuf::from("https://s3.example.org/roads.fgb"),
        ],
    };
    let config = Config::from_parts(FileConfig::default(), Path::new("."), &no_env, &cli).unwrap();
    let ids: Vec<_> = config.layers.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["communes-france", "communes-france-2", "roads"]);
    assert_eq!(config.layers[0].title, "Communes France");
    assert_eq!(
        config.layers[2].url(),
        Some("https://s3.example.org/roads.fgb")
    );
    assert_ne!(config.layers[0].style.stroke, config.layers[1].style.stroke);
}

#[test]
fn rasters_and_basemaps_are_checked() {
    let base = "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\n";
    let cases = [
        (
            "[[rasters]]\nid = \"r\"\ntitle = \"R\"\n",
            "exactly one of `xyz` or `wms`",
        ),
        (
            "[[rasters]]\nid = \"r\"\ntitle = \"R\"\nxyz = \"ftp://x/{z}/{x}/{y}\"\n",
            "rasters[0].xyz",
        ),
        (
            "[[rasters]]\nid = \"r\"\ntitle = \"R\"\nxyz = \"https://x/tile.png\"\n",
            "{z}",
        ),
        (
            "[[rasters]]\nid = \"a\"\ntitle = \"R\"\nxyz = \"https://x/{z}/{x}/{y}\"\n",
            "used twice",
        ),
        (
            "[[basemaps]]\nid = \"b\"\ntitle = \"B\"\nlayer = \"nope\"\n",
            "not one of the [[layers]]",
        ),
        (
            "[[basemaps]]\nid = \"b\"\ntitle = \"B\"\n",
            "exactly one of `layer` or `xyz`",
        ),
    ];
    for (extra, needle) in cases {
        let text = format!("{base}{extra}");
        let err = Config::from_toml(&text, Path::new("."), &no_env).unwrap_err();
        assert!(err.to_string().contains(needle), "{extra:?} gave {err}");
    }
}

#[test]
fn the_demo_has_its_offline_basemap_and_a_configuration_without_basemaps_has_none() {
    let demo = Config::from_parts(
        FileConfig::default(),
        Path::new("."),
        &no_env,
        &Overrides::default(),
    )
    .unwrap();
    assert_eq!(demo.basemaps.len(), 1);
    let custom = Config::from_toml(
        "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\n",
        Path::new("."),
        &no_env,
    )
    .unwrap();
    assert!(custom.basemaps.is_empty());
}
