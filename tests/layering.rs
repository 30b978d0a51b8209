//! The layering of ARCHITECTURE.md, checked: each crate's modules are listed there bottom up
//! (in fenced blocks tagged `layers src` and `layers web/src`), and a module may use only
//! modules listed above it. Every `use`, every path in code (`crate::…`, `super::…`, and paths
//! through a child module) and every such path inside a macro's tokens (yew's `html!`) counts;
//! test modules (`#[cfg(test)]`) and comments do not. A module file that is not listed, or a
//! listed module with no file, fails too, so the map cannot drift from the code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use syn::visit::Visit;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The modules of one crate's layer list, bottom first.
fn layers(crate_dir: &str) -> Vec<String> {
    let map = std::fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let fence = format!("```layers {crate_dir}");
    let start = map.lines().position(|l| l.trim() == fence).unwrap_or_else(|| panic!("ARCHITECTURE.md has no {fence} block"));
    map.lines().skip(start + 1).take_while(|l| !l.starts_with("```")).filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect()
}

/// Every module file under `dir` with its module path (`decode::pprof::proto`; the crate root
/// is `""`); binaries are other crates and are left out.
fn module_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().unwrap() != "bin" {
                    todo.push(path);
                }
                continue;
            }
            if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(dir).unwrap().with_extension("");
                let module = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("::");
                out.push((if module == "lib" { String::new() } else { module }, path));
            }
        }
    }
    out.sort();
    out
}

/// The crate paths one file uses, each with its line.
#[derive(Default)]
struct Uses {
    /// Child modules declared in the file (`mod format;`), which paths may start with.
    children: BTreeSet<String>,
    paths: Vec<(Vec<String>, usize)>,
}

impl Uses {
    fn add(&mut self, segments: Vec<String>, line: usize) {
        if matches!(segments.first().map(String::as_str), Some("crate" | "super" | "self")) || segments.first().is_some_and(|s| self.children.contains(s)) {
            self.paths.push((segments, line));
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree, line: usize) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree, line);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.add(prefix.iter().cloned().chain([n.ident.to_string()]).collect(), line),
            syn::UseTree::Rename(r) => self.add(prefix.iter().cloned().chain([r.ident.to_string()]).collect(), line),
            syn::UseTree::Glob(_) => self.add(prefix.clone(), line),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix, t, line)),
        }
    }

    /// Paths in a macro's tokens: `crate :: a :: b` and `super :: a`.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        use proc_macro2::TokenTree;
        let flat: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < flat.len() {
            match &flat[i] {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if matches!(id.to_string().as_str(), "crate" | "super") => {
                    let line = id.span().start().line;
                    let mut segments = vec![id.to_string()];
                    while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(TokenTree::Ident(next))) =
                        (flat.get(i + 1), flat.get(i + 2), flat.get(i + 3))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(next.to_string());
                        i += 3;
                    }
                    self.add(segments, line);
                }
                _ => {}
            }
            i += 1;
        }
    }
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("cfg") && a.meta.require_list().is_ok_and(|l| l.tokens.to_string() == "test"))
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_cfg_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree, u.use_token.span.start().line);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let line = p.segments.first().map_or(0, |s| s.ident.span().start().line);
        self.add(p.segments.iter().map(|s| s.ident.to_string()).collect(), line);
        syn::visit::visit_path(self, p);
    }

    /// `pub(super)` names who may see an item, not a use.
    fn visit_vis_restricted(&mut self, _: &'ast syn::VisRestricted) {}

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
    }
}

/// The module a path names, given the module it is written in: the longest prefix that is a
/// module of the crate (`crate::decode::Format` is `decode`).
fn target(from: &str, segments: &[String], modules: &BTreeSet<String>) -> String {
    let mut base: Vec<&str> = if from.is_empty() { Vec::new() } else { from.split("::").collect() };
    let mut rest = segments;
    match rest[0].as_str() {
        "crate" => {
            base.clear();
            rest = &rest[1..];
        }
        "self" => rest = &rest[1..],
        _ => {}
    }
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    let mut best = base.join("::");
    for s in rest {
        if s == "self" {
            continue;
        }
        base.push(s);
        let candidate = base.join("::");
        if !modules.contains(&candidate) {
            break;
        }
        best = candidate;
    }
    best
}

fn check(crate_dir: &str) -> Vec<String> {
    let order = layers(crate_dir);
    let files = module_files(&Path::new(ROOT).join(crate_dir));
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let rank = |m: &str| if m.is_empty() { Some(order.len()) } else { order.iter().position(|o| o == m) };
    let mut faults = Vec::new();
    for listed in &order {
        if !modules.contains(listed) {
            faults.push(format!("ARCHITECTURE.md lists {crate_dir} module {listed}, which has no file"));
        }
    }
    for (module, path) in &files {
        let shown = path.strip_prefix(ROOT).unwrap().display().to_string();
        let Some(own) = rank(module) else {
            faults.push(format!("{shown}: module {module} is not in ARCHITECTURE.md's layers {crate_dir} list"));
            continue;
        };
        let file = syn::parse_file(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let mut uses = Uses::default();
        for item in &file.items {
            if let syn::Item::Mod(m) = item {
                if m.content.is_none() && !is_cfg_test(&m.attrs) {
                    uses.children.insert(m.ident.to_string());
                }
            }
        }
        uses.visit_file(&file);
        for (segments, line) in &uses.paths {
            let to = target(module, segments, &modules);
            if to == *module {
                continue;
            }
            match rank(&to) {
                Some(theirs) if theirs < own => {}
                _ => faults.push(format!(
                    "{shown}:{line}: {module} uses {} (module {}), which is not below it",
                    segments.join("::"),
                    if to.is_empty() { "the crate root" } else { &to }
                )),
            }
        }
    }
    faults
}

#[test]
fn the_core_imports_only_downwards() {
    let faults = check("src");
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[test]
fn the_page_imports_only_downwards() {
    let faults = check("web/src");
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[test]
fn a_path_names_the_longest_module_it_reaches() {
    let modules: BTreeSet<String> = ["decode", "decode::format", "decode::pprof", "decode::pprof::proto", "limits"].map(String::from).into();
    let path = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    assert_eq!(target("decode::pprof", &path("crate::decode::format::Format"), &modules), "decode::format");
    assert_eq!(target("decode::pprof", &path("super::Format"), &modules), "decode");
    assert_eq!(target("decode::pprof", &path("proto::PbSample"), &modules), "decode::pprof::proto");
    assert_eq!(target("decode", &path("crate::limits::self"), &modules), "limits");
    assert_eq!(target("limits", &path("crate::Format"), &modules), "");
}

#[test]
fn an_upward_import_is_caught() {
    let file = syn::parse_file(
        "use crate::report::Report;\npub(super) fn f() { crate::leaks::x(); html! { <crate::views::Row/> } }\n#[cfg(test)]\nmod tests { use crate::app::App; }",
    )
    .unwrap();
    let mut uses = Uses::default();
    uses.visit_file(&file);
    let seen: Vec<(String, usize)> = uses.paths.iter().map(|(s, l)| (s.join("::"), *l)).collect();
    assert_eq!(seen, [("crate::report::Report".to_string(), 1), ("crate::leaks::x".to_string(), 2), ("crate::views::Row".to_string(), 2)]);
}
