"""Tests of alcance.radio."""
