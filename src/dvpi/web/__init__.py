"""The dashboard: server-rendered pages, a JSON API, users, sessions and an audit log.

``create_app(warehouse)`` builds the FastAPI application; ``dvpi serve`` runs it.
"""
