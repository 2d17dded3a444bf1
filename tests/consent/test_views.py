"""The consent page of a client."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from casework.consent.models import Consent
from tests import factories
from tests.coordination import referral_helpers as h


def browser(user):
    http = HttpClient()
    http.login(username=user.username, password=factories.PASSWORD)
    return http


def test_record_and_revoke_on_the_page(world):
    case = h.active_case(world)
    service = h.provider(world.org)
    http = browser(world.casey)
    url = reverse("consent:client_consents", args=[case.client_id])
    assert "No consent on file" in http.get(url).content.decode()
    response = http.post(
        url,
        {
            "purposes": ["CAREMGT"],
            "recipients": [str(service.provider.pk)],
            "method": "written",
            "signed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(client=case.client)
    body = http.get(url).content.decode()
    assert "Harbor Food Bank" in body and "Revoke this consent" in body
    prefix = f"revoke-{consent.pk}"
    response = http.post(
        reverse("consent:consent_revoke", args=[consent.pk]),
        {f"{prefix}-version": consent.version, f"{prefix}-reason": "Withdrawn"},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == "inactive"


def test_invalid_consent_is_a_form_error(world):
    case = h.active_case(world)
    response = browser(world.casey).post(
        reverse("consent:client_consents", args=[case.client_id]),
        {"purposes": ["CAREMGT"], "method": "verbal", "signed_on": timezone.localdate()},
    )
    assert response.status_code == 422 and not Consent.objects.exists()


def test_outsiders_get_404(world):
    case = h.active_case(world)
    url = reverse("consent:client_consents", args=[case.client_id])
    assert browser(world.olive).get(url).status_code == 404
    assert browser(world.chris).get(url).status_code == 404
