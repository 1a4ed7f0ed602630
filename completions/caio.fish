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
complete -c caio -n "__fish_caio_needs_command" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'"
complete -c caio -n "__fish_caio_needs_command" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_needs_command" -s q -l quiet -d 'Print only results and errors: no status lines, warnings or progress bars'
complete -c caio -n "__fish_caio_needs_command" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_needs_command" -s V -l version -d 'Print version'
complete -c caio -n "__fish_caio_needs_command" -f -a "init" -d 'Create the caio home (state directory) if it does not exist'
complete -c caio -n "__fish_caio_needs_command" -f -a "contract" -d 'Validate, describe and scaffold service contracts'
complete -c caio -n "__fish_caio_needs_command" -f -a "generate-docs" -d 'Regenerate the man pages and shell completions from this command line'
complete -c caio -n "__fish_caio_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand init" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand init" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'"
complete -c caio -n "__fish_caio_using_subcommand init" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand init" -s q -l quiet -d 'Print only results and errors: no status lines, warnings or progress bars'
complete -c caio -n "__fish_caio_using_subcommand init" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand init" -s V -l version -d 'Print version'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'"
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -s q -l quiet -d 'Print only results and errors: no status lines, warnings or progress bars'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -s V -l version -d 'Print version'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -f -a "validate" -d 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -f -a "new" -d 'Print a new, commented contract to stdout, ready to edit'
complete -c caio -n "__fish_caio_using_subcommand contract; and not __fish_seen_subcommand_from validate schema new help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -s q -l quiet -d 'Print only results and errors: no status lines, warnings or progress bars'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from validate" -s V -l version -d 'Print version'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -s q -l quiet -d 'Print only results and errors: no status lines, warnings or progress bars'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from schema" -s V -l version -d 'Print version'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l template -d 'Kind of service to scaffold' -r -f -a "llm\t'A chat/completion LLM API'
embedding\t'A text embedding API'
speech\t'A speech-to-text API'
search\t'A web search API'
image\t'An image generation API'"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l id -d 'service_id of the new contract (^[a-z0-9][a-z0-9-]{1,62}$)' -r
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -s q -l quiet -d 'Print only results and errors: no status lines, warnings or progress bars'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from new" -s V -l version -d 'Print version'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "new" -d 'Print a new, commented contract to stdout, ready to edit'
complete -c caio -n "__fish_caio_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -l out-dir -d 'Directory that receives `man/` and `completions/`' -r -F
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -l home -d 'State directory (registry, traces, keys) [default: $XDG_DATA_HOME/caio or ~/.local/share/caio]' -r -F
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -l format -d 'Output format: `human` tables and text, or one `json` document on stdout' -r -f -a "human\t'Tables and text for people'
json\t'One JSON document on stdout, for scripts'"
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -l color -d 'When to use colour (NO_COLOR is honoured by `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t''
never\t''"
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -s q -l quiet -d 'Print only results and errors: no status lines, warnings or progress bars'
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c caio -n "__fish_caio_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract generate-docs help" -f -a "init" -d 'Create the caio home (state directory) if it does not exist'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract generate-docs help" -f -a "contract" -d 'Validate, describe and scaffold service contracts'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract generate-docs help" -f -a "generate-docs" -d 'Regenerate the man pages and shell completions from this command line'
complete -c caio -n "__fish_caio_using_subcommand help; and not __fish_seen_subcommand_from init contract generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "validate" -d 'Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of a contract, for editors and CI'
complete -c caio -n "__fish_caio_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "new" -d 'Print a new, commented contract to stdout, ready to edit'
