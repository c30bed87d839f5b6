"""Packaged reference data of the store (the SAMU registry file)."""
