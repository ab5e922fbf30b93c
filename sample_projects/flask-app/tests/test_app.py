import pytest

from taskboard import create_app


@pytest.fixture
def client():
    app = create_app({"TESTING": True})
    return app.test_client()


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_add_task_shows_it_in_the_list(client):
    response = client.post("/tasks", data={"title": "Water the plants"}, follow_redirects=True)
    assert response.status_code == 200
    assert b"Water the plants" in response.data


def test_empty_title_is_refused(client):
    response = client.post("/tasks", data={"title": "  "}, follow_redirects=True)
    assert b"A task needs a title." in response.data
