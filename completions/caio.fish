complete --keep-order --exclusive --command caio --arguments "(CAIO_COMPLETE=fish caio -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
