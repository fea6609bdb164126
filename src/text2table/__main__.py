"""`python -m text2table`."""

from text2table.cli import main

main()
