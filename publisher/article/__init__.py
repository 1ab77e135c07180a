"""The input contract: load, validate and hold one article (shared/spec/article.md)."""

from publisher.article.loaders import load_mapping
from publisher.article.model import Article, Official, PublisherInfo, SourceRef, load_article

__all__ = ["Article", "Official", "PublisherInfo", "SourceRef", "load_article", "load_mapping"]
