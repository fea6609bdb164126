"""`python -m text2table.cli`."""

from . import main

main()
