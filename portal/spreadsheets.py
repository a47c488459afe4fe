"""Spreadsheet safety for every export: a cell that starts with =, +, - or @ could run as a
formula when opened in Excel, so it is prefixed with an apostrophe."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
