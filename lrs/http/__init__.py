"""What every HTTP surface of the app shares (xAPI, /api, the login and the dashboards).

``context`` is the one accessor for what the app factory wired (settings, database,
per-app state); ``request`` is the request class that applies the body limit and the
xAPI alternate request syntax; ``json`` and ``params`` read bodies and query parameters;
``errors`` renders every error in the one JSON shape. No view, service or store here.
"""
