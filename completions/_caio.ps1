
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'caio' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'caio'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'caio' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the caio home and its database if they do not exist')
            [CompletionResult]::new('contract', 'contract', [CompletionResultType]::ParameterValue, 'Validate, describe and scaffold service contracts')
            [CompletionResult]::new('registry', 'registry', [CompletionResultType]::ParameterValue, 'Store service contracts and manage their status')
            [CompletionResult]::new('principal', 'principal', [CompletionResultType]::ParameterValue, 'Manage the principals (callers) whose tokens requests carry')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Validate, test, install and show policy sets')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'Pick the best eligible service for a request, and explain why')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'Show, list, verify, replay, checkpoint, export and prune the decision trace; report the outcomes of routed calls')
            [CompletionResult]::new('slo', 'slo', [CompletionResultType]::ParameterValue, 'Is each service keeping its contract? Availability, latency, spend, error budget and burn rate per window; --check for cron and CI')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Print the state as Prometheus metrics (or write them atomically with --out)')
            [CompletionResult]::new('license', 'license', [CompletionResultType]::ParameterValue, 'Issue, verify, revoke and install licenses; show the license status')
            [CompletionResult]::new('verify-invariants', 'verify-invariants', [CompletionResultType]::ParameterValue, 'Check the engine''s invariants on generated scenarios; exit 1 on a violation')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) of a JSON document caio prints')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Regenerate the man pages and shell completions from this command line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;init' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;contract' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Print a new, commented contract to stdout, ready to edit')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;contract;validate' {
            [CompletionResult]::new('--stdin-name', '--stdin-name', [CompletionResultType]::ParameterName, 'The path that diagnostics show for `-` (a document read from stdin)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 1) on warnings too, not only on errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;contract;schema' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;contract;new' {
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Kind of service to scaffold')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'service_id of the new contract (^[a-z0-9][a-z0-9-]{1,62}$)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;contract;help' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Print a new, commented contract to stdout, ready to edit')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;contract;help;validate' {
            break
        }
        'caio;contract;help;schema' {
            break
        }
        'caio;contract;help;new' {
            break
        }
        'caio;contract;help;help' {
            break
        }
        'caio;registry' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Validate contracts and store them; all or nothing per call')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List registered services')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a service''s active contract (or an older version)')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Every version of a service with its hash, time, and what replaced it')
            [CompletionResult]::new('set-status', 'set-status', [CompletionResultType]::ParameterValue, 'Set a service''s status (drained and disabled services are never routed to); --reset-circuit also closes its circuit breaker')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Deregister a service (its versions and history are kept for replay)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;registry;add' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Allow the same version with different content to replace the active one')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;list' {
            [CompletionResult]::new('--capability', '--capability', [CompletionResultType]::ParameterName, 'Only services offering this capability')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only services carrying this tag')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only services with this status')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Only services of this provider')
            [CompletionResult]::new('--contracts', '--contracts', [CompletionResultType]::ParameterName, 'List contract files instead of the registry (stateless mode)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;show' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'A version from the service''s history')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;history' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;set-status' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, recorded with the change')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--reset-circuit', '--reset-circuit', [CompletionResultType]::ParameterName, 'Also close the service''s circuit breaker and forget its consecutive failures and openings (execution counts and latencies stay)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;remove' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Validate contracts and store them; all or nothing per call')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List registered services')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a service''s active contract (or an older version)')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Every version of a service with its hash, time, and what replaced it')
            [CompletionResult]::new('set-status', 'set-status', [CompletionResultType]::ParameterValue, 'Set a service''s status (drained and disabled services are never routed to); --reset-circuit also closes its circuit breaker')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Deregister a service (its versions and history are kept for replay)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;registry;help;add' {
            break
        }
        'caio;registry;help;list' {
            break
        }
        'caio;registry;help;show' {
            break
        }
        'caio;registry;help;history' {
            break
        }
        'caio;registry;help;set-status' {
            break
        }
        'caio;registry;help;remove' {
            break
        }
        'caio;registry;help;help' {
            break
        }
        'caio;principal' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a principal and print its token (shown once, never stored in clear)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List principals (never their tokens)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a principal''s token; requests carrying it are refused')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;principal;add' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant the principal belongs to')
            [CompletionResult]::new('--roles', '--roles', [CompletionResultType]::ParameterName, 'Roles, comma-separated')
            [CompletionResult]::new('--trust', '--trust', [CompletionResultType]::ParameterName, 'Verified trust level')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;principal;list' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;principal;revoke' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;principal;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a principal and print its token (shown once, never stored in clear)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List principals (never their tokens)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a principal''s token; requests carrying it are refused')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;principal;help;add' {
            break
        }
        'caio;principal;help;list' {
            break
        }
        'caio;principal;help;revoke' {
            break
        }
        'caio;principal;help;help' {
            break
        }
        'caio;policy' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check policy files and directories; exit 1 if any is invalid')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run the `tests:` blocks of policy files; exit 1 on any failure')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Validate policy files and install them as the home''s active policy set')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the active policy set and its hash')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;policy;validate' {
            [CompletionResult]::new('--stdin-name', '--stdin-name', [CompletionResultType]::ParameterName, 'The path that diagnostics show for `-` (a document read from stdin)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 1) on warnings too, not only on errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;policy;test' {
            [CompletionResult]::new('--stdin-name', '--stdin-name', [CompletionResultType]::ParameterName, 'The path that diagnostics show for `-` (a document read from stdin)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--fail-on-empty', '--fail-on-empty', [CompletionResultType]::ParameterName, 'Fail when the files hold no test at all')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 1) on warnings too, not only on errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;policy;apply' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;policy;show' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;policy;help' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check policy files and directories; exit 1 if any is invalid')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run the `tests:` blocks of policy files; exit 1 on any failure')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Validate policy files and install them as the home''s active policy set')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the active policy set and its hash')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;policy;help;validate' {
            break
        }
        'caio;policy;help;test' {
            break
        }
        'caio;policy;help;apply' {
            break
        }
        'caio;policy;help;show' {
            break
        }
        'caio;policy;help;help' {
            break
        }
        'caio;route' {
            [CompletionResult]::new('--contracts', '--contracts', [CompletionResultType]::ParameterName, 'Route among these contract files instead of the registry (stateless mode)')
            [CompletionResult]::new('--policies', '--policies', [CompletionResultType]::ParameterName, 'Apply these policy files (stateless mode); a home''s installed set always applies, these add to it')
            [CompletionResult]::new('--principal', '--principal', [CompletionResultType]::ParameterName, 'Route as this principal (YAML or JSON: name, tenant, roles, trust); stateless mode only')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the caller''s token from FILE (mode 0600) instead of the request''s auth.token; the CAIO_TOKEN environment variable is the other way. Never a plain --token flag: it would land in shell history')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the tie-break among equal scores (overrides the request''s `seed`)')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'List the K best eligible candidates')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'The body to send with --execute (instead of the request''s `payload`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the response body to FILE instead of stdout (with --execute)')
            [CompletionResult]::new('--deadline-ms', '--deadline-ms', [CompletionResultType]::ParameterName, 'Give up executing after this many milliseconds, retries and failover included (at most 24 h)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Show every candidate with its terms, every rejection, and the weights')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Route without appending to the trace')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Read JSON Lines (one request per line) and write one JSON decision per line (candidates listed only with --explain or --top)')
            [CompletionResult]::new('--execute', '--execute', [CompletionResultType]::ParameterName, 'Send the payload to the chosen service, with retries and failover, and print the response body')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one decision record: by decision id (or a unique prefix) or seq; `--format html` prints a self-contained page of it')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List decision records, newest first')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Count decisions by service, capability, principal, tenant, stage, rule, outcome or execution, with the filters of `trace list`')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the whole chain and check every checkpoint; exit 1 on any break')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Sign the current head of the chain (a C2SP signed note) and store it')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Make a new instance key on purpose, when keys/instance.key is lost or exposed; earlier checkpoints keep verifying with the old public key')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Archive and remove old records; the live chain keeps verifying from the last one removed')
            [CompletionResult]::new('outcome', 'outcome', [CompletionResultType]::ParameterValue, 'Report how a call caio routed went, when your code made it: appends an outcome record and updates the service''s stats as an executed attempt does')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the chain as JSON Lines: {"seq","prev","hash","record"} per record')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;trace;show' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;list' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only decisions that chose this service')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'Only this outcome')
            [CompletionResult]::new('--principal', '--principal', [CompletionResultType]::ParameterName, 'Only decisions this principal asked for (`anonymous`, `(refused)`)')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only decisions of this tenant''s principals')
            [CompletionResult]::new('--capability', '--capability', [CompletionResultType]::ParameterName, 'Only decisions that asked for this capability (any step of a chain)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only decisions where this stage rejected a candidate first')
            [CompletionResult]::new('--rule', '--rule', [CompletionResultType]::ParameterName, 'Only decisions where this rule rejected a candidate (a policy rule''s id, or a built-in check such as min_trust or max_data_class)')
            [CompletionResult]::new('--executed', '--executed', [CompletionResultType]::ParameterName, 'Only decisions whose call went so: through `--execute`, or as its caller reported it (`trace outcome`)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'From this time on (RFC 3339, or a date: YYYY-MM-DD)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Before this time (RFC 3339, or a date: YYYY-MM-DD)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many records')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;stats' {
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'What to count decisions by')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only decisions that chose this service')
            [CompletionResult]::new('--outcome', '--outcome', [CompletionResultType]::ParameterName, 'Only this outcome')
            [CompletionResult]::new('--principal', '--principal', [CompletionResultType]::ParameterName, 'Only decisions this principal asked for (`anonymous`, `(refused)`)')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only decisions of this tenant''s principals')
            [CompletionResult]::new('--capability', '--capability', [CompletionResultType]::ParameterName, 'Only decisions that asked for this capability (any step of a chain)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only decisions where this stage rejected a candidate first')
            [CompletionResult]::new('--rule', '--rule', [CompletionResultType]::ParameterName, 'Only decisions where this rule rejected a candidate (a policy rule''s id, or a built-in check such as min_trust or max_data_class)')
            [CompletionResult]::new('--executed', '--executed', [CompletionResultType]::ParameterName, 'Only decisions whose call went so: through `--execute`, or as its caller reported it (`trace outcome`)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'From this time on (RFC 3339, or a date: YYYY-MM-DD)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Before this time (RFC 3339, or a date: YYYY-MM-DD)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;verify' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Start at this seq, trusting the link into it')
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'A checkpoint kept outside the database (repeatable)')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'An archive `caio trace prune` wrote (repeatable): checked, with its continuity into the live chain and the other archives')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'The instance''s verifier key (`caio trace checkpoint` prints it) [default: keys/instance.pub in the home]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Also replay every decision from its stored inputs and fail on one that differs')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;replay' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;checkpoint' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Also write the signed note to this file (keep it off the host)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;rekey' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;prune' {
            [CompletionResult]::new('--through', '--through', [CompletionResultType]::ParameterName, 'Prune every live record up to and including this seq')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Prune the records older than this age (90d, 12h, 2w), up to the first one that is not')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The archive to write first (a new file, in the export format)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;outcome' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'How the call went')
            [CompletionResult]::new('--latency-ms', '--latency-ms', [CompletionResultType]::ParameterName, 'How long the call took, in ms (required with `--status ok`)')
            [CompletionResult]::new('--input-tokens', '--input-tokens', [CompletionResultType]::ParameterName, 'Input tokens the service counted (for the spend)')
            [CompletionResult]::new('--output-tokens', '--output-tokens', [CompletionResultType]::ParameterName, 'Output tokens the service counted (for the spend)')
            [CompletionResult]::new('--error', '--error', [CompletionResultType]::ParameterName, 'What went wrong (with `--status error`; masked and cut to 500 bytes)')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The service called, for a chain''s step (one outcome per service)')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Read outcomes as JSON Lines from FILE (`-`: stdin), one per line')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;export' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'From this time on (RFC 3339, or a date: YYYY-MM-DD)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;trace;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one decision record: by decision id (or a unique prefix) or seq; `--format html` prints a self-contained page of it')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List decision records, newest first')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Count decisions by service, capability, principal, tenant, stage, rule, outcome or execution, with the filters of `trace list`')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the whole chain and check every checkpoint; exit 1 on any break')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Sign the current head of the chain (a C2SP signed note) and store it')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Make a new instance key on purpose, when keys/instance.key is lost or exposed; earlier checkpoints keep verifying with the old public key')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Archive and remove old records; the live chain keeps verifying from the last one removed')
            [CompletionResult]::new('outcome', 'outcome', [CompletionResultType]::ParameterValue, 'Report how a call caio routed went, when your code made it: appends an outcome record and updates the service''s stats as an executed attempt does')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the chain as JSON Lines: {"seq","prev","hash","record"} per record')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;trace;help;show' {
            break
        }
        'caio;trace;help;list' {
            break
        }
        'caio;trace;help;stats' {
            break
        }
        'caio;trace;help;verify' {
            break
        }
        'caio;trace;help;replay' {
            break
        }
        'caio;trace;help;checkpoint' {
            break
        }
        'caio;trace;help;rekey' {
            break
        }
        'caio;trace;help;prune' {
            break
        }
        'caio;trace;help;outcome' {
            break
        }
        'caio;trace;help;export' {
            break
        }
        'caio;trace;help;help' {
            break
        }
        'caio;slo' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only this service (judged even without calls)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'The window, ending now')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 1 when a service is out of contract, burns its budget too fast, or has too few calls to judge')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;metrics' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the metrics to FILE atomically instead of printing them')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem')
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Sign a license, record it, and print it')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a license (format, signature, dates, revocation) and show its claims')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List issued licenses, soonest expiry first')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an issued license (customers learn it from the next revocation list)')
            [CompletionResult]::new('revocations', 'revocations', [CompletionResultType]::ParameterValue, 'Sign and print the revocation list: every revoked license, next sequence number')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install a license and/or a revocation list on this instance')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Trust a vendor public key; from then on `caio route` needs a license')
            [CompletionResult]::new('untrust', 'untrust', [CompletionResultType]::ParameterValue, 'Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show installed licenses, days left, grace state and the revocation list')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;license;keygen' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Directory to write the three files into (created if missing; nothing is overwritten)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;issue' {
            [CompletionResult]::new('--customer', '--customer', [CompletionResultType]::ParameterName, 'Customer name, as it appears in the license')
            [CompletionResult]::new('--features', '--features', [CompletionResultType]::ParameterName, 'Features granted, comma-separated')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Last valid day (UTC), e.g. 2027-12-31')
            [CompletionResult]::new('--not-before', '--not-before', [CompletionResultType]::ParameterName, 'First valid day (UTC) [default: now]')
            [CompletionResult]::new('--seats', '--seats', [CompletionResultType]::ParameterName, 'Seats bought (recorded in the license; caio does not count seats)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Signing key [default: keys/vendor.key in the caio home]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;verify' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the license from this file (`-` for stdin)')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'Verify with this public key (vendor.pub or vendor.pub.pem) instead of the trusted keys')
            [CompletionResult]::new('--revocations', '--revocations', [CompletionResultType]::ParameterName, 'Check against this revocation list [default: the installed one]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;list' {
            [CompletionResult]::new('--customer', '--customer', [CompletionResultType]::ParameterName, 'Only this customer''s licenses (case-insensitive)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only licenses with this status')
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'Only active licenses expiring within this window: 30d, 4w, 12h')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;revoke' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, kept in the vendor''s records (not published)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;revocations' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Signing key [default: keys/vendor.key in the caio home]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;install' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the license from this file (`-` for stdin)')
            [CompletionResult]::new('--revocations', '--revocations', [CompletionResultType]::ParameterName, 'A revocation list to install (from `caio license revocations`)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;trust' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;untrust' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;status' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;license;help' {
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem')
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Sign a license, record it, and print it')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a license (format, signature, dates, revocation) and show its claims')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List issued licenses, soonest expiry first')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an issued license (customers learn it from the next revocation list)')
            [CompletionResult]::new('revocations', 'revocations', [CompletionResultType]::ParameterValue, 'Sign and print the revocation list: every revoked license, next sequence number')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install a license and/or a revocation list on this instance')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Trust a vendor public key; from then on `caio route` needs a license')
            [CompletionResult]::new('untrust', 'untrust', [CompletionResultType]::ParameterValue, 'Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show installed licenses, days left, grace state and the revocation list')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;license;help;keygen' {
            break
        }
        'caio;license;help;issue' {
            break
        }
        'caio;license;help;verify' {
            break
        }
        'caio;license;help;list' {
            break
        }
        'caio;license;help;revoke' {
            break
        }
        'caio;license;help;revocations' {
            break
        }
        'caio;license;help;install' {
            break
        }
        'caio;license;help;trust' {
            break
        }
        'caio;license;help;untrust' {
            break
        }
        'caio;license;help;status' {
            break
        }
        'caio;license;help;help' {
            break
        }
        'caio;verify-invariants' {
            [CompletionResult]::new('--invariants', '--invariants', [CompletionResultType]::ParameterName, 'Invariant files, or a directory of them [default: the invariants shipped with caio]')
            [CompletionResult]::new('--contracts', '--contracts', [CompletionResultType]::ParameterName, 'Mix these contracts into the generated registries')
            [CompletionResult]::new('--trials', '--trials', [CompletionResultType]::ParameterName, 'Trials per invariant (overrides each file''s `trials`)')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the scenario generator (ChaCha20)')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only these invariants (comma-separated ids)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the JSON scorecard to this file (counterexamples go next to it)')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write the scorecard as a JUnit XML report to this file (one testcase per invariant), for CI test tabs')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;schema' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;generate-docs' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory that receives `man/` and `completions/`')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results, findings and errors: no summaries, status lines or progress bars (a file''s warnings are findings and stay)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the caio home and its database if they do not exist')
            [CompletionResult]::new('contract', 'contract', [CompletionResultType]::ParameterValue, 'Validate, describe and scaffold service contracts')
            [CompletionResult]::new('registry', 'registry', [CompletionResultType]::ParameterValue, 'Store service contracts and manage their status')
            [CompletionResult]::new('principal', 'principal', [CompletionResultType]::ParameterValue, 'Manage the principals (callers) whose tokens requests carry')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Validate, test, install and show policy sets')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'Pick the best eligible service for a request, and explain why')
            [CompletionResult]::new('trace', 'trace', [CompletionResultType]::ParameterValue, 'Show, list, verify, replay, checkpoint, export and prune the decision trace; report the outcomes of routed calls')
            [CompletionResult]::new('slo', 'slo', [CompletionResultType]::ParameterValue, 'Is each service keeping its contract? Availability, latency, spend, error budget and burn rate per window; --check for cron and CI')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Print the state as Prometheus metrics (or write them atomically with --out)')
            [CompletionResult]::new('license', 'license', [CompletionResultType]::ParameterValue, 'Issue, verify, revoke and install licenses; show the license status')
            [CompletionResult]::new('verify-invariants', 'verify-invariants', [CompletionResultType]::ParameterValue, 'Check the engine''s invariants on generated scenarios; exit 1 on a violation')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) of a JSON document caio prints')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Regenerate the man pages and shell completions from this command line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;help;init' {
            break
        }
        'caio;help;contract' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Print a new, commented contract to stdout, ready to edit')
            break
        }
        'caio;help;contract;validate' {
            break
        }
        'caio;help;contract;schema' {
            break
        }
        'caio;help;contract;new' {
            break
        }
        'caio;help;registry' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Validate contracts and store them; all or nothing per call')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List registered services')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a service''s active contract (or an older version)')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Every version of a service with its hash, time, and what replaced it')
            [CompletionResult]::new('set-status', 'set-status', [CompletionResultType]::ParameterValue, 'Set a service''s status (drained and disabled services are never routed to); --reset-circuit also closes its circuit breaker')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Deregister a service (its versions and history are kept for replay)')
            break
        }
        'caio;help;registry;add' {
            break
        }
        'caio;help;registry;list' {
            break
        }
        'caio;help;registry;show' {
            break
        }
        'caio;help;registry;history' {
            break
        }
        'caio;help;registry;set-status' {
            break
        }
        'caio;help;registry;remove' {
            break
        }
        'caio;help;principal' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a principal and print its token (shown once, never stored in clear)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List principals (never their tokens)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a principal''s token; requests carrying it are refused')
            break
        }
        'caio;help;principal;add' {
            break
        }
        'caio;help;principal;list' {
            break
        }
        'caio;help;principal;revoke' {
            break
        }
        'caio;help;policy' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check policy files and directories; exit 1 if any is invalid')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run the `tests:` blocks of policy files; exit 1 on any failure')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Validate policy files and install them as the home''s active policy set')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the active policy set and its hash')
            break
        }
        'caio;help;policy;validate' {
            break
        }
        'caio;help;policy;test' {
            break
        }
        'caio;help;policy;apply' {
            break
        }
        'caio;help;policy;show' {
            break
        }
        'caio;help;route' {
            break
        }
        'caio;help;trace' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one decision record: by decision id (or a unique prefix) or seq; `--format html` prints a self-contained page of it')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List decision records, newest first')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Count decisions by service, capability, principal, tenant, stage, rule, outcome or execution, with the filters of `trace list`')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the whole chain and check every checkpoint; exit 1 on any break')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Sign the current head of the chain (a C2SP signed note) and store it')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Make a new instance key on purpose, when keys/instance.key is lost or exposed; earlier checkpoints keep verifying with the old public key')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Archive and remove old records; the live chain keeps verifying from the last one removed')
            [CompletionResult]::new('outcome', 'outcome', [CompletionResultType]::ParameterValue, 'Report how a call caio routed went, when your code made it: appends an outcome record and updates the service''s stats as an executed attempt does')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the chain as JSON Lines: {"seq","prev","hash","record"} per record')
            break
        }
        'caio;help;trace;show' {
            break
        }
        'caio;help;trace;list' {
            break
        }
        'caio;help;trace;stats' {
            break
        }
        'caio;help;trace;verify' {
            break
        }
        'caio;help;trace;replay' {
            break
        }
        'caio;help;trace;checkpoint' {
            break
        }
        'caio;help;trace;rekey' {
            break
        }
        'caio;help;trace;prune' {
            break
        }
        'caio;help;trace;outcome' {
            break
        }
        'caio;help;trace;export' {
            break
        }
        'caio;help;slo' {
            break
        }
        'caio;help;metrics' {
            break
        }
        'caio;help;license' {
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Create a vendor signing key: vendor.key (mode 0600), vendor.pub, vendor.pub.pem')
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Sign a license, record it, and print it')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a license (format, signature, dates, revocation) and show its claims')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List issued licenses, soonest expiry first')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an issued license (customers learn it from the next revocation list)')
            [CompletionResult]::new('revocations', 'revocations', [CompletionResultType]::ParameterValue, 'Sign and print the revocation list: every revoked license, next sequence number')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install a license and/or a revocation list on this instance')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Trust a vendor public key; from then on `caio route` needs a license')
            [CompletionResult]::new('untrust', 'untrust', [CompletionResultType]::ParameterValue, 'Stop trusting a vendor key (a retired or compromised one); licenses it signed stop counting')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show installed licenses, days left, grace state and the revocation list')
            break
        }
        'caio;help;license;keygen' {
            break
        }
        'caio;help;license;issue' {
            break
        }
        'caio;help;license;verify' {
            break
        }
        'caio;help;license;list' {
            break
        }
        'caio;help;license;revoke' {
            break
        }
        'caio;help;license;revocations' {
            break
        }
        'caio;help;license;install' {
            break
        }
        'caio;help;license;trust' {
            break
        }
        'caio;help;license;untrust' {
            break
        }
        'caio;help;license;status' {
            break
        }
        'caio;help;verify-invariants' {
            break
        }
        'caio;help;schema' {
            break
        }
        'caio;help;generate-docs' {
            break
        }
        'caio;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
