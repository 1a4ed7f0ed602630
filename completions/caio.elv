
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
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the caio home and its database if they do not exist'
            cand contract 'Validate, describe and scaffold service contracts'
            cand registry 'Store service contracts and manage their status'
            cand principal 'Manage the principals (callers) whose tokens requests carry'
            cand policy 'Validate, test, install and show policy sets'
            cand route 'Pick the best eligible service for a request, and explain why'
            cand trace 'Show, list, verify, replay, checkpoint, export and prune the decision trace; report the outcomes of routed calls'
            cand slo 'Is each service keeping its contract? Availability, latency, spend, error budget and burn rate per window; --check for cron and CI'
            cand metrics 'Print the state as Prometheus metrics (or write them atomically with --out)'
            cand license 'Issue, verify, revoke and install licenses; show the license status'
            cand verify-invariants 'Check the engine''s invariants on generated scenarios; exit 1 on a violation'
            cand schema 'Print the JSON Schema (draft 2020-12) of a JSON document caio prints'
            cand generate-docs 'Regenerate the man pages and shell completions from this command line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;init'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;contract'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand validate 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
            cand schema 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
            cand new 'Print a new, commented contract to stdout, ready to edit'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;contract;validate'= {
            cand --stdin-name 'The path that diagnostics show for `-` (a document read from stdin)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --strict 'Fail (exit 1) on warnings too, not only on errors'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;contract;schema'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;contract;new'= {
            cand --template 'Kind of service to scaffold'
            cand --id 'service_id of the new contract (^[a-z0-9][a-z0-9-]{1,62}$)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
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
        &'caio;registry'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand add 'Validate contracts and store them; all or nothing per call'
            cand list 'List registered services'
            cand show 'Show a service''s active contract (or an older version)'
            cand history 'Every version of a service with its hash, time, and what replaced it'
            cand set-status 'Set a service''s status (drained and disabled services are never routed to); --reset-circuit also closes its circuit breaker'
            cand remove 'Deregister a service (its versions and history are kept for replay)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;registry;add'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --replace 'Allow the same version with different content to replace the active one'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;registry;list'= {
            cand --capability 'Only services offering this capability'
            cand --tag 'Only services carrying this tag'
            cand --status 'Only services with this status'
            cand --provider 'Only services of this provider'
            cand --contracts 'List contract files instead of the registry (stateless mode)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;registry;show'= {
            cand --version 'A version from the service''s history'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;registry;history'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;registry;set-status'= {
            cand --reason 'Why, recorded with the change'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --reset-circuit 'Also close the service''s circuit breaker and forget its consecutive failures and openings (execution counts and latencies stay)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;registry;remove'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;registry;help'= {
            cand add 'Validate contracts and store them; all or nothing per call'
            cand list 'List registered services'
            cand show 'Show a service''s active contract (or an older version)'
            cand history 'Every version of a service with its hash, time, and what replaced it'
            cand set-status 'Set a service''s status (drained and disabled services are never routed to); --reset-circuit also closes its circuit breaker'
            cand remove 'Deregister a service (its versions and history are kept for replay)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;registry;help;add'= {
        }
        &'caio;registry;help;list'= {
        }
        &'caio;registry;help;show'= {
        }
        &'caio;registry;help;history'= {
        }
        &'caio;registry;help;set-status'= {
        }
        &'caio;registry;help;remove'= {
        }
        &'caio;registry;help;help'= {
        }
        &'caio;principal'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand add 'Create a principal and print its token (shown once, never stored in clear)'
            cand list 'List principals (never their tokens)'
            cand revoke 'Revoke a principal''s token; requests carrying it are refused'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;principal;add'= {
            cand --tenant 'Tenant the principal belongs to'
            cand --roles 'Roles, comma-separated'
            cand --trust 'Verified trust level'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;principal;list'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;principal;revoke'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;principal;help'= {
            cand add 'Create a principal and print its token (shown once, never stored in clear)'
            cand list 'List principals (never their tokens)'
            cand revoke 'Revoke a principal''s token; requests carrying it are refused'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;principal;help;add'= {
        }
        &'caio;principal;help;list'= {
        }
        &'caio;principal;help;revoke'= {
        }
        &'caio;principal;help;help'= {
        }
        &'caio;policy'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand validate 'Check policy files and directories; exit 1 if any is invalid'
            cand test 'Run the `tests:` blocks of policy files; exit 1 on any failure'
            cand apply 'Validate policy files and install them as the home''s active policy set'
            cand show 'Print the active policy set and its hash'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;policy;validate'= {
            cand --stdin-name 'The path that diagnostics show for `-` (a document read from stdin)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --strict 'Fail (exit 1) on warnings too, not only on errors'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;policy;test'= {
            cand --stdin-name 'The path that diagnostics show for `-` (a document read from stdin)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --fail-on-empty 'Fail when the files hold no test at all'
            cand --strict 'Fail (exit 1) on warnings too, not only on errors'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;policy;apply'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;policy;show'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;policy;help'= {
            cand validate 'Check policy files and directories; exit 1 if any is invalid'
            cand test 'Run the `tests:` blocks of policy files; exit 1 on any failure'
            cand apply 'Validate policy files and install them as the home''s active policy set'
            cand show 'Print the active policy set and its hash'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;policy;help;validate'= {
        }
        &'caio;policy;help;test'= {
        }
        &'caio;policy;help;apply'= {
        }
        &'caio;policy;help;show'= {
        }
        &'caio;policy;help;help'= {
        }
        &'caio;route'= {
            cand --contracts 'Route among these contract files instead of the registry (stateless mode)'
            cand --policies 'Apply these policy files (stateless mode); a home''s installed set always applies, these add to it'
            cand --principal 'Route as this principal (YAML or JSON: name, tenant, roles, trust); stateless mode only'
            cand --token-file 'Read the caller''s token from FILE (mode 0600) instead of the request''s auth.token; the CAIO_TOKEN environment variable is the other way. Never a plain --token flag: it would land in shell history'
            cand --seed 'Seed of the tie-break among equal scores (overrides the request''s `seed`)'
            cand --top 'List the K best eligible candidates'
            cand --payload 'The body to send with --execute (instead of the request''s `payload`)'
            cand --output 'Write the response body to FILE instead of stdout (with --execute)'
            cand --deadline-ms 'Give up executing after this many milliseconds, retries and failover included (at most 24 h)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --explain 'Show every candidate with its terms, every rejection, and the weights'
            cand --dry-run 'Route without appending to the trace'
            cand --batch 'Read JSON Lines (one request per line) and write one JSON decision per line (candidates listed only with --explain or --top)'
            cand --execute 'Send the payload to the chosen service, with retries and failover, and print the response body'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand show 'Show one decision record: by decision id (or a unique prefix) or seq; `--format html` prints a self-contained page of it'
            cand list 'List decision records, newest first'
            cand stats 'Count decisions by service, capability, principal, tenant, stage, rule, outcome or execution, with the filters of `trace list`'
            cand verify 'Recompute the whole chain and check every checkpoint; exit 1 on any break'
            cand replay 'Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs'
            cand checkpoint 'Sign the current head of the chain (a C2SP signed note) and store it'
            cand rekey 'Make a new instance key on purpose, when keys/instance.key is lost or exposed; earlier checkpoints keep verifying with the old public key'
            cand prune 'Archive and remove old records; the live chain keeps verifying from the last one removed'
            cand outcome 'Report how a call caio routed went, when your code made it: appends an outcome record and updates the service''s stats as an executed attempt does'
            cand export 'Print the chain as JSON Lines: {"seq","prev","hash","record"} per record'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;trace;show'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;list'= {
            cand --service 'Only decisions that chose this service'
            cand --outcome 'Only this outcome'
            cand --principal 'Only decisions this principal asked for (`anonymous`, `(refused)`)'
            cand --tenant 'Only decisions of this tenant''s principals'
            cand --capability 'Only decisions that asked for this capability (any step of a chain)'
            cand --stage 'Only decisions where this stage rejected a candidate first'
            cand --rule 'Only decisions where this rule rejected a candidate (a policy rule''s id, or a built-in check such as min_trust or max_data_class)'
            cand --executed 'Only decisions whose call went so: through `--execute`, or as its caller reported it (`trace outcome`)'
            cand --since 'From this time on (RFC 3339, or a date: YYYY-MM-DD)'
            cand --until 'Before this time (RFC 3339, or a date: YYYY-MM-DD)'
            cand --limit 'At most this many records'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;stats'= {
            cand --by 'What to count decisions by'
            cand --service 'Only decisions that chose this service'
            cand --outcome 'Only this outcome'
            cand --principal 'Only decisions this principal asked for (`anonymous`, `(refused)`)'
            cand --tenant 'Only decisions of this tenant''s principals'
            cand --capability 'Only decisions that asked for this capability (any step of a chain)'
            cand --stage 'Only decisions where this stage rejected a candidate first'
            cand --rule 'Only decisions where this rule rejected a candidate (a policy rule''s id, or a built-in check such as min_trust or max_data_class)'
            cand --executed 'Only decisions whose call went so: through `--execute`, or as its caller reported it (`trace outcome`)'
            cand --since 'From this time on (RFC 3339, or a date: YYYY-MM-DD)'
            cand --until 'Before this time (RFC 3339, or a date: YYYY-MM-DD)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;verify'= {
            cand --from 'Start at this seq, trusting the link into it'
            cand --checkpoint 'A checkpoint kept outside the database (repeatable)'
            cand --archive 'An archive `caio trace prune` wrote (repeatable): checked, with its continuity into the live chain and the other archives'
            cand --public-key 'The instance''s verifier key (`caio trace checkpoint` prints it) [default: keys/instance.pub in the home]'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --replay 'Also replay every decision from its stored inputs and fail on one that differs'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;replay'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;checkpoint'= {
            cand --out 'Also write the signed note to this file (keep it off the host)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;rekey'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;prune'= {
            cand --through 'Prune every live record up to and including this seq'
            cand --older-than 'Prune the records older than this age (90d, 12h, 2w), up to the first one that is not'
            cand --archive 'The archive to write first (a new file, in the export format)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;outcome'= {
            cand --status 'How the call went'
            cand --latency-ms 'How long the call took, in ms (required with `--status ok`)'
            cand --input-tokens 'Input tokens the service counted (for the spend)'
            cand --output-tokens 'Output tokens the service counted (for the spend)'
            cand --error 'What went wrong (with `--status error`; masked and cut to 500 bytes)'
            cand --service 'The service called, for a chain''s step (one outcome per service)'
            cand --batch 'Read outcomes as JSON Lines from FILE (`-`: stdin), one per line'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;export'= {
            cand --since 'From this time on (RFC 3339, or a date: YYYY-MM-DD)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;trace;help'= {
            cand show 'Show one decision record: by decision id (or a unique prefix) or seq; `--format html` prints a self-contained page of it'
            cand list 'List decision records, newest first'
            cand stats 'Count decisions by service, capability, principal, tenant, stage, rule, outcome or execution, with the filters of `trace list`'
            cand verify 'Recompute the whole chain and check every checkpoint; exit 1 on any break'
            cand replay 'Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs'
            cand checkpoint 'Sign the current head of the chain (a C2SP signed note) and store it'
            cand rekey 'Make a new instance key on purpose, when keys/instance.key is lost or exposed; earlier checkpoints keep verifying with the old public key'
            cand prune 'Archive and remove old records; the live chain keeps verifying from the last one removed'
            cand outcome 'Report how a call caio routed went, when your code made it: appends an outcome record and updates the service''s stats as an executed attempt does'
            cand export 'Print the chain as JSON Lines: {"seq","prev","hash","record"} per record'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;trace;help;show'= {
        }
        &'caio;trace;help;list'= {
        }
        &'caio;trace;help;stats'= {
        }
        &'caio;trace;help;verify'= {
        }
        &'caio;trace;help;replay'= {
        }
        &'caio;trace;help;checkpoint'= {
        }
        &'caio;trace;help;rekey'= {
        }
        &'caio;trace;help;prune'= {
        }
        &'caio;trace;help;outcome'= {
        }
        &'caio;trace;help;export'= {
        }
        &'caio;trace;help;help'= {
        }
        &'caio;slo'= {
            cand --service 'Only this service (judged even without calls)'
            cand --window 'The window, ending now'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand --check 'Exit 1 when a service is out of contract, burns its budget too fast, or has too few calls to judge'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;metrics'= {
            cand --out 'Write the metrics to FILE atomically instead of printing them'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand keygen 'Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem'
            cand issue 'Sign a license, record it, and print it'
            cand verify 'Check a license (format, signature, dates, revocation) and show its claims'
            cand list 'List issued licenses, soonest expiry first'
            cand revoke 'Revoke an issued license (customers learn it from the next revocation list)'
            cand revocations 'Sign and print the revocation list: every revoked license, next sequence number'
            cand install 'Install a license and/or a revocation list on this instance'
            cand trust 'Trust a vendor public key; from then on `caio route` needs a license'
            cand untrust 'Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting'
            cand status 'Show installed licenses, days left, grace state and the revocation list'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;license;keygen'= {
            cand --out 'Directory to write the three files into (created if missing; nothing is overwritten)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;issue'= {
            cand --customer 'Customer name, as it appears in the license'
            cand --features 'Features granted, comma-separated'
            cand --expires 'Last valid day (UTC), e.g. 2027-12-31'
            cand --not-before 'First valid day (UTC) [default: now]'
            cand --seats 'Seats bought (recorded in the license; caio does not count seats)'
            cand --key 'Signing key [default: keys/vendor.key in the caio home]'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;verify'= {
            cand --file 'Read the license from this file (`-` for stdin)'
            cand --public-key 'Verify with this public key (vendor.pub or vendor.pub.pem) instead of the trusted keys'
            cand --revocations 'Check against this revocation list [default: the installed one]'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;list'= {
            cand --customer 'Only this customer''s licenses (case-insensitive)'
            cand --status 'Only licenses with this status'
            cand --expiring-within 'Only active licenses expiring within this window: 30d, 4w, 12h'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;revoke'= {
            cand --reason 'Why, kept in the vendor''s records (not published)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;revocations'= {
            cand --key 'Signing key [default: keys/vendor.key in the caio home]'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;install'= {
            cand --file 'Read the license from this file (`-` for stdin)'
            cand --revocations 'A revocation list to install (from `caio license revocations`)'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;trust'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;untrust'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;status'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;license;help'= {
            cand keygen 'Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem'
            cand issue 'Sign a license, record it, and print it'
            cand verify 'Check a license (format, signature, dates, revocation) and show its claims'
            cand list 'List issued licenses, soonest expiry first'
            cand revoke 'Revoke an issued license (customers learn it from the next revocation list)'
            cand revocations 'Sign and print the revocation list: every revoked license, next sequence number'
            cand install 'Install a license and/or a revocation list on this instance'
            cand trust 'Trust a vendor public key; from then on `caio route` needs a license'
            cand untrust 'Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting'
            cand status 'Show installed licenses, days left, grace state and the revocation list'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caio;license;help;keygen'= {
        }
        &'caio;license;help;issue'= {
        }
        &'caio;license;help;verify'= {
        }
        &'caio;license;help;list'= {
        }
        &'caio;license;help;revoke'= {
        }
        &'caio;license;help;revocations'= {
        }
        &'caio;license;help;install'= {
        }
        &'caio;license;help;trust'= {
        }
        &'caio;license;help;untrust'= {
        }
        &'caio;license;help;status'= {
        }
        &'caio;license;help;help'= {
        }
        &'caio;verify-invariants'= {
            cand --invariants 'Invariant files, or a directory of them [default: the invariants shipped with caio]'
            cand --contracts 'Mix these contracts into the generated registries'
            cand --trials 'Trials per invariant (overrides each file''s `trials`)'
            cand --seed 'Seed of the scenario generator (ChaCha20)'
            cand --only 'Run only these invariants (comma-separated ids)'
            cand --out 'Write the JSON scorecard to this file (counterexamples go next to it)'
            cand --junit 'Write the scorecard as a JUnit XML report to this file (one testcase per invariant), for CI test tabs'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;schema'= {
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;generate-docs'= {
            cand --out-dir 'Directory that receives `man/` and `completions/`'
            cand --home 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]'
            cand --format 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page'
            cand --color 'When to use colour (NO_COLOR is honoured by `auto`)'
            cand -q 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand --quiet 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'caio;help'= {
            cand init 'Create the caio home and its database if they do not exist'
            cand contract 'Validate, describe and scaffold service contracts'
            cand registry 'Store service contracts and manage their status'
            cand principal 'Manage the principals (callers) whose tokens requests carry'
            cand policy 'Validate, test, install and show policy sets'
            cand route 'Pick the best eligible service for a request, and explain why'
            cand trace 'Show, list, verify, replay, checkpoint, export and prune the decision trace; report the outcomes of routed calls'
            cand slo 'Is each service keeping its contract? Availability, latency, spend, error budget and burn rate per window; --check for cron and CI'
            cand metrics 'Print the state as Prometheus metrics (or write them atomically with --out)'
            cand license 'Issue, verify, revoke and install licenses; show the license status'
            cand verify-invariants 'Check the engine''s invariants on generated scenarios; exit 1 on a violation'
            cand schema 'Print the JSON Schema (draft 2020-12) of a JSON document caio prints'
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
        &'caio;help;registry'= {
            cand add 'Validate contracts and store them; all or nothing per call'
            cand list 'List registered services'
            cand show 'Show a service''s active contract (or an older version)'
            cand history 'Every version of a service with its hash, time, and what replaced it'
            cand set-status 'Set a service''s status (drained and disabled services are never routed to); --reset-circuit also closes its circuit breaker'
            cand remove 'Deregister a service (its versions and history are kept for replay)'
        }
        &'caio;help;registry;add'= {
        }
        &'caio;help;registry;list'= {
        }
        &'caio;help;registry;show'= {
        }
        &'caio;help;registry;history'= {
        }
        &'caio;help;registry;set-status'= {
        }
        &'caio;help;registry;remove'= {
        }
        &'caio;help;principal'= {
            cand add 'Create a principal and print its token (shown once, never stored in clear)'
            cand list 'List principals (never their tokens)'
            cand revoke 'Revoke a principal''s token; requests carrying it are refused'
        }
        &'caio;help;principal;add'= {
        }
        &'caio;help;principal;list'= {
        }
        &'caio;help;principal;revoke'= {
        }
        &'caio;help;policy'= {
            cand validate 'Check policy files and directories; exit 1 if any is invalid'
            cand test 'Run the `tests:` blocks of policy files; exit 1 on any failure'
            cand apply 'Validate policy files and install them as the home''s active policy set'
            cand show 'Print the active policy set and its hash'
        }
        &'caio;help;policy;validate'= {
        }
        &'caio;help;policy;test'= {
        }
        &'caio;help;policy;apply'= {
        }
        &'caio;help;policy;show'= {
        }
        &'caio;help;route'= {
        }
        &'caio;help;trace'= {
            cand show 'Show one decision record: by decision id (or a unique prefix) or seq; `--format html` prints a self-contained page of it'
            cand list 'List decision records, newest first'
            cand stats 'Count decisions by service, capability, principal, tenant, stage, rule, outcome or execution, with the filters of `trace list`'
            cand verify 'Recompute the whole chain and check every checkpoint; exit 1 on any break'
            cand replay 'Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs'
            cand checkpoint 'Sign the current head of the chain (a C2SP signed note) and store it'
            cand rekey 'Make a new instance key on purpose, when keys/instance.key is lost or exposed; earlier checkpoints keep verifying with the old public key'
            cand prune 'Archive and remove old records; the live chain keeps verifying from the last one removed'
            cand outcome 'Report how a call caio routed went, when your code made it: appends an outcome record and updates the service''s stats as an executed attempt does'
            cand export 'Print the chain as JSON Lines: {"seq","prev","hash","record"} per record'
        }
        &'caio;help;trace;show'= {
        }
        &'caio;help;trace;list'= {
        }
        &'caio;help;trace;stats'= {
        }
        &'caio;help;trace;verify'= {
        }
        &'caio;help;trace;replay'= {
        }
        &'caio;help;trace;checkpoint'= {
        }
        &'caio;help;trace;rekey'= {
        }
        &'caio;help;trace;prune'= {
        }
        &'caio;help;trace;outcome'= {
        }
        &'caio;help;trace;export'= {
        }
        &'caio;help;slo'= {
        }
        &'caio;help;metrics'= {
        }
        &'caio;help;license'= {
            cand keygen 'Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem'
            cand issue 'Sign a license, record it, and print it'
            cand verify 'Check a license (format, signature, dates, revocation) and show its claims'
            cand list 'List issued licenses, soonest expiry first'
            cand revoke 'Revoke an issued license (customers learn it from the next revocation list)'
            cand revocations 'Sign and print the revocation list: every revoked license, next sequence number'
            cand install 'Install a license and/or a revocation list on this instance'
            cand trust 'Trust a vendor public key; from then on `caio route` needs a license'
            cand untrust 'Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting'
            cand status 'Show installed licenses, days left, grace state and the revocation list'
        }
        &'caio;help;license;keygen'= {
        }
        &'caio;help;license;issue'= {
        }
        &'caio;help;license;verify'= {
        }
        &'caio;help;license;list'= {
        }
        &'caio;help;license;revoke'= {
        }
        &'caio;help;license;revocations'= {
        }
        &'caio;help;license;install'= {
        }
        &'caio;help;license;trust'= {
        }
        &'caio;help;license;untrust'= {
        }
        &'caio;help;license;status'= {
        }
        &'caio;help;verify-invariants'= {
        }
        &'caio;help;schema'= {
        }
        &'caio;help;generate-docs'= {
        }
        &'caio;help;help'= {
        }
    ]
    $completions[$command]
}
