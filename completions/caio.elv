
use builtin;
use str;

set edit:completion:arg-completer[caio] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'caio'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'caio'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results and errors: no status lines, warnings or progress bars'
            cand --quiet 'Print only results and errors: no status lines, warnings or progress bars'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the caio home (state directory) if it does not exist'
            cand contract 'Validate, describe and scaffold service contracts'
            cand generate-docs 'Regenerate the man pages and shell completions from this command line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;init'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results and errors: no status lines, warnings or progress bars'
            cand --quiet 'Print only results and errors: no status lines, warnings or progress bars'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caio;contract'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results and errors: no status lines, warnings or progress bars'
            cand --quiet 'Print only results and errors: no status lines, warnings or progress bars'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand validate 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
            cand schema 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
            cand new 'Print a new, commented contract to stdout, ready to edit'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;contract;validate'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results and errors: no status lines, warnings or progress bars'
            cand --quiet 'Print only results and errors: no status lines, warnings or progress bars'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caio;contract;schema'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results and errors: no status lines, warnings or progress bars'
            cand --quiet 'Print only results and errors: no status lines, warnings or progress bars'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caio;contract;new'= {
            cand --template 'Kind of service to scaffold'
            cand --id 'service_id of the new contract (^[a-z0-9][a-z0-9-]{1,62}$)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results and errors: no status lines, warnings or progress bars'
            cand --quiet 'Print only results and errors: no status lines, warnings or progress bars'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caio;contract;help'= {
            cand validate 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
            cand schema 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
            cand new 'Print a new, commented contract to stdout, ready to edit'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;contract;help;validate'= {
        }
        &'caio;contract;help;schema'= {
        }
        &'caio;contract;help;new'= {
        }
        &'caio;contract;help;help'= {
        }
        &'caio;generate-docs'= {
            cand --out-dir 'Directory that receives `man/` and `completions/`'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results and errors: no status lines, warnings or progress bars'
            cand --quiet 'Print only results and errors: no status lines, warnings or progress bars'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caio;help'= {
            cand init 'Create the caio home (state directory) if it does not exist'
            cand contract 'Validate, describe and scaffold service contracts'
            cand generate-docs 'Regenerate the man pages and shell completions from this command line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;help;init'= {
        }
        &'caio;help;contract'= {
            cand validate 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
            cand schema 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
            cand new 'Print a new, commented contract to stdout, ready to edit'
        }
        &'caio;help;contract;validate'= {
        }
        &'caio;help;contract;schema'= {
        }
        &'caio;help;contract;new'= {
        }
        &'caio;help;generate-docs'= {
        }
        &'caio;help;help'= {
        }
    ]
    $completions[$command]
}
