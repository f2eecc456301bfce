"""The explorer wing: the interactive HTML page (pyvis + explorer.js) and what it shows."""
