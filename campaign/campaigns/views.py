from flask import Blueprint

bp = Blueprint("campaigns", __name__)


@bp.get("/")
def index():
    return "index"
