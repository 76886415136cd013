//! The README's and the guides' shell blocks, run against a live `digigate serve` (development
//! mode, built-in simulator), so the commands a reader copies cannot rot.
//!
//! The convention, stated in `docs/integration.md` too:
//! - every ```` ```sh ```` block of the documents in [`RUN`] is run with bash, in order, all
//!   blocks of one document in one shell (a variable one block sets, the next one reads), from
//!   the workspace root, under `set -euo pipefail`; it must exit 0;
//! - a block that cannot run here (a production deploy, a command that runs forever) has
//!   `<!-- not-run: why -->` on the line before its fence, and only those are skipped;
//! - a ```` ```output ```` block right after a shell block is what it prints: its lines must
//!   match the block's stdout line for line, `…` standing for any text;
//! - the test provides the variables the documents define: `BASE`, `KEY`, `SECRET`, `TOKEN`
//!   (and `DIGIGATE`, `DIGIGATE_URL`, `DIGIGATE_API_KEY`, `DIGIGATE_API_SECRET`,
//!   `DIGIGATE_DATA_DIR` for the commands), and puts the built `digigate` first on `PATH`;
//!   `TMPDIR` is the test's own directory.

#[allow(dead_code)] // this binary uses only part of the process helpers
#[path = "support/process.rs"]
mod process;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use process::{digigate, free_port, Process};
use serde_json::Value;
use std::fmt::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use temp_dir::TempDir;

/// The documents whose shell blocks are run, relative to the workspace root.
const RUN: &[&str] = &[
    "README.md",
    "docs/integration.md",
    "docs/migrating-from-sandbox.md",
    "docs/deploy.md",
    "docs/sdk.md",
];

/// How long one document's blocks may take together (a journey takes a second or two).
const DOCUMENT_WITHIN: Duration = Duration::from_secs(180);

/// A fenced shell block of a document.
#[derive(Debug, PartialEq)]
struct Block {
    /// 1-based line of the opening fence, for messages.
    line: usize,
    code: String,
    /// `Some(why)` when marked `<!-- not-run: why -->`.
    not_run: Option<String>,
    /// The lines of the ```` ```output ```` block that follows it, if any.
    output: Option<Vec<String>>,
}

/// The shell blocks of a markdown text. Panics on a shell block fenced as `bash` or `shell`
/// (it would escape the test) and on a `not-run` marker without a reason.
fn shell_blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut blocks: Vec<Block> = Vec::new();
    let mut i = 0;
    // The index in `blocks` of the last shell block, while only blank lines followed it.
    let mut just_closed: Option<usize> = None;
    while i < lines.len() {
        let line = lines[i];
        // Fences may be indented (a block inside a list item); the body loses the same indent.
        let indent = line.len() - line.trim_start().len();
        let Some(info) = line.trim_start().strip_prefix("```") else {
            if !line.trim().is_empty() {
                just_closed = None;
            }
            i += 1;
            continue;
        };
        let start = i;
        let end = (i + 1..lines.len())
            .find(|&j| lines[j].trim_start().starts_with("```"))
            .unwrap_or_else(|| panic!("line {}: unclosed fence", start + 1));
        let body: Vec<&str> = lines[start + 1..end]
            .iter()
            .map(|l| {
                let blank = l.len() - l.trim_start().len();
                &l[blank.min(indent)..]
            })
            .collect();
        let lang = info.split_whitespace().next().unwrap_or("");
        assert!(
            !matches!(lang, "bash" | "shell" | "zsh"),
            "line {}: fence shell blocks as ```sh so they are run (or mark them not-run)",
            start + 1
        );
        match lang {
            "sh" => {
                let marker = start
                    .checked_sub(1)
                    .and_then(|p| lines[p].trim().strip_prefix("<!-- not-run"))
                    .map(|rest| {
                        let why = rest.trim_start_matches(':').trim_end_matches("-->").trim();
                        assert!(!why.is_empty(), "line {start}: say why a block is not run");
                        why.to_owned()
                    });
                blocks.push(Block {
                    line: start + 1,
                    code: body.join("\n"),
                    not_run: marker,
                    output: None,
                });
                just_closed = Some(blocks.len() - 1);
            }
            "output" => {
                let owner = just_closed.unwrap_or_else(|| {
                    panic!("line {}: an output block follows no sh block", start + 1)
                });
                blocks[owner].output = Some(body.iter().map(|l| l.to_string()).collect());
                just_closed = None;
            }
            _ => just_closed = None,
        }
        i = end + 1;
    }
    blocks
}

/// Whether `actual` matches `pattern`, where each `…` in the pattern stands for any text.
fn matches_line(pattern: &str, actual: &str) -> bool {
    let parts: Vec<&str> = pattern.split('…').collect();
    let (first, rest) = parts.split_first().unwrap();
    let Some(mut tail) = actual.strip_prefix(first) else {
        return false;
    };
    for (n, part) in rest.iter().enumerate() {
        let last = n == rest.len() - 1;
        if last {
            return tail.ends_with(part);
        }
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    tail.is_empty()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A development gateway with a key (made after the server generated its master key, so the
/// key has a redirect secret).
struct Gateway {
    dir: TempDir,
    base: String,
    key: Value,
    _process: Process,
}

impl Gateway {
    fn start() -> Gateway {
        let dir = TempDir::new("docs");
        let data = dir.0.to_str().unwrap().to_owned();
        let port = free_port();
        let mut serve = digigate();
        serve.args(["serve", "--data-dir", &data]);
        serve.args(["--listen", &format!("127.0.0.1:{port}")]);
        let mut process = Process::spawn("gateway", serve);
        process.wait_for_health(port);
        let created = digigate()
            .args([
                "keys",
                "create",
                "--json",
                "--name",
                "docs",
                "--data-dir",
                &data,
            ])
            .output()
            .unwrap();
        assert!(created.status.success(), "{created:?}");
        Gateway {
            base: format!("http://127.0.0.1:{port}"),
            key: serde_json::from_slice(&created.stdout).unwrap(),
            dir,
            _process: process,
        }
    }

    /// The script that runs `blocks` in one shell, each block's stdout and stderr kept in
    /// `{out}/{n}.out` and `.err`, and `{out}/progress` naming the block started last.
    fn script(&self, blocks: &[&Block], out: &Path) -> String {
        let out = out.display();
        let mut s = String::from("set -euo pipefail\n");
        // TOKEN, as the documents' first step would make it.
        s.push_str(
            "TOKEN=$(curl -sf -X POST \"$BASE/authenticate\" -H \"x-api-key: $KEY\" \
             -H \"x-api-secret: $SECRET\" | jq -r .data.access_token)\nexport TOKEN\n",
        );
        for (n, block) in blocks.iter().enumerate() {
            writeln!(s, "echo {n} > {out}/progress").unwrap();
            writeln!(s, "{{\n{}\n}} > {out}/{n}.out 2> {out}/{n}.err", block.code).unwrap();
        }
        writeln!(s, "echo done > {out}/progress").unwrap();
        s
    }

    /// Runs a document's runnable blocks; panics naming the first that fails or prints
    /// something else than its output block says.
    fn run_document(&self, name: &str) {
        let markdown = std::fs::read_to_string(workspace_root().join(name)).unwrap();
        let blocks = shell_blocks(&markdown);
        let runnable: Vec<&Block> = blocks.iter().filter(|b| b.not_run.is_none()).collect();
        for b in blocks.iter().filter(|b| b.not_run.is_some()) {
            println!(
                "{name}:{}: not run ({})",
                b.line,
                b.not_run.as_ref().unwrap()
            );
        }
        println!("{name}: running {} blocks", runnable.len());
        if runnable.is_empty() {
            return;
        }
        let out = self.dir.0.join(name.replace('/', "_"));
        std::fs::create_dir(&out).unwrap();
        let script = self.script(&runnable, &out);
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_digigate")).parent().unwrap();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
        let home = self.dir.0.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let (key, secret) = (
            self.key["api_key"].as_str().unwrap(),
            self.key["api_secret"].as_str().unwrap(),
        );
        let mut child = Command::new("bash")
            // Its own process group, so what a block started in the background is stopped too.
            .process_group(0)
            .arg("-c")
            .arg(&script)
            .current_dir(workspace_root())
            .env_clear()
            .env("PATH", path)
            .env("HOME", home)
            // What a block makes with mktemp goes away with the test's directory.
            .env("TMPDIR", &self.dir.0)
            .env("NO_COLOR", "1")
            .envs([
                ("BASE", &self.base),
                ("DIGIGATE", &self.base),
                ("DIGIGATE_URL", &self.base),
            ])
            .envs([("KEY", key), ("DIGIGATE_API_KEY", key)])
            .envs([("SECRET", secret), ("DIGIGATE_API_SECRET", secret)])
            .env("DIGIGATE_DATA_DIR", &self.dir.0)
            .spawn()
            .expect("bash runs");
        let deadline = Instant::now() + DOCUMENT_WITHIN;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                break child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", child.id())])
            .stderr(std::process::Stdio::null())
            .status();
        let progress = std::fs::read_to_string(out.join("progress")).unwrap_or_default();
        let read = |n: usize, ext: &str| {
            std::fs::read_to_string(out.join(format!("{n}.{ext}"))).unwrap_or_default()
        };
        if progress.trim() != "done" || !status.success() {
            let Ok(n) = progress.trim().parse::<usize>() else {
                panic!("{name}: the test's prelude failed ({status}); is jq installed?");
            };
            panic!(
                "{name}:{}: the block failed ({status}):\n{}\n--- stdout\n{}\n--- stderr\n{}",
                runnable[n].line,
                runnable[n].code,
                read(n, "out"),
                read(n, "err")
            );
        }
        for (n, block) in runnable.iter().enumerate() {
            let Some(expected) = &block.output else {
                continue;
            };
            let printed = read(n, "out");
            let actual: Vec<&str> = printed.lines().map(str::trim_end).collect();
            let same = actual.len() == expected.len()
                && expected
                    .iter()
                    .zip(&actual)
                    .all(|(e, a)| matches_line(e, a));
            assert!(
                same,
                "{name}:{}: the block printed\n{printed}\nbut its output block says\n{}",
                block.line,
                expected.join("\n")
            );
        }
    }
}

#[test]
fn the_readme_and_the_guides_shell_blocks_run_against_a_live_gateway() {
    let gateway = Gateway::start();
    for name in RUN {
        gateway.run_document(name);
    }
}

#[test]
fn the_guides_that_walk_the_journey_have_blocks_that_run_and_say_what_they_print() {
    for name in ["README.md", "docs/integration.md"] {
        let markdown = std::fs::read_to_string(workspace_root().join(name)).unwrap();
        let blocks = shell_blocks(&markdown);
        let runnable = blocks.iter().filter(|b| b.not_run.is_none()).count();
        let checked = blocks
            .iter()
            .filter(|b| b.not_run.is_none() && b.output.is_some())
            .count();
        assert!(runnable >= 3 && checked >= 1, "{name}: {blocks:#?}");
    }
}

#[test]
fn blocks_are_read_with_their_markers_and_outputs() {
    let md = "text\n```sh\necho hi\n```\n\n```output\nh…\n```\n<!-- not-run: a deploy -->\n\
              ```sh\nsystemctl start x\n```\n```json\n{}\n```\n```sh\ntrue\n```\nprose\n\
              ```output\nnot mine\n```\n";
    let blocks = std::panic::catch_unwind(|| shell_blocks(md));
    assert!(
        blocks.is_err(),
        "an output block after prose belongs to no block"
    );
    let md = md.replace("prose\n```output\nnot mine\n```\n", "");
    assert_eq!(
        shell_blocks(&md),
        vec![
            Block {
                line: 2,
                code: "echo hi".into(),
                not_run: None,
                output: Some(vec!["h…".into()])
            },
            Block {
                line: 10,
                code: "systemctl start x".into(),
                not_run: Some("a deploy".into()),
                output: None
            },
            Block {
                line: 16,
                code: "true".into(),
                not_run: None,
                output: None
            },
        ]
    );
    let listed =
        shell_blocks("- item:\n\n  ```sh\n  echo \"a\n   b\"\n  ```\n  ```output\n  a\n  ```\n");
    assert_eq!(listed[0].code, "echo \"a\n b\"");
    assert_eq!(listed[0].output, Some(vec!["a".to_owned()]));
    assert!(std::panic::catch_unwind(|| shell_blocks("```bash\nls\n```\n")).is_err());
    assert!(
        std::panic::catch_unwind(|| shell_blocks("<!-- not-run -->\n```sh\nls\n```\n")).is_err()
    );
}

#[test]
fn an_output_line_matches_with_ellipses_standing_for_any_text() {
    assert!(matches_line("succeeded", "succeeded"));
    assert!(!matches_line("succeeded", "failed"));
    assert!(!matches_line("succeeded", "succeeded, twice"));
    assert!(matches_line(
        "https://shop.example/kyc/done?session_id=…&status=succeeded&ts=…&sig=v1,…",
        "https://shop.example/kyc/done?session_id=ab-12&status=succeeded&ts=1765&sig=v1,Hk8%3D"
    ));
    assert!(!matches_line(
        "…&status=succeeded&…",
        "https://x/?session_id=1&status=failed&ts=2"
    ));
    assert!(matches_line("…", ""));
    assert!(matches_line("a…", "a"));
    assert!(!matches_line("a…b", "ab…"));
}
