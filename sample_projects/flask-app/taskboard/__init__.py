"""Taskboard: a to-do list behind a small Flask app."""

import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ.get("TASKBOARD_SECRET_KEY", "dev-only")
    app.config["TASKS"] = []
    if config:
        app.config.update(config)

    from taskboard.views import bp

    app.register_blueprint(bp)
    return app
