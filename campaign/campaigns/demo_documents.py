"""Demo documents, helplines and Know Your Rights text of the Brown County campaign. The
organizations, phone numbers (555) and addresses (example.org) are fictional; the files are
short texts written for the demo."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from campaign.campaigns.documents import today_in
from campaign.campaigns.models import Campaign, Document, DocumentKind, Helpline, RequestStatus
from campaign.extensions import db

RIGHTS = """## Your rights in Brown County

- You have the right to remain silent, with any officer: the Sheriff's Office, the police or ICE.
- Do not open your door unless the officer shows a warrant **signed by a judge**. An ICE form
  I-200 or I-205 is not signed by a judge.
- Do not sign anything you do not understand. Ask for a lawyer.
- Do not lie and do not show false documents.

## If someone is arrested

- Write down the time, the place, the officers' names and badge numbers.
- Call one of the numbers below. Volunteers answer in English and Spanish.

## At the county jail

Under the agreement, jail officers can serve ICE warrants on people held in the Brown County jail.
Ask for a lawyer before answering questions about where you were born or your immigration status."""

RIGHTS_ES = """## Sus derechos en el condado de Brown

- Usted tiene derecho a guardar silencio ante cualquier agente: la Oficina del Sheriff, la policía o ICE.
- No abra la puerta a menos que el agente le muestre una orden **firmada por un juez**. Los formularios
  I-200 o I-205 de ICE no están firmados por un juez.
- No firme nada que no entienda. Pida hablar con un abogado.
- No mienta y no muestre documentos falsos.

## Si arrestan a alguien

- Anote la hora, el lugar, los nombres de los agentes y sus números de placa.
- Llame a uno de los números de abajo. Los voluntarios atienden en inglés y en español.

## En la cárcel del condado

Por el acuerdo, los oficiales de la cárcel del condado de Brown pueden ejecutar órdenes de ICE contra
las personas detenidas allí. Pida un abogado antes de contestar preguntas sobre dónde nació o su
estatus migratorio."""

HELPLINES = [
    {
        "name": "Fox Valley Immigrant Legal Aid (demo)",
        "phone": "(920) 555-0188",
        "website": "https://legal-aid.example.org",
        "hours": "Mon-Fri 9 am-5 pm; 24 hours for detentions",
        "languages": "English, Spanish, Hmong",
        "description": "Free legal advice and referrals for immigrants and their families.",
        "description_es": "Asesoría legal gratuita y referencias para inmigrantes y sus familias.",
    },
    {
        "name": "Brown County Rapid Response Hotline (demo)",
        "phone": "(920) 555-0199",
        "hours": "24 hours, 7 days a week",
        "languages": "English, Spanish",
        "description": "Call if immigration agents are in your neighborhood: volunteers come, witness and connect "
        "families with lawyers.",
        "description_es": "Llame si hay agentes de inmigración en su barrio: los voluntarios acuden, sirven de "
        "testigos y ponen a las familias en contacto con abogados.",
    },
]

REQUEST_LETTER = """To the Records Custodian, Brown County Sheriff's Office (demo letter)

Under the Wisconsin Public Records Law, we request copies of:
1. the 287(g) agreement with ICE and every addendum;
2. the reports the Sheriff's Office sent to ICE under the agreement in the last twelve months;
3. the number of people held for ICE in the county jail, by month.

Brown County Community Inclusion Committee (demo organization)
"""

LISTENING_REPORT = """Listening session summary (demo report)

Forty-two residents came to the listening session at the library. What they told us, in short:
- parents are afraid to report crimes or go to school events;
- several employers said workers stopped coming after the agreement was signed;
- people asked for Know Your Rights trainings in Spanish and Hmong.

Brown County Community Inclusion Committee (demo organization)
"""

PLACEHOLDER_MOA = "https://records.example.org/brown-county/287g-agreement.pdf"


def _file(name: str, text: str) -> dict:
    data = text.encode("utf-8")
    return {
        "file_name": name,
        "content_type": "text/plain; charset=utf-8",
        "content": data,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def seed(campaign: Campaign) -> None:
    """Add what is missing; running it twice changes nothing."""
    if not campaign.rights and not campaign.rights_es:
        campaign.rights, campaign.rights_es = RIGHTS, RIGHTS_ES
    if not campaign.helplines:
        campaign.helplines = [Helpline(position=number, **values) for number, values in enumerate(HELPLINES, 1)]
    today = today_in(campaign)
    moa = campaign.agreement.document_url if campaign.agreement and campaign.agreement.document_url else PLACEHOLDER_MOA
    documents = [
        {"title": "The 287(g) agreement (Memorandum of Agreement)", "kind": DocumentKind.AGREEMENT, "url": moa},
        {
            "title": "Public-records request: the agreement's reports and jail holds",
            "kind": DocumentKind.RECORDS_REQUEST,
            "dated": today - timedelta(days=20),
            "request_status": RequestStatus.SENT,
            "due_on": today - timedelta(days=3),
            "notes": "Sent by email to the records custodian; no answer yet. Call on Monday.",
            **_file("records-request.txt", REQUEST_LETTER),
        },
        {
            "title": "Listening session summary",
            "kind": DocumentKind.REPORT,
            "dated": today - timedelta(days=35),
            **_file("listening-session-summary.txt", LISTENING_REPORT),
        },
    ]
    for values in documents:
        found = db.session.scalar(
            select(Document.id).where(Document.campaign_id == campaign.id, Document.title == values["title"])
        )
        if found is None:
            db.session.add(Document(campaign=campaign, token=secrets.token_urlsafe(16), public=True, **values))
    db.session.flush()
