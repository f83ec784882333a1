"""`python -m musicflow` runs the command-line tool."""

from musicflow.cli import main

main()
