
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
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Regenerate the man pages and shell completions from this command line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;init' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;contract' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;contract;schema' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Validate contracts and store them; all or nothing per call')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List registered services')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a service''s active contract (or an older version)')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Every version of a service with its hash, time, and what replaced it')
            [CompletionResult]::new('set-status', 'set-status', [CompletionResultType]::ParameterValue, 'Set a service''s status (drained and disabled services are never routed to)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Deregister a service (its versions and history are kept for replay)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caio;registry;add' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Allow the same version with different content to replace the active one')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;show' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'A version from the service''s history')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;history' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;set-status' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, recorded with the change')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;registry;remove' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('set-status', 'set-status', [CompletionResultType]::ParameterValue, 'Set a service''s status (drained and disabled services are never routed to)')
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
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;principal;list' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;principal;revoke' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;policy;test' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--fail-on-empty', '--fail-on-empty', [CompletionResultType]::ParameterName, 'Fail when the files hold no test at all')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;policy;apply' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;policy;show' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('--policies', '--policies', [CompletionResultType]::ParameterName, 'Apply these policy files (stateless mode; with a registry the installed set applies)')
            [CompletionResult]::new('--principal', '--principal', [CompletionResultType]::ParameterName, 'Route as this principal (YAML or JSON: name, tenant, roles, trust); stateless mode only')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the tie-break among equal scores (overrides the request''s `seed`)')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'List the K best eligible candidates')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Show every candidate with its terms, every rejection, and the weights')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Read JSON Lines (one request per line) and write one JSON decision per line (candidates listed only with --explain or --top)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'caio;generate-docs' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory that receives `man/` and `completions/`')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: `human` tables and text, or one `json` document on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured by `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status lines, warnings or progress bars')
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
            [CompletionResult]::new('set-status', 'set-status', [CompletionResultType]::ParameterValue, 'Set a service''s status (drained and disabled services are never routed to)')
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
