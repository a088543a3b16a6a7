from newsarchive.cli import cli

cli()
