"""What goes to a model and what comes back: prompt rendering, lenient/strict parsing, decoding constraints."""
