
set edit:completion:arg-completer[caio] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) CAIO_COMPLETE="elvish" caio -- $@words) | to-lines
}

