"""Authoring: draft tables, draft ⇄ document serialisation, YAML files and change summaries."""
