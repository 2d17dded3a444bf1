"""Client endpoints: create, read, search, update with version, errors, and access (404)."""

from __future__ import annotations

from casework.audit.models import AuditEvent
from casework.clients.models import Client
from tests import factories

BODY = {
    "given_name": "Ana",
    "family_name": "Lopez",
    "birth_date": "1990-03-04",
    "preferred_language": "es-mx",
}


def test_create_returns_201_with_id_and_version(world, api):
    response = api(world.casey).post("/api/v1/clients", BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 1 and body["id"]
    assert body["preferred_language"] == "es-MX"
    assert body["possible_duplicates"] == []
    assert AuditEvent.objects.filter(action="create", client_id=body["id"]).exists()


def test_duplicates_are_shown_and_can_be_refused(world, api):
    casey = api(world.casey)
    first = casey.post("/api/v1/clients", BODY).json()
    second = casey.post("/api/v1/clients", {**BODY, "given_name": "Anna", "family_name": "López"})
    assert second.status_code == 201
    candidates = second.json()["possible_duplicates"]
    assert [c["client_id"] for c in candidates] == [first["id"]]
    count = Client.objects.count()
    refused = casey.post("/api/v1/clients", {**BODY, "refuse_duplicates": True})
    assert refused.status_code == 409
    assert refused.json()["code"] == "possible_duplicate"
    assert Client.objects.count() == count
    probe = casey.get(
        "/api/v1/clients/duplicates", given_name="Ana", family_name="Lopes", birth_date="1990-03-04"
    )
    assert probe.status_code == 200 and len(probe.json()) == 2


def test_duplicate_candidates_outside_access_are_counted_not_described(world, api):
    factories.client(
        world.chris,
        given_name="Ana",
        family_name="Lopez",
        birth_date=__import__("datetime").date(1990, 3, 4),
    )
    response = api(world.casey).post("/api/v1/clients", BODY)
    assert response.status_code == 201
    [hidden] = response.json()["possible_duplicates"]
    assert hidden["client_id"] is None and hidden["name"] is None
    assert "cannot open" in hidden["reasons"]


def test_same_identifier_is_refused(world, api):
    casey = api(world.casey)
    ident = [{"type": "MR", "value": "12345"}]
    assert casey.post("/api/v1/clients", {**BODY, "identifiers": ident}).status_code == 201
    other = {
        "given_name": "Zed",
        "family_name": "Quux",
        "birth_date": "1970-01-01",
        "identifiers": ident,
    }
    response = casey.post("/api/v1/clients", other)
    assert response.status_code == 409
    assert response.json()["code"] == "possible_duplicate"


def test_bad_input_is_422_naming_fields_and_stores_nothing(world, api):
    casey = api(world.casey)
    count = Client.objects.count()
    cases = [
        ({"given_name": "A", "birth_date": "1990-01-01"}, "family_name"),
        ({**BODY, "birth_date": "01/02/1990"}, "birth_date"),
        ({**BODY, "birth_date": 19900101}, "birth_date"),
        ({**BODY, "birth_date": "2999-01-01"}, "birth_date"),
        ({**BODY, "preferred_language": "not a language"}, "preferred_language"),
        ({**BODY, "nickname": "x"}, "nickname"),
        ({**BODY, "given_name": 42}, "given_name"),
        ({**BODY, "interpreter_needed": "yes"}, "interpreter_needed"),
        ({**BODY, "sex": "f"}, "sex"),
        ({**BODY, "identifiers": [{"type": "XX", "value": "1"}]}, "identifiers[0].type"),
    ]
    for body, field in cases:
        response = casey.post("/api/v1/clients", body)
        assert response.status_code == 422, (body, response.content)
        payload = response.json()
        assert set(payload) == {"detail", "code", "errors"}
        assert payload["code"] == "validation_error"
        assert any(field in str(e.get("field")) for e in payload["errors"]), (field, payload)
    assert Client.objects.count() == count


def test_malformed_json_is_400_with_error_shape(world, api):
    response = api(world.casey).post("/api/v1/clients", raw="{not json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "errors"}


def test_unauthenticated_is_401(world, client):
    response = client.get("/api/v1/clients")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    bad = client.get("/api/v1/clients", HTTP_AUTHORIZATION="Bearer cw_nonsense")
    assert bad.status_code == 401


def test_patch_with_version_and_stale_409(world, api):
    casey = api(world.casey)
    created = casey.post("/api/v1/clients", BODY).json()
    url = f"/api/v1/clients/{created['id']}"
    ok = casey.patch(url, {"version": 1, "phone": "555-0100", "interpreter_needed": True})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert ok.json()["phone"] == "555-0100"
    stale = casey.patch(url, {"version": 1, "phone": "555-0199"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    current = casey.get(url).json()
    assert current["phone"] == "555-0100" and current["version"] == 2
    missing_version = casey.patch(url, {"phone": "1"})
    assert missing_version.status_code == 422
    bad = casey.patch(url, {"version": 2, "given_name": ""})
    assert bad.status_code == 422
    assert casey.get(url).json()["version"] == 2
    update = AuditEvent.objects.filter(action="update", client_id=created["id"]).get()
    assert update.changes["phone"] == ["", "555-0100"]


def test_search_by_name_dob_and_identifier(world, api):
    casey = api(world.casey)
    casey.post("/api/v1/clients", {**BODY, "identifiers": [{"type": "MA", "value": "MCD778"}]})
    casey.post(
        "/api/v1/clients",
        {"given_name": "José", "family_name": "Núñez", "birth_date": "1961-07-08"},
    )

    def names(**params):
        return [c["name"] for c in casey.get("/api/v1/clients", **params).json()["items"]]

    assert names(search="nunez") == ["José Núñez"]
    assert names(search="JOSE 1961-07-08") == ["José Núñez"]
    assert names(search="07/08/1961") == ["José Núñez"]
    assert names(search="mcd778") == ["Ana Lopez"]
    assert names(search="nobody") == []
    assert AuditEvent.objects.filter(action="search").exists()


def test_outsider_and_other_team_get_404(world, api):
    created = api(world.casey).post("/api/v1/clients", BODY).json()
    case = (
        api(world.casey)
        .post("/api/v1/cases", {"client_id": created["id"], "program_id": str(world.program.id)})
        .json()
    )
    api(world.casey).post(f"/api/v1/cases/{case['id']}/transition", {"to": "screening"})
    api(world.casey).post(f"/api/v1/cases/{case['id']}/transition", {"to": "intake"})
    for persona in (world.olive, world.chris):
        other = api(persona)
        assert other.get(f"/api/v1/clients/{created['id']}").status_code == 404
        assert other.patch(f"/api/v1/clients/{created['id']}", {"version": 1}).status_code == 404
        assert other.get(f"/api/v1/cases/{case['id']}").status_code == 404
        assert (
            other.post(f"/api/v1/cases/{case['id']}/transition", {"to": "assessment"}).status_code
            == 404
        )
        assert created["id"] not in str(other.get("/api/v1/clients").json())
    # The supervisor of the team holding the case sees it.
    assert api(world.sam).get(f"/api/v1/clients/{created['id']}").status_code == 200
    assert api(world.sam).get(f"/api/v1/cases/{case['id']}").status_code == 200


def test_list_paginates_with_cursor(world, api):
    casey = api(world.casey)
    for n in range(7):
        factories.client(world.casey, given_name=f"Page{n}", family_name=f"Walker{n}")
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = casey.get("/api/v1/clients", **params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 7
    assert casey.get("/api/v1/clients", cursor="garbage!").status_code == 422


def test_api_errors_keep_their_shape_everywhere(world, api):
    casey = api(world.casey)
    for response, status in [
        (casey.get("/api/v1/clients/not-a-uuid"), 404),
        (casey.get("/api/v1/no-such-endpoint"), 404),
        (casey.http.delete("/api/v1/clients", **casey._headers()), 405),
    ]:
        assert response.status_code == status
        assert set(response.json()) == {"detail", "code", "errors"}


def test_post_to_unknown_api_path_is_json_404(world, api):
    response = api(world.casey).post("/api/v1/no-such-thing", {"a": 1})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_add_identifier_errors_name_the_field(world, api):
    created = api(world.casey).post("/api/v1/clients", BODY).json()
    bad = api(world.casey).post(
        f"/api/v1/clients/{created['id']}/identifiers", {"type": "ZZ", "value": "1"}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "type"
