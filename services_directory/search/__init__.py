"""Find services: need, free text, age, locality or postcode, ways to get in touch, open now,
language and cost, ranked, each with the plain-words reasons it matched.

- `types`: what a search returns (`SearchResult`, `ContactRoute`) and the directory's modes;
- `rows`, `index`: the search index, precomputed from one state of the database;
- `cache`: one index per state of the database (its change log), kept in the process;
- `refresh`: a few services changed by the back office since the cached index: only their
  entries are read and built again (anything else: a full build);
- `ranking`: `search()` itself.
"""

from services_directory.search.cache import change_key, clear_search_cache, get_index
from services_directory.search.index import build_index
from services_directory.search.ranking import (
    MAX_LIMIT,
    needs,
    search,
    service_card,
    text_scores,
)
from services_directory.search.types import (
    CONTACT_MODES,
    REMOTE_MODES,
    ContactRoute,
    SearchResult,
    safe_href,
)

__all__ = [
    "CONTACT_MODES",
    "MAX_LIMIT",
    "REMOTE_MODES",
    "ContactRoute",
    "SearchResult",
    "build_index",
    "change_key",
    "clear_search_cache",
    "get_index",
    "needs",
    "safe_href",
    "search",
    "service_card",
    "text_scores",
]
