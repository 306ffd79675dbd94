"""Demo records: a campaign to end the Warrant Service Officer agreement of the Brown County
(WI) Sheriff. Organizations, people and contact details are fictional (555 numbers,
example.org addresses); the county, its FIPS code and the agreement model are real."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from campaign.agreements.models import Agreement, AgreementModel, AgreementStatus
from campaign.campaigns import demo_documents
from campaign.campaigns.models import Campaign, CampaignStatus, Organization
from campaign.extensions import db
from campaign.officials.models import Body, Official

BROWN_COUNTY = "55009"
DEMO_CAMPAIGN_SLUG = "end-287g-brown-county"

ORGANIZATIONS = [
    {
        "slug": "brown-county-inclusion-committee",
        "name": "Brown County Community Inclusion Committee",
        "description": "Volunteers working for a county government that serves every resident. (Demo organization.)",
        "website": "https://inclusion.example.org",
        "email": "hello@inclusion.example.org",
    },
    {
        "slug": "fox-valley-immigrant-rights",
        "name": "Fox Valley Immigrant Rights Coalition",
        "description": "Know-your-rights trainings and legal referrals. (Demo organization.)",
        "website": "https://foxvalley-rights.example.org",
    },
    {
        "slug": "green-bay-voters-league",
        "name": "Green Bay Area Voters League",
        "description": "Nonpartisan voter education and candidate forums. (Demo organization.)",
        "website": "https://voters-league.example.org",
    },
    {
        "slug": "bay-faith-alliance",
        "name": "Bay Area Faith Alliance for Justice",
        "description": "Congregations of several faiths acting together. (Demo organization.)",
    },
]

OFFICIALS = [
    {
        "name": "Dana Kowalski",
        "title": "Sheriff",
        "body": Body.SHERIFF,
        "email": "sheriff@browncounty.example.org",
        "phone": "(920) 555-0140",
        "office_address": "Sheriff's Office, Green Bay, WI 54311",
        "website": "https://sheriff.browncounty.example.org",
        "term_starts_on": date(2023, 1, 2),
        "term_ends_on": date(2027, 1, 4),
    },
    {
        "name": "Robert Vang",
        "title": "Chair, County Board of Supervisors",
        "body": Body.COUNTY_BOARD,
        "email": "board.chair@browncounty.example.org",
        "phone": "(920) 555-0120",
        "office_address": "Northern Building, 305 E. Walnut St., Green Bay, WI 54301",
        "district": "3",
        "term_starts_on": date(2026, 4, 21),
        "term_ends_on": date(2028, 4, 18),
    },
]

SUMMARY = """The Brown County Sheriff's Office has signed a **287(g) agreement** with U.S. Immigration
and Customs Enforcement (ICE) under the *Warrant Service Officer* model. Jail officers serve ICE
administrative warrants on people held in the county jail, turning a local jail stay into a path
to deportation.

Signing was voluntary, and the agreement can be ended. We ask the Sheriff to end it, and the County
Board of Supervisors to call for its end, so that every resident can report a crime, be a witness
or call for help without fear.

**How you can help:** sign the petition, come to a community forum, and speak at the County Board's
public comment."""

SUMMARY_ES = """La Oficina del Sheriff del condado de Brown firmó un **acuerdo 287(g)** con el Servicio
de Inmigración y Control de Aduanas (ICE) bajo el modelo de *Oficial de Servicio de Órdenes*. Los
oficiales de la cárcel ejecutan órdenes administrativas de ICE contra personas detenidas en la cárcel
del condado, y una detención local se convierte en un camino a la deportación.

Firmarlo fue voluntario, y el acuerdo se puede terminar. Pedimos al Sheriff que lo termine, y a la
Junta de Supervisores del condado que pida su fin, para que todos los residentes puedan denunciar un
delito, ser testigos o pedir ayuda sin miedo.

**Cómo puede ayudar:** firme la petición, venga a un foro comunitario y hable en el tiempo de
comentario público de la Junta del Condado."""


def _get_or_add(model, lookup: dict, values: dict):
    record = db.session.scalar(select(model).filter_by(**lookup))
    if record is None:
        record = model(**lookup, **values)
        db.session.add(record)
        db.session.flush()
    return record


def seed() -> Campaign:
    """Add the demo records that are missing; running it twice changes nothing."""
    organizations = [
        _get_or_add(Organization, {"slug": org["slug"]}, {k: v for k, v in org.items() if k != "slug"})
        for org in ORGANIZATIONS
    ]
    officials = [
        _get_or_add(
            Official,
            {"name": official["name"], "county_fips": BROWN_COUNTY},
            {k: v for k, v in official.items() if k != "name"},
        )
        for official in OFFICIALS
    ]
    agreement = _get_or_add(
        Agreement,
        {"agency": "Brown County Sheriff's Office", "model": AgreementModel.WARRANT_SERVICE_OFFICER},
        {"state": "WI", "county_fips": BROWN_COUNTY, "status": AgreementStatus.ACTIVE},
    )
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == DEMO_CAMPAIGN_SLUG))
    if campaign is None:
        campaign = Campaign(
            slug=DEMO_CAMPAIGN_SLUG,
            title="End the 287(g) agreement in Brown County",
            title_es="Terminemos el acuerdo 287(g) en el condado de Brown",
            summary=SUMMARY,
            summary_es=SUMMARY_ES,
            state="WI",
            county_fips=BROWN_COUNTY,
            status=CampaignStatus.ACTIVE,
            organization=organizations[0],
            agreement=agreement,
            partners=organizations[1:],
            targets=officials,
        )
        db.session.add(campaign)
        db.session.flush()
    demo_documents.seed(campaign)
    return campaign
