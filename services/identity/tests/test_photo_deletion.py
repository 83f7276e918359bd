"""Deleting a photo on real Postgres and the local photo storage: the files go only after the commit that
unlists the photo, and a photo no profile lists is never served, whatever the storage still holds."""
import uuid

import pytest

from services.identity.profile import rules, service

from .test_profile_photos import two_colour_jpeg

pytestmark = pytest.mark.asyncio


async def with_photo(client) -> tuple[dict, dict[str, str], dict]:
    """A new account with one uploaded photo: (user, auth header, photo)."""
    reply = await client.post("/api/v1/auth/register", json={"email": f"ph{uuid.uuid4().hex[:12]}@example.com",
                                                             "password": "s3cret-pass"})
    assert reply.status_code == 201, reply.text
    auth = {"Authorization": f"Bearer {reply.json()['access_token']}"}
    upload = await client.post("/api/v1/profile/photos/upload", headers=auth,
                               files={"file": ("a.jpg", two_colour_jpeg(80, 60), "image/jpeg")})
    assert upload.status_code == 201, upload.text
    return reply.json()["user"], auth, upload.json()


async def listed_ids(client, auth) -> list[str]:
    me = await client.get("/api/v1/profile/me", headers=auth)
    return [p["id"] for p in me.json()["user"]["photo_details"]]


async def test_a_failed_commit_leaves_the_photo_listed_with_its_files(client):
    runtime = client.app.state.runtime
    user, auth, photo = await with_photo(client)

    async def lost_commit() -> None:
        raise ConnectionError("the database went away at commit")

    async with runtime.sessions() as session:
        session.commit = lost_commit
        with pytest.raises(ConnectionError):
            await service.delete_photo(runtime, session, user["id"], photo["id"])
    assert await listed_ids(client, auth) == [photo["id"]]
    for url in (photo["url"], photo["thumbnail_url"]):
        assert (await client.get(url)).status_code == 200, url


class DeletesFail:
    """The photo storage, but deleting fails (the bucket unreachable after the commit)."""

    def __init__(self, storage) -> None:
        self.storage = storage

    async def put(self, key: str, data: bytes) -> None:
        await self.storage.put(key, data)

    async def get(self, key: str) -> bytes | None:
        return await self.storage.get(key)

    async def delete(self, keys: list[str]) -> None:
        raise OSError("storage unreachable")


async def test_after_a_204_the_photo_is_not_served_even_if_its_files_stay(client):
    runtime = client.app.state.runtime
    user, auth, photo = await with_photo(client)
    storage = runtime.state["photo_storage"]
    runtime.state["photo_storage"] = DeletesFail(storage)
    try:
        reply = await client.delete(f"/api/v1/profile/photos/{photo['id']}", headers=auth)
    finally:
        runtime.state["photo_storage"] = storage
    assert reply.status_code == 204, reply.text
    assert await listed_ids(client, auth) == []
    assert await storage.get(rules.photo_key(photo["id"], "display")) is not None  # the file stayed behind
    for url in (photo["url"], photo["thumbnail_url"]):
        gone = await client.get(url)
        assert (gone.status_code, gone.json()["error"]["code"]) == (404, "PHOTO_NOT_FOUND"), url


async def test_a_deleted_photo_has_no_files_left(client):
    runtime = client.app.state.runtime
    user, auth, photo = await with_photo(client)
    reply = await client.delete(f"/api/v1/profile/photos/{photo['id']}", headers=auth)
    assert reply.status_code == 204, reply.text
    storage = runtime.state["photo_storage"]
    assert [await storage.get(key) for key in rules.photo_keys(photo["id"])] == [None, None]
