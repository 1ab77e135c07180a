"""The one internal document model that every renderer reads, and how an Article becomes one."""

from publisher.document.build import build_document
from publisher.document.nodes import Document

__all__ = ["Document", "build_document"]
