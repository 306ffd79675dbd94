"""The public verification page, and organizers' packet pages."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from campaign.accounts.models import Role
from campaign.accounts.services import record_event
from campaign.core.forms import submit
from campaign.core.permissions import role_required
from campaign.extensions import db
from campaign.forums.services import get_forum
from campaign.jobs.models import Job
from campaign.officials.forms import official_choices
from campaign.packets import deliveries, services
from campaign.packets.forms import BuildPacketForm, DeliveryForm, ResponseForm, VerifyForm
from campaign.packets.models import DeliveryMethod, Packet
from campaign.packets.signin_sheet import DEFAULT_BLANK_ROWS, build_signin_sheet
from campaign.petitions.counts import county_rows
from campaign.petitions.services import get_petition

bp = Blueprint("packets", __name__)
MAX_BLANK_ROWS = 200  # about nine pages; a larger number is more likely a typo


@bp.route("/packets/verify/<public_id>", methods=["GET", "POST"])
def verify(public_id: str):
    packet = services.get_packet(public_id)
    # A digest comes in the query string (a link can carry it); a file comes in a POST.
    form = VerifyForm(request.args if request.method == "GET" else None, meta={"csrf": False})
    result = None
    if request.method == "POST" or form.digest.data:
        upload = request.files.get("file")
        if upload and upload.filename:
            digest = hashlib.sha256()
            for chunk in iter(lambda: upload.stream.read(1 << 20), b""):
                digest.update(chunk)
            result = ("file", digest.hexdigest(), services.matches(packet, digest.hexdigest()))
        elif form.digest.data:
            result = ("digest", form.digest.data.strip().lower(), services.matches(packet, form.digest.data))
    status = 200 if result is None or result[2] else 422
    return render_template("packets/verify.html", packet=packet, form=form, result=result), status


@bp.get("/packets/verify")
def verify_lookup():
    public_id = request.args.get("id", "").strip()
    if public_id:
        return redirect(url_for(".verify", public_id=public_id.upper()))
    return render_template("packets/verify_lookup.html")


def _build_form(petition) -> BuildPacketForm:
    form = BuildPacketForm()
    form.county_fips.choices = [
        SelectChoice(row.county.fips, f"{row.county.label} ({row.confirmed:,})") for row in county_rows(petition)
    ]
    form.official_id.choices = [SelectChoice(0, _("The petition's officials"))] + official_choices()
    return form


@bp.route("/organize/petitions/<slug>/packets", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def petition_packets(slug: str):
    petition = get_petition(slug, include_drafts=True)
    form = _build_form(petition)
    status = 200
    if form.is_submitted():
        if not current_user.has_role(Role.ORGANIZER):
            abort(403)

        def request_build() -> Packet:
            packet = services.request_packet(
                petition,
                services.PacketRequest(
                    county_fips=form.county_fips.data or [],
                    official_id=form.official_id.data or None,
                    include_address=form.include_address.data,
                    language=form.language.data,
                ),
                current_user,
            )
            services.enqueue_build(packet)
            return packet

        packet, status = submit(form, request_build)
        if packet is not None:
            return redirect(url_for(".packet", public_id=packet.public_id))
    packets = db.session.scalars(
        select(Packet).where(Packet.petition_id == petition.id).order_by(Packet.created_at.desc())
    )
    return render_template("packets/petition_packets.html", petition=petition, form=form, packets=list(packets)), status


def _organizer_packet(public_id: str) -> Packet:
    packet = db.session.scalar(select(Packet).where(Packet.public_id == public_id))
    if packet is None:
        abort(404)
    return packet


def _with_officials(form: DeliveryForm) -> DeliveryForm:
    form.official_id.choices = [SelectChoice(0, "—")] + official_choices()
    return form


def _response_prefix(delivery_id: int) -> str:
    return f"response-{delivery_id}"  # one form per delivery on the page, each with its own field ids


def _packet_page(packet: Packet, form: DeliveryForm, status: int = 200, refused: tuple | None = None):
    """The organizer's packet page: the delivery form, and a response form per delivery;
    `refused` is (delivery id, form) for the response just refused, with its input and messages."""
    responses = {
        delivery.id: ResponseForm(formdata=None, prefix=_response_prefix(delivery.id)) for delivery in packet.deliveries
    }
    if refused is not None:
        responses[refused[0]] = refused[1]
    job = db.session.get(Job, packet.job_id) if packet.job_id else None
    return render_template("packets/packet.html", packet=packet, form=form, job=job, response_forms=responses), status


@bp.route("/organize/packets/<public_id>", methods=["GET", "POST"])
@role_required(Role.VIEWER)
def packet(public_id: str):
    packet = _organizer_packet(public_id)
    form = _with_officials(DeliveryForm())
    status = 200
    if form.is_submitted():
        if not current_user.has_role(Role.ORGANIZER):
            abort(403)
        delivery, status = submit(
            form,
            lambda: deliveries.record_delivery(
                packet,
                deliveries.DeliveryInput(
                    recipient=form.recipient.data,
                    method=DeliveryMethod(form.method.data),
                    delivered_at=form.delivered_at.data.replace(tzinfo=UTC),
                    official_id=form.official_id.data or None,
                    notes=form.notes.data,
                    response=form.response.data,
                ),
                current_user,
            ),
        )
        if delivery is not None:
            flash(_("Delivery recorded."), "success")
            return redirect(url_for(".packet", public_id=public_id))
    return _packet_page(packet, form, status)


@bp.post("/organize/packets/<public_id>/deliveries/<int:delivery_id>/responses")
@role_required(Role.ORGANIZER)
def record_response(public_id: str, delivery_id: int):
    packet = _organizer_packet(public_id)
    delivery = deliveries.get_delivery(packet, delivery_id)
    form = ResponseForm(prefix=_response_prefix(delivery.id))
    response, status = submit(
        form,
        lambda: deliveries.record_response(
            delivery,
            deliveries.ResponseInput(
                responded_on=form.responded_on.data, text=form.text.data, document_url=form.document_url.data
            ),
            current_user._get_current_object(),
        ),
    )
    if response is None:
        return _packet_page(packet, _with_officials(DeliveryForm(formdata=None)), status, refused=(delivery.id, form))
    flash(
        _("Response recorded. A follow-up to the signers waits as a draft among the campaign's broadcasts."), "success"
    )
    return redirect(url_for(".packet", public_id=public_id), code=303)


@bp.get("/organize/packets/<public_id>/download")
@role_required(Role.ORGANIZER)
def download(public_id: str):
    packet = _organizer_packet(public_id)
    path = services.packet_dir() / packet.file_name
    if packet.sha256 is None or not path.exists():
        abort(404)
    record_event(current_user, "packet_downloaded", packet=packet.public_id, include_address=packet.include_address)
    db.session.commit()
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{packet.petition.slug}-{packet.public_id}.pdf",
    )


@bp.get("/organize/forums/<slug>/sign-in-sheet.pdf")
@role_required(Role.VIEWER)
def signin_sheet(slug: str):
    forum = get_forum(slug, include_drafts=True)
    blank = request.args.get("blank", str(DEFAULT_BLANK_ROWS))
    if not re.fullmatch(r"[0-9]{1,3}", blank) or int(blank) > MAX_BLANK_ROWS:
        # The error page itself, since the HTTP error handler shows no description.
        message = _("The number of blank rows must be a whole number from 0 to %(max)s.", max=MAX_BLANK_ROWS)
        return render_template("errors/error.html", status=400, message=message), 400
    stream = io.BytesIO()
    build_signin_sheet(forum, stream, blank_rows=int(blank))
    return Response(
        stream.getvalue(),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{forum.slug}-sign-in.pdf"'},
    )
