"""Forms of the monitoring pages, one module per part."""
