"""`python -m text2table.cli`."""

from text2table.cli import main

main()
