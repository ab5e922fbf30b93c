"""Plain-text invoices from a CSV of billable hours."""

__version__ = "1.3.0"
