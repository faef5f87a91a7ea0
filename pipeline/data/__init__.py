"""Packaged data for the consumer commands: table layouts, label definitions, page templates."""
