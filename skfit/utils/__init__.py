"""Utilities shared across skfit's subpackages."""
