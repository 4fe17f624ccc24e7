"""Data sources and the uint8 image cache."""
