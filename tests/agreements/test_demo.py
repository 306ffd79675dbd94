"""The demo: Brown County's agreement from the campaign demo, and Palmyra's refusal as a local fact."""

from __future__ import annotations

from campaign.accountability import queries
from campaign.agreements.models import AgreementModel, AgreementSource, AgreementStatus, ChangeKind


def test_seed_demo_adds_palmyras_refusal_once(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output

    [palmyra] = queries.county_agreements("55055")
    assert (palmyra.state, palmyra.status, palmyra.source) == ("WI", AgreementStatus.DECLINED, AgreementSource.LOCAL)
    assert palmyra.note.startswith("Demo record") and [change.kind for change in palmyra.changes] == [ChangeKind.LOCAL]
    assert [agreement.model for agreement in queries.county_agreements("55009")] == [
        AgreementModel.WARRANT_SERVICE_OFFICER
    ]
    assert [(county.fips, model) for county, model in queries.strongest_models("WI")] == [
        ("55009", AgreementModel.WARRANT_SERVICE_OFFICER)
    ]
