"""One module a page; Dash imports them (``use_pages``) and the app wires their callbacks."""
