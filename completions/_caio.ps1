
Register-ArgumentCompleter -Native -CommandName caio -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $prev = $env:CAIO_COMPLETE;
    $env:CAIO_COMPLETE = "powershell";

    $args = $commandAst.Extent.Text
    $args = $args.Substring(0, [math]::Min($cursorPosition, $args.Length));
    if ($wordToComplete -eq "") {
        $args += " ''";
    }

    $results = Invoke-Expression @"
& caio -- $args
"@;
    if ($null -eq $prev) {
        Remove-Item Env:\CAIO_COMPLETE;
    } else {
        $env:CAIO_COMPLETE = $prev;
    }
    $results | ForEach-Object {
        $split = $_.Split("`t");
        $cmd = $split[0];

        if ($split.Length -eq 2) {
            $help = $split[1];
        }
        else {
            $help = $split[0];
        }

        [System.Management.Automation.CompletionResult]::new($cmd, $cmd, 'ParameterValue', $help)
    }
};
        
