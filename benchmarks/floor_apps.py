"""The two layers under the app that `request_floor.py` serves with gunicorn: a WSGI callable
and a Flask app, each answering "ok" and doing nothing else."""

from flask import Flask


def plain_wsgi(_environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


plain_flask = Flask(__name__)


@plain_flask.get("/_bench/bare")  # the address of the app's own bare floor
def ok():
    return "ok"
