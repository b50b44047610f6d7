"""Report rendering for compliance (bias audit: CSV, HTML, PDF)."""
