
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
