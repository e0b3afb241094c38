"""newskg: hedged, attributed news reports as an RDF knowledge graph.

The Python API is `newskg.api` (``from newskg import api; api.build(...)``): every command as
a function that returns data. It is not re-exported here because ``newskg.build`` is the build
package, and ``import newskg`` should cost nothing.
"""

__version__ = "0.1.0"
