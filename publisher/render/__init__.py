"""Renderers turn a Document into bytes; one per output format."""

FORMATS = ("pdf", "docx")
