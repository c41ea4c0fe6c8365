"""Revisions, tombstones (410), restore, purge and the changes feed."""

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Claim, Event, Participant, Source
from app.schemas.keys import KeyScope
from app.services import snapshots
from tests.factories import (
    assert_problem,
    bearer,
    make_claim,
    make_event,
    make_event_participant,
    make_participant,
    make_source,
    stored_key,
)

API = "/api/v1"


def revisions(client: TestClient, path: str) -> list[dict[str, Any]]:
    response = client.get(f"{API}/{path}/revisions")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


class TestRevisions:
    def test_create_and_update_are_revisions_with_before_and_after(
        self, client: TestClient
    ) -> None:
        source = make_source(client, title="First")
        changed = client.patch(f"{API}/sources/{source['id']}", json={"title": "Second"})
        assert changed.status_code == 200
        found = revisions(client, f"sources/{source['slug']}")
        assert [(r["version"], r["operation"]) for r in found] == [(1, "create"), (2, "update")]
        assert found[1]["changes"] == {"fields": {"title": ["First", "Second"]}}
        assert found[1]["key_id"] is not None
        one = client.get(f"{API}/sources/{source['id']}/revisions/2").json()
        assert one["record"]["fields"]["title"] == "Second"
        assert one["record"]["fields"]["version"] == 2

    def test_sub_record_change_bumps_the_parent(self, client: TestClient) -> None:
        event = make_event(client)
        person = make_participant(client)
        before = client.get(f"{API}/events/{event['id']}")
        make_event_participant(client, event["id"], person["id"], role="host")
        after = client.get(f"{API}/events/{event['id']}")
        assert after.json()["version"] == before.json()["version"] + 1
        assert after.headers["etag"] != before.headers["etag"]
        last = revisions(client, f"events/{event['id']}")[-1]
        assert last["operation"] == "update"
        assert list(last["changes"]) == ["event_participant"]
        [(old, new)] = last["changes"]["event_participant"].values()
        assert old is None
        assert new["participant_id"] == person["id"]
        assert new["role"] == "host"

    def test_a_role_is_a_revision_of_its_participant(self, client: TestClient) -> None:
        person = make_participant(client)
        role = client.post(f"{API}/participants/{person['id']}/roles", json={"title": "Mayor"})
        assert role.status_code == 201
        after = client.get(f"{API}/participants/{person['id']}").json()
        assert after["version"] == 2
        last = revisions(client, f"participants/{person['id']}")[-1]
        assert (last["version"], list(last["changes"])) == (
            2,
            ["participant_role", "role_title_key"],
        )

    def test_an_unchanged_write_adds_no_revision(self, client: TestClient) -> None:
        source = make_source(client, title="Same")
        client.patch(f"{API}/sources/{source['id']}", json={"title": "Same"})
        assert len(revisions(client, f"sources/{source['id']}")) == 1

    def test_pages_by_version(self, client: TestClient) -> None:
        source = make_source(client)
        for title in ("b", "c", "d"):
            client.patch(f"{API}/sources/{source['id']}", json={"title": title})
        first = client.get(f"{API}/sources/{source['id']}/revisions?limit=3").json()
        assert [r["version"] for r in first["items"]] == [1, 2, 3]
        assert first["next_cursor"] == "3"
        rest = client.get(
            f"{API}/sources/{source['id']}/revisions?limit=3&cursor={first['next_cursor']}"
        ).json()
        assert [r["version"] for r in rest["items"]] == [4]
        assert rest["next_cursor"] is None

    def test_unknown_record_and_version(self, client: TestClient) -> None:
        assert_problem(client.get(f"{API}/claims/nothing/revisions"), 404, "no claim 'nothing'")
        source = make_source(client, slug="one-revision")
        assert_problem(
            client.get(f"{API}/sources/one-revision/revisions/9"),
            404,
            "source 'one-revision' has no revision 9",
        )
        assert source["version"] == 1


class TestSoftDelete:
    def test_id_and_slug_answer_410_and_revisions_stay(self, client: TestClient) -> None:
        person = make_participant(client, slug="to-be-deleted")
        assert client.delete(f"{API}/participants/to-be-deleted").status_code == 204
        for ref in (person["id"], "to-be-deleted"):
            gone = client.get(f"{API}/participants/{ref}")
            assert gone.status_code == 410
            assert gone.headers["content-type"] == "application/problem+json"
            assert "was deleted at " in gone.json()["detail"]
            assert "by the key " in gone.json()["detail"]
        found = revisions(client, "participants/to-be-deleted")
        assert [r["operation"] for r in found] == ["create", "delete"]
        listed = client.get(f"{API}/participants?q=to-be-deleted").json()
        assert person["id"] not in [p["id"] for p in listed["items"]]

    def test_slug_is_never_reused(self, client: TestClient) -> None:
        make_source(client, slug="once-only")
        client.delete(f"{API}/sources/once-only")
        response = client.post(
            f"{API}/sources", json={"slug": "once-only", "kind": "report", "title": "Again"}
        )
        assert response.status_code == 409
        assert "never reused" in response.json()["detail"]

    def test_restore_brings_back_sub_records(self, client: TestClient) -> None:
        event = make_event(client)
        person = make_participant(client)
        make_event_participant(client, event["id"], person["id"], role="visitor")
        read = client.get(f"{API}/events/{event['id']}").json()
        client.delete(f"{API}/events/{event['id']}")
        restored = client.post(f"{API}/events/{event['slug']}/restore")
        assert restored.status_code == 200, restored.text
        assert restored.json()["operation"] == "restore"
        again = client.get(f"{API}/events/{event['id']}").json()
        assert again["version"] == read["version"] + 2
        assert {k: v for k, v in again.items() if k not in ("version", "updated_at")} == {
            k: v for k, v in read.items() if k not in ("version", "updated_at")
        }
        links = client.get(f"{API}/events/{event['id']}/participants").json()["items"]
        assert [(p["participant_id"], p["role"]) for p in links] == [(person["id"], "visitor")]

    def test_restore_needs_admin_and_a_deleted_record(
        self, client: TestClient, session: Session
    ) -> None:
        source = make_source(client)
        assert_problem(
            client.post(f"{API}/sources/{source['slug']}/restore"),
            409,
            f"source '{source['slug']}' is not deleted",
        )
        client.delete(f"{API}/sources/{source['id']}")
        writer = bearer(stored_key(session, KeyScope.write, name="writer"))
        response = client.post(f"{API}/sources/{source['id']}/restore", headers=writer)
        assert response.status_code == 403

    def test_purge_erases_content_and_keeps_the_tombstone(
        self, client: TestClient, session: Session
    ) -> None:
        source = make_source(client, title="Secret")
        writer = bearer(stored_key(session, KeyScope.write, name="writer"))
        refused = client.delete(f"{API}/sources/{source['id']}?purge=true", headers=writer)
        assert refused.status_code == 403
        assert client.get(f"{API}/sources/{source['id']}").status_code == 200
        assert client.delete(f"{API}/sources/{source['id']}?purge=true").status_code == 204
        gone = client.get(f"{API}/sources/{source['id']}")
        assert gone.status_code == 410
        assert gone.json()["detail"].endswith("; its content was purged")
        found = revisions(client, f"sources/{source['id']}")
        assert [r["operation"] for r in found] == ["create", "delete", "purge"]
        assert all(r["changes"] is None for r in found[:2])
        assert client.post(f"{API}/sources/{source['id']}/restore").status_code == 409


class TestChangesFeed:
    def test_commit_order_paging_and_type_filter(self, client: TestClient) -> None:
        start = client.get(f"{API}/changes?limit=1000").json()
        while start["more"]:
            start = client.get(f"{API}/changes?limit=1000&since={start['next_cursor']}").json()
        since = start["next_cursor"]
        source = make_source(client)
        person = make_participant(client)
        client.delete(f"{API}/sources/{source['id']}")
        page = client.get(f"{API}/changes?since={since}&limit=2")
        body = page.json()
        assert [(c["resource"], c["operation"]) for c in body["items"]] == [
            ("source", "create"),
            ("participant", "create"),
        ]
        assert body["more"] is True
        assert 'rel="next"' in page.headers["link"]
        rest = client.get(f"{API}/changes?since={body['next_cursor']}").json()
        assert [(c["id"], c["operation"]) for c in rest["items"]] == [(source["id"], "delete")]
        assert rest["more"] is False
        only = client.get(f"{API}/changes?since={since}&type=participant").json()
        assert [c["id"] for c in only["items"]] == [person["id"]]

    def test_bad_cursor(self, client: TestClient) -> None:
        response = client.get(f"{API}/changes?since=abc")
        assert response.status_code == 400

    def test_replaying_the_feed_rebuilds_every_record(
        self, client: TestClient, session: Session
    ) -> None:
        event = make_event(client)
        person = make_participant(client)
        make_event_participant(client, event["id"], person["id"])
        claim = make_claim(client, claimant_id=person["id"])
        client.patch(f"{API}/claims/{claim['id']}", json={"status": "disputed"})
        doomed = make_source(client)
        client.delete(f"{API}/sources/{doomed['id']}")
        back = make_source(client)
        client.delete(f"{API}/sources/{back['id']}")
        client.post(f"{API}/sources/{back['id']}/restore")
        twin = make_participant(client)
        make_event_participant(client, event["id"], twin["id"], role="visitor")
        client.post(f"{API}/participants/{twin['id']}/merge", json={"into": person["id"]})
        mirror: dict[tuple[str, str], Any] = {}
        since = None
        while True:
            query = f"?limit=50&since={since}" if since else "?limit=50"
            page = client.get(f"{API}/changes{query}").json()
            for change in page["items"]:
                key = (change["resource"], change["id"])
                if change["operation"] in ("delete", "purge") or (change["changes"] or {}).get(
                    "merged_into"
                ):
                    mirror.pop(key, None)
                else:
                    mirror[key] = change["record"]
            since = page["next_cursor"]
            if not page["more"]:
                break
        stored = {}
        for model in (Event, Participant, Claim, Source):
            resource = str(model.__tablename__)
            for ident in session.exec(select(model.id)).all():
                stored[(resource, str(ident))] = snapshots.snapshot(session, resource, ident)
        assert mirror.keys() == stored.keys()
        assert mirror == stored


class TestAsOf:
    def test_reads_the_revision_in_force(self, client: TestClient) -> None:
        source = make_source(client, title="First")
        client.patch(f"{API}/sources/{source['id']}", json={"title": "Second"})
        client.delete(f"{API}/sources/{source['id']}")
        created, updated, deleted = (
            dt.datetime.fromisoformat(r["recorded_at"])
            for r in revisions(client, f"sources/{source['id']}")
        )
        url = f"{API}/sources/{source['slug']}"
        first = client.get(url, params={"as_of": created.isoformat()})
        assert first.status_code == 200
        assert first.json()["version"] == 1
        assert first.json()["record"]["fields"]["title"] == "First"
        second = client.get(url, params={"as_of": updated.isoformat()}).json()
        assert second["record"]["fields"]["title"] == "Second"
        early = (created - dt.timedelta(seconds=1)).isoformat()
        assert client.get(url, params={"as_of": early}).status_code == 404
        gone = client.get(url, params={"as_of": deleted.isoformat()})
        assert gone.status_code == 410

    def test_every_resource_and_a_naive_time(self, client: TestClient) -> None:
        made = {
            "events": make_event(client),
            "participants": make_participant(client),
            "claims": make_claim(client),
        }
        now = dt.datetime.now(dt.UTC).isoformat()
        for path, record in made.items():
            answer = client.get(f"{API}/{path}/{record['id']}", params={"as_of": now})
            assert answer.status_code == 200, answer.text
            assert answer.json()["record"]["fields"]["slug"] == record["slug"]
        naive = client.get(f"{API}/events/{made['events']['id']}?as_of=2026-01-01T00:00:00")
        assert naive.status_code == 422

    @pytest.mark.parametrize("path", ["events", "participants", "claims", "sources"])
    def test_a_read_by_id_refuses_a_parameter_it_does_not_take(
        self, client: TestClient, path: str
    ) -> None:
        record = {
            "events": make_event,
            "participants": make_participant,
            "claims": make_claim,
            "sources": make_source,
        }[path](client)
        for ref in (record["id"], record["slug"]):
            answer = client.get(f"{API}/{path}/{ref}", params={"as_0f": "2026-01-01T00:00:00Z"})
            assert_problem(answer, 422, "invalid fields: as_0f", locs=[["query", "as_0f"]])
            naive = client.get(f"{API}/{path}/{ref}", params={"as_of": "2026-01-01T00:00:00"})
            assert naive.status_code == 422


class TestMergeParticipants:
    @pytest.mark.parametrize("path", ["participants", "events"])
    def test_a_nul_in_either_reference_is_a_422(self, client: TestClient, path: str) -> None:
        kept = make_participant(client) if path == "participants" else make_event(client)
        in_path = client.post(f"{API}/{path}/%00/merge", json={"into": kept["id"]})
        assert in_path.status_code == 422, in_path.text
        assert in_path.json()["errors"][0]["loc"] == ["path", "ref"]
        in_body = client.post(f"{API}/{path}/{kept['id']}/merge", json={"into": "a\u0000b"})
        assert in_body.status_code == 422, in_body.text
        assert in_body.json()["errors"][0]["loc"] == ["body", "into"]

    def test_clashing_subjects_and_identifiers_are_combined(self, client: TestClient) -> None:
        keep = make_participant(client, identifiers={"wikidata": "Q7747"})
        dup = make_participant(client, identifiers={"wikidata": "Q1"})
        subjects = [{"type": "participant", "id": keep["id"]}]
        claim = make_claim(client, subjects=[*subjects, {"type": "participant", "id": dup["id"]}])
        response = client.post(f"{API}/participants/{dup['id']}/merge", json={"into": keep["id"]})
        assert response.status_code == 200, response.text
        assert response.json()["combined"] == [
            f"claim {claim['id']}: both were subjects; one kept",
            "identifier wikidata: kept Q7747, dropped Q1",
        ]
        survivor = client.get(f"{API}/participants/{keep['id']}").json()
        assert survivor["identifiers"] == {"wikidata": "Q7747"}
        about = client.get(f"{API}/claims/{claim['id']}").json()["subjects"]
        assert [s["id"] for s in about] == [keep["id"]]

    def test_moves_everything_and_redirects(self, client: TestClient) -> None:
        keep = make_participant(client, name="Vladimir Putin", identifiers={"wikidata": "Q7747"})
        dup = make_participant(
            client, slug="v-putin", name="V. Putin", identifiers={"viaf": "123456"}
        )
        both = make_event(client)
        only_dup = make_event(client)
        make_event_participant(client, both["id"], keep["id"], role="host")
        make_event_participant(client, both["id"], dup["id"], role="host", note="from dup")
        make_event_participant(client, only_dup["id"], dup["id"], role="visitor")
        claim = make_claim(client, claimant_id=dup["id"])
        role = client.post(f"{API}/participants/{dup['id']}/roles", json={"title": "President"})
        assert role.status_code == 201
        response = client.post(f"{API}/participants/v-putin/merge", json={"into": keep["slug"]})
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["survivor_id"] == keep["id"]
        assert report["merged_id"] == dup["id"]
        assert report["combined"] == [f"event {both['id']}: both were host; one link kept"]
        survivor = client.get(f"{API}/participants/{keep['id']}").json()
        assert survivor["aliases"] == ["V. Putin"]
        assert survivor["identifiers"] == {"viaf": "123456", "wikidata": "Q7747"}
        links = client.get(f"{API}/events/{both['id']}/participants").json()["items"]
        assert [(p["participant_id"], p["role"]) for p in links] == [(keep["id"], "host")]
        moved = client.get(f"{API}/events/{only_dup['id']}/participants").json()["items"]
        assert [p["participant_id"] for p in moved] == [keep["id"]]
        assert client.get(f"{API}/claims/{claim['id']}").json()["claimant_id"] == keep["id"]
        roles = client.get(f"{API}/participants/{keep['id']}/roles").json()["items"]
        assert [r["title"] for r in roles] == ["President"]
        for ref in (dup["id"], "v-putin"):
            redirect = client.get(f"{API}/participants/{ref}", follow_redirects=False)
            assert redirect.status_code == 308
            assert redirect.headers["location"] == f"{API}/participants/{keep['id']}"
        sub = client.get(f"{API}/participants/v-putin/roles", follow_redirects=False)
        assert sub.headers["location"] == f"{API}/participants/{keep['id']}/roles"
        assert revisions(client, f"participants/{keep['id']}")[-1]["operation"] == "merge"
        last = revisions(client, "participants/v-putin")[-1]
        assert (last["operation"], last["changes"]["merged_into"]) == ("merge", keep["id"])

    def test_refuses_itself_and_unknown(self, client: TestClient) -> None:
        one = make_participant(client, slug="only-one")
        assert (
            client.post(f"{API}/participants/only-one/merge", json={"into": one["id"]}).status_code
            == 422
        )
        assert (
            client.post(f"{API}/participants/only-one/merge", json={"into": "nobody"}).status_code
            == 422
        )


class TestUpdatedSince:
    def test_every_list_filters_by_update_time(self, client: TestClient) -> None:
        makers = {
            "participants": make_participant,
            "claims": make_claim,
            "sources": make_source,
            "events": make_event,
        }
        for path, make in makers.items():
            old = make(client)
            new = make(client)
            response = client.get(f"{API}/{path}", params={"updated_since": new["updated_at"]})
            assert response.status_code == 200, response.text
            ids = [item["id"] for item in response.json()["items"]]
            assert new["id"] in ids
            assert old["id"] not in ids


class TestIncomingRelations:
    def test_events_and_claims_list_the_relations_pointing_at_them(
        self, client: TestClient
    ) -> None:
        first = make_event(client)
        before = client.get(f"{API}/events/{first['id']}")
        later = make_event(client, relations=[{"relation": "follows", "event_id": first["id"]}])
        after = client.get(f"{API}/events/{first['id']}")
        incoming = after.json()["incoming_relations"]
        assert [(r["relation"], r["event_id"]) for r in incoming] == [("follows", later["id"])]
        assert incoming[0]["event"]["slug"] == later["slug"]
        assert after.headers["etag"] != before.headers["etag"]
        assert list(revisions(client, f"events/{first['id']}")[-1]["changes"]) == [
            "event_relation.incoming"
        ]
        client.patch(f"{API}/events/{later['id']}", json={"relations": []})
        assert client.get(f"{API}/events/{first['id']}").json()["incoming_relations"] == []
        said = make_claim(client)
        reply = make_claim(client, relations=[{"relation": "contradicts", "claim_id": said["id"]}])
        pointing = client.get(f"{API}/claims/{said['id']}").json()["incoming_relations"]
        assert pointing == [{"relation": "contradicts", "claim_id": reply["id"]}]


class TestMergeEvents:
    def test_moves_links_relations_and_claims(self, client: TestClient) -> None:
        keep = make_event(client)
        dup = make_event(client, slug="dup-meeting")
        before = make_event(client)
        after = make_event(client, relations=[{"relation": "follows", "event_id": dup["id"]}])
        client.patch(
            f"{API}/events/{dup['id']}",
            json={
                "relations": [
                    {"relation": "follows", "event_id": before["id"]},
                    {"relation": "related_to", "event_id": keep["id"]},
                ]
            },
        )
        host = make_participant(client)
        guest = make_participant(client)
        make_event_participant(client, keep["id"], host["id"], role="host")
        make_event_participant(client, dup["id"], host["id"], role="host")
        make_event_participant(client, dup["id"], guest["id"], role="visitor")
        claim = make_claim(client, event_id=dup["id"])
        response = client.post(f"{API}/events/dup-meeting/merge", json={"into": keep["slug"]})
        assert response.status_code == 200, response.text
        assert sorted(response.json()["combined"]) == [
            f"participant {host['id']}: in both as host; one kept",
            "relation related_to: would repeat or point at itself; dropped",
        ]
        survivor = client.get(f"{API}/events/{keep['id']}").json()
        assert [(r["relation"], r["event_id"]) for r in survivor["relations"]] == [
            ("follows", before["id"])
        ]
        assert [(r["relation"], r["event_id"]) for r in survivor["incoming_relations"]] == [
            ("follows", after["id"])
        ]
        links = client.get(f"{API}/events/{keep['id']}/participants").json()["items"]
        assert sorted((p["participant_id"], p["role"]) for p in links) == sorted(
            [(host["id"], "host"), (guest["id"], "visitor")]
        )
        assert client.get(f"{API}/claims/{claim['id']}").json()["event_id"] == keep["id"]
        redirect = client.get(f"{API}/events/dup-meeting", follow_redirects=False)
        assert (redirect.status_code, redirect.headers["location"]) == (
            308,
            f"{API}/events/{keep['id']}",
        )
        assert revisions(client, f"events/{keep['id']}")[-1]["operation"] == "merge"
        assert revisions(client, "events/dup-meeting")[-1]["operation"] == "merge"


class TestEventAndRoleSubRecords:
    def test_identifiers_and_citations_are_revisions_of_the_event(self, client: TestClient) -> None:
        wire = make_source(client)
        event = make_event(client)
        changed = client.patch(
            f"{API}/events/{event['id']}",
            json={"identifiers": {"gdelt": "77"}, "sources": [{"source": wire["slug"]}]},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["version"] == event["version"] + 1
        last = revisions(client, f"events/{event['id']}")[-1]
        assert last["version"] == event["version"] + 1
        [(old, new)] = last["changes"]["event_identifier"].values()
        assert old is None
        assert (new["scheme"], new["value"]) == ("gdelt", "77")
        [(old, new)] = last["changes"]["event_source"].values()
        assert old is None
        assert new["source_id"] == wire["id"]

    def test_restore_brings_back_identifiers_and_citations(self, client: TestClient) -> None:
        wire = make_source(client)
        event = make_event(
            client,
            identifiers={"gdelt": "78"},
            sources=[{"source": wire["id"], "locator": "p. 2"}],
        )
        assert client.delete(f"{API}/events/{event['id']}").status_code == 204
        # The deleted event's citations went with it: the source is free to go, so a restore
        # that needs it back would be refused; here it stays and the restore succeeds.
        restored = client.post(f"{API}/events/{event['id']}/restore")
        assert restored.status_code == 200, restored.text
        again = client.get(f"{API}/events/{event['id']}").json()
        assert again["identifiers"] == {"gdelt": "78"}
        assert [(c["source_id"], c["locator"]) for c in again["citations"]] == [
            (wire["id"], "p. 2")
        ]
        found = client.get(f"{API}/events", params={"identifier": "gdelt:78"}).json()["items"]
        assert [e["id"] for e in found] == [event["id"]]

    def test_a_cited_source_cannot_be_deleted_and_a_restore_needs_it(
        self, client: TestClient
    ) -> None:
        wire = make_source(client)
        event = make_event(client, sources=[{"source": wire["id"]}])
        refused = client.delete(f"{API}/sources/{wire['id']}")
        assert_problem(
            refused,
            409,
            f"source '{wire['slug']}' is still referenced by 1 event citations; delete those first",
        )
        assert client.delete(f"{API}/events/{event['id']}").status_code == 204
        assert client.delete(f"{API}/sources/{wire['id']}").status_code == 204
        refused = client.post(f"{API}/events/{event['id']}/restore")
        assert_problem(
            refused,
            409,
            f"event '{event['id']}' cannot be restored: a record it refers to (a source it "
            "cites, a participant, an event) was deleted or its identifiers were taken since",
        )
        assert client.get(f"{API}/events/{event['id']}").status_code == 410
        assert client.post(f"{API}/sources/{wire['id']}/restore").status_code == 200
        restored = client.post(f"{API}/events/{event['id']}/restore")
        assert restored.status_code == 200, restored.text
        cited = client.get(f"{API}/events/{event['id']}").json()["citations"]
        assert [c["source_id"] for c in cited] == [wire["id"]]

    def test_role_title_keys_are_history_and_come_back_on_restore(self, client: TestClient) -> None:
        person = make_participant(client, identifiers={"wikidata": "Q1"})
        role = client.post(
            f"{API}/participants/{person['id']}/roles",
            json={"title": "Mayor", "aliases": ["Lord Mayor"]},
        )
        assert role.status_code == 201
        last = revisions(client, f"participants/{person['id']}")[-1]
        keys = [new["key"] for _, new in last["changes"]["role_title_key"].values()]
        assert sorted(keys) == ["lord mayor", "mayor"]
        assert client.delete(f"{API}/participants/{person['id']}").status_code == 204
        restored = client.post(f"{API}/participants/{person['id']}/restore")
        assert restored.status_code == 200, restored.text
        again = client.get(f"{API}/participants/{person['id']}").json()
        assert again["identifiers"] == {"wikidata": "Q1"}
        roles = client.get(f"{API}/participants/{person['id']}/roles").json()["items"]
        assert [(r["title"], r["aliases"]) for r in roles] == [("Mayor", ["Lord Mayor"])]
        for title in ("MAYOR", "lord mayor"):
            found = client.get(f"{API}/participants", params={"role_title": title}).json()
            assert [p["id"] for p in found["items"]] == [person["id"]]


class TestMergeEventSubRecords:
    def test_moves_identifiers_and_citations(self, client: TestClient) -> None:
        wire, other = make_source(client), make_source(client)
        keep = make_event(
            client,
            identifiers={"gdelt": "1"},
            sources=[{"source": wire["id"]}],
        )
        dup = make_event(
            client,
            identifiers={"gdelt": "2", "acled": "A9"},
            sources=[{"source": wire["id"], "locator": "p. 3"}, {"source": other["id"]}],
        )
        response = client.post(f"{API}/events/{dup['id']}/merge", json={"into": keep["id"]})
        assert response.status_code == 200, response.text
        assert response.json()["combined"] == [
            "identifier gdelt: kept 1, dropped 2",
            f"source {wire['id']}: cited by both; one citation kept",
        ]
        survivor = client.get(f"{API}/events/{keep['id']}").json()
        assert survivor["identifiers"] == {"acled": "A9", "gdelt": "1"}
        assert sorted((c["source_id"], c["locator"]) for c in survivor["citations"]) == sorted(
            [(wire["id"], "p. 3"), (other["id"], None)]
        )
        last = revisions(client, f"events/{keep['id']}")[-1]
        assert last["operation"] == "merge"
        assert {"event_identifier", "event_source"} <= set(last["changes"])
        found = client.get(f"{API}/events", params={"identifier": "acled:A9"}).json()["items"]
        assert [e["id"] for e in found] == [keep["id"]]
