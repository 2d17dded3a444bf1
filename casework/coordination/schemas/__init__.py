"""Input and output shapes of the coordination endpoints, one module per part."""
