"""Helpers shared by the book's pages and learners' exercise files (models, data, plots)."""
