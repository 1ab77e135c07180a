"""publisher: structured article data to print-ready Chinese PDF documents.

    import publisher
    pdf_bytes = publisher.render(publisher.load_article("article.yaml"))
"""

from publisher.api import Publisher, RenderResult, render
from publisher.options import RenderOptions
from publisher.article import Article, load_article
from publisher.errors import ArticleError, FontError, Problem, PublisherError, RenderError, TemplateError

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ArticleError",
    "FontError",
    "Problem",
    "Publisher",
    "PublisherError",
    "RenderError",
    "RenderOptions",
    "RenderResult",
    "TemplateError",
    "__version__",
    "load_article",
    "render",
]
