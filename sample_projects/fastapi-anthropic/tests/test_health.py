from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_healthz():
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_summarize_rejects_empty_text():
    response = client.post("/summarize", json={"text": ""})
    assert response.status_code == 422
