"""Coordination pages, one module per part (directory, referrals, appointments)."""
