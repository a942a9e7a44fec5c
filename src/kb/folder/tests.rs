//! Reading content from a folder: the exported defaults load as the
//! embedded content does, other files are ignored, and a folder that cannot
//! be read as content is refused with one clear problem.

use std::fs;
use std::path::Path;

use super::*;
use crate::kb::{ExportError, KnowledgeBase, export_embedded};

fn exported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    export_embedded(dir.path(), false).unwrap();
    dir
}

fn problems(dir: &Path) -> Vec<String> {
    match KnowledgeBase::load_folder(dir) {
        Ok(kb) => panic!(
            "expected the folder to be refused, loaded {}",
            kb.describe()
        ),
        Err(error) => error.problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_exported_defaults_load_as_the_embedded_content() {
    let dir = exported();
    let embedded = KnowledgeBase::load_embedded().unwrap();
    let folder = KnowledgeBase::load_folder(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(folder.describe(), embedded.describe());
    assert_eq!(folder.site(), embedded.site());
    for (ours, theirs) in folder.articles().iter().zip(embedded.articles()) {
        assert_eq!(ours.slug, theirs.slug);
        assert_eq!(ours.html, theirs.html, "{}", ours.slug);
    }
    assert!(
        dir.path().join("README.md").is_file(),
        "the format travels along"
    );
}

#[test]
fn other_files_and_folders_are_ignored() {
    let dir = exported();
    let root = dir.path();
    fs::write(root.join("notes.toml"), "not = [content").unwrap();
    fs::write(root.join("articles/draft.txt"), [0xff, 0xfe]).unwrap();
    fs::create_dir_all(root.join("articles/old")).unwrap();
    fs::write(root.join("articles/old/401.md"), "no front matter").unwrap();
    fs::create_dir_all(root.join("trees/archive.toml")).unwrap();
    KnowledgeBase::load_folder(root).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = exported();
    let path = dir.path().join("trees/401.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("\u{feff}{text}")).unwrap();
    KnowledgeBase::load_folder(dir.path()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_file_that_is_not_utf8_is_named_with_its_line() {
    let dir = exported();
    let path = dir.path().join("articles/checklist.md");
    let mut bytes = fs::read(&path).unwrap();
    let second_line = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    bytes.insert(second_line, 0xe9);
    fs::write(&path, bytes).unwrap();
    let found = problems(dir.path());
    assert!(
        found.contains(
            &"articles/checklist.md: line 2: is not valid UTF-8; save it as UTF-8".into()
        ),
        "{found:#?}"
    );
}

#[test]
fn a_file_over_the_limit_is_not_read() {
    let dir = exported();
    let path = dir.path().join("articles/still-stuck.md");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str(&"padding line\n".repeat(MAX_FILE_BYTES as usize / 13 + 1));
    fs::write(&path, text).unwrap();
    let found = problems(dir.path());
    assert!(
        found.contains(
            &"articles/still-stuck.md: is larger than 1024 KiB; a content file is a few KiB".into()
        ),
        "{found:#?}"
    );
}

#[test]
fn a_folder_with_too_many_files_is_refused_whole() {
    let dir = exported();
    for n in 0..MAX_FILES {
        fs::write(dir.path().join(format!("articles/extra-{n}.md")), "").unwrap();
    }
    assert_eq!(
        problems(dir.path()),
        ["holds more than 1000 content files; apidesk reads at most 1000"]
    );
}

#[test]
fn a_missing_or_empty_folder_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        problems(dir.path()),
        [
            "holds no content: expected site.toml, articles/ and trees/ \
             (`apidesk content export DIR` writes the built-in content as a start)"
        ]
    );
    let found = problems(&dir.path().join("nowhere"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("is not a folder apidesk can read: "),
        "{found:?}"
    );
}

#[test]
fn export_refuses_a_folder_in_use_unless_told_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ours.txt"), "keep me").unwrap();
    assert!(matches!(
        export_embedded(dir.path(), false),
        Err(ExportError::NotEmpty(_))
    ));
    assert!(!dir.path().join("site.toml").exists());

    let written = export_embedded(dir.path(), true).unwrap();
    assert!(written > 40, "{written}");
    assert_eq!(
        fs::read_to_string(dir.path().join("ours.txt")).unwrap(),
        "keep me"
    );
    KnowledgeBase::load_folder(dir.path()).unwrap_or_else(|e| panic!("{e}"));
}
