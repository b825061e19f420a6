"""Extraction: quotations, their speakers within the article, and the drivers that run it on one or many processes."""
