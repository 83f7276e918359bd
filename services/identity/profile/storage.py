"""Where photo files live, behind one small interface: a folder on local disk (the local run, under its data
directory) or an S3-compatible bucket (AWS S3, MinIO, R2 ...) when one is configured. Keys are
``<photo id>/<size>.jpg``; photo ids are random and checked before they reach a key, so no key can leave
the folder or the prefix."""
from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

CONTENT_TYPE = "image/jpeg"


class PhotoStorage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""

    async def delete(self, keys: list[str]) -> None:
        """Removes the files; keys that do not exist are not an error (deletion is retried)."""


class LocalPhotoStorage:
    """Files under ``root``. Writes go to a temporary file renamed into place, so a reader never sees half a
    photo and a crash leaves no truncated file under a photo's name."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"storage key outside the media folder: {key!r}")
        return path

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, keys: list[str]) -> None:
        def remove() -> None:
            for key in keys:
                path = self._path(key)
                path.unlink(missing_ok=True)
                try:
                    path.parent.rmdir()  # the photo's folder, once its last size is gone
                except OSError:
                    pass

        await asyncio.to_thread(remove)


class S3PhotoStorage:
    """Objects in ``bucket`` under ``prefix`` through boto3 (run in worker threads: boto3 blocks). The bucket
    stays private: identity reads the objects and serves them through the gateway."""

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                 client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                                             config=Config(retries={"mode": "standard", "max_attempts": 3},
                                                           connect_timeout=3, read_timeout=10))

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self.client.put_object, Bucket=self.bucket, Key=self.prefix + key, Body=data,
                                ContentType=CONTENT_TYPE)

    async def get(self, key: str) -> bytes | None:
        def read() -> bytes | None:
            try:
                reply = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None
                raise
            return reply["Body"].read()

        return await asyncio.to_thread(read)

    async def delete(self, keys: list[str]) -> None:
        if keys:
            objects = [{"Key": self.prefix + key} for key in keys]
            reply = await asyncio.to_thread(self.client.delete_objects, Bucket=self.bucket,
                                            Delete={"Objects": objects, "Quiet": True})
            if reply.get("Errors"):
                raise RuntimeError(f"S3 refused to delete {reply['Errors']}")


def photo_storage(settings: Any) -> PhotoStorage:
    """S3 when ``photo_s3_bucket`` is set, else the local folder ``media_dir``."""
    if settings.photo_s3_bucket:
        return S3PhotoStorage(settings.photo_s3_bucket, prefix=settings.photo_s3_prefix,
                              endpoint_url=settings.photo_s3_endpoint_url, region=settings.photo_s3_region)
    return LocalPhotoStorage(Path(settings.media_dir))
