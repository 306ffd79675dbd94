from flask import Blueprint

bp = Blueprint("geo", __name__)


@bp.get("/where")
def where():
    return "where"
