"""Human-readable reports of an evaluation: markdown and a self-contained HTML page."""
