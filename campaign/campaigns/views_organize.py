from flask import Blueprint

bp = Blueprint("campaigns_organize", __name__, url_prefix="/organize/campaigns")
