"""Monitoring pages, one module per part."""
