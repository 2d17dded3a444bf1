"""Input and output shapes of the monitoring endpoints, one module per part."""
