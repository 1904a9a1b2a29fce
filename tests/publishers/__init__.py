"""Tests of the publishers stage."""
