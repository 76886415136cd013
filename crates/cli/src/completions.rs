//! `digigate completions <shell>`: the shell completion script, generated from the same clap
//! definition the binary parses with, so it never drifts from the flags.

use clap::Args;
use clap_complete::Shell;

/// Flags of `digigate completions`.
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell. For bash, for example:
    /// `digigate completions bash > /etc/bash_completion.d/digigate`.
    shell: Shell,
}

/// Writes the completion script for `command` to stdout.
pub fn run(args: &CompletionsArgs, command: &mut clap::Command) {
    clap_complete::generate(args.shell, command, "digigate", &mut std::io::stdout());
}
