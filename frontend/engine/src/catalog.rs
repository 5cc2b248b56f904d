//! The catalogue panel's model: text folded for searching (case and accents ignored), layers
//! matching a search on title, keywords and description, and the category tree they are shown
//! in (categories in the order first met, layers in catalogue order).

use kartenn_common::CatalogLayer;

/// Lower case without diacritics (Latin scripts): `Côte-d'Armor` → `cote-d'armor`, `Œuvre` →
/// `oeuvre`. Combining marks of decomposed text are dropped too.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        match base_letter(c) {
            Some(base) => out.push_str(base),
            None => out.push(c),
        }
    }
    out
}

/// The plain letters of a lower-case accented Latin letter.
fn base_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        // Typographic apostrophe, as typed on phones and in titles.
        '\u{2019}' => "'",
        _ => return None,
    })
}

/// Whether every word of `query` occurs in the layer's title, keywords or description (case
/// and accents ignored). An empty query matches everything.
pub fn matches(layer: &CatalogLayer, query: &str) -> bool {
    let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
    if words.is_empty() {
        return true;
    }
    let mut haystack = fold(&layer.title);
    for keyword in &layer.keywords {
        haystack.push('\n');
        haystack.push_str(&fold(keyword));
    }
    if let Some(description) = &layer.description {
        haystack.push('\n');
        haystack.push_str(&fold(description));
    }
    words.iter().all(|w| haystack.contains(w.as_str()))
}

/// A category of the tree: its name, its layers (indices into the catalogue) and subcategories.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Category {
    pub name: String,
    /// Names from the top down to this one (a stable key).
    pub path: Vec<String>,
    pub layers: Vec<usize>,
    pub children: Vec<Category>,
}

impl Category {
    /// Layers here and below.
    pub fn count(&self) -> usize {
        self.layers.len() + self.children.iter().map(Category::count).sum::<usize>()
    }
}

/// The tree of the layers matching `query`: the root holds uncategorised layers and the top
/// categories; categories without a matching layer are left out.
pub fn tree(layers: &[CatalogLayer], query: &str) -> Category {
    let mut root = Category::default();
    for (index, layer) in layers.iter().enumerate() {
        if !matches(layer, query) {
            continue;
        }
        let mut node = &mut root;
        for name in &layer.category {
            let at = if let Some(at) = node.children.iter().position(|c| &c.name == name) {
                at
            } else {
                let mut path = node.path.clone();
                path.push(name.clone());
                node.children.push(Category {
                    name: name.clone(),
                    path,
                    ..Category::default()
                });
                node.children.len() - 1
            };
            node = &mut node.children[at];
        }
        node.layers.push(index);
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use kartenn_common::{LayerSource, LayerStyle};

    fn layer(
        title: &str,
        keywords: &[&str],
        description: Option<&str>,
        category: &[&str],
    ) -> CatalogLayer {
        CatalogLayer {
            id: title.to_lowercase(),
            title: title.into(),
            description: description.map(Into::into),
            attribution: None,
            geometry: None,
            bounds: None,
            visible: true,
            opacity: 1.0,
            source: LayerSource::GeoJson { url: "/x".into() },
            style: LayerStyle::default(),
            keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
            category: category.iter().map(|c| (*c).to_owned()).collect(),
            in_map: false,
            ogc: None,
        }
    }

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Côte-d’Armor"), "cote-d'armor");
        assert_eq!(fold("ŒUVRE Ça Straße"), "oeuvre ca strasse");
        assert_eq!(fold("Finiste\u{301}re"), "finistere", "decomposed accents");
        assert_eq!(fold("Brest 29"), "brest 29");
    }

    #[test]
    fn search_looks_at_title_keywords_and_description_word_by_word() {
        let communes = layer(
            "Communes de Bretagne",
            &["administratif"],
            Some("Limites IGN"),
            &[],
        );
        assert!(matches(&communes, ""));
        assert!(matches(&communes, "commune"));
        assert!(matches(&communes, "COMMUNE bretagne"));
        assert!(matches(&communes, "ADMINISTRATIF"));
        assert!(matches(&communes, "limites ign"));
        assert!(!matches(&communes, "commune normandie"));
        let coast = layer("Trait de côte", &["littoral"], None, &[]);
        assert!(matches(&coast, "COTE"), "accents ignored in the data");
        assert!(
            matches(&layer("Trait de cote", &[], None, &[]), "côte"),
            "and in the query"
        );
    }

    #[test]
    fn the_tree_nests_categories_in_order_and_drops_empty_ones() {
        let layers = [
            layer("A", &[], None, &["Terre", "Admin"]),
            layer("B", &[], None, &["Mer"]),
            layer("C", &[], None, &[]),
            layer("D", &[], None, &["Terre"]),
            layer("E", &[], None, &["Terre", "Admin"]),
        ];
        let all = tree(&layers, "");
        assert_eq!(all.layers, [2]);
        let names: Vec<&str> = all.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Terre", "Mer"]);
        let terre = &all.children[0];
        assert_eq!(terre.layers, [3]);
        assert_eq!(terre.children[0].layers, [0, 4]);
        assert_eq!(terre.children[0].path, ["Terre", "Admin"]);
        assert_eq!(terre.count(), 3);
        assert_eq!(all.count(), 5);

        let some = tree(&layers, "d");
        assert!(some.layers.is_empty());
        assert_eq!(some.children.len(), 1, "Mer has no match");
        assert_eq!(some.children[0].layers, [3]);
        assert!(some.children[0].children.is_empty(), "Admin has no match");
        assert_eq!(tree(&layers, "zzz").count(), 0);
    }
}
