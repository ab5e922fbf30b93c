from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

bp = Blueprint("tasks", __name__)


@bp.get("/")
def index():
    return render_template("index.html", tasks=current_app.config["TASKS"])


@bp.route("/tasks", methods=["POST"])
def add_task():
    title = request.form.get("title", "").strip()
    if not title:
        flash("A task needs a title.")
        return redirect(url_for("tasks.index"))
    current_app.config["TASKS"].append({"title": title, "done": False})
    return redirect(url_for("tasks.index"))


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
