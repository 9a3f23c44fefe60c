"""Configuration shared by every test directory; fixtures used across directories go here."""

from __future__ import annotations
