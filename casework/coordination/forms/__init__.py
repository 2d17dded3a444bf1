"""Forms of the coordination pages, one module per part."""
