"""The project's spaCy components, each registered with @Language.factory beside its class.

Importing this package registers the factories (wpx_names, wpx_counts, wpx_dates, wpx_designations,
wpx_resolutions, wpx_mentions, wpx_registry_ruler).
"""
from . import counts, dates, designations, mentions, names, registry_ruler, resolutions  # noqa: F401  (registers factories)
