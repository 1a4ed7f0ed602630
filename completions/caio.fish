# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_caio_global_optspecs
    string join \n home= format= color= q/quiet v/verbose h/help V/version
end

function __fish_caio_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_caio_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_caio_using_subcommand
    set -l cmd (__fish_caio_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c caio -n "__fish_caio_needs_command" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_needs_command" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_needs_command" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_needs_command" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_needs_command" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_needs_command" -s V -l version -d 'Print version'
complete -c caio -n "__fish_caio_needs_command" -f -a "init" -d 'Create the caio home and its database if they do not exist'
complete -c caio -n "__fish_caio_needs_command" -f -a "contract" -d 'Validate, describe and scaffold service contracts'
complete -c caio -n "__fish_caio_needs_command" -f -a "registry" -d 'Store service contracts and manage their status'
complete -c caio -n "__fish_caio_needs_command" -f -a "principal" -d 'Manage the principals (callers) whose tokens requests carry'
complete -c caio -n "__fish_caio_needs_command" -f -a "policy" -d 'Validate, test, install and show policy sets'
complete -c caio -n "__fish_caio_needs_command" -f -a "route" -d 'Pick the best eligible service for a request, and explain why'
complete -c caio -n "__fish_caio_needs_command" -f -a "trace" -d 'Show, list, verify, replay, checkpoint, export and prune the decision trace; report the outcomes of routed calls'
complete -c caio -n "__fish_caio_needs_command" -f -a "slo" -d 'Is each service keeping its contract? Availability, latency, spend, error budget and burn rate per window; --check for cron and CI'
complete -c caio -n "__fish_caio_needs_command" -f -a "metrics" -d 'Print the state as Prometheus metrics (or write them atomically with --out)'
complete -c caio -n "__fish_caio_needs_command" -f -a "license" -d 'Issue, verify, revoke and install licenses; show the license status'
complete -c caio -n "__fish_caio_needs_command" -f -a "verify-invariants" -d 'Check the engine\'s invariants on generated scenarios; exit 1 on a violation'
complete -c caio -n "__fish_caio_needs_command" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of a JSON document caio prints'
complete -c caio -n "__fish_caio_needs_command" -f -a "generate-docs" -d 'Regenerate the man pages and shell completions from this command line'
complete -c caio -n "__fish_caio_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand init" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand init" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand init" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand init" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand init" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -f -a "validate" -d 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -f -a "new" -d 'Print a new, commented contract to stdout, ready to edit'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -l stdin-name -d 'The path that diagnostics show for `-` (a document read from stdin)' -r
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -l strict -d 'Fail (exit 1) on warnings too, not only on errors'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l template -d 'Kind of service to scaffold' -r -f -a "llm\t'A chat/completion LLM API'
embedding\t'A text embedding API'
speech\t'A speech-to-text API'
search\t'A web search API'
image\t'An image generation API'"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l id -d 'service_id of the new contract (^[a-z0-9][a-z0-9-]{1,62}$)' -r
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "new" -d 'Print a new, commented contract to stdout, ready to edit'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -f -a "add" -d 'Validate contracts and store them; all or nothing per call'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -f -a "list" -d 'List registered services'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -f -a "show" -d 'Show a service\'s active contract (or an older version)'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -f -a "history" -d 'Every version of a service with its hash, time, and what replaced it'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -f -a "set-status" -d 'Set a service\'s status (drained and disabled services are never routed to); --reset-circuit also closes its circuit breaker'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -f -a "remove" -d 'Deregister a service (its versions and history are kept for replay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and not __fish_seen_subcommand_from add list show history set-status remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from add" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from add" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from add" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from add" -l replace -d 'Allow the same version with different content to replace the active one'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -l capability -d 'Only services offering this capability' -r
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -l tag -d 'Only services carrying this tag' -r
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -l status -d 'Only services with this status' -r -f -a "active\t'Routed normally'
degraded\t'Routed, with a risk penalty'
drained\t'Never routed; being taken out of service'
disabled\t'Never routed'"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -l provider -d 'Only services of this provider' -r
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -l contracts -d 'List contract files instead of the registry (stateless mode)' -r -F
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from show" -l version -d 'A version from the service\'s history' -r
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from show" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from show" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from show" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from history" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from history" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from history" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from history" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from set-status" -l reason -d 'Why, recorded with the change' -r
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from set-status" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from set-status" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from set-status" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from set-status" -l reset-circuit -d 'Also close the service\'s circuit breaker and forget its consecutive failures and openings (execution counts and latencies stay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from set-status" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from set-status" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from set-status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from remove" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from remove" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from remove" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "add" -d 'Validate contracts and store them; all or nothing per call'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "list" -d 'List registered services'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a service\'s active contract (or an older version)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "history" -d 'Every version of a service with its hash, time, and what replaced it'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "set-status" -d 'Set a service\'s status (drained and disabled services are never routed to); --reset-circuit also closes its circuit breaker'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Deregister a service (its versions and history are kept for replay)'
complete -c caio -n "__fish_caio_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -f -a "add" -d 'Create a principal and print its token (shown once, never stored in clear)'
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -f -a "list" -d 'List principals (never their tokens)'
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -f -a "revoke" -d 'Revoke a principal\'s token; requests carrying it are refused'
complete -c caio -n "__fish_caio_using_subcommand principal; and not __fish_seen_subcommand_from add list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from add" -l tenant -d 'Tenant the principal belongs to' -r
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from add" -l roles -d 'Roles, comma-separated' -r
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from add" -l trust -d 'Verified trust level' -r -f -a "low\t''
medium\t''
high\t''"
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from add" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from add" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from add" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from list" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from list" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from list" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from revoke" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from revoke" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from revoke" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from revoke" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from help" -f -a "add" -d 'Create a principal and print its token (shown once, never stored in clear)'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from help" -f -a "list" -d 'List principals (never their tokens)'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a principal\'s token; requests carrying it are refused'
complete -c caio -n "__fish_caio_using_subcommand principal; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -f -a "validate" -d 'Check policy files and directories; exit 1 if any is invalid'
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -f -a "test" -d 'Run the `tests:` blocks of policy files; exit 1 on any failure'
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -f -a "apply" -d 'Validate policy files and install them as the home\'s active policy set'
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -f -a "show" -d 'Print the active policy set and its hash'
complete -c caio -n "__fish_caio_using_subcommand policy; and not __fish_seen_subcommand_from validate test apply show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from validate" -l stdin-name -d 'The path that diagnostics show for `-` (a document read from stdin)' -r
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from validate" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from validate" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from validate" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from validate" -l strict -d 'Fail (exit 1) on warnings too, not only on errors'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from validate" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from validate" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from test" -l stdin-name -d 'The path that diagnostics show for `-` (a document read from stdin)' -r
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from test" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from test" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from test" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from test" -l fail-on-empty -d 'Fail when the files hold no test at all'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from test" -l strict -d 'Fail (exit 1) on warnings too, not only on errors'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from test" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from test" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from apply" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from apply" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from apply" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from apply" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from apply" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from show" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from show" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from show" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check policy files and directories; exit 1 if any is invalid'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run the `tests:` blocks of policy files; exit 1 on any failure'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "apply" -d 'Validate policy files and install them as the home\'s active policy set'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the active policy set and its hash'
complete -c caio -n "__fish_caio_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand route" -l contracts -d 'Route among these contract files instead of the registry (stateless mode)' -r -F
complete -c caio -n "__fish_caio_using_subcommand route" -l policies -d 'Apply these policy files (stateless mode); a home\'s installed set always applies, these add to it' -r -F
complete -c caio -n "__fish_caio_using_subcommand route" -l principal -d 'Route as this principal (YAML or JSON: name, tenant, roles, trust); stateless mode only' -r -F
complete -c caio -n "__fish_caio_using_subcommand route" -l token-file -d 'Read the caller\'s token from FILE (mode 0600) instead of the request\'s auth.token; the CAIO_TOKEN environment variable is the other way. Never a plain --token flag: it would land in shell history' -r -F
complete -c caio -n "__fish_caio_using_subcommand route" -l seed -d 'Seed of the tie-break among equal scores (overrides the request\'s `seed`)' -r
complete -c caio -n "__fish_caio_using_subcommand route" -l top -d 'List the K best eligible candidates' -r
complete -c caio -n "__fish_caio_using_subcommand route" -l payload -d 'The body to send with --execute (instead of the request\'s `payload`)' -r -F
complete -c caio -n "__fish_caio_using_subcommand route" -l output -d 'Write the response body to FILE instead of stdout (with --execute)' -r -F
complete -c caio -n "__fish_caio_using_subcommand route" -l deadline-ms -d 'Give up executing after this many milliseconds, retries and failover included (at most 24 h)' -r
complete -c caio -n "__fish_caio_using_subcommand route" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand route" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand route" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand route" -l explain -d 'Show every candidate with its terms, every rejection, and the weights'
complete -c caio -n "__fish_caio_using_subcommand route" -l dry-run -d 'Route without appending to the trace'
complete -c caio -n "__fish_caio_using_subcommand route" -l batch -d 'Read JSON Lines (one request per line) and write one JSON decision per line (candidates listed only with --explain or --top)'
complete -c caio -n "__fish_caio_using_subcommand route" -l execute -d 'Send the payload to the chosen service, with retries and failover, and print the response body'
complete -c caio -n "__fish_caio_using_subcommand route" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand route" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand route" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "show" -d 'Show one decision record: by decision id (or a unique prefix) or seq; `--format html` prints a self-contained page of it'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "list" -d 'List decision records, newest first'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "stats" -d 'Count decisions by service, capability, principal, tenant, stage, rule, outcome or execution, with the filters of `trace list`'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "verify" -d 'Recompute the whole chain and check every checkpoint; exit 1 on any break'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "replay" -d 'Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "checkpoint" -d 'Sign the current head of the chain (a C2SP signed note) and store it'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "rekey" -d 'Make a new instance key on purpose, when keys/instance.key is lost or exposed; earlier checkpoints keep verifying with the old public key'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "prune" -d 'Archive and remove old records; the live chain keeps verifying from the last one removed'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "outcome" -d 'Report how a call caio routed went, when your code made it: appends an outcome record and updates the service\'s stats as an executed attempt does'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "export" -d 'Print the chain as JSON Lines: {"seq","prev","hash","record"} per record'
complete -c caio -n "__fish_caio_using_subcommand trace; and not __fish_seen_subcommand_from show list stats verify replay checkpoint rekey prune outcome export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from show" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from show" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from show" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l service -d 'Only decisions that chose this service' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l outcome -d 'Only this outcome' -r -f -a "routed\t''
no_route\t''
refused\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l principal -d 'Only decisions this principal asked for (`anonymous`, `(refused)`)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l tenant -d 'Only decisions of this tenant\'s principals' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l capability -d 'Only decisions that asked for this capability (any step of a chain)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l stage -d 'Only decisions where this stage rejected a candidate first' -r -f -a "status\t''
capability\t''
access\t''
privacy\t''
policy\t''
requirement\t''
preference\t''
control\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l rule -d 'Only decisions where this rule rejected a candidate (a policy rule\'s id, or a built-in check such as min_trust or max_data_class)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l executed -d 'Only decisions whose call went so: through `--execute`, or as its caller reported it (`trace outcome`)' -r -f -a "ok\t'The call succeeded'
failed\t'The call failed (or `--execute` could not start it)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l since -d 'From this time on (RFC 3339, or a date: YYYY-MM-DD)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l until -d 'Before this time (RFC 3339, or a date: YYYY-MM-DD)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l limit -d 'At most this many records' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l by -d 'What to count decisions by' -r -f -a "service\t''
capability\t''
principal\t''
tenant\t''
stage\t''
rule\t''
outcome\t''
executed\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l service -d 'Only decisions that chose this service' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l outcome -d 'Only this outcome' -r -f -a "routed\t''
no_route\t''
refused\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l principal -d 'Only decisions this principal asked for (`anonymous`, `(refused)`)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l tenant -d 'Only decisions of this tenant\'s principals' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l capability -d 'Only decisions that asked for this capability (any step of a chain)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l stage -d 'Only decisions where this stage rejected a candidate first' -r -f -a "status\t''
capability\t''
access\t''
privacy\t''
policy\t''
requirement\t''
preference\t''
control\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l rule -d 'Only decisions where this rule rejected a candidate (a policy rule\'s id, or a built-in check such as min_trust or max_data_class)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l executed -d 'Only decisions whose call went so: through `--execute`, or as its caller reported it (`trace outcome`)' -r -f -a "ok\t'The call succeeded'
failed\t'The call failed (or `--execute` could not start it)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l since -d 'From this time on (RFC 3339, or a date: YYYY-MM-DD)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l until -d 'Before this time (RFC 3339, or a date: YYYY-MM-DD)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -l from -d 'Start at this seq, trusting the link into it' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -l checkpoint -d 'A checkpoint kept outside the database (repeatable)' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -l archive -d 'An archive `caio trace prune` wrote (repeatable): checked, with its continuity into the live chain and the other archives' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -l public-key -d 'The instance\'s verifier key (`caio trace checkpoint` prints it) [default: keys/instance.pub in the home]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -l replay -d 'Also replay every decision from its stored inputs and fail on one that differs'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from replay" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from replay" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from replay" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from replay" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from replay" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from checkpoint" -l out -d 'Also write the signed note to this file (keep it off the host)' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from checkpoint" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from checkpoint" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from checkpoint" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from checkpoint" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from checkpoint" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from checkpoint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from rekey" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from rekey" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from rekey" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from rekey" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from rekey" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from rekey" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from prune" -l through -d 'Prune every live record up to and including this seq' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from prune" -l older-than -d 'Prune the records older than this age (90d, 12h, 2w), up to the first one that is not' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from prune" -l archive -d 'The archive to write first (a new file, in the export format)' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from prune" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from prune" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from prune" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l status -d 'How the call went' -r -f -a "ok\t'The service answered and the answer was used'
error\t'The call failed'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l latency-ms -d 'How long the call took, in ms (required with `--status ok`)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l input-tokens -d 'Input tokens the service counted (for the spend)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l output-tokens -d 'Output tokens the service counted (for the spend)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l error -d 'What went wrong (with `--status error`; masked and cut to 500 bytes)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l service -d 'The service called, for a chain\'s step (one outcome per service)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l batch -d 'Read outcomes as JSON Lines from FILE (`-`: stdin), one per line' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from outcome" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from export" -l since -d 'From this time on (RFC 3339, or a date: YYYY-MM-DD)' -r
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from export" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from export" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from export" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one decision record: by decision id (or a unique prefix) or seq; `--format html` prints a self-contained page of it'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "list" -d 'List decision records, newest first'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Count decisions by service, capability, principal, tenant, stage, rule, outcome or execution, with the filters of `trace list`'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Recompute the whole chain and check every checkpoint; exit 1 on any break'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "checkpoint" -d 'Sign the current head of the chain (a C2SP signed note) and store it'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "rekey" -d 'Make a new instance key on purpose, when keys/instance.key is lost or exposed; earlier checkpoints keep verifying with the old public key'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Archive and remove old records; the live chain keeps verifying from the last one removed'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "outcome" -d 'Report how a call caio routed went, when your code made it: appends an outcome record and updates the service\'s stats as an executed attempt does'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "export" -d 'Print the chain as JSON Lines: {"seq","prev","hash","record"} per record'
complete -c caio -n "__fish_caio_using_subcommand trace; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand slo" -l service -d 'Only this service (judged even without calls)' -r
complete -c caio -n "__fish_caio_using_subcommand slo" -l window -d 'The window, ending now' -r -f -a "1h\t''
24h\t''
7d\t''
30d\t''"
complete -c caio -n "__fish_caio_using_subcommand slo" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand slo" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand slo" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand slo" -l check -d 'Exit 1 when a service is out of contract, burns its budget too fast, or has too few calls to judge'
complete -c caio -n "__fish_caio_using_subcommand slo" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand slo" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand slo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand metrics" -l out -d 'Write the metrics to FILE atomically instead of printing them' -r -F
complete -c caio -n "__fish_caio_using_subcommand metrics" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand metrics" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand metrics" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand metrics" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand metrics" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "keygen" -d 'Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "issue" -d 'Sign a license, record it, and print it'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "verify" -d 'Check a license (format, signature, dates, revocation) and show its claims'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "list" -d 'List issued licenses, soonest expiry first'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "revoke" -d 'Revoke an issued license (customers learn it from the next revocation list)'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "revocations" -d 'Sign and print the revocation list: every revoked license, next sequence number'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "install" -d 'Install a license and/or a revocation list on this instance'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "trust" -d 'Trust a vendor public key; from then on `caio route` needs a license'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "untrust" -d 'Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "status" -d 'Show installed licenses, days left, grace state and the revocation list'
complete -c caio -n "__fish_caio_using_subcommand license; and not __fish_seen_subcommand_from keygen issue verify list revoke revocations install trust untrust status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from keygen" -l out -d 'Directory to write the three files into (created if missing; nothing is overwritten)' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from keygen" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from keygen" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from keygen" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from keygen" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from keygen" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -l customer -d 'Customer name, as it appears in the license' -r
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -l features -d 'Features granted, comma-separated' -r -f -a "route\t'`caio route`: pick a service for a request'
execute\t'`caio route --execute`: call the chosen service'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -l expires -d 'Last valid day (UTC), e.g. 2027-12-31' -r
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -l not-before -d 'First valid day (UTC) [default: now]' -r
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -l seats -d 'Seats bought (recorded in the license; caio does not count seats)' -r
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -l key -d 'Signing key [default: keys/vendor.key in the caio home]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from issue" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from verify" -l file -d 'Read the license from this file (`-` for stdin)' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from verify" -l public-key -d 'Verify with this public key (vendor.pub or vendor.pub.pem) instead of the trusted keys' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from verify" -l revocations -d 'Check against this revocation list [default: the installed one]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from verify" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from verify" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from verify" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from list" -l customer -d 'Only this customer\'s licenses (case-insensitive)' -r
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from list" -l status -d 'Only licenses with this status' -r -f -a "active\t'Not revoked and not expired (including licenses that start later)'
expired\t'Past its expiry, not revoked'
revoked\t'Revoked with `caio license revoke`'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from list" -l expiring-within -d 'Only active licenses expiring within this window: 30d, 4w, 12h' -r
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from list" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from list" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from list" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revoke" -l reason -d 'Why, kept in the vendor\'s records (not published)' -r
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revoke" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revoke" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revoke" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revoke" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revocations" -l key -d 'Signing key [default: keys/vendor.key in the caio home]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revocations" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revocations" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revocations" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revocations" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revocations" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from revocations" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from install" -l file -d 'Read the license from this file (`-` for stdin)' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from install" -l revocations -d 'A revocation list to install (from `caio license revocations`)' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from install" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from install" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from install" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from install" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from trust" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from trust" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from trust" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from trust" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from trust" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from trust" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from untrust" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from untrust" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from untrust" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from untrust" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from untrust" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from untrust" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from status" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from status" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from status" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "keygen" -d 'Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "issue" -d 'Sign a license, record it, and print it'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check a license (format, signature, dates, revocation) and show its claims'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "list" -d 'List issued licenses, soonest expiry first'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke an issued license (customers learn it from the next revocation list)'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "revocations" -d 'Sign and print the revocation list: every revoked license, next sequence number'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "install" -d 'Install a license and/or a revocation list on this instance'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "trust" -d 'Trust a vendor public key; from then on `caio route` needs a license'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "untrust" -d 'Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show installed licenses, days left, grace state and the revocation list'
complete -c caio -n "__fish_caio_using_subcommand license; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l invariants -d 'Invariant files, or a directory of them [default: the invariants shipped with caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l contracts -d 'Mix these contracts into the generated registries' -r -F
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l trials -d 'Trials per invariant (overrides each file\'s `trials`)' -r
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l seed -d 'Seed of the scenario generator (ChaCha20)' -r
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l only -d 'Run only these invariants (comma-separated ids)' -r
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l out -d 'Write the JSON scorecard to this file (counterexamples go next to it)' -r -F
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l junit -d 'Write the scorecard as a JUnit XML report to this file (one testcase per invariant), for CI test tabs' -r -F
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand verify-invariants" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand schema" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand schema" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand schema" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand schema" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand schema" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -l out-dir -d 'Directory that receives `man/` and `completions/`' -r -F
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'
github\t'GitHub Actions workflow commands: annotations on the pull request (checking commands only)'
sarif\t'A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only)'
junit\t'A JUnit XML report, for test-report tools (checking commands only)'
html\t'A self-contained HTML page (`trace show` only)'"
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -s q -l quiet -d 'Print only results, findings and errors: no summaries, status lines or progress bars (a file\'s warnings are findings and stay)'
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "init" -d 'Create the caio home and its database if they do not exist'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "contract" -d 'Validate, describe and scaffold service contracts'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "registry" -d 'Store service contracts and manage their status'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "principal" -d 'Manage the principals (callers) whose tokens requests carry'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "policy" -d 'Validate, test, install and show policy sets'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "route" -d 'Pick the best eligible service for a request, and explain why'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "trace" -d 'Show, list, verify, replay, checkpoint, export and prune the decision trace; report the outcomes of routed calls'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "slo" -d 'Is each service keeping its contract? Availability, latency, spend, error budget and burn rate per window; --check for cron and CI'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "metrics" -d 'Print the state as Prometheus metrics (or write them atomically with --out)'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "license" -d 'Issue, verify, revoke and install licenses; show the license status'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "verify-invariants" -d 'Check the engine\'s invariants on generated scenarios; exit 1 on a violation'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of a JSON document caio prints'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "generate-docs" -d 'Regenerate the man pages and shell completions from this command line'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract registry principal policy route trace slo metrics license verify-invariants schema generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "validate" -d 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "new" -d 'Print a new, commented contract to stdout, ready to edit'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "add" -d 'Validate contracts and store them; all or nothing per call'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "list" -d 'List registered services'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "show" -d 'Show a service\'s active contract (or an older version)'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "history" -d 'Every version of a service with its hash, time, and what replaced it'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "set-status" -d 'Set a service\'s status (drained and disabled services are never routed to); --reset-circuit also closes its circuit breaker'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "remove" -d 'Deregister a service (its versions and history are kept for replay)'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from principal" -f -a "add" -d 'Create a principal and print its token (shown once, never stored in clear)'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from principal" -f -a "list" -d 'List principals (never their tokens)'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from principal" -f -a "revoke" -d 'Revoke a principal\'s token; requests carrying it are refused'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "validate" -d 'Check policy files and directories; exit 1 if any is invalid'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "test" -d 'Run the `tests:` blocks of policy files; exit 1 on any failure'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "apply" -d 'Validate policy files and install them as the home\'s active policy set'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Print the active policy set and its hash'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "show" -d 'Show one decision record: by decision id (or a unique prefix) or seq; `--format html` prints a self-contained page of it'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "list" -d 'List decision records, newest first'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "stats" -d 'Count decisions by service, capability, principal, tenant, stage, rule, outcome or execution, with the filters of `trace list`'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "verify" -d 'Recompute the whole chain and check every checkpoint; exit 1 on any break'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "replay" -d 'Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "checkpoint" -d 'Sign the current head of the chain (a C2SP signed note) and store it'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "rekey" -d 'Make a new instance key on purpose, when keys/instance.key is lost or exposed; earlier checkpoints keep verifying with the old public key'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "prune" -d 'Archive and remove old records; the live chain keeps verifying from the last one removed'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "outcome" -d 'Report how a call caio routed went, when your code made it: appends an outcome record and updates the service\'s stats as an executed attempt does'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from trace" -f -a "export" -d 'Print the chain as JSON Lines: {"seq","prev","hash","record"} per record'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "keygen" -d 'Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "issue" -d 'Sign a license, record it, and print it'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "verify" -d 'Check a license (format, signature, dates, revocation) and show its claims'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "list" -d 'List issued licenses, soonest expiry first'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "revoke" -d 'Revoke an issued license (customers learn it from the next revocation list)'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "revocations" -d 'Sign and print the revocation list: every revoked license, next sequence number'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "install" -d 'Install a license and/or a revocation list on this instance'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "trust" -d 'Trust a vendor public key; from then on `caio route` needs a license'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "untrust" -d 'Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from license" -f -a "status" -d 'Show installed licenses, days left, grace state and the revocation list'
