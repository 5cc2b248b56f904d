//! The category tree as the admin reads it: each stored category's path (titles from the
//! root), whether one category lies below another (moves that would make a cycle are refused),
//! and the tree with layer counts, where harvested paths no stored category covers show as
//! nodes without id (a stored category with the same path adopts them).

use std::collections::HashMap;

use kartenn_common::admin_catalog::{Category, CategoryNode, CategoryTree};

/// Deepest a category tree may be.
const MAX_DEPTH: usize = 32;

/// Each stored category's titles from the root.
pub fn paths(cats: &[Category]) -> HashMap<i64, Vec<String>> {
    let by_id: HashMap<i64, &Category> = cats.iter().map(|c| (c.id, c)).collect();
    cats.iter()
        .map(|c| {
            let mut path = vec![c.title.clone()];
            let mut parent = c.parent;
            while let Some(p) = parent.and_then(|id| by_id.get(&id)) {
                if path.len() >= MAX_DEPTH {
                    break;
                }
                path.push(p.title.clone());
                parent = p.parent;
            }
            path.reverse();
            (c.id, path)
        })
        .collect()
}

/// Whether `candidate` is `id` or below it.
pub fn is_within(cats: &[Category], candidate: i64, id: i64) -> bool {
    let mut current = Some(candidate);
    for _ in 0..=MAX_DEPTH {
        match current {
            Some(c) if c == id => return true,
            Some(c) => current = cats.iter().find(|x| x.id == c).and_then(|x| x.parent),
            None => return false,
        }
    }
    true
}

/// The tree of stored categories, with the harvested paths no stored category covers as nodes
/// without id, and the layers (their effective paths) counted where they fall.
pub fn tree(cats: &[Category], layer_paths: &[Vec<String>]) -> CategoryTree {
    fn build(cats: &[Category], parent: Option<i64>, prefix: &[String]) -> Vec<CategoryNode> {
        if prefix.len() >= MAX_DEPTH {
            return Vec::new();
        }
        cats.iter()
            .filter(|c| c.parent == parent)
            .map(|c| {
                let mut path = prefix.to_vec();
                path.push(c.title.clone());
                CategoryNode {
                    id: Some(c.id),
                    parent: c.parent,
                    title: c.title.clone(),
                    title_en: c.title_en.clone(),
                    children: build(cats, Some(c.id), &path),
                    path,
                    position: c.position,
                    version: Some(c.version),
                    layers: 0,
                    total_layers: 0,
                }
            })
            .collect()
    }
    fn total(nodes: &mut [CategoryNode]) -> usize {
        nodes
            .iter_mut()
            .map(|n| {
                n.total_layers = n.layers + total(&mut n.children);
                n.total_layers
            })
            .sum()
    }
    let mut roots = build(cats, None, &[]);
    let mut uncategorised = 0;
    for path in layer_paths {
        if path.is_empty() {
            uncategorised += 1;
            continue;
        }
        let mut level = &mut roots;
        for (depth, title) in path.iter().enumerate() {
            let index = if let Some(i) = level.iter().position(|n| n.title == *title) {
                i
            } else {
                level.push(CategoryNode {
                    id: None,
                    parent: None,
                    title: title.clone(),
                    title_en: None,
                    path: path[..=depth].to_vec(),
                    position: 0,
                    version: None,
                    layers: 0,
                    total_layers: 0,
                    children: Vec::new(),
                });
                level.len() - 1
            };
            let node = &mut level[index];
            if depth + 1 == path.len() {
                node.layers += 1;
            }
            level = &mut node.children;
        }
    }
    total(&mut roots);
    CategoryTree {
        categories: roots,
        uncategorised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: i64, parent: Option<i64>, title: &str) -> Category {
        Category {
            id,
            parent,
            title: title.into(),
            title_en: None,
            position: 0,
            version: 1,
            updated_at: String::new(),
            updated_by: None,
        }
    }

    #[test]
    fn paths_run_from_the_root_and_cycles_are_detected_through_parents() {
        let cats = [
            cat(1, None, "Mer"),
            cat(2, Some(1), "Fonds"),
            cat(3, Some(2), "Roches"),
        ];
        let p = paths(&cats);
        assert_eq!(p[&3], ["Mer", "Fonds", "Roches"]);
        assert!(is_within(&cats, 3, 1));
        assert!(is_within(&cats, 1, 1));
        assert!(!is_within(&cats, 1, 3));
    }

    #[test]
    fn the_tree_counts_layers_where_their_paths_fall_and_shows_unstored_harvested_paths() {
        let cats = [cat(1, None, "Mer"), cat(2, Some(1), "Fonds")];
        let s = |p: &[&str]| p.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let tree = tree(
            &cats,
            &[
                s(&["Mer", "Fonds"]),
                s(&["Mer"]),
                s(&["Terre", "Sols"]),
                s(&[]),
            ],
        );
        assert_eq!(tree.uncategorised, 1);
        let mer = &tree.categories[0];
        assert_eq!((mer.id, mer.layers, mer.total_layers), (Some(1), 1, 2));
        assert_eq!(mer.children[0].layers, 1);
        let terre = &tree.categories[1];
        assert_eq!((terre.id, terre.total_layers), (None, 1));
        assert_eq!(terre.children[0].path, ["Terre", "Sols"]);
    }
}
