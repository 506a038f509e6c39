"""The benchmark's floor pages and per-response figures exist only under BENCHMARK."""

from tests.factories import PASSWORD, make_trainee


def _endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()}


def test_the_default_app_has_no_floor_pages_nor_figures(app, client):
    assert not {"benchmark.bare", "benchmark.layout"} & _endpoints(app)
    response = client.get("/_bench/bare")
    assert response.status_code == 404
    assert "X-Bench-Queries" not in response.headers


def test_floors_and_figures_under_the_flag(make_app):
    app = make_app(BENCHMARK=True)
    client = app.test_client()
    with app.app_context():
        make_trainee("wang")
    bare = client.get("/_bench/bare")
    assert bare.data == b"ok"
    assert bare.headers["X-Bench-Queries"] == "0"
    assert int(bare.headers["X-Bench-CPU-us"]) >= 0

    assert client.get("/_bench/layout").status_code == 302  # signed-out visitors sign in first
    client.post("/login", data={"username": "wang", "password": PASSWORD})
    layout = client.get("/_bench/layout")
    assert layout.status_code == 200
    assert "Kefu Academy" in layout.text or "客服学院" in layout.text
    # The signed-in session and its user are read from the database: that is the whole cost.
    assert int(layout.headers["X-Bench-Queries"]) >= 1
