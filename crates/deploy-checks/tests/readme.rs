//! README's settings table is generated from the one declaration of each setting (the
//! services' `INFO`), like `--help`: this test fails when they differ and prints the table.
//! `UPDATE_README=1 cargo test -p playground-deploy-checks --test readme` writes it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failure is a failed test

use playground_deploy_checks::root;
use playground_runtime::ServiceInfo;

const BEGIN: &str =
    "<!-- settings table: generated from the declarations by crates/deploy-checks/tests/readme.rs -->";
const END: &str = "<!-- end of settings table -->";

fn services() -> [(&'static str, &'static ServiceInfo); 9] {
    [
        ("users", &playground_users::INFO),
        ("products", &playground_products::INFO),
        ("orders", &playground_orders::INFO),
        ("items", &playground_items::INFO),
        ("pageviews", &playground_pageviews::INFO),
        ("stars", &playground_stars::INFO),
        ("verify", &playground_verify::config::INFO),
        ("analytics", &playground_analytics::config::INFO),
        ("silver", &playground_silver::config::INFO),
    ]
}

/// One text per service that declares it; a single text when they all agree.
fn merged(per_service: &[(&str, String)]) -> String {
    let first = &per_service[0].1;
    if per_service.iter().all(|(_, t)| t == first) {
        return first.clone();
    }
    per_service
        .iter()
        .map(|(s, t)| format!("{s}: {t}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The table: one row per variable, in the order the services list them.
fn table() -> String {
    let services = services();
    let mut names: Vec<&'static str> = Vec::new();
    for (_, info) in &services {
        for s in info.all() {
            if !names.contains(&s.name()) {
                names.push(s.name());
            }
        }
    }
    let mut out = String::from("| variable | ");
    out.push_str(&services.map(|(s, _)| s).join(" | "));
    out.push_str(" | default | accepts | meaning |\n|---|");
    out.push_str(&"---|".repeat(services.len() + 3));
    out.push('\n');
    for name in names {
        let declared: Vec<_> = services
            .iter()
            .filter_map(|(svc, info)| {
                info.all()
                    .into_iter()
                    .find(|s| s.name() == name)
                    .map(|s| (*svc, s))
            })
            .collect();
        let alias = declared[0]
            .1
            .alias()
            .map(|a| format!(" (alias `{a}`)"))
            .unwrap_or_default();
        let ticks = services
            .iter()
            .map(|(svc, _)| {
                if declared.iter().any(|(s, _)| s == svc) {
                    "✓"
                } else {
                    ""
                }
            })
            .collect::<Vec<_>>()
            .join(" | ");
        let column = |f: &dyn Fn(&dyn playground_runtime::settings::Declared) -> String| {
            cell(&merged(
                &declared.iter().map(|(s, d)| (*s, f(*d))).collect::<Vec<_>>(),
            ))
        };
        out.push_str(&format!(
            "| `{name}`{alias} | {ticks} | {} | {} | {} |\n",
            column(&|d| d.default_text()),
            column(&|d| d.accepts()),
            column(&|d| d.help().to_owned()),
        ));
    }
    out
}

#[test]
fn readme_settings_table_is_generated_from_the_declarations() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(b), Some(e)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md has no generated settings table: put\n{BEGIN}\n{END}\nwhere it goes");
    };
    let current = &readme[b + BEGIN.len()..e];
    let wanted = format!("\n{}", table());
    if current == wanted {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{BEGIN}{wanted}{}", &readme[..b], &readme[e..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!(
        "README.md's settings table differs from the declarations; run \
         `UPDATE_README=1 cargo test -p playground-deploy-checks --test readme`. Wanted:\n{wanted}"
    );
}

#[test]
fn every_default_is_accepted_by_its_own_declaration() {
    for (svc, info) in services() {
        for s in info.all() {
            assert!(
                s.default_is_valid(),
                "{svc}: {} default {} is outside {}",
                s.name(),
                s.default_text(),
                s.accepts()
            );
        }
    }
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_sink_source_names_a_setting() {
    let mut names: Vec<&str> = Vec::new();
    for (_, info) in services() {
        for s in info.all() {
            names.push(s.name());
            names.extend(s.alias());
        }
    }
    let mut files = Vec::new();
    rust_files(&root().join("crates/sinks/src"), &mut files);
    assert!(files.len() > 10, "found the sinks' sources: {files:?}");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for name in &names {
            let hit = text.match_indices(name).any(|(i, _)| {
                let before = text[..i].chars().next_back();
                let after = text[i + name.len()..].chars().next();
                let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
                !word(before) && !word(after)
            });
            if hit {
                found.push(format!("{} mentions {name}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the sinks take typed values; the runtime owns the settings:\n{}",
        found.join("\n")
    );
}
