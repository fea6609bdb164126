"""`python -m text2table`."""

from .cli import main

main()
