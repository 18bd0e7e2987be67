"""Normalizers: dates, URLs and ids, source/author/editor, zone names."""
